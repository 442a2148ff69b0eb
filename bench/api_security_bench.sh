#!/usr/bin/env bash
# API security benchmark: what authentication and TLS cost the REST API of
# `opensocd run`, beside nginx on the same machine:
#   small requests  wrk (keep-alive, 1 thread, 8 connections): GET /api/v1/health,
#                   GET /api/v1/stats with auth off, with a Bearer token, with a
#                   session cookie; plain HTTP and TLS    vs  nginx serving a static
#                   file of the stats answer's size, plain and TLS, one worker
#   sign-in         POST /api/v1/auth/login (scrypt): median and p99 of LOGIN_RUNS;
#                   the failed-login limiter (the 6th bad try from one address)
#   PCAP slice      GET /api/v1/pcap?start=0 (the whole store, ~9 MB) with a token,
#                   MB/s over plain and TLS    vs  nginx serving a file of that size
#   handshakes      `openssl s_time -new` for HS_S seconds: new TLS connections/s
#                   vs  nginx with the same certificate
# The daemon captures a ~9 MB merge of corpus captures through DPDK's net_pcap
# (read once) into the store, then idles; its DPDK worker busy-polls one of the
# machine's cores the whole time, as it would on an appliance. nginx runs
# beside the auth-on daemon and is measured in the same rounds, so both face
# the same busy core. Four daemon configs (a listener is either plain or TLS):
# auth off + plain, auth off + TLS, auth on + plain, auth on + TLS; in each of
# the RUNS rounds, per transport, the auth-off and auth-on daemons run side
# by side and every target runs once, so a noisy neighbour spreads over all
# targets instead of one config (measured in turn, auth off came out both
# faster and slower than auth on).
#
# Usage: bench/api_security_bench.sh [RUNS (default 5)]
# Env: BUILD (default build), OPENSOCD (default $BUILD/src/opensocd), WORK
# (default /tmp/opensoc-bench), WRK_S (10) seconds per wrk run, HS_S (10)
# seconds per s_time run, LOGIN_RUNS (21), SLICE_RUNS (7), SETTLE_S (3). With the
# defaults it takes about 12 minutes; WRK_S=5 HS_S=5 halves it. Needs wrk, nginx (nginx-light),
# openssl, curl, jq, mergecap/capinfos and root (nginx as root, like the daemon).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
WRK_S=${WRK_S:-10}
HS_S=${HS_S:-10}
LOGIN_RUNS=${LOGIN_RUNS:-21}
SLICE_RUNS=${SLICE_RUNS:-7}
SETTLE_S=${SETTLE_S:-3}
BUILD=$(realpath "${BUILD:-build}")
OPENSOCD=${OPENSOCD:-$BUILD/src/opensocd}
WORK=${WORK:-/tmp/opensoc-bench}
CORPUS=${OPENSOC_CORPUS:-../shared/corpus}/suricata-verify/tests
PORT=18091      # auth-on daemons
OFF_PORT=18094  # auth-off daemons (up at the same time as an auth-on one)
NGX_PORT=18092
NGX_TLS_PORT=18093
mkdir -p "$WORK/apisec"
W=$(realpath "$WORK/apisec")
[ -x "$OPENSOCD" ] || bash scripts/build.sh
[ "$(id -u)" = 0 ] || { echo "needs root (nginx -p WORK as root, the daemon's capture)"; exit 2; }
for tool in wrk nginx openssl curl jq mergecap capinfos bc; do
  command -v "$tool" > /dev/null || { echo "needs $tool (scripts/setup.sh)"; exit 2; }
done

# shellcheck source=bench/bench_lib.sh
. bench/bench_lib.sh  # the script has cd-ed to the repository root

DAEMON_PIDS=()
NGINX_PID=
stop_daemons() {
  local pid
  for pid in "${DAEMON_PIDS[@]}"; do kill -TERM "$pid" 2> /dev/null || true; done
  for pid in "${DAEMON_PIDS[@]}"; do wait "$pid" 2> /dev/null || true; done
  DAEMON_PIDS=()
}
cleanup() {
  stop_daemons
  if [ -n "$NGINX_PID" ]; then kill -TERM "$NGINX_PID" 2> /dev/null || true; wait "$NGINX_PID" 2> /dev/null || true; fi
}
trap cleanup EXIT

