#!/usr/bin/env bash
# Telemetry benchmark: messages/s received, parsed and indexed by opensocd's
# log pipeline for syslog RFC 5424, Suricata EVE JSON and NetFlow v9, beside
# a peer receiving the same load on the same machine:
#   rfc5424, eve  rsyslogd (a private instance: imtcp/imudp -> omfile, its own
#                 work dir and pid file): syslog parsed into
#                 RSYSLOG_FileFormat lines, EVE written as received (%rawmsg%)
#   netflow9      nfcapd (Debian's nfdump): datagrams decoded into its flow
#                 files (rsyslog has no NetFlow input)
# The load is tools/log_loadgen (messages with varying hosts, programs, users,
# addresses, structured data; EVE dns/http/tls/flow; NetFlow v9 with 30
# records per datagram). Per format and run:
#   TCP (syslog, EVE)  COUNT messages over one connection, no loss: wall time
#                      from the first byte sent until the peer's file has
#                      COUNT lines / opensocd's /api/v1/stats shows
#                      receivers.pipeline.indexed == COUNT; CPU seconds of the
#                      peer process, and of opensocd's log pipeline thread
#                      ("opensoc-logs"), receiver thread ("opensoc-recv") and
#                      whole process (/proc/PID/task/*/stat, sampled before
#                      the first byte and when the count is reached)
#   NetFlow (UDP only) COUNT records paced at NF_RATE records/s: received,
#                      lost, CPU as above
#   UDP at max rate    COUNT syslog messages as fast as sendmmsg goes:
#                      received, dropped (opensocd: its own dropped_queue +
#                      dropped_socket counters; the check is received +
#                      dropped == sent), and for rsyslog the lines it wrote
# Medians of RUNS runs; per core = messages / CPU seconds.
#
# Usage: bench/telemetry_bench.sh [COUNT (200000)] [RUNS (3)]
# Env: BUILD (build), OPENSOCD ($BUILD/src/opensocd), LOADGEN
# ($BUILD/tools/log_loadgen), WORK (/tmp/opensoc-telemetry-bench), FORMATS
# ("rfc5424 eve netflow9"), NF_RATE (200000), PEERS (1: run the peers),
# OURS (1: run opensocd), UDP (1: the max-rate UDP runs), PORT_BASE (25500),
# HTTP_PORT (18090), PROFILE (0; 1: `perf record` with DWARF call graphs of
# opensocd during one more rfc5424 TCP run of PROFILE_COUNT (200000)
# messages: top symbols, self and inclusive), STAGE_BENCH
# ($BUILD/bench/telemetry_stage_bench; when built, the pipeline's steps are
# also timed in-process over STAGE_COUNT (100000) messages per format).
# NOINDEX (1: one more run per format with search.enabled false: receive,
# parse and count only; waits for receivers.pipeline.events).
# Needs rsyslogd, nfcapd/nfdump, curl, ss, bc, python3 (and perf for PROFILE).
# The run functions print space-separated figures that `set -- $r` splits on
# purpose.
# shellcheck disable=SC2086
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${1:-200000}
RUNS=${2:-3}
BUILD=$(realpath "${BUILD:-build}")
OPENSOCD=${OPENSOCD:-$BUILD/src/opensocd}
LOADGEN=${LOADGEN:-$BUILD/tools/log_loadgen}
WORK=${WORK:-/tmp/opensoc-telemetry-bench}
FORMATS=${FORMATS:-rfc5424 eve netflow9}
NF_RATE=${NF_RATE:-200000}
PEERS=${PEERS:-1}
OURS=${OURS:-1}
UDP=${UDP:-1}
PROFILE=${PROFILE:-0}
NOINDEX=${NOINDEX:-1}
STAGE_COUNT=${STAGE_COUNT:-100000}
PROFILE_COUNT=${PROFILE_COUNT:-200000}
PORT_BASE=${PORT_BASE:-25500}
HTTP_PORT=${HTTP_PORT:-18090}
API=http://127.0.0.1:$HTTP_PORT
ROOT=$(pwd)
MEASURE="python3 $ROOT/bench/telemetry_measure.py"
mkdir -p "$WORK"
WORK=$(realpath "$WORK")
for exe in "$OPENSOCD" "$LOADGEN"; do
  [ -x "$exe" ] || { echo "$exe: not built (scripts/build.sh, or set BUILD / OPENSOCD / LOADGEN)" >&2; exit 2; }
