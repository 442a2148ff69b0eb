#!/usr/bin/env python3
"""Generates a signature rule set and an indicator feed of a given size for
the detection benchmark (bench/detection_bench.sh).

The rules are shaped like ET Open's: mostly HTTP URI, DNS query, TLS SNI and
payload content rules with flow, nocase, depth/offset, a few with a PCRE
after their content. Their contents are random, so (as with a real rule set
on ordinary traffic) almost none fire: what is measured is the cost of
looking. The indicators are random public IPv4 addresses, CIDRs, domains,
URLs and JA3 hashes, in the CSV layout opensocd loads.

Usage: detection_bench_gen.py RULES_OUT N_RULES INTEL_OUT N_INDICATORS [SEED]
"""
import random
import string
import sys


def word(rng, lo, hi):
    return "".join(rng.choice(string.ascii_lowercase + string.digits) for _ in range(rng.randint(lo, hi)))


def public_ipv4(rng):
    while True:
        a = rng.randint(1, 223)
        if a in (10, 127, 172, 192, 100, 169):
            continue
        return f"{a}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"


def rules(rng, n):
    tlds = ["com", "net", "org", "info", "ru", "cn", "xyz", "top"]
    for i in range(n):
        sid = 3000000 + i
        kind = rng.random()
        if kind < 0.40:
            opts = (f'flow:established,to_server; http.uri; content:"/{word(rng, 6, 14)}"; nocase; '
                    f'classtype:trojan-activity;')
            if rng.random() < 0.1:
                opts += f' pcre:"/\\/{word(rng, 3, 5)}[0-9]{{2,4}}\\.php/i";'
            head = "alert http $HOME_NET any -> $EXTERNAL_NET any"
            msg = f"GEN HTTP URI {i}"
        elif kind < 0.60:
            opts = f'dns.query; content:"{word(rng, 5, 12)}.{rng.choice(tlds)}"; nocase; endswith; classtype:bad-unknown;'
            head = "alert dns $HOME_NET any -> any any"
            msg = f"GEN DNS query {i}"
        elif kind < 0.75:
            opts = f'flow:established,to_server; tls.sni; content:"{word(rng, 6, 12)}"; nocase; classtype:trojan-activity;'
            head = "alert tls $HOME_NET any -> $EXTERNAL_NET any"
            msg = f"GEN TLS SNI {i}"
        elif kind < 0.85:
            opts = f'http.user_agent; content:"{word(rng, 8, 16)}"; classtype:trojan-activity;'
            head = "alert http $HOME_NET any -> $EXTERNAL_NET any"
            msg = f"GEN HTTP UA {i}"
        else:
            hexbytes = " ".join(f"{rng.randint(0, 255):02X}" for _ in range(rng.randint(3, 6)))
            opts = (f'flow:established; content:"{word(rng, 4, 8)}"; depth:{rng.randint(64, 512)}; '
                    f'content:"|{hexbytes}|"; distance:0; classtype:attempted-admin;')
            head = f"alert tcp any any -> $HOME_NET {rng.choice(['any', '$HTTP_PORTS', '445', '[1024:]'])}"
            msg = f"GEN payload {i}"
        yield f'{head} (msg:"{msg}"; {opts} sid:{sid}; rev:1;)'


def indicators(rng, n):
    yield "type,value,confidence,severity,description,source"
    for i in range(n):
        k = rng.random()
        conf = rng.randint(20, 95)
        sev = rng.randint(1, 3)
        if k < 0.60:
            t, v = "ipv4-addr", public_ipv4(rng)
        elif k < 0.70:
            a = public_ipv4(rng).split(".")
            t, v = "cidr", f"{a[0]}.{a[1]}.{a[2]}.0/24"
        elif k < 0.95:
            t, v = "domain", f"{word(rng, 6, 14)}.{rng.choice(['com', 'net', 'ru', 'xyz', 'top'])}"
        elif k < 0.98:
            t, v = "url", f"http://{word(rng, 6, 12)}.com/{word(rng, 4, 10)}"
        else:
            t, v = "ja3", "".join(rng.choice("0123456789abcdef") for _ in range(32))
        yield f"{t},{v},{conf},{sev},generated {i},bench-feed"


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    rules_out, n_rules, intel_out, n_ind = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    rng = random.Random(int(sys.argv[5]) if len(sys.argv) > 5 else 5)
    with open(rules_out, "w") as f:
        for r in rules(rng, n_rules):
            f.write(r + "\n")
    with open(intel_out, "w") as f:
        for line in indicators(rng, n_ind):
            f.write(line + "\n")


if __name__ == "__main__":
    main()
