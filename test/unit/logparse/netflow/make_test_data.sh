#!/bin/bash
# Regenerates data/: softflowd 1.1.0 exports corpus captures to a port on lo,
# tcpdump captures the export datagrams, tshark_oracle.py stores them as
# length-prefixed datagrams (<name>.bin, also the fuzz seed format) and
# tshark's decode of them (<name>.expected). Needs root (tcpdump on lo),
# softflowd, softflowctl, tcpdump, tshark, mergecap, editcap.
#
# softflowd 1.1.0 with -r blocks in accept() on its control socket before
# each read loop, so a few `softflowctl statistics` calls drive it to the
# end of the file; it then exports every flow and exits.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
corpus=${OPENSOC_CORPUS:-$here/../../../../../shared/corpus}/suricata-verify/tests
demo=$here/../../../../demo/demo.pcap
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

export_capture() {  # name port pcap softflowd-args...
  local name=$1 port=$2 pcap=$3; shift 3
  cp "$pcap" "$work/in.pcap"
  tcpdump -i lo -U -w "$work/$name.pcap" udp dst port "$port" 2>/dev/null & local tp=$!
  sleep 1
  softflowd -r "$work/in.pcap" -n 127.0.0.1:"$port" -d -p "$work/sf.pid" -c "$work/sf.ctl" "$@" >/dev/null 2>&1 & local sp=$!
  sleep 1.5
  for _ in $(seq 1 40); do softflowctl -c "$work/sf.ctl" statistics >/dev/null 2>&1 || true; done
  softflowctl -c "$work/sf.ctl" shutdown >/dev/null 2>&1 || true
  wait "$sp" || true
  sleep 1
  kill "$tp"; wait "$tp" 2>/dev/null || true
  python3 "$here/tshark_oracle.py" "$work/$name.pcap" "$port" "$here/data/$name"
}

multi=$corpus/http-range-multiflows/input.pcap
eth=$corpus/ethernet-eve/test.pcap
mergecap -w "$work/protos_raw.pcap" "$corpus/detect-icmp-seq/input.pcap" "$corpus/eve-flow-esp/input.pcap" \
  "$corpus/decode-sctp-01/input.pcap" "$corpus/bug-5633-gre-01/gre-udp.pcap" "$corpus/icmp-hdr-02/input.pcap" \
  "$corpus/hashaf-flow-v4-v6-collision/input.pcap"
editcap -F pcap -s 65535 "$work/protos_raw.pcap" "$work/protos.pcap"  # softflowd wants one snaplen

export_capture v5_multi 20601 "$multi" -v 5
export_capture v9_multi 20602 "$multi" -v 9
export_capture ipfix_multi 20603 "$multi" -v 10
export_capture v5_eth 20604 "$eth" -v 5
export_capture v9_eth6 20605 "$eth" -v 9 -6
export_capture ipfix_eth6 20606 "$eth" -v 10 -6
export_capture ipfix_demo_bi 20607 "$demo" -v 10 -b -6
export_capture ipfix_demo_nano 20608 "$demo" -v 10 -A nano -6
export_capture ipfix_demo_milli 20609 "$demo" -v 10 -A milli
export_capture ipfix_demo_micro 20610 "$demo" -v 10 -A micro
export_capture ipfix_demo_sec 20611 "$demo" -v 10 -A sec
export_capture v9_demo 20612 "$demo" -v 9 -6
export_capture v9_protos 20621 "$work/protos.pcap" -v 9 -6
export_capture ipfix_protos 20622 "$work/protos.pcap" -v 10 -6 -A micro
export_capture v5_protos 20623 "$work/protos.pcap" -v 5
