#!/usr/bin/env python3
"""Signature alerts against upstream expectations: every suricata-verify test
with a rules file and `event_type: alert` checks, ingested with
`opensocd ingest --rules` (scripts/suricata_verify.py --alerts). No test in
suricata_verify_alerts_baseline.txt may stop passing, and opensocd may not
crash or hang on any of these captures with their rules loaded. Tests that
newly pass are listed so the baseline can grow.

argv: OPENSOCD SOURCE_ROOT CORPUS_DIR [--update-baseline]
--update-baseline rewrites the baseline with every test passing now.
"""
import json
import os
import subprocess
import sys
import tempfile
import time

from harness import Checks

if len(sys.argv) < 4:
    sys.exit("usage: suricata_verify_alerts_test.py OPENSOCD SOURCE_ROOT CORPUS_DIR [--update-baseline]")
opensocd, root, corpus = sys.argv[1:4]
update = "--update-baseline" in sys.argv[4:]
here = os.path.dirname(os.path.abspath(__file__))
baseline_path = os.path.join(here, "suricata_verify_alerts_baseline.txt")
runner = os.path.join(root, "scripts", "suricata_verify.py")
c = Checks("suricata-verify-alerts")


def read_baseline(path):
    names = []
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                names.append(line)
    return names


# The matching rules and the alerts-mode helpers, against hand-made input.
st = subprocess.run([sys.executable, runner, "--self-test"], capture_output=True, text=True, timeout=60)
c.equal(st.returncode, 0, "runner self-test (upstream filter semantics, rule error parsing)")
if st.returncode:
    print(st.stdout + st.stderr)

with tempfile.TemporaryDirectory(prefix="opensoc-sv-alerts-test-") as tmp:
    out_json = os.path.join(tmp, "result.json")
    started = time.monotonic()
    r = subprocess.run([sys.executable, runner, "--alerts", "--opensocd", opensocd, "--corpus", corpus,
                        "--json", out_json, "--quiet", "--jobs", "2"],
                       capture_output=True, text=True, timeout=900)
    elapsed = time.monotonic() - started
    # The runner's own report: FAIL lines, per-field summary, N/A reasons, totals.
    print(r.stdout, end="")
    if r.stderr.strip():
        print(r.stderr.strip()[-2000:])
    if not c.check(os.path.exists(out_json), "runner wrote its JSON result", f"(exit {r.returncode})"):
        c.finish()
    with open(out_json) as f:
        result = json.load(f)

c.equal(result.get("mode"), "alerts", "runner ran in alerts mode")
status = {t["name"]: t["status"] for t in result["tests"]}
crashed = [(t["name"], t["reason"]) for t in result["tests"] if t.get("crash")]
passing = sorted(n for n, s in status.items() if s == "PASS")

if update:
    with open(baseline_path, "w") as f:
        f.write("# suricata-verify tests whose alert checks opensocd's rule engine passes.\n"
                "# suricata_verify_alerts_test.py fails when one of these stops passing.\n"
                "# Regenerate: python3 test/integration/suricata_verify_alerts_test.py OPENSOCD . CORPUS"
                " --update-baseline\n")
        for n in passing:
            f.write(n + "\n")
    print(f"baseline rewritten: {len(passing)} tests")

baseline = read_baseline(baseline_path)
# Every test with rules and alert checks is listed (PASS, FAIL or N/A).
c.check(len(status) > 600, f"corpus has suricata-verify alert tests ({len(status)})")
c.check(len(baseline) > 0, f"baseline lists tests ({len(baseline)})")
unknown = [n for n in baseline if n not in status]
c.check(not unknown, "every baseline test exists in the corpus", repr(unknown[:10]))
regressed = [(n, status[n]) for n in baseline if n in status and status[n] != "PASS"]
c.check(not regressed, f"all {len(baseline)} baseline tests still pass", repr(regressed[:20]))
c.check(not crashed, "opensocd neither crashed nor hung with any test's rules", repr(crashed[:10]))
failing = sorted(n for n, s in status.items() if s == "FAIL")
if failing:
    print(f"failing ({len(failing)}): {' '.join(failing)}")
new = sorted(set(passing) - set(baseline))
if new:
    print(f"newly passing (add to the baseline): {' '.join(new)}")
t = result["totals"]
print(f"suricata-verify alerts: {t['pass']} passed, {t['fail']} failed, {t['na']} n/a; "
      f"checks {t['checks_passed']} passed, {t['checks_failed']} failed; {elapsed:.0f} s")
c.finish()
