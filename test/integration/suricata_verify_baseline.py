"""One home for the two suricata-verify integration tests (metadata and
alerts): run scripts/suricata_verify.py over the corpus, then hold its result
against a baseline of tests that must keep passing, list what newly passes,
and fail on any crash or hang. Each test says only what differs: the
runner's extra arguments, its baseline file and the words of its report.
"""
import json
import os
import subprocess
import sys
import tempfile
import time

from harness import Checks


def read_baseline(path):
    names = []
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                names.append(line)
    return names


def run_against_baseline(name, script, baseline_file, header, runner_args, min_tests, crash_what, label,
                         expect_mode=None, list_failing=False):
    """argv: OPENSOCD SOURCE_ROOT CORPUS_DIR [--update-baseline]."""
    if len(sys.argv) < 4:
        sys.exit(f"usage: {script} OPENSOCD SOURCE_ROOT CORPUS_DIR [--update-baseline]")
    opensocd, root, corpus = sys.argv[1:4]
    update = "--update-baseline" in sys.argv[4:]
    baseline_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), baseline_file)
    runner = os.path.join(root, "scripts", "suricata_verify.py")
    c = Checks(name)

    # The matching rules themselves, against hand-made events.
    st = subprocess.run([sys.executable, runner, "--self-test"], capture_output=True, text=True, timeout=60)
    c.equal(st.returncode, 0, "runner self-test (upstream filter semantics)")
    if st.returncode:
        print(st.stdout + st.stderr)

    with tempfile.TemporaryDirectory(prefix=f"opensoc-{name}-") as tmp:
        out_json = os.path.join(tmp, "result.json")
        started = time.monotonic()
        r = subprocess.run([sys.executable, runner, *runner_args, "--opensocd", opensocd, "--corpus", corpus,
                            "--json", out_json, "--quiet"], capture_output=True, text=True, timeout=900)
        elapsed = time.monotonic() - started
        # The runner's own report: FAIL lines, per-field summary, totals.
        print(r.stdout, end="")
        if r.stderr.strip():
            print(r.stderr.strip()[-2000:])
        if not c.check(os.path.exists(out_json), "runner wrote its JSON result", f"(exit {r.returncode})"):
            c.finish()
        with open(out_json) as f:
            result = json.load(f)

    if expect_mode:
        c.equal(result.get("mode"), expect_mode, f"runner ran in {expect_mode} mode")
    status = {t["name"]: t["status"] for t in result["tests"]}
    crashed = [(t["name"], t["reason"]) for t in result["tests"] if t.get("crash")]
    passing = sorted(n for n, s in status.items() if s == "PASS")

    if update:
        with open(baseline_path, "w") as f:
            f.write(f"# {header}\n# {script} fails when one of these stops passing.\n"
                    f"# Regenerate: python3 test/integration/{script} OPENSOCD . CORPUS --update-baseline\n")
            for n in passing:
                f.write(n + "\n")
        print(f"baseline rewritten: {len(passing)} tests")

    baseline = read_baseline(baseline_path)
    c.check(len(status) > min_tests, f"corpus has suricata-verify tests ({len(status)})")
    c.check(len(baseline) > 0, f"baseline lists tests ({len(baseline)})")
    unknown = [n for n in baseline if n not in status]
    c.check(not unknown, "every baseline test exists in the corpus", repr(unknown[:10]))
    regressed = [(n, status[n]) for n in baseline if n in status and status[n] != "PASS"]
    c.check(not regressed, f"all {len(baseline)} baseline tests still pass", repr(regressed[:20]))
    c.check(not crashed, f"opensocd neither crashed nor hung {crash_what}", repr(crashed[:10]))
    failing = sorted(n for n, s in status.items() if s == "FAIL")
    if list_failing and failing:
        print(f"failing ({len(failing)}): {' '.join(failing)}")
    new = sorted(set(passing) - set(baseline))
    if new:
        print(f"newly passing (add to the baseline): {' '.join(new)}")
    t = result["totals"]
    print(f"{label}: {t['pass']} passed, {t['fail']} failed, {t['na']} n/a; "
          f"checks {t['checks_passed']} passed, {t['checks_failed']} failed; {elapsed:.0f} s")
    c.finish()
