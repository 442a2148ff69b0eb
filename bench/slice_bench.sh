#!/usr/bin/env bash
# Packet-store benchmark: how fast a PCAP slice comes out of the store, and
# what the store costs to write and keep, beside the tools a user would reach
# for otherwise:
#   write path      opensocd ingest BIG (store + index)   vs  tcpdump -r BIG -w OUT
#   slices          opensocd pcap (CLI) and GET /api/v1/pcap: one flow, one host,
#                   a /16, a time window; median and p99 latency of RUNS runs, MB/s out
#                   vs  tcpdump -r <every segment> -w - FILTER (the scan; editcap
#                   -A/-B for the window, tcpdump has no time filter)
#   index size      as % of the stored bytes
#   time-to-query   `opensocd run` captures through net_af_packet on a veth in a
#                   network namespace; a UDP packet to a fresh marker port is
#                   sent, the API is polled until it serves it (median)
#   stenographer    (optional) captures BIG replayed into the veth; the same
#                   one-flow query over its REST API, store and index size
# BIG is built by tools/make_big_pcap from corpus captures, addresses
# rewritten per pass, so one flow or one host is a small part of the store.
# make_big_pcap spreads the passes over days of packet time; the store is
# given the largest max_segment_age_s (a day) so segments rotate mostly by
# size (256 MiB), as they would on a link that carries 2 GB in minutes.
#
# Usage: bench/slice_bench.sh [SIZE_MB (default 2000)] [RUNS (default 21)]
# Env: BUILD (default build), WORK (default /tmp/opensoc-bench), STENO=0 skips
# stenographer, STENO_PPS (default 200000) its replay rate. Needs root (netns).
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE_MB=${1:-2000}
RUNS=${2:-21}
SCAN_RUNS=${SCAN_RUNS:-5}
WRITE_RUNS=${WRITE_RUNS:-3}
TTQ_RUNS=${TTQ_RUNS:-11}
STENO_PPS=${STENO_PPS:-200000}
BUILD=$(realpath "${BUILD:-build}")
WORK=${WORK:-/tmp/opensoc-bench}
CORPUS=${OPENSOC_CORPUS:-../shared/corpus}/suricata-verify/tests
NS=osslice$$
PORT=18081
STENO_PORT=18234
API=http://127.0.0.1:$PORT
mkdir -p "$WORK"
WORK=$(realpath "$WORK")
BIG="$WORK/big-${SIZE_MB}MB.pcap"
STORE="$WORK/slice-store"
CFG="$WORK/slice-bench.yaml"
OPENSOCD="$BUILD/src/opensocd"
[ -x "$OPENSOCD" ] || bash scripts/build.sh
[ "$(id -u)" = 0 ] || { echo "needs root (network namespace)"; exit 2; }

# shellcheck source=bench/bench_lib.sh
. bench/bench_lib.sh  # the script has cd-ed to the repository root
# shellcheck source=bench/stenographer_peer.sh
. "$(dirname "$0")/stenographer_peer.sh"
DAEMON_PID=
marker_pcap() {  # marker_pcap OUT PORT: one UDP packet 198.18.0.1 -> 198.18.0.2:PORT
  python3 - "$1" "$2" <<'PY'
import struct, sys, time
port = int(sys.argv[2])
payload = b"opensoc time-to-query marker"
udp = struct.pack("!HHHH", 40000, port, 8 + len(payload), 0) + payload
hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0, bytes([198, 18, 0, 1]), bytes([198, 18, 0, 2]))
s = sum(struct.unpack("!10H", hdr))
s = (s & 0xFFFF) + (s >> 16); s = (s & 0xFFFF) + (s >> 16)
ip = hdr[:10] + struct.pack("!H", ~s & 0xFFFF) + hdr[12:]
frame = b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01" + b"\x08\x00" + ip + udp
t = time.time()
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    f.write(struct.pack("<IIII", int(t), int(t % 1 * 1e6), len(frame), len(frame)) + frame)
PY
}
steno_query() {  # steno_query DIR PORT QUERY OUT: prints the seconds it took
  steno_curl "$1" "$2" "$3" "$4" -w '%{time_total}\n'
}
cleanup() {
  [ -n "$DAEMON_PID" ] && kill -TERM "$DAEMON_PID" 2>/dev/null && wait "$DAEMON_PID" 2>/dev/null
  steno_stop
  ip netns del "$NS" 2>/dev/null || true
}
trap cleanup EXIT