# ---- input: a few corpus captures merged in time order (Ethernet, ~9 MB)
INPUT="$W/input.pcap"
mergecap -F pcap -w "$INPUT" "$CORPUS/smb2-async-read/input.pcap" "$CORPUS/rfb-protocol-3.3/06-vnc-Password-3.3.pcap" \
  "$CORPUS/rfb-protocol-3.8/04-vnc-openwall-3.8.pcap" "$CORPUS/smb2-03-rule/smb2.pcap"
INPUT_PACKETS=$(capinfos -c -M -T -r "$INPUT" | cut -f2)
echo "input: $INPUT: $INPUT_PACKETS packets, $(stat -c %s "$INPUT") bytes"

# ---- a self-signed P-256 certificate, shared by the daemon and nginx
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$W/key.pem" -out "$W/cert.pem" \
  -days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2> /dev/null

# ---- one admin user and one API token, in a users file every phase shares
USERS="$W/users.json"
PASSWORD="bench-$(openssl rand -hex 8)"
rm -f "$USERS"
daemon_config() {  # daemon_config NAME AUTH(true|false) TLS(true|false): writes $W/NAME.yaml
  cat > "$W/$1.yaml" <<YAML
data_dir: $W/data-$1
log_level: warning
capture:
  eal_args: ["--no-huge", "-m", "512", "--no-pci", "--no-shconf", "--file-prefix", "osapisec$$-$1",
             "--vdev", "net_pcap0,rx_pcap=$INPUT"]
  main_lcore: 0
  worker_lcores: [1]
  ports: [{device: net_pcap0}]
http:
  listen: "127.0.0.1:$( [ "$2" = true ] && echo "$PORT" || echo "$OFF_PORT")"
  tls: {enabled: $3, cert: "$W/cert.pem", key: "$W/key.pem"}
auth: {enabled: $2, users_file: "$USERS"}
audit: {enabled: true, path: "$W/audit-$1.log"}
privileges: {user: ""}
store: {enabled: true}
sessions: {enabled: true}
search: {enabled: true}
YAML
}
daemon_config on-plain true false
printf '%s' "$PASSWORD" | "$OPENSOCD" user add bench --role admin --password-stdin -c "$W/on-plain.yaml" > /dev/null
TOKEN=$("$OPENSOCD" user token add bench --label bench -c "$W/on-plain.yaml" | tail -1)
AUTHZ="Authorization: Bearer $TOKEN"

start_daemon() {  # start_daemon NAME SCHEME: runs it, waits until the store holds the whole input; sets API
  rm -rf "$W/data-$1" "$W/audit-$1.log"
  "$OPENSOCD" run -c "$W/$1.yaml" > "$W/run-$1.log" 2>&1 &
  local pid=$!
  DAEMON_PIDS+=("$pid")
  API="$2://127.0.0.1:$(sed -n 's/^  listen: "127.0.0.1:\([0-9]*\)"/\1/p' "$W/$1.yaml")"
  local stored=0
  for _ in $(seq 600); do
    stored=$(curl -sk -H "$AUTHZ" "$API/api/v1/stats" 2> /dev/null | jq -r '.store.indexed_packets // 0' 2> /dev/null || echo 0)
    [ "${stored:-0}" = "$INPUT_PACKETS" ] && return 0
    kill -0 "$pid" 2> /dev/null || { echo "daemon $1 exited:"; tail -5 "$W/run-$1.log"; exit 1; }
    sleep 0.1
  done
  echo "daemon $1: $stored of $INPUT_PACKETS packets indexed after 60 s"; exit 1
}

