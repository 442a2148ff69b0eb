#!/usr/bin/env bash
# Live capture to disk: `opensocd run` (DPDK net_af_packet -> decode -> flows
# -> packet store + index) beside `tcpdump -w` and stenographer, each in turn
# capturing from one end of a veth pair in a network namespace while tcpreplay
# sends the same packets into the other end at the same rates. For each tool
# and rate: packets stored, drops (sent - stored), and CPU time per stored
# packet (utime + stime of the tool's capturing process, all threads, /proc;
# stenotype's read after it has indexed what it stored).
#
# Every tool gets a 128 MiB kernel ring: the PMD framecnt=16384 x 8 KiB,
# tcpdump -B 131072; stenotype keeps its own default. tcpreplay into a veth
# tops out near 0.5 Mpps here (bench/README.md, PEERS.md), so at the top rate
# the sender, not the capture, is usually the limit: compare CPU per packet.
# opensocd's DPDK worker busy-polls its lcore whether packets come or not,
# so its CPU per packet includes idle polling and falls as the rate rises;
# the "other threads" column is everything but that worker (store writer,
# indexer, HTTP, main).
#
# Usage: bench/store_capture_bench.sh [RATES (default "100000 250000 0"; 0 =
# --topspeed)] [PACKETS per run (default 1000000)]
# Env: BUILD, WORK, STENO=0 skips stenographer. Needs root (netns).
set -euo pipefail
cd "$(dirname "$0")/.."
RATES=${1:-"100000 250000 0"}
PACKETS=${2:-1000000}
BUILD=$(realpath "${BUILD:-build}")
WORK=${WORK:-/tmp/opensoc-bench}
CORPUS=${OPENSOC_CORPUS:-../shared/corpus}/suricata-verify/tests
NS=oscap$$
PORT=18082
STENO_PORT=18235
API=http://127.0.0.1:$PORT
mkdir -p "$WORK"
WORK=$(realpath "$WORK")
OPENSOCD="$BUILD/src/opensocd"
MIX="$WORK/big-400MB.pcap"
HZ=$(getconf CLK_TCK)
[ -x "$OPENSOCD" ] || bash scripts/build.sh
[ "$(id -u)" = 0 ] || { echo "needs root (network namespace)"; exit 2; }