# ---- input
if [ ! -f "$BIG" ]; then
  [ -x "$BUILD/tools/make_big_pcap" ] || ninja -C "$BUILD" tools/make_big_pcap
  "$BUILD/tools/make_big_pcap" "$BIG" "$SIZE_MB" \
    "$CORPUS/community-id-ipv4/input.pcap" "$CORPUS/ja4-tls-quic/input.pcap" \
    "$CORPUS/http-all-headers/input.pcap" "$CORPUS/smb2-06/20171220_smb_net_user.pcap" \
    "$CORPUS/dns-over-http2-post/dns_over_https_POST.pcap" "$CORPUS/http-range-multiflows/input.pcap" \
    "$CORPUS/bug-5133/input.pcap" "$CORPUS/dns/dns-tcp-www-google-com/dns.pcap"
fi
cat "$BIG" > /dev/null
BIG_BYTES=$(stat -c %s "$BIG")
BIG_PACKETS=$(capinfos -c -M -T -r "$BIG" | cut -f2)
echo "input: $BIG: $BIG_PACKETS packets, $BIG_BYTES bytes"

cat > "$CFG" <<YAML
data_dir: $STORE
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
store:
  enabled: true
  max_segment_age_s: 86400
YAML

# ---- write path: ingest into a fresh store vs tcpdump copying the file, both synced
for _ in $(seq "$WRITE_RUNS"); do
  rm -rf "$STORE" "$WORK/slice-flows.json"; sync
  t0=$(now)
  "$OPENSOCD" ingest -c "$CFG" --flow-log "$WORK/slice-flows.json" "$BIG" > "$WORK/ingest.out"
  since "$t0" >> "$WORK/ingest.times"
done
INGEST_S=$(median < "$WORK/ingest.times"); rm -f "$WORK/ingest.times"
for _ in $(seq "$WRITE_RUNS"); do
  rm -f "$WORK/copy.pcap"; sync
  t0=$(now)
  tcpdump -r "$BIG" -w "$WORK/copy.pcap" 2> /dev/null && sync "$WORK/copy.pcap"
  since "$t0" >> "$WORK/copy.times"
done
COPY_S=$(median < "$WORK/copy.times"); rm -f "$WORK/copy.times" "$WORK/copy.pcap"