# wrk_rps KEY URL [HEADER]: one wrk run, requests/s appended to $W/rps-KEY; a
# run with non-2xx answers or socket errors is reported (its figure would be
# of refusals, not of the endpoint).
wrk_rps() {
  local out
  if [ $# -ge 3 ]; then out=$(wrk -t1 -c8 -d"${WRK_S}s" -H "$3" "$2"); else out=$(wrk -t1 -c8 -d"${WRK_S}s" "$2"); fi
  if grep -qE 'Non-2xx|Socket errors' <<< "$out"; then
    echo "WARNING: $1: $(grep -E 'Non-2xx|Socket errors' <<< "$out" | tr -s ' ' | paste -sd' ')" >&2
  fi
  sed -n 's/^Requests\/sec: *//p' <<< "$out" >> "$W/rps-$1"
}
# one_round KEY...: one wrk run against each target TARGET_URL[KEY] (+ TARGET_HDR[KEY])
declare -A TARGET_URL TARGET_HDR
one_round() {
  for k in "$@"; do
    if [ -n "${TARGET_HDR[$k]:-}" ]; then wrk_rps "$k" "${TARGET_URL[$k]}" "${TARGET_HDR[$k]}"; else wrk_rps "$k" "${TARGET_URL[$k]}"; fi
  done
}
mbps() { awk '{printf "%.1f\n", $1 / 1e6}'; }  # curl's speed_download (bytes/s) to MB/s
# slices KEY URL [HEADER]: one download, MB/s appended to $W/mbps-KEY
slice_once() {
  local hdr=()
  [ $# -ge 3 ] && hdr=(-H "$3")
  curl -sk "${hdr[@]}" -o "$W/slice.out" -w '%{http_code} %{size_download} %{speed_download}\n' "$2" > "$W/slice.w"
  read -r code size speed < "$W/slice.w"
  [ "$code" = 200 ] && [ "$size" = "$SLICE_BYTES" ] || echo "WARNING: $1: HTTP $code, $size bytes (expected $SLICE_BYTES)" >&2
  echo "$speed" | mbps >> "$W/mbps-$1"
}
# handshakes KEY PORT: new TLS connections per second over HS_S seconds
handshakes() {
  local t0 n
  t0=$(now)
  n=$(openssl s_time -connect "127.0.0.1:$2" -new -time "$HS_S" 2> /dev/null | sed -n 's/^\([0-9]*\) connections in [0-9.]*s;.*/\1/p')
  echo "${n:-0} / $(since "$t0")" | bc -l >> "$W/hs-$1"
}
tls_params() {  # tls_params PORT: the protocol, cipher and key exchange a default client gets
  openssl s_client -connect "127.0.0.1:$1" < /dev/null 2> /dev/null |
    sed -n 's/^New, \(.*\), Cipher is \(.*\)/\1 \2/p; s/^Server Temp Key: \(.*\)/\1/p' | paste -sd' '
}
rm -f "$W"/rps-* "$W"/mbps-* "$W"/hs-* "$W/login.times"
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
T_START=$(now)

# ---- the stats answer and the whole-store slice become nginx's files
daemon_config off-plain false false
daemon_config off-tls false true
daemon_config on-tls true true
start_daemon off-plain http
mkdir -p "$W/www" "$W/ngx-tmp"
curl -s -o "$W/www/stats.json" "$API/api/v1/stats"
curl -s -o "$W/www/slice.pcap" "$API/api/v1/pcap?start=0"
stop_daemons
STATS_BYTES=$(stat -c %s "$W/www/stats.json")
SLICE_BYTES=$(stat -c %s "$W/www/slice.pcap")
echo "stats answer: $STATS_BYTES bytes; slice (start=0): $SLICE_BYTES bytes"

# ---- nginx: one worker, the same files and certificate, no access log
cat > "$W/nginx.conf" <<NGINX
worker_processes 1;
daemon off;
pid $W/nginx.pid;
error_log $W/nginx-error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_timeout 65;
  keepalive_requests 100000000;  # as the daemon: wrk's connections are never closed under it
  default_type application/octet-stream;
  client_body_temp_path $W/ngx-tmp;
  server { listen 127.0.0.1:$NGX_PORT; root $W/www; }
  server {
    listen 127.0.0.1:$NGX_TLS_PORT ssl;
    root $W/www;
    ssl_certificate $W/cert.pem;
    ssl_certificate_key $W/key.pem;
    ssl_protocols TLSv1.2 TLSv1.3;
  }
}
NGINX
nginx -p "$W" -c "$W/nginx.conf" &
NGINX_PID=$!
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$NGX_PORT/stats.json" && break; sleep 0.1; done
NGX="http://127.0.0.1:$NGX_PORT"
NGX_TLS="https://127.0.0.1:$NGX_TLS_PORT"
TARGET_URL[nginx_plain]="$NGX/stats.json"
TARGET_URL[nginx_tls]="$NGX_TLS/stats.json"

# sign_in URL: the session cookie ("name=value") of a fresh sign-in
sign_in() {
  curl -sk -D - -o /dev/null -H 'Content-Type: application/json' \
    -d "{\"user\":\"bench\",\"password\":\"$PASSWORD\"}" "$1/api/v1/auth/login" |
    tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\);.*/\1/p'
}
# auth_on_targets T: the auth-on targets of transport T (plain|tls) against $API
auth_on_targets() {
  local cookie
  cookie=$(sign_in "$API")
  [ -n "$cookie" ] || { echo "sign-in ($1) failed"; exit 1; }
  TARGET_URL[health_$1]="$API/api/v1/health"
  TARGET_URL[token_$1]="$API/api/v1/stats"; TARGET_HDR[token_$1]="$AUTHZ"
  TARGET_URL[cookie_$1]="$API/api/v1/stats"; TARGET_HDR[cookie_$1]="Cookie: $cookie"
}

