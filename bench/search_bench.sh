#!/usr/bin/env bash
# Search benchmark: index SESSIONS short sessions of real traffic, then how
# fast typical session queries answer, beside grep and jq over the same
# records as ECS JSON lines:
#   capture        tools/session_pcap_gen.py loops the corpus' short DNS, HTTP,
#                  TLS and QUIC flows (client address rewritten per pass,
#                  checksums left stale: opensocd does not verify them) over
#                  HOURS of packet time
#   ingest         opensocd ingest --ecs-out (store + LMDB index + sessions +
#                  Xapian shards, sync_on_close false): wall time, sessions/s,
#                  search index bytes per session
#   queries        one client IP, one server IP, a DNS domain suffix, a CIDR
#                  plus port, a byte range: `opensocd search` (process start
#                  included) and GET /api/v1/sessions on `opensocd run` over
#                  the same data dir; median and p99 of RUNS runs; a facet
#                  query (REST only: the CLI has no facets)
#   peers          grep -c -E and jq over the ECS JSON lines, same predicate
#                  on session records (GREP_RUNS / JQ_RUNS runs, median)
#   time-to-search `opensocd run` captures through net_af_packet on a veth in
#                  a network namespace; a complete TCP session (handshake, FIN
#                  both ways) to a fresh port is sent, /api/v1/sessions is
#                  polled until it finds it; the same for a DNS query + answer
#                  and its event on /api/v1/events; and the TCP marker again
#                  with flow.timeouts.tcp_closed 1 s (median of TTS_RUNS each)
#
# Usage: bench/search_bench.sh [SESSIONS (default 1000000)] [RUNS (default 21)]
# Env: BUILD (default build), WORK (default /tmp/opensoc-search-bench), HOURS
# (default 6), GREP_RUNS (3), JQ_RUNS (1), TTS_RUNS (11), PORT (18082). Needs root (netns).
set -euo pipefail
cd "$(dirname "$0")/.."
SESSIONS=${1:-1000000}
RUNS=${2:-21}
HOURS=${HOURS:-6}
GREP_RUNS=${GREP_RUNS:-3}
JQ_RUNS=${JQ_RUNS:-1}
TTS_RUNS=${TTS_RUNS:-11}
BUILD=$(realpath "${BUILD:-build}")
WORK=${WORK:-/tmp/opensoc-search-bench}
CORPUS=${OPENSOC_CORPUS:-../shared/corpus}/suricata-verify/tests
NS=ossearch$$
PORT=${PORT:-18082}
API=http://127.0.0.1:$PORT
mkdir -p "$WORK"
WORK=$(realpath "$WORK")
CAP="$WORK/sessions-$SESSIONS-${HOURS}h.pcap"
DATA="$WORK/data"
ECS="$WORK/ecs.json"
CFG="$WORK/search-bench.yaml"
OPENSOCD="$BUILD/src/opensocd"
[ -x "$OPENSOCD" ] || bash scripts/build.sh
[ "$(id -u)" = 0 ] || { echo "needs root (network namespace)"; exit 2; }

# shellcheck source=bench/bench_lib.sh
. bench/bench_lib.sh  # the script has cd-ed to the repository root
DAEMON_PID=
cleanup() {
  [ -n "$DAEMON_PID" ] && kill -TERM "$DAEMON_PID" 2>/dev/null && wait "$DAEMON_PID" 2>/dev/null
  ip netns del "$NS" 2>/dev/null || true
}
trap cleanup EXIT
marker_pcap() {  # marker_pcap OUT PORT tcp|dns: a TCP session 198.18.0.1:40000 -> 198.18.0.2:PORT closed by
  # FINs both ways, or a DNS query for mPORT.bench.example and its answer (UDP 198.18.0.1:PORT -> :53)
  python3 - "$1" "$2" "$3" <<'PY'
import struct, sys, time
port, kind = int(sys.argv[2]), sys.argv[3]
def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s & 0xFFFF) + (s >> 16); s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF
def ip_frame(src, dst, proto, l4, csum_at):
    ph = bytes(src) + bytes(dst) + struct.pack("!BBH", 0, proto, len(l4))
    l4 = l4[:csum_at] + struct.pack("!H", csum(ph + l4)) + l4[csum_at + 2:]
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), 0, 0, 64, proto, 0, bytes(src), bytes(dst))
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    macs = (b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01") if src[3] == 1 else (b"\x02\0\0\0\0\x01" + b"\x02\0\0\0\0\x02")
    return macs + b"\x08\x00" + hdr + l4
def tcp(src, dst, sport, dport, seq, ack, flags):
    return ip_frame(src, dst, 6, struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0), 16)