done

# shellcheck source=bench/bench_lib.sh
. bench/bench_lib.sh  # the script has cd-ed to the repository root

# Ports: rsyslog/nfcapd and opensocd get their own, so a stale process of one
# never receives the other's load.
RS_TCP=$((PORT_BASE + 1)); RS_UDP=$((PORT_BASE + 2)); NF_PORT=$((PORT_BASE + 3))
OS_SYSLOG_TCP=$((PORT_BASE + 11)); OS_SYSLOG_UDP=$((PORT_BASE + 12)); OS_JSON_TCP=$((PORT_BASE + 13))
OS_NETFLOW=$((PORT_BASE + 14))

PEER_PID=
DAEMON_PID=
cleanup() {
  [ -n "$PEER_PID" ] && kill -TERM "$PEER_PID" 2>/dev/null && wait "$PEER_PID" 2>/dev/null
  [ -n "$DAEMON_PID" ] && kill -TERM "$DAEMON_PID" 2>/dev/null && wait "$DAEMON_PID" 2>/dev/null
  true
}
trap cleanup EXIT

wait_port() {  # wait_port tcp|udp PORT: until something listens there (10 s)
  local flag=-ltn; [ "$1" = udp ] && flag=-lun
  for _ in $(seq 100); do
    [ -n "$(ss -H "$flag" "sport = :$2")" ] && return 0
    sleep 0.1
  done
  echo "nothing listens on $1 port $2" >&2; return 1
}
kv() { sed -n "s/.*\b$1=\([^ ]*\).*/\1/p"; }           # kv KEY < "a=1 KEY=2" -> 2
jget() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval('d'+sys.argv[2]))" "$@"; }
div() { echo "scale=6; if ($2 > 0) $1 / $2 else 0" | bc -l; }

# ---- rsyslog -----------------------------------------------------------------
rsyslog_conf() {  # rsyslog_conf DIR FORMAT
  local tpl=RSYSLOG_FileFormat
  [ "$2" = eve ] && tpl=raw
  cat > "$1/rsyslog.conf" <<EOF
global(workDirectory="$1" maxMessageSize="64k")
module(load="imudp")
module(load="imtcp")
template(name="raw" type="string" string="%rawmsg%\n")
ruleset(name="bench") { action(type="omfile" file="$1/out.log" template="$tpl") }
input(type="imtcp" address="127.0.0.1" port="$RS_TCP" ruleset="bench")
input(type="imudp" address="127.0.0.1" port="$RS_UDP" ruleset="bench" rcvbufSize="8m")
EOF
}
start_rsyslog() {  # start_rsyslog DIR FORMAT
  rm -rf "$1"; mkdir -p "$1"
  rsyslog_conf "$1" "$2"
  rsyslogd -n -f "$1/rsyslog.conf" -i "$1/rsyslogd.pid" > "$1/rsyslogd.log" 2>&1 &
  PEER_PID=$!
  trap cleanup EXIT  # the runs are $(...) subshells: the script's trap does not cover them
  wait_port tcp "$RS_TCP"; wait_port udp "$RS_UDP"
}
stop_peer() { kill -TERM "$PEER_PID" 2>/dev/null; wait "$PEER_PID" 2>/dev/null || true; PEER_PID=; }