# ---- small requests: RUNS rounds; per transport, the auth-off and the
# auth-on daemon run side by side (so both face the same machine, busy
# pollers of both included) and every target, nginx too, runs once per round.
for r in $(seq "$RUNS"); do
  for t in plain tls; do
    echo "round $r/$RUNS, $t: auth off, health, token, cookie, nginx"
    scheme=http; [ "$t" = tls ] && scheme=https
    start_daemon "off-$t" "$scheme"
    TARGET_URL[off_$t]="$API/api/v1/stats"
    start_daemon "on-$t" "$scheme"
    auth_on_targets "$t"
    # Settle: just after start-up (capture, flows, sessions, search commits)
    # the first run came out ~25 % low, whichever target it was.
    sleep "$SETTLE_S"
    wrk -t1 -c8 -d2s "${TARGET_URL[off_$t]}" > /dev/null
    one_round "off_$t" "health_$t" "token_$t" "cookie_$t" "nginx_$t"
    stop_daemons
  done
done

# ---- auth on, plain: slices, sign-in latency and the limiter
echo "slices (plain), sign-in, limiter"
start_daemon on-plain http
for _ in $(seq "$SLICE_RUNS"); do
  slice_once slice_plain "$API/api/v1/pcap?start=0" "$AUTHZ"
  slice_once nginx_slice_plain "$NGX/slice.pcap"
done
for _ in $(seq "$LOGIN_RUNS"); do
  curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -H 'Content-Type: application/json' \
    -d "{\"user\":\"bench\",\"password\":\"$PASSWORD\"}" "$API/api/v1/auth/login"
done > "$W/login.out"
if grep -qv "^200 " "$W/login.out"; then echo "WARNING: sign-ins not 200: $(grep -v "^200 " "$W/login.out" | head -3 | paste -sd" ")" >&2; fi
cut -d' ' -f2 "$W/login.out" > "$W/login.times"
LOGIN_MED=$(median < "$W/login.times"); LOGIN_P99=$(p99 < "$W/login.times")
# The limiter: wrong passwords from 127.0.0.1 until it answers 429, then the right one.
: > "$W/badlogin.out"
for i in 1 2 3 4 5 6; do
  curl -s -D "$W/badlogin.hdr" -o /dev/null -w "$i %{http_code} %{time_total}\n" -H 'Content-Type: application/json' \
    -d '{"user":"bench","password":"wrong-password"}' "$API/api/v1/auth/login" >> "$W/badlogin.out"
done
RETRY_AFTER=$(tr -d '\r' < "$W/badlogin.hdr" | sed -n 's/^[Rr]etry-[Aa]fter: *//p')
GOOD_WHILE_BLOCKED=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' -H 'Content-Type: application/json' \
  -d "{\"user\":\"bench\",\"password\":\"$PASSWORD\"}" "$API/api/v1/auth/login")
BAD_CODES=$(cut -d' ' -f2 "$W/badlogin.out" | paste -sd' ')
BAD_MED=$(head -5 "$W/badlogin.out" | cut -d' ' -f3 | median)
SIXTH_S=$(sed -n '6p' "$W/badlogin.out" | cut -d' ' -f3)
stop_daemons

# ---- auth on, TLS: slices and new handshakes
echo "slices (TLS), handshakes"
start_daemon on-tls https
TLS_OURS=$(tls_params "$PORT")
TLS_NGX=$(tls_params "$NGX_TLS_PORT")
for _ in $(seq "$SLICE_RUNS"); do
  slice_once slice_tls "$API/api/v1/pcap?start=0" "$AUTHZ"
  slice_once nginx_slice_tls "$NGX_TLS/slice.pcap"
done
for _ in $(seq "$RUNS"); do
  handshakes ours "$PORT"
  handshakes nginx "$NGX_TLS_PORT"
done
stop_daemons
TOTAL_S=$(since "$T_START")