# shellcheck source=bench/bench_lib.sh
. bench/bench_lib.sh  # the script has cd-ed to the repository root
# shellcheck source=bench/stenographer_peer.sh
. "$(dirname "$0")/stenographer_peer.sh"
ticks() {  # ticks PID...: utime + stime of every thread of these processes
  local t=0 p
  for p in "$@"; do
    [ -r "/proc/$p/stat" ] && t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat")))
  done
  echo "$t"
}
worker_ticks() {  # ticks of opensocd's busy-polling DPDK worker thread(s)
  local t=0 f
  for f in /proc/"$1"/task/*; do
    case $(cat "$f/comm" 2> /dev/null) in
      *worker*|lcore*) t=$((t + $(awk '{print $14 + $15}' "$f/stat"))) ;;
    esac
  done
  echo "$t"
}
TOOL_PID=
steno_count() {  # packets stenographer serves for all time
  steno_curl "$1" "$2" "after 2000-01-01T00:00:00Z" "$WORK/steno-all.pcap" || true
  capinfos -c -M -T -r "$WORK/steno-all.pcap" 2> /dev/null | cut -f2 || echo 0
}
cleanup() {
  [ -z "$TOOL_PID" ] || { kill -TERM "$TOOL_PID" 2>/dev/null; wait "$TOOL_PID" 2>/dev/null; }
  steno_stop
  ip netns del "$NS" 2>/dev/null || true
}
trap cleanup EXIT

if [ ! -f "$MIX" ]; then
  [ -x "$BUILD/tools/make_big_pcap" ] || ninja -C "$BUILD" tools/make_big_pcap
  "$BUILD/tools/make_big_pcap" "$MIX" 400 \
    "$CORPUS/community-id-ipv4/input.pcap" "$CORPUS/ja4-tls-quic/input.pcap" \
    "$CORPUS/http-all-headers/input.pcap" "$CORPUS/smb2-06/20171220_smb_net_user.pcap" \
    "$CORPUS/dns-over-http2-post/dns_over_https_POST.pcap" "$CORPUS/http-range-multiflows/input.pcap" \
    "$CORPUS/bug-5133/input.pcap" "$CORPUS/dns/dns-tcp-www-google-com/dns.pcap"
fi
cat "$MIX" > /dev/null

ip netns add "$NS"
nsx ip link add cap0 type veth peer name send0
for dev in cap0 send0; do
  nsx sysctl -qw "net.ipv6.conf.$dev.disable_ipv6=1"
  nsx ip link set "$dev" up mtu 9000
done
nsx ip link set lo up

cat > "$WORK/store-capture.yaml" <<YAML
data_dir: $WORK/capture-store
log_level: warning
capture:
  eal_args: ["--no-huge", "-m", "1024", "--no-pci", "--no-shconf", "--file-prefix", "$NS",
             "--vdev", "net_af_packet0,iface=cap0,framecnt=16384,blocksz=8192,framesz=8192"]
  main_lcore: 0
  worker_lcores: [1]
  mbuf_data_size: 8KiB
  ports: [{device: net_af_packet0}]
http: {listen: "127.0.0.1:$PORT"}
auth: {enabled: false}          # a benchmark, not a deployment
privileges: {user: ""}
store: {enabled: true}
YAML

replay() {  # replay RATE: prints "sent seconds"
  local how=(--topspeed)
  [ "$1" = 0 ] || how=(--pps "$1")
  nsx tcpreplay -i send0 "${how[@]}" --limit="$PACKETS" "$MIX" 2>&1 |
    awk '/Successful packets:/ {s=$3} /^Actual:/ {for (i=1;i<=NF;i++) if ($i=="seconds") t=$(i-1)} END {print s, t}'
}
ours_stored() { nsx curl -s "$API/api/v1/stats" | jq -r '[.store.packets_stored, .capture.packets] | @tsv'; }

declare -a ROWS
for rate in $RATES; do
  label=$([ "$rate" = 0 ] && echo topspeed || echo "$rate")

  # opensocd run
  rm -rf "$WORK/capture-store"
  ip netns exec "$NS" "$OPENSOCD" run -c "$WORK/store-capture.yaml" > "$WORK/store-capture.log" 2>&1 &
  TOOL_PID=$!
  for _ in $(seq 300); do [ -n "$(nsx ss -Hltn "sport = :$PORT")" ] && break; sleep 0.1; done
  sleep 1
  read -r st0 cap0 < <(ours_stored)
  c0=$(ticks "$TOOL_PID"); w0=$(worker_ticks "$TOOL_PID"); t0=$(now)
  read -r sent secs < <(replay "$rate")
  sleep 2
  read -r st1 cap1 < <(ours_stored)
  c1=$(ticks "$TOOL_PID"); w1=$(worker_ticks "$TOOL_PID"); wall=$(echo "$(now) - $t0" | bc -l)
  kill -TERM "$TOOL_PID"; wait "$TOOL_PID" || true; TOOL_PID=
  n=$((st1 - st0))
  ROWS+=("$(printf '%-9s %-22s %9s %9s %9s %8.2f %10.0f %12.0f %9.0f' "$label" "opensocd run" "$sent" "$n" \
    "$((sent - n))" "$secs" "$(echo "$sent / $secs" | bc -l)" \
    "$(echo "($c1 - $c0) * 1000000000 / $HZ / ($n + ($n == 0))" | bc -l)" \
    "$(echo "(($c1 - $c0) - ($w1 - $w0)) * 1000000000 / $HZ / ($n + ($n == 0))" | bc -l)")")
  echo "opensocd at $label: captured $((cap1 - cap0)), stored $n of $sent; cpu $(( (c1 - c0) * 1000 / HZ )) ms over ${wall}s" >&2

  # tcpdump -w
  rm -f "$WORK/tcpdump.pcap"
  ip netns exec "$NS" tcpdump -i cap0 -n -B 131072 -s 0 -w "$WORK/tcpdump.pcap" 2> "$WORK/tcpdump.log" &
  TOOL_PID=$!
  for _ in $(seq 50); do grep -q listening "$WORK/tcpdump.log" && break; sleep 0.1; done
  sleep 0.5
  c0=$(ticks "$TOOL_PID")
  read -r sent secs < <(replay "$rate")
  sleep 2
  c1=$(ticks "$TOOL_PID")
  kill -TERM "$TOOL_PID"; wait "$TOOL_PID" || true; TOOL_PID=
  n=$(capinfos -c -M -T -r "$WORK/tcpdump.pcap" | cut -f2)
  echo "tcpdump at $label: $(grep -h 'dropped by kernel' "$WORK/tcpdump.log")" >&2
  ROWS+=("$(printf '%-9s %-22s %9s %9s %9s %8.2f %10.0f %12.0f %9s' "$label" "tcpdump -w" "$sent" "$n" \
    "$((sent - n))" "$secs" "$(echo "$sent / $secs" | bc -l)" \
    "$(echo "($c1 - $c0) * 1000000000 / $HZ / ($n + ($n == 0))" | bc -l)" "-")")
  rm -f "$WORK/tcpdump.pcap"

  # stenographer
  if [ "${STENO:-1}" != 0 ] && command -v stenographer > /dev/null; then
    if steno_start "$WORK/steno" "$STENO_PORT"; then
      st=$(pgrep -P "$STENO_PID" stenotype)
      c0=$(ticks "$st")
      read -r sent secs < <(replay "$rate")
      # Packets are served once stenotype closes its file (10 s) and indexes it.
      prev=-1; n=0
      for _ in $(seq 18); do
        sleep 5
        n=$(steno_count "$WORK/steno" "$STENO_PORT")
        [ "${n:-0}" -gt 0 ] && [ "$n" = "$prev" ] && break
        prev=$n
      done
      # stenotype indexes a file when it closes it: its CPU is read once the
      # packets are served (the query server's own CPU is left out).
      c1=$(ticks "$st")
      steno_stop
      ROWS+=("$(printf '%-9s %-22s %9s %9s %9s %8.2f %10.0f %12.0f %9s' "$label" "stenographer" "$sent" "$n" \
        "$((sent - n))" "$secs" "$(echo "$sent / $secs" | bc -l)" \
        "$(echo "($c1 - $c0) * 1000000000 / $HZ / ($n + ($n == 0))" | bc -l)" "-")")
    else
      echo "stenographer did not start: $(tail -3 "$WORK/steno/steno.log")" >&2
    fi
    rm -rf "$WORK/steno" "$WORK/steno-all.pcap"
  fi
done
rm -rf "$WORK/capture-store"

echo
echo "input: $MIX (first $PACKETS packets; $(capinfos -z -M "$MIX" | sed -n 's/.*Average packet size: *//p'))"
printf '%-9s %-22s %9s %9s %9s %8s %10s %12s %9s\n' rate tool sent stored drops seconds "sent pps" "CPU ns/pkt" "other ns"
printf '%s\n' "${ROWS[@]}"
echo "(CPU ns/pkt: all threads of the tool / packets stored; 'other ns' for opensocd leaves out the busy-polling"
echo " DPDK worker. stenographer: stenotype (indexing included), its stored count is what a query for all time returns.)"
[ "${STENO:-1}" = 0 ] || command -v stenographer > /dev/null || \
  echo "stenographer: skipped (not installed: apt-get install stenographer stenographer-client)"
