#!/usr/bin/env bash
# CI fuzz smoke run (issue 7 §7): builds the libFuzzer harnesses with clang
# (ASan + UBSan, every library instrumented for coverage) in build-fuzz/,
# then runs each harness SECONDS from its checked-in seeds, two at a time,
# printing one line per harness (result, execs, execs/s, cov, ft, CPU s) and
# a summary. Exits non-zero on any finding; the reproducer's path is in the
# output (copy it into test/fuzz/seeds/<name>/ once fixed).
#
# Usage: scripts/fuzz_smoke.sh [SECONDS (default 10)]
# Environment: BUILD (default build-fuzz), WORK (default build-fuzz/smoke,
# then wiped first so every run starts from the seeds), JOBS (default 2),
# NINJA_JOBS (ninja -j, default ninja's own).
# Budget: ~45 harnesses x 10 s / 2 = ~4 min of fuzzing, plus the clang build
# (measured in docs/FUZZING.md).
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-10}
export BUILD=$(realpath -m "${BUILD:-build-fuzz}")
# Only the default work dir (ours, inside the build dir) is wiped.
wipe_work=0
[ -z "${WORK:-}" ] && wipe_work=1
export WORK=$(realpath -m "${WORK:-$BUILD/smoke}")
export JOBS=${JOBS:-2}

t0=$(date +%s)
if [ ! -f "$BUILD/build.ninja" ]; then
  CXX=clang++ CC=clang meson setup "$BUILD" -Dfuzz=true -Dtests=true --buildtype=debugoptimized
fi
names=$(cd test/fuzz && ls ./*_fuzz.cpp | sed 's|^\./||; s/_fuzz.cpp$//')
targets=()
for n in $names; do targets+=("test/fuzz/${n}_fuzz"); done
ninja -C "$BUILD" ${NINJA_JOBS:+-j "$NINJA_JOBS"} "${targets[@]}"
t1=$(date +%s)
echo "fuzz build: $((t1 - t0))s"

if [ "$wipe_work" = 1 ]; then rm -rf "$WORK"; fi
rc=0
NO_BUILD=1 NAMES="$names" tools/run_fuzzers.sh "$SECS" || rc=$?
echo "fuzz smoke: build $((t1 - t0))s, fuzzing $(( $(date +%s) - t1 ))s, total $(( $(date +%s) - t0 ))s"
exit $rc