# ---- report
med() { median < "$W/$1"; }
ratio() { echo "$1 $2" | awk '{printf ($2 > 0) ? "%.2f" : "-", $1 / $2}'; }
range() { sort -g "$W/$1" | awk 'NR==1 {lo=$1} {hi=$1} END {printf "%.0f-%.0f", lo, hi}'; }
echo
echo "machine: $(nproc) CPUs, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), kernel $(uname -r);" \
  "load average at start $LOAD_START; $("$OPENSOCD" version 2>&1 | head -1)"
echo "TLS as a default client gets it: opensocd $TLS_OURS; nginx $TLS_NGX"
printf '\nsmall requests: wrk -t1 -c8 -d%ss (keep-alive), median of %s runs, requests/s (min-max)\n' "$WRK_S" "$RUNS"
printf '%-40s %10s %13s %10s %13s %9s\n' target plain "" TLS "" TLS/plain
row() {  # row LABEL PLAIN_KEY TLS_KEY
  printf '%-40s %10.0f %13s %10.0f %13s %9s\n' "$1" "$(med "rps-$2")" "($(range "rps-$2"))" "$(med "rps-$3")" \
    "($(range "rps-$3"))" "$(ratio "$(med "rps-$3")" "$(med "rps-$2")")"
}
row "GET /api/v1/health (public)" health_plain health_tls
row "GET /api/v1/stats, auth off" off_plain off_tls
row "GET /api/v1/stats, Bearer token" token_plain token_tls
row "GET /api/v1/stats, session cookie" cookie_plain cookie_tls
row "nginx, static file of $STATS_BYTES bytes" nginx_plain nginx_tls
for t in plain tls; do
  printf '%s: token/auth-off %s, cookie/auth-off %s, auth-off/nginx %s, token/nginx %s\n' "$t" \
    "$(ratio "$(med "rps-token_$t")" "$(med "rps-off_$t")")" "$(ratio "$(med "rps-cookie_$t")" "$(med "rps-off_$t")")" \
    "$(ratio "$(med "rps-off_$t")" "$(med "rps-nginx_$t")")" "$(ratio "$(med "rps-token_$t")" "$(med "rps-nginx_$t")")"
done
printf '\nsign-in (POST /api/v1/auth/login, plain HTTP, right password): median %.1f ms, p99 %.1f ms of %s\n' \
  "$(echo "$LOGIN_MED * 1000" | bc -l)" "$(echo "$LOGIN_P99 * 1000" | bc -l)" "$LOGIN_RUNS"
printf 'limiter: 6 wrong passwords from 127.0.0.1 answer %s; the first 5 take %.1f ms (median), the 6th %.2f ms' \
  "$BAD_CODES" "$(echo "$BAD_MED * 1000" | bc -l)" "$(echo "$SIXTH_S * 1000" | bc -l)"
printf ' (Retry-After: %s); then the right password answers %s\n' "${RETRY_AFTER:-none}" \
  "$(echo "$GOOD_WHILE_BLOCKED" | awk '{printf "%s in %.2f ms", $1, $2 * 1000}')"
printf '\nPCAP slice GET /api/v1/pcap?start=0 (%s bytes, Bearer token): MB/s, median of %s (curl speed_download)\n' \
  "$SLICE_BYTES" "$SLICE_RUNS"
printf '%-34s %9s %9s %9s\n' "" plain TLS TLS/plain
printf '%-34s %9s %9s %9s\n' opensocd "$(med mbps-slice_plain)" "$(med mbps-slice_tls)" \
  "$(ratio "$(med mbps-slice_tls)" "$(med mbps-slice_plain)")"
printf '%-34s %9s %9s %9s\n' "nginx, a file of the same size" "$(med mbps-nginx_slice_plain)" "$(med mbps-nginx_slice_tls)" \
  "$(ratio "$(med mbps-nginx_slice_tls)" "$(med mbps-nginx_slice_plain)")"
printf 'opensocd/nginx: plain %s, TLS %s\n' "$(ratio "$(med mbps-slice_plain)" "$(med mbps-nginx_slice_plain)")" \
  "$(ratio "$(med mbps-slice_tls)" "$(med mbps-nginx_slice_tls)")"
printf '\nnew TLS handshakes/s (openssl s_time -new -time %s, no request), median of %s: opensocd %.0f (%s), nginx %.0f (%s), ratio %s\n' \
  "$HS_S" "$RUNS" "$(med hs-ours)" "$(range hs-ours)" "$(med hs-nginx)" "$(range hs-nginx)" "$(ratio "$(med hs-ours)" "$(med hs-nginx)")"
printf '\nwhole run %.0f s\n' "$TOTAL_S"
