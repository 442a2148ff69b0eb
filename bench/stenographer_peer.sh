# Stenographer as a peer, for the benchmarks (see ../shared/PEERS.md):
# started on cap0 inside the caller's network namespace $NS as its own user,
# queried over its TLS API, stopped without hanging. Sourced by
# slice_bench.sh and store_capture_bench.sh, which define nsx() and NS.
STENO_PID=
steno_start() {  # steno_start DIR PORT: stenographer on cap0 in $NS, as its own user
  local sd=$1
  rm -rf "$sd"; mkdir -p "$sd/packets" "$sd/index" "$sd/certs" "$sd/tmp"
  cat > "$sd/config" <<JSON
{ "Threads": [ { "PacketsDirectory": "$sd/packets", "IndexDirectory": "$sd/index",
                 "MaxDirectoryFiles": 30000, "DiskFreePercentage": 1 } ],
  "StenotypePath": "/usr/sbin/stenotype", "Interface": "cap0", "Port": $2, "Host": "127.0.0.1",
  "Flags": ["--no_watchdogs", "--fileage_sec=10", "--blockage_sec=1"], "CertPath": "$sd/certs" }
JSON
  STENOGRAPHER_CONFIG=$sd/config stenokeys stenographer stenographer > "$sd/keys.log" 2>&1 || return 1
  chown -R stenographer:stenographer "$sd"
  ip netns exec "$NS" env TMPDIR="$sd/tmp" setpriv --reuid=stenographer --regid=stenographer --init-groups \
    stenographer -config "$sd/config" -syslog=false > "$sd/steno.log" 2>&1 &
  STENO_PID=$!
  # stenotype binds its packet socket to cap0 only once its ring is set up,
  # seconds after it starts: packets sent before that are not seen at all.
  for _ in $(seq 300); do
    nsx awk 'NR > 1 && $5 != 0 {f = 1} END {exit !f}' /proc/net/packet && { sleep 0.5; return 0; }
    kill -0 "$STENO_PID" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}
steno_curl() {  # steno_curl DIR PORT QUERY OUT [CURL_ARGS...]: one query over its client-certificate API
  local sd=$1 port=$2 query=$3 out=$4
  shift 4
  nsx curl -s --cert "$sd/certs/client_cert.pem" --key "$sd/certs/client_key.pem" --cacert "$sd/certs/ca_cert.pem" \
    -d "$query" "https://127.0.0.1:$port/query" -o "$out" "$@"
}
steno_stop() {  # SIGTERM, then SIGKILL: stenotype may hang closing its last file
  [ -n "$STENO_PID" ] || return 0
  local st; st=$(pgrep -P "$STENO_PID" stenotype || true)
  kill -TERM "$STENO_PID" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$STENO_PID" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$STENO_PID" 2>/dev/null || true
  [ -z "$st" ] || kill -KILL "$st" 2>/dev/null || true
  wait "$STENO_PID" 2>/dev/null || true
  STENO_PID=
}
