#!/usr/bin/env bash
# Sets up the machine (Debian packages), builds, and runs every test suite:
# unit (Catch2, one executable per module), fuzz (each harness replays its
# seed corpus), integration (the real binary against tshark/capinfos/tcpreplay,
# DPDK net_pcap and net_af_packet in a network namespace).
# Without arguments (CI, the README's command) two more passes follow, in one
# clang build (build-fuzz/, every library instrumented, ASan + UBSan):
#   - every libFuzzer harness runs 10 s from its seeds (scripts/fuzz_smoke.sh);
#   - the unit and fuzz-replay suites again under the sanitizers
#     (scripts/sanitize.sh; the integration suite under them is a manual run).
# OPENSOC_QUICK=1 skips them.
# Usage: scripts/test.sh [meson test args, e.g. --suite unit]
# Ends with the line "N passed, N failed" over every pass (each fuzz harness
# counts as one test).
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh || { echo "0 passed, 1 failed"; exit 1; }
meson test -C build --print-errorlogs --num-processes 2 --no-suite perf "$@"
rc=$?
logs=(build/meson-logs/testlog.json)
smoke=""
if [ $# -eq 0 ] && [ "${OPENSOC_QUICK:-0}" != 1 ]; then
  rm -f build-fuzz/meson-logs/testlog.json
  BUILD=build-fuzz bash scripts/fuzz_smoke.sh 10 || rc=1
  smoke=build-fuzz/smoke
  # Unit and fuzz-replay suites under the sanitizers in CI; the integration
  # suite under them is a manual run (scripts/sanitize.sh --suite integration,
  # docs/FUZZING.md): ASan's quarantine breaks the abuse test's memory bound.
  BUILD=build-fuzz bash scripts/sanitize.sh --suite unit --suite fuzz || rc=1
  [ -f build-fuzz/meson-logs/testlog.json ] && logs+=(build-fuzz/meson-logs/testlog.json)
fi
python3 - "$smoke" "${logs[@]}" <<'PY'
import glob, json, os, sys
passed = failed = skipped = 0
for path in sys.argv[2:]:
    for line in open(path):
        r = json.loads(line)["result"]
        if r in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif r == "SKIP":
            skipped += 1
        else:
            failed += 1
smoke = sys.argv[1]
if smoke:
    results = glob.glob(os.path.join(smoke, "*.result"))
    harnesses = glob.glob("test/fuzz/*_fuzz.cpp")
    ok = sum(1 for r in results if " ok " in open(r).read())
    passed += ok
    failed += max(len(harnesses), len(results)) - ok  # a harness with no result failed too
print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
PY
exit $rc
