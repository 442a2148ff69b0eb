#!/usr/bin/env bash
# Sets up the machine (Debian packages), builds, and runs every test suite:
# unit (Catch2, one executable per module), fuzz (each harness replays its
# seed corpus), integration (the real binary against tshark/capinfos/tcpreplay,
# DPDK net_pcap and net_af_packet in a network namespace).
# Usage: scripts/test.sh [meson test args, e.g. --suite unit]
# Ends with the line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh || { echo "0 passed, 1 failed"; exit 1; }
meson test -C build --print-errorlogs --num-processes 2 --no-suite perf "$@"
rc=$?
python3 - build/meson-logs/testlog.json <<'PY'
import json, sys
passed = failed = skipped = 0
for line in open(sys.argv[1]):
    r = json.loads(line)["result"]
    if r in ("OK", "EXPECTEDFAIL"):
        passed += 1
    elif r == "SKIP":
        skipped += 1
    else:
        failed += 1
print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
PY
exit $rc