def udp(src, dst, sport, dport, payload):
    return ip_frame(src, dst, 17, struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload, 6)
c, s = [198, 18, 0, 1], [198, 18, 0, 2]
if kind == "tcp":
    SYN, ACK, FIN = 0x02, 0x10, 0x01
    frames = [tcp(c, s, 40000, port, 1000, 0, SYN), tcp(s, c, port, 40000, 5000, 1001, SYN | ACK),
              tcp(c, s, 40000, port, 1001, 5001, ACK), tcp(c, s, 40000, port, 1001, 5001, FIN | ACK),
              tcp(s, c, port, 40000, 5001, 1002, FIN | ACK), tcp(c, s, 40000, port, 1002, 5002, ACK)]
else:
    qname = b"".join(bytes([len(l)]) + l for l in (b"m%d" % port, b"bench", b"example")) + b"\0"
    question = qname + struct.pack("!HH", 1, 1)
    query = struct.pack("!HHHHHH", port, 0x0100, 1, 0, 0, 0) + question
    answer = (struct.pack("!HHHHHH", port, 0x8180, 1, 1, 0, 0) + question +
              struct.pack("!HHHIH", 0xC00C, 1, 1, 60, 4) + bytes([198, 18, 0, 3]))
    frames = [udp(c, s, port, 53, query), udp(s, c, 53, port, answer)]
t = time.time()
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    for i, fr in enumerate(frames):
        ts = t + i * 1e-4
        f.write(struct.pack("<IIII", int(ts), int(ts % 1 * 1e6), len(fr), len(fr)) + fr)
PY
}

# ---- the capture
if [ ! -f "$CAP" ]; then
  python3 tools/session_pcap_gen.py "$CAP" "$SESSIONS" "$HOURS" "$CORPUS"/*/*.pcap
fi
CAP_BYTES=$(stat -c %s "$CAP")
cat "$CAP" > /dev/null

cat > "$CFG" <<EOF
data_dir: $DATA
log_level: info
store:
  enabled: true
  sync_on_close: false
  min_free_bytes: 0
  max_segment_age_s: 1d
search:
  commit_ms: 2000
capture:
  eal_args: ["--no-huge", "-m", "512", "--no-pci", "--no-shconf", "--file-prefix", "$NS",
             "--vdev", "net_af_packet0,iface=cap0,framecnt=16384,blocksz=8192,framesz=8192"]
  main_lcore: 0
  worker_lcores: [1]
  mbuf_data_size: 8KiB
  ports:
    - device: net_af_packet0
http:
  listen: 127.0.0.1:$PORT
auth: {enabled: false}          # a benchmark, not a deployment
privileges: {user: ""}
EOF

# ---- ingest
rm -rf "$DATA" "$ECS"
t0=$(now)
"$OPENSOCD" ingest -c "$CFG" --ecs-out "$ECS" "$CAP" > "$WORK/ingest.txt"
INGEST_S=$(since "$t0")
cat "$WORK/ingest.txt"
NSESS=$(sed -n 's/^sessions: *\([0-9]*\),.*/\1/p' "$WORK/ingest.txt")
NEVENTS=$(sed -n 's/^sessions: .*events \([0-9]*\).*/\1/p' "$WORK/ingest.txt")
NPACKETS=$(sed -n 's/^packets: *//p' "$WORK/ingest.txt")
SEARCH_BYTES=$(du -s -B1 "$DATA/search" | cut -f1)
SHARDS=$(find "$DATA/search" -mindepth 1 -maxdepth 1 -type d | wc -l)
ECS_BYTES=$(stat -c %s "$ECS")
ECS_SESSIONS=$(grep -c '"dataset":"session"' "$ECS")

