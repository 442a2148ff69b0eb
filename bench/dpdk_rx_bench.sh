#!/usr/bin/env bash
# Live DPDK path at full speed, no sender in the way: the net_pcap PMD with
# infinite_rx=1 loops a capture from memory. Reports the packets/s our capture
# worker sustains (decode + flow table included) beside dpdk-testpmd's rxonly
# forwarding on the same device, the ceiling of this machine's DPDK path.
#
# Usage: bench/dpdk_rx_bench.sh [PCAP] [SECONDS (default 10)] [RUNS (default 3)]
# The default input is the demo capture's frames of at most 1514 bytes: the
# net_pcap PMD cannot loop multi-segment (jumbo) frames with infinite_rx.
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${2:-10}
RUNS=${3:-3}
BUILD=${BUILD:-build}
WORK=${WORK:-/tmp/opensoc-bench}
mkdir -p "$WORK"
if [ -n "${1:-}" ]; then
  PCAP=$(realpath "$1")
else
  PCAP=$WORK/demo-1514.pcap
  tshark -r demo/demo.pcap -Y "frame.len <= 1514" -F pcap -w "$PCAP"
fi
[ -x "$BUILD/src/opensocd" ] || bash scripts/build.sh
PORT=18080

# shellcheck source=bench/bench_lib.sh
. bench/bench_lib.sh  # the script has cd-ed to the repository root
packets() { curl -s "http://127.0.0.1:$PORT/api/v1/stats" | jq '.capture.packets'; }

ours() {
  cat > "$WORK/dpdk-bench.yaml" <<YAML
data_dir: $WORK/data
capture:
  eal_args: ["--no-huge", "-m", "1024", "--no-pci", "--no-shconf", "--file-prefix", "osbench",
             "--vdev", "net_pcap0,rx_pcap=$PCAP,infinite_rx=1"]
  main_lcore: 0
  worker_lcores: [1]
  mbufs_per_queue: 16383
  ports: [{device: net_pcap0}]
flow: {table_size: 1048576}
http: {listen: "127.0.0.1:$PORT"}
auth: {enabled: false}          # a benchmark, not a deployment
privileges: {user: ""}
YAML
  "$BUILD/src/opensocd" run -c "$WORK/dpdk-bench.yaml" > "$WORK/dpdk-bench.log" 2>&1 &
  local pid=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/api/v1/health" > /dev/null && break; sleep 0.1; done
  sleep 2
  local a b
  a=$(packets); sleep "$SECS"; b=$(packets)
  kill -TERM $pid; wait $pid || true
  echo "($b - $a) / $SECS" | bc -l
}

testpmd() {
  # testpmd prints per-port "Rx-pps" every second; take the median of the samples.
  timeout $((SECS + 4)) dpdk-testpmd --no-huge -m 1024 --no-pci --file-prefix osbenchtp -l 0-1 \
    --vdev "net_pcap0,rx_pcap=$PCAP,infinite_rx=1" -- --forward-mode=rxonly --total-num-mbufs=16384 \
    --stats-period 1 -a 2>/dev/null | grep -o 'Rx-pps: *[0-9]*' | awk '{print $2}' | tail -n +3 | median || true
}

for _ in $(seq "$RUNS"); do ours; done | median > "$WORK/ours.pps"
for _ in $(seq "$RUNS"); do testpmd; done | median > "$WORK/testpmd.pps"
OURS=$(cat "$WORK/ours.pps")
TP=$(cat "$WORK/testpmd.pps")
printf '%-40s %14s\n' "device: net_pcap0,rx_pcap=$(basename "$PCAP"),infinite_rx=1" "packets/s"
printf '%-40s %14.0f\n' "opensocd run (decode + flows, 1 worker)" "$OURS"
printf '%-40s %14.0f\n' "dpdk-testpmd --forward-mode=rxonly" "$TP"
printf '%-40s %14.2f\n' "ratio (ours / testpmd)" "$(echo "$OURS / $TP" | bc -l)"
echo "(median of $RUNS runs of ${SECS} s each)"