# One TCP run into rsyslog: prints "wall_s cpu_s lines"
rsyslog_tcp_run() {  # FORMAT
  local d="$WORK/rsyslog" t0 out last
  start_rsyslog "$d" "$1"
  $MEASURE cpu "$PEER_PID" > "$d/cpu0"
  t0=$(now)
  "$LOADGEN" --tcp "127.0.0.1:$RS_TCP" --format "$1" --count "$COUNT" > "$d/loadgen.txt"
  out=$($MEASURE wait-lines "$d/out.log" "$COUNT" 600 10)
  $MEASURE cpu "$PEER_PID" > "$d/cpu1"
  last=${out#* }
  echo "$(echo "$last - $t0" | bc -l) $($MEASURE cpu-delta "$d/cpu0" "$d/cpu1" | jget /dev/stdin "['process']") ${out% *}"
  stop_peer
}
# One max-rate UDP run into rsyslog: prints "received wall_s"
rsyslog_udp_run() {  # FORMAT
  local d="$WORK/rsyslog" t0 out
  start_rsyslog "$d" "$1"
  t0=$(now)
  "$LOADGEN" --udp "127.0.0.1:$RS_UDP" --format "$1" --count "$COUNT" > "$d/loadgen.txt"
  out=$($MEASURE wait-lines "$d/out.log" "$COUNT" 600 2)
  echo "${out% *} $(echo "${out#* } - $t0" | bc -l)"
  stop_peer
}

# ---- nfcapd --------------------------------------------------------------------
# One NetFlow run into nfcapd at RATE records/s (0 = max): "received wall_s cpu_s"
nfcapd_run() {  # RATE
  local d="$WORK/nfcapd" t0 t1 recv
  rm -rf "$d"; mkdir -p "$d/flows"
  nfcapd -w "$d/flows" -b 127.0.0.1 -p "$NF_PORT" -B 8388608 > "$d/nfcapd.log" 2>&1 &
  PEER_PID=$!
  trap cleanup EXIT
  wait_port udp "$NF_PORT"
  $MEASURE cpu "$PEER_PID" > "$d/cpu0"
  t0=$(now)
  "$LOADGEN" --udp "127.0.0.1:$NF_PORT" --format netflow9 --count "$COUNT" --rate "$1" > "$d/loadgen.txt"
  t1=$(now)
  sleep 1  # the socket buffer drains; nfcapd decodes in its receive loop
  $MEASURE cpu "$PEER_PID" > "$d/cpu1"
  stop_peer  # SIGTERM: nfcapd writes its last file
  recv=$(nfdump -R "$d/flows" -I 2>/dev/null | sed -n 's/^Flows: //p' | head -1) || true
  echo "${recv:-0} $(echo "$t1 - $t0" | bc -l) $($MEASURE cpu-delta "$d/cpu0" "$d/cpu1" | jget /dev/stdin "['process']")"
}

# ---- opensocd ------------------------------------------------------------------
CAPTURE_PCAP=$ROOT/demo/demo.pcap
daemon_conf() {  # daemon_conf DIR SEARCH(true|false)
  cat > "$1/opensocd.yaml" <<EOF
data_dir: $1/data
log_level: info
capture:
  eal_args: ["--no-huge", "-m", "512", "--no-pci", "--no-shconf", "--file-prefix", "ostel$$",
             "--vdev", "net_pcap0,rx_pcap=$CAPTURE_PCAP"]
  main_lcore: 0
  worker_lcores: [1]
  ports:
    - device: net_pcap0
store:
  sync_on_close: false
search:
  enabled: $2
  commit_ms: 1000
http:
  listen: 127.0.0.1:$HTTP_PORT
auth: {enabled: false}          # a benchmark, not a deployment
privileges: {user: ""}
receivers:
  queue_messages: 65536
  api_ingest: true
  listeners:
    - name: syslog-tcp
      protocol: syslog
      transport: tcp
      listen: 127.0.0.1:$OS_SYSLOG_TCP
      framing: auto
      parsers: [rfc5424]
    - name: syslog-udp
      protocol: syslog
      transport: udp
      listen: 127.0.0.1:$OS_SYSLOG_UDP
      parsers: [rfc5424]
      socket_buffer_bytes: 8388608
    - name: eve-tcp
      protocol: json
      transport: tcp
      listen: 127.0.0.1:$OS_JSON_TCP
      framing: newline
      parsers: [eve]
    - name: netflow-udp
      protocol: netflow
      transport: udp
      listen: 127.0.0.1:$OS_NETFLOW
      socket_buffer_bytes: 8388608
EOF
}
start_daemon() {  # start_daemon [SEARCH (true)]
  local d="$WORK/opensocd"
  rm -rf "$d"; mkdir -p "$d"
  daemon_conf "$d" "${1:-true}"
  "$OPENSOCD" run -c "$d/opensocd.yaml" > "$d/daemon.log" 2>&1 &
  DAEMON_PID=$!
  trap cleanup EXIT
  for _ in $(seq 300); do
    curl -sf "$API/api/v1/health" > /dev/null 2>&1 && break
    kill -0 "$DAEMON_PID" 2>/dev/null || { echo "opensocd exited:"; tail -20 "$d/daemon.log"; exit 1; }
    sleep 0.1
  done
  wait_port tcp "$OS_SYSLOG_TCP"; wait_port tcp "$OS_JSON_TCP"; wait_port udp "$OS_NETFLOW"
}
stop_daemon() { kill -TERM "$DAEMON_PID" 2>/dev/null; wait "$DAEMON_PID" 2>/dev/null || true; DAEMON_PID=; }

# Threads that are not the log path: DPDK's capture worker busy-polls its
# (idle) port at 100 % of a core whatever the load, so "process" is also
# given without it.
cpu_fields() {  # cpu_fields DELTA_JSON -> "logs recv process process_without_capture_workers"
  python3 - "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
t = d["threads"]
spin = sum(s for n, s in t.items() if n.startswith(("lcore-", "rte-", "dpdk-", "opensoc-w")))
print(t.get("opensoc-logs", 0), t.get("opensoc-recv", 0), d["process"], round(d["process"] - spin, 3))
PY
}

# What the run left in the daemon's counters, and whether search finds every
# record once the last commit is done (a side line, not timed).
report_run() {  # FORMAT STATS_JSON
  local url="$API/api/v1/logs?limit=1" total
  [ "$1" = netflow9 ] && url="$API/api/v1/sessions?q=event.dataset:netflow&limit=1"
  for _ in $(seq 50); do
    total=$(curl -s "$url" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("total"))' 2>/dev/null || echo "?")
    [ "$total" = "$COUNT" ] && break
    sleep 0.2
  done
  python3 - "$2" "$total" <<'PY'
import json, sys
try:
    r = json.load(open(sys.argv[1]))["receivers"]
except (OSError, ValueError, KeyError):
    sys.exit(0)
lst = ", ".join(f"{l['name']}: {l['messages']} msgs, drops {l['dropped_queue']}+{l['dropped_socket']}, "
                f"framing errors {l['framing_errors']}" for l in r.get("listeners", []) if l.get("messages"))
parsers = ", ".join(f"{k} {v.get('parsed')}/{v.get('failed')}" for k, v in r.get("parsers", {}).items())
print(f"  [{lst}] pipeline {r.get('pipeline')} parsers (parsed/failed) {parsers}; "
      f"queue high water {r.get('queue', {}).get('high_water')}; search total {sys.argv[2]}")
PY
}

# One opensocd run: MODE tcp|netflow; prints "wall_s logs_cpu recv_cpu proc_cpu proc_nospin_cpu indexed"
opensocd_run() {  # FORMAT [SEARCH (true): false = parse and count only, nothing indexed]
  local d="$WORK/opensocd" t0 out stat port
  start_daemon "${2:-true}"
  $MEASURE cpu "$DAEMON_PID" > "$d/cpu0"
  t0=$(now)
  case $1 in
    rfc5424) "$LOADGEN" --tcp "127.0.0.1:$OS_SYSLOG_TCP" --format rfc5424 --count "$COUNT" > "$d/loadgen.txt" ;;
    eve) "$LOADGEN" --tcp "127.0.0.1:$OS_JSON_TCP" --format eve --count "$COUNT" > "$d/loadgen.txt" ;;
    netflow9) "$LOADGEN" --udp "127.0.0.1:$OS_NETFLOW" --format netflow9 --count "$COUNT" --rate "$NF_RATE" > "$d/loadgen.txt" ;;
  esac
  stat=receivers.pipeline.indexed
  [ "$1" = netflow9 ] && stat=receivers.pipeline.flows
  [ "${2:-true}" = false ] && stat=receivers.pipeline.events
  # Stats are published per batch (up to 1024 queued messages: 30 k NetFlow
  # records, seconds of work), so "no progress" needs a long idle time.
  out=$($MEASURE wait-stat "$API/api/v1/stats" "$stat" "$COUNT" 900 30)
  $MEASURE cpu "$DAEMON_PID" > "$d/cpu1"
  $MEASURE cpu-delta "$d/cpu0" "$d/cpu1" > "$d/cpu"
  curl -s "$API/api/v1/stats" > "$d/stats.json" || true
  report_run "$1" "$d/stats.json" >&2
  python3 -c 'import json,sys; t=json.load(open(sys.argv[1]))["threads"]; print("  CPU s by thread:", ", ".join(f"{n} {s}" for n, s in sorted(t.items(), key=lambda x: -x[1]) if s > 0))' "$d/cpu" >&2
  echo "$(echo "${out#* } - $t0" | bc -l) $(cpu_fields "$d/cpu") ${out% *}"
  stop_daemon
}
# Max-rate UDP into opensocd (rfc5424 or netflow9): received + dropped
# (its own counters) against what was sent, in datagrams, and what the
# pipeline indexed (messages; NetFlow: flow records).
opensocd_udp_run() {  # FORMAT
  local d="$WORK/opensocd" port=$OS_SYSLOG_UDP name=syslog-udp stat=receivers.pipeline.indexed
  [ "$1" = netflow9 ] && { port=$OS_NETFLOW; name=netflow-udp; stat=receivers.pipeline.flows; }
  start_daemon
  "$LOADGEN" --udp "127.0.0.1:$port" --format "$1" --count "$COUNT" > "$d/loadgen.txt"
  $MEASURE wait-stat "$API/api/v1/stats" "$stat" "$COUNT" 600 30 > /dev/null
  curl -s "$API/api/v1/stats" > "$d/stats.json"
  python3 - "$d/stats.json" "$name" "$(kv datagrams < "$d/loadgen.txt")" "$(kv elapsed_s < "$d/loadgen.txt")" "$COUNT" "$1" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))["receivers"]
