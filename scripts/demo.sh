#!/usr/bin/env bash
# The demo: installs what is needed, builds, then runs the daemon on
# config/demo.yaml, which replays demo/demo.pcap through DPDK's net_pcap
# device (no NIC, no hugepages). Counters: http://127.0.0.1:8080/api/v1/stats
# Stop with Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
# Auth is on in the demo as on an appliance: one admin user for the console
# (demo / opensoc-demo) and an API token for curl, kept in a curl config file
# (`curl -K demo-data/curlrc ...`), both made once.
opensocd=./build/src/opensocd
mkdir -p demo-data
if ! "$opensocd" user list --json -c config/demo.yaml 2>/dev/null | grep -q '"name": *"demo"'; then
  echo "opensoc-demo" | "$opensocd" user add demo --role admin --password-stdin -c config/demo.yaml
fi
if [ ! -s demo-data/curlrc ]; then
  token=$("$opensocd" user token add demo --label demo-curl -c config/demo.yaml)
  (umask 077 && printf 'header = "Authorization: Bearer %s"\n' "$token" > demo-data/curlrc)
fi
echo "opensocd: capturing demo/demo.pcap"
echo "  console: http://127.0.0.1:8080/  (user demo, password opensoc-demo)"
echo "  try: curl -s -K demo-data/curlrc http://127.0.0.1:8080/api/v1/stats"
echo "  and a PCAP slice: curl -s -K demo-data/curlrc -o slice.pcap 'http://127.0.0.1:8080/api/v1/pcap?host=172.26.0.39&start=0'"
echo "  and a search: curl -s -K demo-data/curlrc 'http://127.0.0.1:8080/api/v1/events?q=sni:*&facets=tls.client.server_name'"
echo "  and logs: logger --server 127.0.0.1 --port 5514 --udp --rfc5424 hello; curl -s -K demo-data/curlrc 'http://127.0.0.1:8080/api/v1/logs?q=hello'"
echo "  (EVE JSON of the run: demo-data/eve.json)"
exec ./build/src/opensocd run -c config/demo.yaml "$@"
