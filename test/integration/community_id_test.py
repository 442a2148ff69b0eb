#!/usr/bin/env python3
"""Community IDs of our flow records against Suricata's: the corpus test.yaml
files that name a `community_id` for a 5-tuple are an independent oracle
(tshark 4.0 does not compute Community IDs). For each such expectation the
flow log of `opensocd ingest` must hold a flow with the same endpoints and
the same Community ID."""
import glob
import json
import os
import re

from harness import Checks, args, run, temp_dir, write_config

opensocd, root, corpus = args()
c = Checks("community-id")
tests = os.path.join(corpus, "suricata-verify", "tests")


def expectations(yaml_text):
    """Yields dicts of the scalar fields of each `match:` block naming a community_id."""
    for block in re.split(r"\n\s*- filter:", yaml_text):
        fields = dict(re.findall(r"^\s+(community_id|src_ip|dest_ip|src_port|dest_port|proto):\s*(\S+)\s*$",
                                 block, re.M))
        if "community_id" in fields and "src_ip" in fields and "dest_ip" in fields:
            yield fields


checked = 0
with temp_dir() as d:
    for yml in sorted(glob.glob(os.path.join(tests, "*", "test.yaml"))):
        exp = list(expectations(open(yml).read()))
        if not exp:
            continue
        name = os.path.basename(os.path.dirname(yml))
        pcaps = sorted(glob.glob(os.path.join(os.path.dirname(yml), "*.pcap")))
        log = os.path.join(d, name + ".json")
        # Suricata's seed for that test (its suricata.yaml), default 0.
        seed = 0
        conf = os.path.join(os.path.dirname(yml), "suricata.yaml")
        if os.path.exists(conf):
            m = re.search(r"community-id-seed:\s*(\d+)", open(conf).read())
            seed = int(m.group(1)) if m else 0
        cfg = write_config(os.path.join(d, name + ".yaml"), f"pipeline:\n  community_id_seed: {seed}\n")
        r = run([opensocd, "ingest", "-c", cfg, "--flow-log", log] + pcaps)
        if not c.check(r.returncode == 0, f"{name}: ingest", r.stderr):
            continue
        ours = {}
        for line in open(log):
            rec = json.loads(line)
            ends = frozenset([(rec["source"]["ip"], rec["source"].get("port")),
                              (rec["destination"]["ip"], rec["destination"].get("port"))])
            ours.setdefault(ends, set()).add(rec["network"]["community_id"])
        for e in exp:
            sp = int(e["src_port"]) if "src_port" in e else None
            dp = int(e["dest_port"]) if "dest_port" in e else None
            ends = frozenset([(e["src_ip"], sp), (e["dest_ip"], dp)])
            got = ours.get(ends, set())
            checked += 1
            c.check(e["community_id"] in got,
                    f"{name}: {e['src_ip']}:{sp} -> {e['dest_ip']}:{dp} has {e['community_id']}", f"(ours: {got})")
c.check(checked >= 5, f"{checked} Community IDs compared")
c.finish()
