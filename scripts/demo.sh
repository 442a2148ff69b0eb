#!/usr/bin/env bash
# The demo: installs what is needed, builds, then runs the daemon on
# config/demo.yaml, which replays demo/demo.pcap through DPDK's net_pcap
# device (no NIC, no hugepages). Counters: http://127.0.0.1:8080/api/v1/stats
# Stop with Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
echo "opensocd: capturing demo/demo.pcap; try: curl -s http://127.0.0.1:8080/api/v1/stats"
echo "  and a PCAP slice: curl -s -o slice.pcap 'http://127.0.0.1:8080/api/v1/pcap?host=172.26.0.39&start=0'"
echo "  and a search: curl -s 'http://127.0.0.1:8080/api/v1/events?q=sni:*&facets=tls.client.server_name'"
echo "  and logs: logger --server 127.0.0.1 --port 5514 --udp --rfc5424 hello; curl -s 'http://127.0.0.1:8080/api/v1/logs?q=hello'"
echo "  (EVE JSON of the run: demo-data/eve.json)"
exec ./build/src/opensocd run -c config/demo.yaml "$@"