# ---- the queries: name, query, grep -E pattern and jq filter (session records)
NAMES=(client_ip server_ip dns_suffix cidr_port bytes)
declare -A Q GREP JQ
Q[client_ip]='ip:10.7.77.9'
GREP[client_ip]='"dataset":"session".*"ip":"10\.7\.77\.9"'
JQ[client_ip]='.event.dataset=="session" and (.source.ip=="10.7.77.9" or .destination.ip=="10.7.77.9")'
Q[server_ip]='ip:192.168.199.1'
GREP[server_ip]='"dataset":"session".*"ip":"192\.168\.199\.1"'
JQ[server_ip]='.event.dataset=="session" and (.source.ip=="192.168.199.1" or .destination.ip=="192.168.199.1")'
Q[dns_suffix]='dns.question.name:*.microsoft.com'
GREP[dns_suffix]='"dataset":"session".*"question":\{"name":\[[^]]*\.microsoft\.com"'
JQ[dns_suffix]='.event.dataset=="session" and ((.dns.question.name // []) | any(endswith(".microsoft.com")))'
Q[cidr_port]='destination.ip:192.168.0.0/16 AND destination.port:443'
GREP[cidr_port]='"dataset":"session".*"destination":\{"ip":"192\.168\.[0-9.]+","port":443,'
JQ[cidr_port]='.event.dataset=="session" and (.destination.ip|startswith("192.168.")) and .destination.port==443'
Q[bytes]='network.bytes:[1000 TO 5000]'
GREP[bytes]='"dataset":"session".*"network":\{[^}]*"bytes":([1-4][0-9]{3}|5000),'
JQ[bytes]='.event.dataset=="session" and .network.bytes>=1000 and .network.bytes<=5000'
FACET_Q='network.protocol:dns'
FACET_FIELD='dns.question.name'
FACET_JQ='select(.event.dataset=="session" and .network.protocol=="dns") | .dns.question.name[]?'

declare -A MED P99 GMED JMED GCOUNT JCOUNT RMED RP99 TOTAL
for q in "${NAMES[@]}"; do
  for _ in $(seq "$RUNS"); do
    t0=$(now); "$OPENSOCD" search -c "$CFG" --limit 100 "${Q[$q]}" > "$WORK/cli.out"; since "$t0"
  done > "$WORK/cli.times"
  MED[$q]=$(median < "$WORK/cli.times"); P99[$q]=$(p99 < "$WORK/cli.times")
  for _ in $(seq "$GREP_RUNS"); do
    t0=$(now); GCOUNT[$q]=$(grep -c -E "${GREP[$q]}" "$ECS" || true); since "$t0"
  done > "$WORK/grep.times"
  GMED[$q]=$(median < "$WORK/grep.times")
  for _ in $(seq "$JQ_RUNS"); do
    t0=$(now); JCOUNT[$q]=$(jq -c "select(${JQ[$q]}) | 1" "$ECS" | wc -l); since "$t0"
  done > "$WORK/jq.times"
  JMED[$q]=$(median < "$WORK/jq.times")
done
for _ in $(seq "$JQ_RUNS"); do
  t0=$(now); jq -r "$FACET_JQ" "$ECS" | sort | uniq -c | sort -rn | head -10 > "$WORK/facet.jq"; since "$t0"
done > "$WORK/jq.times"
FACET_JMED=$(median < "$WORK/jq.times")

# ---- the daemon on the same data dir: REST queries and time-to-search
ip netns add "$NS"
nsx ip link add cap0 type veth peer name send0
for dev in cap0 send0; do
  nsx sysctl -qw "net.ipv6.conf.$dev.disable_ipv6=1"
  nsx ip link set "$dev" up mtu 9000
