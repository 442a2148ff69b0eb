#!/usr/bin/env python3
"""Protocol fields from `opensocd ingest --eve-out` against tshark's, field
by field (scripts/tshark_field_agreement.py does the comparing).

Two sets of captures:
  corpus  the suricata-verify captures in which tshark sees dns, mdns, llmnr,
          http or tls (listed in fields_vs_tshark_baseline.json, so that the
          ~230 others cost no tshark run); each field's agreement must not
          fall below the floor recorded there.
  made    traffic this test makes with real clients and servers in two
          network namespaces joined by a veth pair, captured with tcpdump:
          dig against dnsmasq (A/AAAA/MX/TXT/NXDOMAIN over UDP and TCP);
          curl/wget against nginx and python's http.server (keep-alive with
          several URLs, gzip-chunked responses, 404/405/301, a Host with a
          port, IPv6, three requests pipelined in one segment, a 3 KiB URI
          in one jumbo frame); curl and openssl s_client against openssl
          s_server (TLS 1.3, TLS 1.2 forced by either side, TLS 1.3 through
          an HTTP CONNECT proxy). Every compared field must agree 100%.
Needs root (namespaces) and dnsmasq, nginx, dig, curl, wget, openssl,
tcpdump, ethtool (scripts/setup.sh installs them). FIELDS_VS_TSHARK_KEEP=PATH
keeps a copy of the made capture."""
import json
import os
import shutil
import signal
import subprocess
import sys
import time

from harness import Checks, args, run, temp_dir

opensocd, root, corpus = args()
sys.path.insert(0, os.path.join(root, "scripts"))
import tshark_field_agreement as fa  # noqa: E402

c = Checks("fields-vs-tshark")
BASELINE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fields_vs_tshark_baseline.json")
SRV, CLI = "fvt-srv", "fvt-cli"
SRV_IP, SRV_IP2, CLI_IP = "10.77.0.1", "10.77.0.3", "10.77.0.2"
SRV_IP6, CLI_IP6 = "fd77::1", "fd77::2"
# The fields the made traffic exercises, all of which must agree exactly.
MADE_EXACT = ["dns.qname", "dns.rcode", "http.host", "http.method", "http.uri", "http.status",
              "http.user_agent", "tls.sni", "tls.version", "tls.ja3", "tls.ja3s"]


def ns(name, *cmd, **kw):
    return run(["ip", "netns", "exec", name] + list(cmd), **kw)


def ns_popen(name, cmd, log):
    return subprocess.Popen(["ip", "netns", "exec", name] + cmd, stdout=log, stderr=subprocess.STDOUT)


def stop(proc, sig=signal.SIGTERM):
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def make_namespaces():
    for n in (SRV, CLI):
        run(["ip", "netns", "del", n])
        c.equal(run(["ip", "netns", "add", n]).returncode, 0, f"namespace {n} created")
    run(["ip", "link", "add", "fvt-s", "netns", SRV, "type", "veth", "peer", "name", "fvt-c", "netns", CLI])
    for n, dev, addrs in ((SRV, "fvt-s", [SRV_IP, SRV_IP2]), (CLI, "fvt-c", [CLI_IP])):
        ns(n, "ip", "link", "set", "lo", "up")
        # Jumbo frames, as on loopback or a 9000-byte LAN: a request head
        # larger than 2 KiB then arrives in one segment.
        ns(n, "ip", "link", "set", dev, "up", "mtu", "9000")
        for a in addrs:
            ns(n, "ip", "addr", "add", a + "/24", "dev", dev)
        ns(n, "ip", "-6", "addr", "add", (SRV_IP6 if n == SRV else CLI_IP6) + "/64", "dev", dev, "nodad")
        # Frames on the wire as a NIC would send them: no GSO/TSO super-frames
        # in the capture, no GRO merging on the receiving side.
        ns(n, "ethtool", "-K", dev, "tso", "off", "gso", "off", "gro", "off")


def write(path, text):
    with open(path, "w") as f:
        f.write(text)
    return path


