#!/usr/bin/env bash
# Runs every libFuzzer harness (test/fuzz/<name>_fuzz.cpp) for a while,
# starting from its checked-in seeds (test/fuzz/seeds/<name>), JOBS at a
# time, and prints one line per harness: result, executions, executions/s,
# coverage (cov = edges, ft = features), and the CPU seconds it used. Ends
# with a summary line; exits non-zero when any harness found something.
#
# Findings (crash-*, leak-*, timeout-*, oom-*) are written next to the
# harness's log in $WORK and their paths printed; once the bug is fixed the
# input belongs in test/fuzz/seeds/<name>/ as a regression (the ordinary
# test run replays every seed, see test/fuzz/meson.build). Seeds are copied
# into $WORK/<name>/ first, so the checked-in corpus is never modified.
#
# Usage: tools/run_fuzzers.sh [SECONDS_PER_HARNESS (default 60)]
# Environment:
#   BUILD  clang build dir (default build-fuzz); configured here when missing
#          (CXX=clang++ meson setup -Dfuzz=true), only the *_fuzz targets built
#   WORK   corpora, logs, findings (default /tmp/opensoc-fuzz)
#   JOBS   harnesses run at once (default 2)
#   NAMES  harnesses to run (default: every test/fuzz/*_fuzz.cpp)
#   NINJA_JOBS  ninja -j for the build (default: ninja's own)
#   NO_BUILD=1  skip the build step (the caller built already)
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-60}
BUILD=$(realpath -m "${BUILD:-build-fuzz}")
WORK=$(realpath -m "${WORK:-/tmp/opensoc-fuzz}")
JOBS=${JOBS:-2}
names=${NAMES:-$(cd test/fuzz && ls ./*_fuzz.cpp | sed 's|^\./||; s/_fuzz.cpp$//')}

if [ "${NO_BUILD:-0}" != 1 ]; then
  if [ ! -f "$BUILD/build.ninja" ]; then
    CXX=clang++ CC=clang meson setup "$BUILD" -Dfuzz=true -Dtests=true --buildtype=debugoptimized
  fi
  targets=()
  for n in $names; do targets+=("test/fuzz/${n}_fuzz"); done
  ninja -C "$BUILD" ${NINJA_JOBS:+-j "$NINJA_JOBS"} "${targets[@]}"
fi
mkdir -p "$WORK"

# One harness: fuzz it, then write its one-line result to $WORK/<name>.result.
run_one() {
  local n=$1 corpus="$WORK/$1" log="$WORK/$1.log" cpu="$WORK/$1.cpu" rc=0
  mkdir -p "$corpus"
  cp -n test/fuzz/seeds/"$n"/* "$corpus"/ 2>/dev/null || true
  # Findings of earlier runs stay; only those newer than this mark are ours.
  rm -f "$WORK/$n.result"
  touch "$WORK/$n.start"
  # -timeout: a single input taking 10 s is a hang; -rss_limit_mb: bounded
  # memory is part of the contract. /usr/bin/time records user+sys CPU.
  /usr/bin/time -o "$cpu" -f '%U %S' \
    "$BUILD/test/fuzz/${n}_fuzz" -max_total_time="$SECS" -print_final_stats=1 -timeout=10 \
    -rss_limit_mb=2048 -artifact_prefix="$WORK/$n-" "$corpus" > "$log" 2>&1 || rc=$?
  local execs eps cov ft cpus artifact
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)
  eps=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || true)
  ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || true)
  cpus=$(awk 'NF == 2 && $1 ~ /^[0-9.]+$/ { printf "%.1f", $1 + $2 }' "$cpu" 2>/dev/null || true)
  artifact=$(find "$WORK" -maxdepth 1 -newer "$WORK/$n.start" \( -name "$n-crash-*" -o -name "$n-leak-*" \
    -o -name "$n-timeout-*" -o -name "$n-oom-*" \) 2>/dev/null | head -1)
  local result=ok suffix=""
  if [ -n "$artifact" ]; then
    result=FINDING suffix="  reproducer: $artifact"
  elif [ "$rc" != 0 ]; then
    result=FINDING suffix="  exit $rc, log: $log"
  fi
  printf '%-18s %-7s %12s execs %8s execs/s  cov %6s  ft %7s  cpu %5ss%s\n' "$n" "$result" "${execs:-0}" \
    "${eps:-0}" "${cov:-0}" "${ft:-0}" "${cpus:-?}" "$suffix" > "$WORK/$n.result"
  cat "$WORK/$n.result"
}
export -f run_one
export WORK BUILD SECS

started=$(date +%s)
printf '%s\n' $names | xargs -P "$JOBS" -I{} bash -c 'run_one "$1"' _ {}

total=0 found=0
for n in $names; do
  total=$((total + 1))
  if ! grep -q ' ok ' "$WORK/$n.result" 2>/dev/null; then found=$((found + 1)); fi
done
echo "fuzz: $total harnesses, ${SECS}s each, $JOBS at a time, $(( $(date +%s) - started ))s wall:" \
  "$((total - found)) clean, $found with findings"
if [ "$found" -ne 0 ]; then
  echo "findings:"
  for n in $names; do
    if [ ! -f "$WORK/$n.result" ]; then echo "$n: no result (see $WORK/$n.log)"; fi
    grep -v ' ok ' "$WORK/$n.result" 2>/dev/null || true
  done
  exit 1
fi
