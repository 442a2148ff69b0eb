#!/usr/bin/env bash
# Ingest benchmark: decode + flows on one core over a multi-GB capture, beside
# the peers on the same file in the same run:
#   opensocd ingest BIG        (our pipeline: read, decode L2-L4, flow table)
#   tcpdump -r BIG -w /dev/null  (libpcap read + copy, no dissection)
#   tshark -r BIG -q           (full dissection; run once, it is slow)
#   memcpy_bench BIG           (raw memory bandwidth over the same bytes)
# The capture is built by looping corpus traffic with rewritten addresses
# (tools/make_big_pcap) so flows are distinct. Page cache is warmed first; each
# fast tool runs RUNS times and the median is reported.
#
# Usage: bench/ingest_bench.sh [SIZE_MB (default 3000)] [RUNS (default 5)]
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE_MB=${1:-3000}
RUNS=${2:-5}
BUILD=${BUILD:-build}
WORK=${WORK:-/tmp/opensoc-bench}
CORPUS=${OPENSOC_CORPUS:-../shared/corpus}/suricata-verify/tests
mkdir -p "$WORK"
BIG="$WORK/big-${SIZE_MB}MB.pcap"
[ -x "$BUILD/src/opensocd" ] || bash scripts/build.sh

if [ ! -f "$BIG" ]; then
  # A mix of real traffic: TLS, HTTP, DNS, SMB, QUIC over IPv6, small and large frames.
  "$BUILD/tools/make_big_pcap" "$BIG" "$SIZE_MB" \
    "$CORPUS/community-id-ipv4/input.pcap" "$CORPUS/ja4-tls-quic/input.pcap" \
    "$CORPUS/http-all-headers/input.pcap" "$CORPUS/smb2-06/20171220_smb_net_user.pcap" \
    "$CORPUS/dns-over-http2-post/dns_over_https_POST.pcap" "$CORPUS/http-range-multiflows/input.pcap" \
    "$CORPUS/bug-5133/input.pcap" "$CORPUS/dns/dns-tcp-www-google-com/dns.pcap"
fi
cat "$BIG" > /dev/null
BYTES=$(stat -c %s "$BIG")
PACKETS=$(capinfos -c -M -T -r "$BIG" | cut -f2)

# shellcheck source=bench/bench_lib.sh
. bench/bench_lib.sh  # the script has cd-ed to the repository root
timeit() {  # prints wall seconds of "$@"
  local t0 t1
  t0=$(date +%s.%N); "$@" > /dev/null 2>&1; t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc -l
}

echo "input: $BIG: $PACKETS packets, $BYTES bytes (file)"
declare -A MED
for tool in opensocd tcpdump memcpy; do
  for _ in $(seq "$RUNS"); do
    case $tool in
      opensocd) timeit "$BUILD/src/opensocd" ingest "$BIG" ;;
      tcpdump) timeit tcpdump -r "$BIG" -w /dev/null ;;
      memcpy) timeit "$BUILD/bench/memcpy_bench" "$BIG" ;;
    esac
  done | median > "$WORK/$tool.median"
  MED[$tool]=$(cat "$WORK/$tool.median")
done
MED[tshark]=$(timeit tshark -r "$BIG" -q)

printf '\n%-22s %10s %12s %10s %12s %10s\n' tool seconds Mpackets/s Gbit/s ns/packet vs_ours
for tool in opensocd tcpdump tshark memcpy; do
  s=${MED[$tool]}
  printf '%-22s %10.3f %12.3f %10.2f %12.1f %10.2f\n' "$tool" "$s" \
    "$(echo "$PACKETS / $s / 1000000" | bc -l)" "$(echo "$BYTES * 8 / $s / 1000000000" | bc -l)" \
    "$(echo "$s * 1000000000 / $PACKETS" | bc -l)" "$(echo "$s / ${MED[opensocd]}" | bc -l)"
done
echo "(median of $RUNS runs; tshark once. vs_ours = tool time / opensocd time.)"
echo
echo "opensocd's own figures (one run):"
"$BUILD/src/opensocd" ingest "$BIG"