def wait_port(name, ip, port, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = ns(name, "python3", "-c", f"import socket; socket.create_connection(('{ip}', {port}), 1).close()")
        if r.returncode == 0:
            return True
        time.sleep(0.2)
    return False


def start_servers(d, logs):
    procs = []
    www = os.path.join(d, "www")
    os.makedirs(www)
    write(os.path.join(www, "index.html"), "<html>hello</html>\n")
    write(os.path.join(www, "a.txt"), "a\n")
    write(os.path.join(www, "b.txt"), "b\n")
    write(os.path.join(www, "big.txt"), "".join(f"line {i} of a text that gzip shrinks\n" for i in range(4000)))
    conf = write(os.path.join(d, "nginx.conf"), f"""
daemon off;
master_process off;
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/nginx-error.log;
events {{ worker_connections 64; }}
http {{
  access_log off;
  client_body_temp_path {d}/nginx-body;
  proxy_temp_path {d}/nginx-proxy;
  fastcgi_temp_path {d}/nginx-fastcgi;
  uwsgi_temp_path {d}/nginx-uwsgi;
  scgi_temp_path {d}/nginx-scgi;
  types {{ text/html html; text/plain txt; }}
  gzip on;
  gzip_types text/plain;
  gzip_min_length 1;
  server {{
    listen {SRV_IP}:80;
    listen {SRV_IP}:8080;
    listen [{SRV_IP6}]:80;
    root {www};
    location = /old {{ return 301 /index.html; }}
  }}
}}
""")
    procs.append(ns_popen(SRV, ["nginx", "-c", conf, "-p", d], logs))
    procs.append(ns_popen(SRV, ["dnsmasq", "--no-daemon", "--conf-file=/dev/null", "--no-resolv", "--no-hosts",
                                "--bind-interfaces", f"--listen-address={SRV_IP}", "--user=root",
                                f"--pid-file={d}/dnsmasq.pid", "--local=/example.test/",
                                "--host-record=www.example.test,10.1.2.3,fd00::3",
                                "--mx-host=example.test,mail.example.test,10",
                                "--txt-record=example.test,hello world"], logs))
    procs.append(ns_popen(SRV, ["python3", "-m", "http.server", "--bind", SRV_IP, "--directory", www, "8000"], logs))
    key, cert = os.path.join(d, "key.pem"), os.path.join(d, "cert.pem")
    run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
         "-days", "2", "-subj", "/CN=tls.example.test"])
    procs.append(ns_popen(SRV, ["openssl", "s_server", "-www", "-accept", f"{SRV_IP}:443", "-cert", cert,
                                "-key", key], logs))
    procs.append(ns_popen(SRV, ["openssl", "s_server", "-www", "-tls1_2", "-accept", f"{SRV_IP2}:443",
                                "-cert", cert, "-key", key], logs))
    procs.append(ns_popen(SRV, ["python3", "-c", CONNECT_PROXY], logs))
    for ip, port in ((SRV_IP, 80), (SRV_IP, 8080), (SRV_IP, 8000), (SRV_IP, 443), (SRV_IP2, 443), (SRV_IP, 3128)):
        c.check(wait_port(CLI, ip, port), f"server on {ip}:{port} is up")
    return procs


# An HTTP CONNECT proxy (as a corporate proxy is): every tunnel goes to the
# server namespace's own address over loopback, so the capture on the veth
# holds only the client's side: the CONNECT exchange, then TLS inside it.
CONNECT_PROXY = f"""
import socket, threading
def pipe(a, b):
    try:
        while True:
            d = a.recv(65536)
            if not d:
                break
            b.sendall(d)
    except OSError:
        pass
    try:
        b.shutdown(socket.SHUT_WR)
    except OSError:
        pass
def handle(c):
    head = b''
    while b'\\r\\n\\r\\n' not in head:
        d = c.recv(4096)
        if not d:
            c.close()
            return
        head += d
    port = int(head.split(b'\\r\\n')[0].split()[1].rsplit(b':', 1)[1])
    u = socket.create_connection(('{SRV_IP}', port))
    c.sendall(b'HTTP/1.1 200 Connection established\\r\\n\\r\\n')
    t = threading.Thread(target=pipe, args=(u, c))
    t.start()
    pipe(c, u)
    t.join()
    c.close()
    u.close()
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('{SRV_IP}', 3128))
s.listen()
while True:
    c, _ = s.accept()
    threading.Thread(target=handle, args=(c,), daemon=True).start()
"""

PIPELINE = ("import socket\n"
            f"s = socket.create_connection(('{SRV_IP}', 80), 5)\n"
            "reqs = b''.join(b'GET /' + p + b' HTTP/1.1\\r\\nHost: www.example.test\\r\\n'\n"
            "                b'User-Agent: pipeline-client/1.0\\r\\n' + c + b'\\r\\n'\n"
            "                for p, c in ((b'a.txt', b''), (b'b.txt', b''), (b'index.html', b'Connection: close\\r\\n')))\n"
            "s.sendall(reqs)\n"
            "while s.recv(65536): pass\n")