l = next(x for x in s["listeners"] if x["name"] == sys.argv[2])
sent, secs, count, fmt = int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
got = s["pipeline"]["flows" if fmt == "netflow9" else "indexed"]
dropped = l["dropped_queue"] + l["dropped_socket"]
print(f"{sent} datagrams sent in {secs:.3f} s; received {l['messages']}, dropped {l['dropped_queue']} (queue) + "
      f"{l['dropped_socket']} (socket); received + dropped = {l['messages'] + dropped} "
      f"({'equal' if l['messages'] + dropped == sent else 'NOT equal'} to sent); "
      f"{got} of {count} {'records' if fmt == 'netflow9' else 'messages'} indexed")
PY
  stop_daemon
}

col() { awk -v c="$1" '{print $c}'; }
declare -A R  # R[key] = median figure
echo "machine: $(nproc) CPUs, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "opensocd: $OPENSOCD; COUNT=$COUNT RUNS=$RUNS"
for f in $FORMATS; do
  if [ "$PEERS" = 1 ]; then
    : > "$WORK/peer-$f.runs"
    for i in $(seq "$RUNS"); do
      if [ "$f" = netflow9 ]; then
        r=$(nfcapd_run "$NF_RATE"); set -- $r
        echo "$f nfcapd run $i: received $1 of $COUNT, send time $2 s, nfcapd CPU $3 s" >&2
        echo "$2 $3 $1" >> "$WORK/peer-$f.runs"
      else
        r=$(rsyslog_tcp_run "$f"); set -- $r
        echo "$f rsyslog tcp run $i: $3 lines in $1 s, rsyslogd CPU $2 s" >&2
        echo "$r" >> "$WORK/peer-$f.runs"
      fi
    done
    R[$f.peer.wall]=$(col 1 < "$WORK/peer-$f.runs" | median)
    R[$f.peer.cpu]=$(col 2 < "$WORK/peer-$f.runs" | median)
    R[$f.peer.n]=$(col 3 < "$WORK/peer-$f.runs" | median)
    if [ "$UDP" = 1 ]; then
      if [ "$f" = netflow9 ]; then
        r=$(nfcapd_run 0); set -- $r
        R[$f.peer.udp]="$1 of $COUNT records ($((COUNT - $1)) lost) sent in $2 s"
      else
        r=$(rsyslog_udp_run "$f"); set -- $r
        R[$f.peer.udp]="$1 of $COUNT lines ($((COUNT - $1)) lost) in $2 s"
      fi
      echo "$f peer max-rate UDP: ${R[$f.peer.udp]}" >&2
    fi
  fi
  if [ "$OURS" = 1 ]; then
    : > "$WORK/ours-$f.runs"
    for i in $(seq "$RUNS"); do
      r=$(opensocd_run "$f"); set -- $r
      echo "$f opensocd run $i: indexed $6 in $1 s; CPU s: logs $2, recv $3, process $4 ($5 without the capture worker)" >&2
      echo "$r" >> "$WORK/ours-$f.runs"
    done
    for k in 1:wall 2:logs 3:recv 4:proc 5:nospin 6:n; do
      R[$f.ours.${k#*:}]=$(col "${k%:*}" < "$WORK/ours-$f.runs" | median)
    done
    if [ "$NOINDEX" = 1 ]; then
      r=$(opensocd_run "$f" false); set -- $r
      R[$f.noindex]="$6 messages in $1 s = $(div "$6" "$1" | xargs printf '%.0f')/s wall, $(div "$6" "$2" | xargs printf '%.0f') per CPU-s of opensoc-logs"
      echo "$f opensocd with search disabled: ${R[$f.noindex]}" >&2
    fi
  fi
done
if [ "$OURS" = 1 ] && [ "$UDP" = 1 ]; then
  for f in $FORMATS; do
    [ "$f" = eve ] && continue  # JSON lines come over TCP
    R[$f.ours.udp]=$(opensocd_udp_run "$f")
    echo "$f opensocd max-rate UDP: ${R[$f.ours.udp]}" >&2
  done
fi

echo
echo "messages/s (median of $RUNS; per core = messages / CPU seconds of the named threads or process;"
echo "netflow9: records, sent paced at $NF_RATE/s, so its wall figures are the pace unless records were lost)"
printf '| %-9s | %-28s | %12s | %12s | %12s | %14s | %14s | %10s | %10s |\n' format peer "peer msg/s" "peer /CPU-s" \
  "ours msg/s" "ours /pipeline-CPU-s" "ours /process-CPU-s" "wall ratio" "core ratio"
printf '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n'
for f in $FORMATS; do
  peer=rsyslog; [ "$f" = netflow9 ] && peer=nfcapd
  pw=$(div "${R[$f.peer.n]:-0}" "${R[$f.peer.wall]:-0}"); pc=$(div "${R[$f.peer.n]:-0}" "${R[$f.peer.cpu]:-0}")
  ow=$(div "${R[$f.ours.n]:-0}" "${R[$f.ours.wall]:-0}")
  oc=$(div "${R[$f.ours.n]:-0}" "$(echo "${R[$f.ours.logs]:-0} + ${R[$f.ours.recv]:-0}" | bc -l)")
  op=$(div "${R[$f.ours.n]:-0}" "${R[$f.ours.nospin]:-0}")
  printf '| %-9s | %-28s | %12.0f | %12.0f | %12.0f | %14.0f | %14.0f | %10.4f | %10.4f |\n' "$f" "$peer" "$pw" "$pc" "$ow" "$oc" "$op" \
    "$(div "$ow" "$pw")" "$(div "$op" "$pc")"
done
echo
echo "CPU seconds (medians): $(for f in $FORMATS; do printf '%s: logs %s recv %s process %s (without capture worker %s); ' "$f" \
  "${R[$f.ours.logs]:-}" "${R[$f.ours.recv]:-}" "${R[$f.ours.proc]:-}" "${R[$f.ours.nospin]:-}"; done)"
if [ "$NOINDEX" = 1 ] && [ "$OURS" = 1 ]; then
  echo "opensocd with search.enabled false (receive + parse + detection hook, nothing indexed; one run):"
  for f in $FORMATS; do echo "  $f: ${R[$f.noindex]:-}"; done
fi
if [ "$UDP" = 1 ]; then
  echo "max-rate UDP:"
  for f in $FORMATS; do
    [ -n "${R[$f.peer.udp]:-}" ] && echo "  $f peer: ${R[$f.peer.udp]}"
    [ -n "${R[$f.ours.udp]:-}" ] && echo "  $f opensocd: ${R[$f.ours.udp]}"
  done
fi

# The pipeline thread's steps in-process, one added at a time (parse, ECS
# render, search document, Xapian index): what each costs per event.
STAGE_BENCH=${STAGE_BENCH:-$BUILD/bench/telemetry_stage_bench}
if [ "$OURS" = 1 ] && [ -x "$STAGE_BENCH" ]; then
  echo
  echo "in-process stages (telemetry_stage_bench, $STAGE_COUNT messages, one core):"
  for f in $FORMATS; do
    "$LOADGEN" --out "$WORK/stage-$f.in" --format "$f" --count "$STAGE_COUNT" > /dev/null
    skip=1; [ "$f" = "${FORMATS%% *}" ] || skip=2  # the column header once
    "$STAGE_BENCH" "$f" "$WORK/stage-$f.in" "$WORK/stage-scratch" | tail -n +"$skip"
    rm -rf "$WORK/stage-$f.in" "$WORK/stage-scratch"
  done
fi

if [ "$PROFILE" = 1 ] && [ "$OURS" = 1 ]; then
  d="$WORK/opensocd"
  start_daemon
  perf record -F 300 --call-graph dwarf,8192 -o "$WORK/perf.data" -p "$DAEMON_PID" -- sleep 1000 > /dev/null 2>&1 &
  PERF_PID=$!
  sleep 0.5
  "$LOADGEN" --tcp "127.0.0.1:$OS_SYSLOG_TCP" --format rfc5424 --count "$PROFILE_COUNT" > /dev/null
  $MEASURE wait-stat "$API/api/v1/stats" receivers.pipeline.indexed "$PROFILE_COUNT" 900 10 > /dev/null
  kill -INT "$PERF_PID"; wait "$PERF_PID" 2>/dev/null || true
  stop_daemon
  echo
  echo "perf, rfc5424 over TCP ($PROFILE_COUNT messages), thread opensoc-logs (percent of its samples):"
  # (--sort comm,...: with --sort dso alone perf merges a library's samples
  # under whichever thread came first and the --comm filter drops them;
  # head closing the pipe early is not a failure)
  echo "self time by library:"
  { perf report -i "$WORK/perf.data" --no-children --comm opensoc-logs --percentage relative --sort comm,dso \
    --percent-limit 1 --stdio -g none 2>/dev/null | grep -E '^ +[0-9]' | sed 's/  */ /g' | head -12; } || true
  echo "self time by symbol:"
  { perf report -i "$WORK/perf.data" --no-children --comm opensoc-logs --percentage relative --sort comm,dso,symbol \
    --percent-limit 1.5 --stdio -g none 2>/dev/null | grep -E '^ +[0-9]' | sed 's/  */ /g' | cut -c1-150 | head -20; } || true
  echo "inclusive (opensoc, Xapian, zlib; Xapian's own frames have no unwind info):"
  { perf report -i "$WORK/perf.data" --children --comm opensoc-logs --percentage relative --sort comm,symbol \
    --percent-limit 0.5 --stdio -g none 2>/dev/null | grep -E '^ +[0-9].*(opensoc::|Xapian::|deflate|simdjson)' \
    | sed 's/  */ /g' | cut -c1-150 | head -30; } || true
fi