done
nsx ip link set lo up
start_daemon() {  # start_daemon CFG: opensocd run in the namespace, returns when the API listens
  ip netns exec "$NS" "$OPENSOCD" run -c "$1" >> "$WORK/run.log" 2>&1 &
  DAEMON_PID=$!
  # Asked over netlink: no loopback packet while the capture starts.
  for _ in $(seq 300); do [ -n "$(nsx ss -Hltn "sport = :$PORT")" ] && break; sleep 0.1; done
}
stop_daemon() { kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID" || true; DAEMON_PID=; }
rest() { nsx curl -s -G "$API/api/v1/$1" --data-urlencode "q=$2" --data-urlencode start=0 "${@:3}"; }
time_to_search() {  # time_to_search tcp|dns N: seconds from sending a marker until the API finds it, one a line
  local kind=$1 i mport t0 found n endpoint q
  for i in $(seq "$2"); do
    mport=$((50000 + RANDOM % 10000))
    if [ "$kind" = tcp ]; then endpoint=sessions q="destination.port:$mport"
    else endpoint=events q="dns.question.name:m$mport.bench.example"; fi
    marker_pcap "$WORK/marker.pcap" "$mport" "$kind"
    nsx tcpreplay -q -i send0 "$WORK/marker.pcap" > /dev/null 2>&1
    t0=$(now)
    found=
    while [ "$(echo "$(since "$t0") < 20" | bc -l)" = 1 ]; do
      n=$(rest "$endpoint" "$q" --data-urlencode limit=1 | jq -r '.total // 0')
      [ "$n" -gt 0 ] && { found=1; break; }
      sleep 0.01
    done
    [ -n "$found" ] && since "$t0" || echo "marker $kind $i not found within 20 s" >&2
  done
}
start_daemon "$CFG"
for q in "${NAMES[@]}"; do
  TOTAL[$q]=$(rest sessions "${Q[$q]}" --data-urlencode limit=1 | jq -r '"\(.total)\(if .total_exact then "" else "~" end)"')
  for _ in $(seq "$RUNS"); do
    rest sessions "${Q[$q]}" --data-urlencode limit=100 -o /dev/null -w '%{time_total}\n'
  done > "$WORK/rest.times"
  RMED[$q]=$(median < "$WORK/rest.times"); RP99[$q]=$(p99 < "$WORK/rest.times")
done
rest sessions "$FACET_Q" --data-urlencode limit=0 --data-urlencode "facets=$FACET_FIELD" > "$WORK/facet.json" || true
for _ in $(seq "$RUNS"); do
  rest sessions "$FACET_Q" --data-urlencode limit=0 --data-urlencode "facets=$FACET_FIELD" -o /dev/null -w '%{time_total}\n'
done > "$WORK/rest.times"
FACET_MED=$(median < "$WORK/rest.times"); FACET_P99=$(p99 < "$WORK/rest.times")
declare -A TTS_MED TTS_MAX TTS_N
tts() {  # tts LABEL KIND: runs time_to_search, keeps median, max, count
  time_to_search "$2" "$TTS_RUNS" > "$WORK/tts.times"
  TTS_MED[$1]=$(median < "$WORK/tts.times"); TTS_MAX[$1]=$(sort -g "$WORK/tts.times" | tail -1)
  TTS_N[$1]=$(wc -l < "$WORK/tts.times")
}
tts session tcp
tts event dns
stop_daemon
# The same TCP marker with flow.timeouts.tcp_closed 1 s instead of 10 s: a
# session record leaves when its flow ends, after the closed-flow linger.
{ cat "$CFG"; printf 'flow:\n  timeouts:\n    tcp_closed: 1\n'; } > "$WORK/search-bench-linger1.yaml"
start_daemon "$WORK/search-bench-linger1.yaml"
tts session_linger1 tcp
stop_daemon

# ---- report
echo
printf 'capture: %s bytes, %s packets over %s h of packet time\n' "$CAP_BYTES" "$NPACKETS" "$HOURS"
printf 'ingest: %.1f s wall, %s sessions (%s session records in ECS), %s events = %.0f sessions/s, %.0f packets/s\n' \
  "$INGEST_S" "$NSESS" "$ECS_SESSIONS" "$NEVENTS" "$(echo "$NSESS / $INGEST_S" | bc -l)" "$(echo "$NPACKETS / $INGEST_S" | bc -l)"
printf 'search index: %.1f MB in %d shards = %.0f bytes per session (%.0f per session+event); ECS JSON %.1f MB\n' \
  "$(echo "$SEARCH_BYTES / 1000000" | bc -l)" "$SHARDS" "$(echo "$SEARCH_BYTES / $NSESS" | bc -l)" \
  "$(echo "$SEARCH_BYTES / ($NSESS + $NEVENTS)" | bc -l)" "$(echo "$ECS_BYTES / 1000000" | bc -l)"
printf '\n%-11s %-56s %9s %8s %8s %8s %8s %9s %9s %8s %8s\n' query q hits "CLI med" "CLI p99" "REST med" "REST p99" "grep med" "jq" "grep/CLI" "jq/CLI"
for q in "${NAMES[@]}"; do
  printf '%-11s %-56s %9s %6.1fms %6.1fms %6.1fms %6.1fms %7.0fms %7.0fms %8.0f %8.0f\n' "$q" "${Q[$q]}" "${TOTAL[$q]}" \
    "$(echo "${MED[$q]} * 1000" | bc -l)" "$(echo "${P99[$q]} * 1000" | bc -l)" \
    "$(echo "${RMED[$q]} * 1000" | bc -l)" "$(echo "${RP99[$q]} * 1000" | bc -l)" \
    "$(echo "${GMED[$q]} * 1000" | bc -l)" "$(echo "${JMED[$q]} * 1000" | bc -l)" \
    "$(echo "${GMED[$q]} / ${MED[$q]}" | bc -l)" "$(echo "${JMED[$q]} / ${MED[$q]}" | bc -l)"
  printf '%-11s   peer counts: grep %s, jq %s\n' "" "${GCOUNT[$q]}" "${JCOUNT[$q]}"
done
printf '%-11s %-56s %9s %8s %8s %6.1fms %6.1fms %9s %7.0fms\n' facet "$FACET_Q facets=$FACET_FIELD" \
  "$(jq -r '.total' "$WORK/facet.json" 2>/dev/null || echo '?')" - - \
  "$(echo "$FACET_MED * 1000" | bc -l)" "$(echo "$FACET_P99 * 1000" | bc -l)" - "$(echo "$FACET_JMED * 1000" | bc -l)"
echo "(CLI: opensocd search --limit 100, process start included; REST: curl time_total of GET /api/v1/sessions"
echo " limit=100 against opensocd run on the same data dir; hits: the API's total (~ = estimate); median and p99"
echo " (nearest rank) of $RUNS runs; grep -c -E / jq over the ECS JSON lines, session records, median of"
echo " $GREP_RUNS / $JQ_RUNS runs; facet peer: jq | sort | uniq -c | sort -rn | head.)"
echo "facet answer (REST): $(jq -c '.facets' "$WORK/facet.json" 2>/dev/null | head -c 400)"
echo "facet answer (jq):   $(tr -s ' ' < "$WORK/facet.jq" | tr '\n' ';' | head -c 400)"
echo
for t in session event session_linger1; do
  case $t in
    session) what="TCP session (FIN both ways), /api/v1/sessions, flow.timeouts.tcp_closed 10 s (default)" ;;
    event) what="DNS query + answer, the dns event, /api/v1/events" ;;
    session_linger1) what="TCP session, /api/v1/sessions, flow.timeouts.tcp_closed 1 s" ;;
  esac
  printf 'time-to-search (live, commit_ms 2000), %s: median %.0f ms, max %.0f ms over %d markers\n' "$what" \
    "$(echo "${TTS_MED[$t]} * 1000" | bc -l)" "$(echo "${TTS_MAX[$t]} * 1000" | bc -l)" "${TTS_N[$t]}"
done