def clients():
    """Each client run in the client namespace; returns how many failed."""
    ua = ["-A", "opensoc-fields-test/1.0"]
    www = ["--resolve", f"www.example.test:80:{SRV_IP}", "--resolve", f"www.example.test:8080:{SRV_IP}"]
    cmds = []
    for q in (["www.example.test", "A"], ["www.example.test", "AAAA"], ["example.test", "MX"],
              ["example.test", "TXT"], ["nope.example.test", "A"]):
        cmds.append(["dig", "+tries=1", "+time=3", f"@{SRV_IP}"] + q)
    for q in (["www.example.test", "A"], ["example.test", "MX"], ["nope.example.test", "AAAA"]):
        cmds.append(["dig", "+tcp", "+tries=1", "+time=3", f"@{SRV_IP}"] + q)
    cmds += [
        ["curl", "-sS", "--http1.1", "-o", "/dev/null", "-o", "/dev/null", "-o", "/dev/null", "-o", "/dev/null"] + ua + www +
        ["http://www.example.test/", "http://www.example.test/a.txt?x=1&y=%20z", "http://www.example.test/missing",
         "http://www.example.test/old"],
        ["curl", "-sS", "--http1.1", "--compressed", "-o", "/dev/null"] + ua + www + ["http://www.example.test:8080/big.txt"],
        ["curl", "-sS", "--http1.1", "-o", "/dev/null", "-X", "POST", "--data", "k=v"] + ua + www + ["http://www.example.test/index.html"],
        ["curl", "-sS", "--http1.1", "-o", "/dev/null", "-H", "User-Agent:", "-g", f"http://[{SRV_IP6}]/b.txt"],
        ["curl", "-sS", "--http1.1", "-o", "/dev/null"] + ua + www + ["http://www.example.test/a.txt?q=" + "x" * 3000],
        ["wget", "-q", "-O", "/dev/null", f"http://{SRV_IP}:8000/index.html"],
        ["python3", "-c", PIPELINE],
        ["curl", "-sS", "-k", "-o", "/dev/null", "--resolve", f"tls13.example.test:443:{SRV_IP}", "https://tls13.example.test/"],
        ["curl", "-sS", "-k", "-o", "/dev/null", "--tls-max", "1.2", "--resolve", f"tls12c.example.test:443:{SRV_IP}",
         "https://tls12c.example.test/"],
        ["curl", "-sS", "-k", "-o", "/dev/null", "--resolve", f"tls12s.example.test:443:{SRV_IP2}", "https://tls12s.example.test/"],
        ["curl", "-sS", "-k", "-o", "/dev/null", "-p", "-x", f"http://{SRV_IP}:3128", "https://proxied.example.test/"],
        ["sh", "-c", f"echo Q | openssl s_client -connect {SRV_IP2}:443 -servername s-client.example.test -tls1_2"],
    ]
    failed = 0
    for cmd in cmds:
        r = ns(CLI, *cmd, timeout=30)
        if r.returncode != 0:
            failed += 1
            print(f"client failed: {' '.join(cmd)}: {r.stderr.strip()[-300:]}")
    return failed


def make_traffic(d):
    """Returns the path of the capture of the made traffic, or None."""
    tools = ("dnsmasq", "nginx", "dig", "curl", "wget", "openssl", "tcpdump", "ethtool")
    missing = [t for t in tools if not shutil.which(t)]
    if not c.check(not missing, "traffic tools installed", f"missing {missing}"):
        return None
    pcap = os.path.join(d, "made.pcap")
    logs = open(os.path.join(d, "servers.log"), "w")
    dump_log = open(os.path.join(d, "tcpdump.log"), "w+")
    make_namespaces()
    procs = []
    try:
        procs = start_servers(d, logs)
        dump = ns_popen(SRV, ["tcpdump", "-i", "fvt-s", "-n", "--immediate-mode", "-U", "-s", "0",
                              "-B", "16384", "-w", pcap], dump_log)
        procs.append(dump)
        time.sleep(1.5)  # tcpdump prints nothing useful to wait on once -w is given
        c.equal(clients(), 0, "every client run succeeded")
        # Without --immediate-mode, packets still in an unretired ring block
        # are lost at SIGINT; with it, a second is plenty for the last ACKs.
        time.sleep(1.0)
        stop(dump, signal.SIGINT)
        dump_log.seek(0)
        print("tcpdump: " + " ".join(dump_log.read().split()))
    finally:
        for p in reversed(procs):
            stop(p)
        for n in (SRV, CLI):
            run(["ip", "netns", "del", n])
        logs.close()
        dump_log.close()
    if os.environ.get("FIELDS_VS_TSHARK_KEEP"):
        shutil.copy(pcap, os.environ["FIELDS_VS_TSHARK_KEEP"])  # for a look at a failure
    return pcap if c.check(os.path.getsize(pcap) > 24, "tcpdump captured the made traffic") else None


def check_report(report, what):
    c.equal(report["errors"], [], f"{what}: tshark and opensocd ran on every capture")
    fa.print_report(report)


baseline = json.load(open(BASELINE))
started = time.monotonic()
captures = [os.path.join(corpus, "suricata-verify", "tests", p) for p in baseline["corpus_captures"]]
present = [p for p in captures if os.path.exists(p)]
c.equal(len(present), len(captures), "every baseline corpus capture exists")
report = fa.run_all(present, opensocd)
check_report(report, "corpus")
c.equal(len(report["compared"]), len(present), "tshark sees its protocols in every baseline corpus capture")
for field, minimum in baseline["minimum_agreement_percent"].items():
    got = report["fields"][field]["agreement"]
    c.check(got >= minimum, f"corpus {field}: agreement {got:.2f}% >= baseline {minimum}%")
print(f"corpus: {time.monotonic() - started:.0f} s")

with temp_dir() as d:
    pcap = make_traffic(d)
    if pcap:
        made = fa.run_all([pcap], opensocd)
        check_report(made, "made")
        for field in MADE_EXACT:
            t = made["fields"][field]
            c.check(t["tshark"] > 0, f"made traffic has {field} values ({t['tshark']})")
            c.check(t["agreement"] == 100.0,
                    f"made {field}: {t['matched']} of tshark {t['tshark']} / ours {t['ours']} agree (100% required)")
print(f"total: {time.monotonic() - started:.0f} s")
c.finish()
