#!/usr/bin/env bash
# Runs every libFuzzer harness for a while, starting from its checked-in seeds
# (test/fuzz/seeds/<name>), and prints executions/s and coverage per harness.
# Findings (crash-*, leak-*, timeout-*) are left in the work directory; a
# crash input belongs in test/fuzz/seeds/<name>/ once fixed, as a regression.
#
# Usage: tools/run_fuzzers.sh [SECONDS_PER_HARNESS (default 60)]
# Builds with clang in build-fuzz/ (CXX=clang++ meson setup -Dfuzz=true).
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-60}
BUILD=$(realpath -m "${BUILD:-build-fuzz}")
WORK=${WORK:-/tmp/opensoc-fuzz}
if [ ! -f "$BUILD/build.ninja" ]; then
  CXX=clang++ meson setup "$BUILD" -Dfuzz=true --buildtype=debugoptimized
fi
names=${NAMES:-$(cd test/fuzz && ls *_fuzz.cpp | sed 's/_fuzz.cpp$//')}
targets=()
for n in $names; do targets+=("test/fuzz/${n}_fuzz"); done
ninja -C "$BUILD" "${targets[@]}"
status=0
for n in $names; do
  corpus="$WORK/$n"
  mkdir -p "$corpus"
  cp -n test/fuzz/seeds/"$n"/* "$corpus"/ 2>/dev/null || true
  log="$WORK/$n.log"
  if (cd "$WORK" && "$BUILD/test/fuzz/${n}_fuzz" -max_total_time="$SECS" -print_final_stats=1 \
        -artifact_prefix="$WORK/$n-" "$corpus" > "$log" 2>&1); then
    result=ok
  else
    result=FINDING
    status=1
  fi
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo 0)
  printf '%-16s %-8s %12s execs %10s execs/s  cov %s\n' "$n" "$result" "$execs" "$((execs / SECS))" "$cov"
done
exit $status
