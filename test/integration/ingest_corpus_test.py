#!/usr/bin/env python3
"""Every capture in the shared corpus goes through `opensocd ingest`: no
crash, no hang, and exactly the packet count capinfos reports. Many of these
files are malformed on purpose."""
import glob
import json
import os
import subprocess

from harness import Checks, args, run

opensocd, root, corpus = args()
c = Checks("ingest-corpus")

files = sorted(glob.glob(os.path.join(corpus, "suricata-verify", "tests", "**", "*.pcap*"), recursive=True))
c.check(len(files) > 500, f"corpus has captures ({len(files)})")

# capinfos in one batch: tab-separated "file<TAB>count" rows.
want = {}
BATCH = 200
for i in range(0, len(files), BATCH):
    out = run(["capinfos", "-c", "-M", "-T", "-r"] + files[i:i + BATCH], timeout=600).stdout
    for line in out.splitlines():
        parts = line.rsplit("\t", 1)
        if len(parts) == 2 and parts[1].strip().isdigit():
            want[parts[0].strip()] = int(parts[1])

mismatch = []
crashed = []
total = 0
for f in files:
    try:
        r = run([opensocd, "ingest", "--json", f], timeout=60)
    except subprocess.TimeoutExpired:
        crashed.append((f, "timeout"))
        continue
    if r.returncode != 0:
        crashed.append((f, f"exit {r.returncode}: {r.stderr.strip()[-300:]}"))
        continue
    got = json.loads(r.stdout)["packets"]
    total += got
    if f in want and want[f] != got:
        mismatch.append((f, got, want[f]))

c.check(not crashed, f"all {len(files)} captures ingested without crash or hang", repr(crashed[:10]))
c.check(len(want) > 500, f"capinfos counted {len(want)} captures")
c.check(not mismatch, f"packet counts equal capinfos' for every capture it could read ({total} packets)", repr(mismatch[:10]))
c.finish()
