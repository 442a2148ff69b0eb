#!/usr/bin/env python3
"""EVE output is valid against Suricata's published EVE schema: a handful of
corpus captures covering dns/http/tls/ssh/flow go through
`opensocd ingest --eve-out`, every line is checked by scripts/eve_schema_check.py,
and each of those event types must appear at least once.

argv: OPENSOCD SOURCE_ROOT CORPUS_DIR
"""
import collections
import json
import os
import subprocess
import sys

from harness import Checks, args, run, temp_dir

opensocd, root, corpus = args()
c = Checks("eve-schema")
tests_dir = os.path.join(corpus, "suricata-verify", "tests")
schema = os.path.join(corpus, "eve-schema", "schema.json")

# suricata-verify tests whose captures carry the protocols we log.
CAPTURE_DIRS = ["dns/dns-tcp-www-google-com", "dns/dns-udp-double-request-response", "dns/dns-answer-name",
                "dns-opcode", "http-ipv6", "http-options-method", "http-request-line", "tls/tls-cert-issuer",
                "tls/tls-subjectaltname", "tls/tls13-draft23", "tls-duplicate-hello", "ssh-newkeys",
                "ssh-hassh-only", "decode-teredo-01", "ethernet-eve"]
WANT_TYPES = ["dns", "http", "tls", "ssh", "flow"]

counts = collections.Counter()
with temp_dir("opensoc-eve-schema-") as tmp:
    eve_files = []
    for name in CAPTURE_DIRS:
        d = os.path.join(tests_dir, name)
        pcaps = sorted(os.path.join(d, f) for f in os.listdir(d) if f.endswith((".pcap", ".pcapng")))
        if not c.check(len(pcaps) > 0, f"{name}: corpus capture present"):
            continue
        data = os.path.join(tmp, name)
        os.makedirs(data)
        eve = os.path.join(tmp, name.replace("/", "_") + ".eve.json")
        try:
            r = run([opensocd, "ingest", "--data-dir", data, "--eve-out", eve] + pcaps, timeout=60)
        except subprocess.TimeoutExpired:
            c.check(False, f"{name}: ingest finished", "(timeout after 60 s)")
            continue
        if not c.equal(r.returncode, 0, f"{name}: ingest exit status"):
            print(r.stderr.strip()[-1000:])
            continue
        if not c.check(os.path.exists(eve), f"{name}: EVE file written"):
            continue
        eve_files.append(eve)
        with open(eve, encoding="utf-8", errors="replace") as f:
            for line in f:
                try:
                    counts[json.loads(line).get("event_type")] += 1
                except (json.JSONDecodeError, AttributeError):
                    counts["(not a JSON object)"] += 1

    if eve_files:
        r = run([sys.executable, os.path.join(root, "scripts", "eve_schema_check.py"), "--schema", schema]
                + eve_files, timeout=300)
        out = r.stdout.strip().splitlines()
        # Errors first (capped), then the checker's summary line.
        for line in out[:-1][:60]:
            print("  " + line)
        if len(out) > 61:
            print(f"  ... {len(out) - 61} more lines")
        c.equal(r.returncode, 0, f"every EVE line valid against the schema ({out[-1] if out else r.stderr.strip()})")

print("event types seen: " + ", ".join(f"{k}={v}" for k, v in sorted(counts.items(), key=lambda kv: str(kv[0]))))
for t in WANT_TYPES:
    c.check(counts[t] > 0, f"at least one {t} event", f"(got {counts[t]})")
c.finish()
