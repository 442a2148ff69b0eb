#!/usr/bin/env bash
# Runs the whole meson test suite (unit, fuzz seed replay, integration: the
# daemon binary the integration tests start is the sanitized one) under
# AddressSanitizer + UndefinedBehaviorSanitizer (issue 7 §7), in its own
# build dir so the normal build is untouched. g++ builds it: the same
# compiler as the release build, and it links DPDK, Xapian, Hyperscan etc.
# without extra flags. Any sanitizer report fails the test that hit it
# (halt_on_error), and the run ends with "sanitize: N passed, N failed".
#
# Usage: scripts/sanitize.sh [meson test args, e.g. --suite unit]
# Environment: BUILD (default build-asan), CC/CXX (default gcc/g++; clang
# works too), NINJA_JOBS (ninja -j), NUM_PROCESSES (meson test
# --num-processes, default 2).
# The test log is $BUILD/meson-logs/testlog.json (same format as build/'s).
# What is excluded and why, and the measured wall time: docs/FUZZING.md.
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=$(realpath -m "${BUILD:-build-asan}")
root=$(pwd)

t0=$(date +%s)
if [ ! -f "$BUILD/build.ninja" ]; then
  CC=${CC:-gcc} CXX=${CXX:-g++} meson setup "$BUILD" -Db_sanitize=address,undefined -Db_lundef=false \
    --buildtype=debugoptimized -Dtests=true || { echo "sanitize: 0 passed, 1 failed"; exit 1; }
fi
ninja -C "$BUILD" ${NINJA_JOBS:+-j "$NINJA_JOBS"} || { echo "sanitize: 0 passed, 1 failed"; exit 1; }
t1=$(date +%s)

# halt_on_error: a report is a failure, not a line in a log nobody reads.
# abort_on_error gives the test runner a signal to see; no core files.
export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:abort_on_error=1:disable_coredump=1:check_initialization_order=1:strict_init_order=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
export LSAN_OPTIONS="suppressions=$root/test/sanitizer/lsan.supp:print_suppressions=0"
# ASan makes everything 2-3x slower; the integration tests' timeouts were
# sized for the optimised build.
meson test -C "$BUILD" --print-errorlogs --num-processes "${NUM_PROCESSES:-2}" --no-suite perf \
  --timeout-multiplier 4 "$@"
rc=$?
t2=$(date +%s)
python3 - "$BUILD/meson-logs/testlog.json" <<'PY'
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
print(f"sanitize: {passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
PY
echo "sanitize: build $((t1 - t0))s, tests $((t2 - t1))s"
exit $rc
