// Fuzzes FlowTable with sequences of small synthetic packets: each 6 input
// bytes describe one packet (endpoints from a small set so flows collide and
// repeat, ports, protocol, TCP flags, a time step, and whether to advance the
// clock). A 64-flow table with short timeouts makes eviction, expiry, port
// reuse and interim records happen constantly. The sink checks record
// invariants; at the end every packet fed must be in exactly one final record.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <set>

#include "flow/flow_table.hpp"

namespace {

using namespace opensoc;
using namespace opensoc::flow;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

class CheckingSink final : public FlowRecordSink {
 public:
  void on_flow(const FlowRecord& r) noexcept override {
    check(r.src_packets + r.dst_packets >= 1);
    check(r.first_ts <= r.last_ts);
    check(r.src_ip.version == r.dst_ip.version);
    check((r.flow_id >> 48) == 7);
    if (r.end_reason == FlowEndReason::active) return;
    final_packets += r.src_packets + r.dst_packets;
    check(final_ids.insert(r.flow_id).second);
  }
  std::uint64_t final_packets = 0;
  std::set<std::uint64_t> final_ids;
};

// Ethernet + IPv6-sized header room; addresses are written where the
// DecodedPacket says they are.
struct Frame {
  std::uint8_t bytes[96] = {};
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FlowConfig cfg;
  cfg.table_size = 64;
  cfg.active_timeout_s = 4;
  cfg.timeouts = FlowTimeouts{20, 3, 2, 5, 2, 3};
  CheckingSink sink;
  FlowTable table(cfg, 7, sink);

  static constexpr std::uint8_t kProtos[8] = {6, 6, 6, 17, 17, 1, 58, 47};
  TimestampNs now = 1'000 * kNsPerSecond;
  std::uint64_t fed = 0;
  for (std::size_t i = 0; i + 6 <= size; i += 6) {
    const std::uint8_t* in = data + i;
    Frame f;
    DecodedPacket d;
    const bool v6 = (in[0] & 0x80) != 0;
    d.ip_version = v6 ? 6 : 4;
    d.layers = kLayerEthernet | (v6 ? kLayerIpv6 : kLayerIpv4);
    d.src_ip_offset = v6 ? 22 : 26;
    d.dst_ip_offset = v6 ? 38 : 30;
    // Four hosts: flows collide on purpose.
    f.bytes[d.src_ip_offset] = 10;
    f.bytes[d.src_ip_offset + (v6 ? 15 : 3)] = static_cast<std::uint8_t>(in[0] & 3);
    f.bytes[d.dst_ip_offset] = 10;
    f.bytes[d.dst_ip_offset + (v6 ? 15 : 3)] = static_cast<std::uint8_t>((in[0] >> 2) & 3);
    if (in[0] & 0x10) {
      d.vlan_count = 1;
      d.vlan[0] = 5;
      d.layers |= kLayerVlan;
    }
    d.l4_proto = kProtos[in[1] & 7];
    d.later_fragment = (in[1] & 0x08) != 0;
    d.src_port = static_cast<std::uint16_t>(in[2] & 7);
    d.dst_port = static_cast<std::uint16_t>(in[2] >> 5);
    switch (d.l4_proto) {
      case 6: d.layers |= kLayerTcp; d.tcp_flags = in[3]; break;
      case 17: d.layers |= kLayerUdp; break;
      case 1: d.layers |= kLayerIcmp; d.icmp_type = static_cast<std::uint8_t>(in[3] % 20); break;
      case 58: d.layers |= kLayerIcmpv6; d.icmp_type = static_cast<std::uint8_t>(125 + in[3] % 25); break;
      default: break;
    }
    d.icmp_code = static_cast<std::uint8_t>(in[2] & 3);
    d.payload_len = in[1] >> 4;
    if ((in[0] & 0x60) == 0x60) d.ip_version = (in[1] & 1) ? 0 : 5;  // non-IP / nonsense version

    // Time mostly moves forward in steps of 0-2.5 s, sometimes slightly back.
    const std::int64_t step = static_cast<std::int64_t>(in[4]) * 10'000'000;
    now += (in[5] & 0x80) ? -step / 8 : step;
    PacketView v;
    v.data = f.bytes;
    v.caplen = (in[5] & 0x40) ? static_cast<std::uint32_t>(in[5] & 0x3f) : sizeof f.bytes;
    v.wirelen = 100;
    v.ts = now;
    table.on_packet(v, d);
    const bool keyed = (d.ip_version == 4 || d.ip_version == 6) &&
                       d.dst_ip_offset + (v6 ? 16u : 4u) <= v.caplen && d.src_ip_offset + (v6 ? 16u : 4u) <= v.caplen;
    if (keyed) ++fed;
    if (in[5] & 0x20) table.advance(now);
    check(table.active() <= 64);
  }
  check(table.stats().packets.get() == fed);
  table.flush(FlowEndReason::shutdown);
  check(table.active() == 0);
  check(sink.final_packets == fed);
  const FlowTableStats& s = table.stats();
  check(s.created.get() == sink.final_ids.size());
  check(s.created.get() == s.closed_fin.get() + s.closed_rst.get() + s.closed_idle.get() +
                               s.evicted_pressure.get() + s.closed_shutdown.get());
  return 0;
}
