#!/usr/bin/env bash
# Detection benchmark: what enrichment, threat intel, signature rules and the
# behavioural detectors cost, on one capture of many short real sessions
# (tools/session_pcap_gen.py over the corpus: DNS, HTTP, TLS, QUIC), each
# configuration run RUNS times through `opensocd ingest` (median wall time):
#   decode+flow      store off: read, decode L2-L4, flow table (the
#                    throughput detection is compared with)
#   sessions         store + LMDB index + sessions/events, detection off
#   detection-empty  the same + detection on with no rules and no indicators
#                    (enrichment, detectors, alert store)
#   detection-full   the same + RULES generated rules + INDICATORS indicators
#                    (tools/detection_bench_gen.py: ET-like HTTP/DNS/TLS/
#                    payload rules, random IPs/CIDRs/domains/URLs/JA3)
# Search indexing is off in all runs (bench/search_bench.sh measures it), so
# the differences are detection's. Rule and indicator load time: ingest of a
# one-packet capture with and without them (median).
#
# Usage: bench/detection_bench.sh [SESSIONS (default 200000)] [RUNS (default 5)]
# Env: BUILD (default build), WORK (default /tmp/opensoc-detection-bench),
# RULES (10000), INDICATORS (500000).
set -euo pipefail
cd "$(dirname "$0")/.."
SESSIONS=${1:-200000}
RUNS=${2:-5}
RULES=${RULES:-10000}
INDICATORS=${INDICATORS:-500000}
BUILD=$(realpath "${BUILD:-build}")
WORK=${WORK:-/tmp/opensoc-detection-bench}
CORPUS=${OPENSOC_CORPUS:-../shared/corpus}/suricata-verify/tests
mkdir -p "$WORK"
WORK=$(realpath "$WORK")
OPENSOCD="$BUILD/src/opensocd"
[ -x "$OPENSOCD" ] || bash scripts/build.sh
# shellcheck source=bench/bench_lib.sh
. bench/bench_lib.sh  # the script has cd-ed to the repository root

CAP="$WORK/sessions-$SESSIONS.pcap"
[ -f "$CAP" ] || python3 tools/session_pcap_gen.py "$CAP" "$SESSIONS" 1 "$CORPUS"/*/*.pcap > /dev/null
python3 tools/detection_bench_gen.py "$WORK/bench.rules" "$RULES" "$WORK/bench-intel.csv" "$INDICATORS"
head -c 24 "$CAP" > "$WORK/one.pcap"
python3 - "$CAP" "$WORK/one.pcap" <<'PY'
import struct, sys
with open(sys.argv[1], "rb") as f:
    f.read(24)
    hdr = f.read(16)
    n = struct.unpack("<IIII", hdr)[2]
    rec = hdr + f.read(n)
with open(sys.argv[2], "ab") as f:
    f.write(rec)
PY
cat "$CAP" > /dev/null
PACKETS=$(capinfos -c -M -T -r "$CAP" | cut -f2)
BYTES=$(stat -c %s "$CAP")

config() {  # config NAME STORE DETECTION
  cat > "$WORK/$1.yaml" <<YAML
data_dir: $WORK/data-$1
log_level: warning
store: {enabled: $2, sync_on_close: false, max_bytes: 0, min_free_bytes: 0}
sessions: {enabled: true}
search: {enabled: false}
detectors: {enabled: $3}
enrichment: {internal_networks: [10.0.0.0/8]}
alerts: {retention_days: 0}
YAML
}
config flow false false
config sessions true false
config detection true true

run_ingest() {  # run_ingest NAME CONFIG [ARGS...] -> wall seconds
  local name=$1 cfg=$2
  shift 2
  rm -rf "$WORK/data-$cfg"
  local t0
  t0=$(now)
  "$OPENSOCD" ingest -c "$WORK/$cfg.yaml" "$@" > "$WORK/$name.out" 2> "$WORK/$name.err"
  since "$t0"
}

declare -A MED
for name in decode+flow sessions detection-empty detection-full; do
  for _ in $(seq "$RUNS"); do
    case $name in
      decode+flow) run_ingest "$name" flow "$CAP" ;;
      sessions) run_ingest "$name" sessions "$CAP" ;;
      detection-empty) run_ingest "$name" detection "$CAP" ;;
      detection-full) run_ingest "$name" detection --rules "$WORK/bench.rules" --intel "$WORK/bench-intel.csv" "$CAP" ;;
    esac
  done | median > "$WORK/$name.median"
  MED[$name]=$(cat "$WORK/$name.median")
done
for name in load-none load-full; do
  for _ in $(seq "$RUNS"); do
    case $name in
      load-none) run_ingest "$name" detection "$WORK/one.pcap" ;;
      load-full) run_ingest "$name" detection --rules "$WORK/bench.rules" --intel "$WORK/bench-intel.csv" "$WORK/one.pcap" ;;
    esac
  done | median > "$WORK/$name.median"
  MED[$name]=$(cat "$WORK/$name.median")
done

echo "input: $CAP: $PACKETS packets, $BYTES bytes, ~$SESSIONS sessions; $RULES rules, $INDICATORS indicators"
grep -h "^detection:" "$WORK/detection-full.out" || true
grep -h "rejected\|error" "$WORK/detection-full.err" | head -3 || true
printf '\n%-18s %9s %12s %10s %14s\n' configuration seconds Mpackets/s Gbit/s vs_decode+flow
for name in decode+flow sessions detection-empty detection-full; do
  s=${MED[$name]}
  printf '%-18s %9.3f %12.3f %10.3f %14.2f\n' "$name" "$s" "$(echo "$PACKETS / $s / 1000000" | bc -l)" \
    "$(echo "$BYTES * 8 / $s / 1000000000" | bc -l)" "$(echo "${MED[decode+flow]} / $s" | bc -l)"
done
LOAD=$(echo "${MED[load-full]} - ${MED[load-none]}" | bc -l)
STEADY=$(echo "${MED[detection-full]} - $LOAD" | bc -l)
printf 'rule+indicator load: %.3f s (one-packet ingest %.3f s with them, %.3f s without)\n' \
  "$LOAD" "${MED[load-full]}" "${MED[load-none]}"
printf '\ndetection-full without its one-off load: %.3f s = %.2fx the sessions run (throughput %.0f%% of it), %.2fx detection-empty\n' \
  "$STEADY" "$(echo "$STEADY / ${MED[sessions]}" | bc -l)" "$(echo "100 * ${MED[sessions]} / $STEADY" | bc -l)" \
  "$(echo "$STEADY / ${MED[detection-empty]}" | bc -l)"
printf 'with the load: full vs sessions %.2fx time; full vs empty %.2fx time\n' \
  "$(echo "${MED[detection-full]} / ${MED[sessions]}" | bc -l)" "$(echo "${MED[detection-full]} / ${MED[detection-empty]}" | bc -l)"