SEGS=$(ls "$STORE"/packets/w*/*.pcap)
echo "$SEGS" > "$WORK/segments.list"
STORED=$(cat $SEGS | wc -c)
INDEX_ALLOC=$(du -s -B1 "$STORE/index" | cut -f1)  # data.mdb is sparse: blocks in use

# ---- what to ask: the largest IPv4 TCP flow, its client, 1 % of the time span
read -r FLOW_PKTS CLI CPORT SRV SPORT < <(jq -r 'select(.network.transport=="tcp" and .network.type=="ipv4")
  | [.network.packets, .source.ip, .source.port, .destination.ip, .destination.port] | @tsv' \
  "$WORK/slice-flows.json" | sort -k1,1nr | head -1)
# The busiest address (a server of one pass): a few hundred flows, ~1 % of the store.
# A long flow has "active" records before its end record: count each flow
# (community id) once, with its largest packet count. IPv4, for the /16.
read -r HOST_PKTS HOST < <(jq -r '[.network.community_id, .source.ip, .destination.ip, .network.packets] | @tsv' \
  "$WORK/slice-flows.json" | awk '$4 > n[$1] {n[$1] = $4; a[$1] = $2; b[$1] = $3}
    END {for (k in n) {s[a[k]] += n[k]; s[b[k]] += n[k]} for (h in s) if (h ~ /^[0-9.]+$/) print s[h], h}' | sort -k1,1nr -k2,2 | head -1)
# make_big_pcap puts the pass number in the 2nd and 3rd address bytes: a /16
# of that host holds 256 passes of its input, a few % of the store.
NET="$(echo "$HOST" | cut -d. -f1,2).0.0/16"
read -r T_FIRST T_LAST < <(capinfos -a -e -T -r -S "$BIG" | cut -f2,3)
W_START=$(echo "$T_FIRST + ($T_LAST - $T_FIRST) * 0.5" | bc -l)
W_END=$(echo "$W_START + ($T_LAST - $T_FIRST) * 0.01" | bc -l)
W_START=$(printf '%.6f' "$W_START"); W_END=$(printf '%.6f' "$W_END")
declare -A OURS_ARGS=(
  [flow]="--host $CLI --host $SRV --port $CPORT --proto tcp --start 0"
  [host]="--host $HOST --start 0"
  [net]="--host $NET --start 0"
  [window]="--start $W_START --end $W_END")
declare -A API_QUERY=(
  [flow]="host=$CLI&host=$SRV&port=$CPORT&proto=tcp&start=0"
  [host]="host=$HOST&start=0"
  [net]="host=$NET&start=0"
  [window]="start=$W_START&end=$W_END")
declare -A BPF=([flow]="tcp and host $CLI and host $SRV and port $CPORT" [host]="host $HOST" [net]="net $NET")
echo "flow: $CLI:$CPORT <-> $SRV:$SPORT ($FLOW_PKTS packets); host: $HOST ($HOST_PKTS packets); net: $NET; window: [$W_START, $W_END]"

# ---- slices with the CLI, and the scans
declare -A MED P99 OUTB OUTN SCAN
for q in flow host net window; do
  for _ in $(seq "$RUNS"); do
    t0=$(now)
    # shellcheck disable=SC2086
    "$OPENSOCD" pcap -c "$CFG" ${OURS_ARGS[$q]} -o "$WORK/slice.pcap" 2> "$WORK/slice.err"
    since "$t0" >> "$WORK/slice.times"
  done
  MED[$q]=$(median < "$WORK/slice.times"); P99[$q]=$(p99 < "$WORK/slice.times"); rm -f "$WORK/slice.times"
  OUTB[$q]=$(stat -c %s "$WORK/slice.pcap")
  OUTN[$q]=$(capinfos -c -M -T -r "$WORK/slice.pcap" | cut -f2)
  for _ in $(seq "$SCAN_RUNS"); do
    t0=$(now)
    if [ "$q" = window ]; then
      i=0
      for f in $SEGS; do editcap -A "$W_START" -B "$W_END" "$f" "$WORK/scan-$i.pcap"; i=$((i + 1)); done
    else
      tcpdump -n --time-stamp-precision=nano -V "$WORK/segments.list" -w "$WORK/scan.pcap" "${BPF[$q]}" 2> /dev/null
    fi
    since "$t0" >> "$WORK/scan.times"
  done
  SCAN[$q]=$(median < "$WORK/scan.times"); rm -f "$WORK/scan.times"
  if [ "$q" = window ]; then
    SCAN_N=$(for f in "$WORK"/scan-*.pcap; do capinfos -c -M -T -r "$f" | cut -f2; done | paste -sd+ | bc)
    rm -f "$WORK"/scan-*.pcap
  else
    SCAN_N=$(capinfos -c -M -T -r "$WORK/scan.pcap" | cut -f2)
  fi
  [ "$SCAN_N" = "${OUTN[$q]}" ] || echo "WARNING: $q: opensocd pcap returned ${OUTN[$q]} packets, the scan $SCAN_N"
done

# ---- the daemon on the same store: REST slices and time-to-query
ip netns add "$NS"
nsx ip link add cap0 type veth peer name send0
for dev in cap0 send0; do
  nsx sysctl -qw "net.ipv6.conf.$dev.disable_ipv6=1"
  nsx ip link set "$dev" up mtu 9000
done
nsx ip link set lo up
ip netns exec "$NS" "$OPENSOCD" run -c "$CFG" > "$WORK/slice-run.log" 2>&1 &
DAEMON_PID=$!
# Ready when the API listens (asked over netlink: no loopback packet while
# the capture starts, see test/integration/pcap_crash_test.py).
for _ in $(seq 300); do [ -n "$(nsx ss -Hltn "sport = :$PORT")" ] && break; sleep 0.1; done
declare -A RMED RP99
for q in flow host net window; do
  for _ in $(seq "$RUNS"); do
    nsx curl -s -o /dev/null -w '%{time_total}\n' "$API/api/v1/pcap?${API_QUERY[$q]}"
  done > "$WORK/rest.times"
  RMED[$q]=$(median < "$WORK/rest.times"); RP99[$q]=$(p99 < "$WORK/rest.times")
done
STATS_BEFORE=$(nsx curl -s "$API/api/v1/stats" | jq -c .store)
for i in $(seq "$TTQ_RUNS"); do
  mport=$((50000 + RANDOM % 10000))
  marker_pcap "$WORK/marker.pcap" "$mport"
  nsx tcpreplay -q -i send0 "$WORK/marker.pcap" > /dev/null 2>&1
  t0=$(now)
  served=
  for _ in $(seq 1500); do
    n=$(nsx curl -s "$API/api/v1/pcap?port=$mport&start=0" | wc -c)
    [ "$n" -gt 24 ] && { served=1; break; }
    sleep 0.01
  done
  [ -n "$served" ] && since "$t0" || echo "marker $i not served within 15 s" >&2
done > "$WORK/ttq.times"
TTQ_MED=$(median < "$WORK/ttq.times"); TTQ_N=$(wc -l < "$WORK/ttq.times")
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID" || true; DAEMON_PID=

# ---- stenographer (optional)
STENO_LINE="stenographer: skipped (STENO=0)"
if [ "${STENO:-1}" != 0 ]; then
  SD="$WORK/steno"
  if ! command -v stenographer > /dev/null; then
    STENO_LINE="stenographer: skipped (not installed: apt-get install stenographer stenographer-client)"
  elif ! steno_start "$SD" "$STENO_PORT"; then
    STENO_LINE="stenographer: skipped (did not start: $(tail -3 "$SD/steno.log" | tr '\n' ' '))"
  else
    SQ="host $CLI and host $SRV and port $CPORT"
    sent=$(nsx tcpreplay -i send0 --pps "$STENO_PPS" "$BIG" 2>&1 | sed -n 's/.*Successful packets: *//p')
    # Packets become queryable when stenotype closes a file (fileage 10 s) and
    # indexes it: wait until the answer stops growing.
    prev=-1; n=0
    for _ in $(seq 24); do
      sleep 5
      steno_query "$SD" "$STENO_PORT" "$SQ" "$WORK/steno-flow.pcap" > /dev/null || true
      n=$(capinfos -c -M -T -r "$WORK/steno-flow.pcap" 2> /dev/null | cut -f2 || echo 0)
      [ "${n:-0}" -gt 0 ] && [ "$n" = "$prev" ] && break
      prev=$n
    done
    for _ in $(seq "$RUNS"); do steno_query "$SD" "$STENO_PORT" "$SQ" "$WORK/steno-flow.pcap"; done > "$WORK/steno.times"
    S_MED=$(median < "$WORK/steno.times"); S_P99=$(p99 < "$WORK/steno.times")
    steno_query "$SD" "$STENO_PORT" "after 2000-01-01T00:00:00Z" "$WORK/steno-all.pcap" > /dev/null || true
    S_ALL=$(capinfos -c -M -T -r "$WORK/steno-all.pcap" 2> /dev/null | cut -f2 || echo "?")
    steno_stop
    S_PK=$(du -s -B1 "$SD/packets" | cut -f1); S_IX=$(du -s -B1 "$SD/index" | cut -f1)
    STENO_LINE=$(printf 'stenographer (replayed at %s pps, %s sent, %s stored): one-flow query "%s": median %.1f ms, p99 %.1f ms, %s packets (ours %s); store %.0f MB (%.2fx the pcap), index %.0f MB (%.2f %% of its store)' \
      "$STENO_PPS" "$sent" "$S_ALL" "$SQ" "$(echo "$S_MED * 1000" | bc -l)" "$(echo "$S_P99 * 1000" | bc -l)" "$n" "${OUTN[flow]}" \
      "$(echo "$S_PK / 1000000" | bc -l)" "$(echo "$S_PK / $BIG_BYTES" | bc -l)" "$(echo "$S_IX / 1000000" | bc -l)" \
      "$(echo "100 * $S_IX / $S_PK" | bc -l)")
    rm -rf "$SD" "$WORK"/steno-*.pcap
  fi
fi

# ---- report
echo
printf 'store: %.0f MB in %d segment(s); index %.1f MB allocated = %.2f %% of stored bytes\n' \
  "$(echo "$STORED / 1000000" | bc -l)" "$(echo "$SEGS" | wc -l)" "$(echo "$INDEX_ALLOC / 1000000" | bc -l)" \
  "$(echo "100 * $INDEX_ALLOC / $STORED" | bc -l)"
echo "store stats from the daemon: $STATS_BEFORE"
printf '\n%-34s %10s %10s %10s\n' "write path (same input)" seconds "MB/s" "vs ingest"
printf '%-34s %10.2f %10.0f %10.2f\n' "opensocd ingest (store+index,sync)" "$INGEST_S" "$(echo "$BIG_BYTES / $INGEST_S / 1000000" | bc -l)" 1
printf '%-34s %10.2f %10.0f %10.2f\n' "tcpdump -r BIG -w OUT; sync OUT" "$COPY_S" "$(echo "$BIG_BYTES / $COPY_S / 1000000" | bc -l)" \
  "$(echo "$COPY_S / $INGEST_S" | bc -l)"
printf '\n%-8s %9s %9s %9s %9s %9s %9s %9s %10s %9s\n' slice packets "MB out" "CLI med" "CLI p99" "REST med" "REST p99" "MB/s" "scan med" "scan/CLI"
for q in flow host net window; do
  printf '%-8s %9s %9.2f %8.1fms %8.1fms %8.1fms %8.1fms %9.1f %9.0fms %9.1f\n' "$q" "${OUTN[$q]}" \
    "$(echo "${OUTB[$q]} / 1000000" | bc -l)" "$(echo "${MED[$q]} * 1000" | bc -l)" "$(echo "${P99[$q]} * 1000" | bc -l)" \
    "$(echo "${RMED[$q]} * 1000" | bc -l)" "$(echo "${RP99[$q]} * 1000" | bc -l)" \
    "$(echo "${OUTB[$q]} / ${MED[$q]} / 1000000" | bc -l)" "$(echo "${SCAN[$q]} * 1000" | bc -l)" \
    "$(echo "${SCAN[$q]} / ${MED[$q]}" | bc -l)"
done
echo "(CLI: opensocd pcap -o FILE, process start included; REST: curl time_total against opensocd run on the same"
echo " store; MB/s: bytes out / CLI median; scan: tcpdump -r over every segment with the BPF filter, editcap -A -B"
echo " for the window; median of $RUNS runs, scans $SCAN_RUNS.)"
printf '\ntime-to-query (live, index_commit_ms default): median %.0f ms over %d markers\n' "$(echo "$TTQ_MED * 1000" | bc -l)" "$TTQ_N"
echo "$STENO_LINE"
