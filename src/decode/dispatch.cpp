#include "decode/dispatch.hpp"

#include <array>
#include <cstddef>
#include <cstdint>

#include "opensoc/core/packet_view.hpp"

#include "decode/layer_decoders.hpp"
#include "decode/protocol_numbers.hpp"

namespace opensoc::decode::detail {
namespace {

struct Binding {
  Space space;
  std::uint16_t key;
  LayerDecoder decode;
};

constexpr std::uint16_t link_key(LinkType t) { return static_cast<std::uint16_t>(t); }

// Which decoder handles which protocol number. One line wires a decoder;
// the lookup tables below are derived from this list at compile time, and a
// duplicate or out-of-range line is a compile error.
constexpr Binding kBindings[] = {
    // Link types (pcap LINKTYPE_* numbers, as PacketView::link carries them).
    {Space::link, link_key(LinkType::ethernet), decode_ethernet},
    {Space::link, link_key(LinkType::null_bsd), decode_null_loopback},
    {Space::link, link_key(LinkType::raw), decode_raw_ip},
    {Space::link, link_key(LinkType::ipv4), decode_ipv4},
    {Space::link, link_key(LinkType::ipv6), decode_ipv6},
    {Space::link, link_key(LinkType::linux_sll), decode_linux_sll},
    {Space::link, link_key(LinkType::linux_sll2), decode_linux_sll2},

    // Ethertypes.
    {Space::ethertype, kEthertypeIpv4, decode_ipv4},
    {Space::ethertype, kEthertypeIpv6, decode_ipv6},
    {Space::ethertype, kEthertypeArp, decode_arp},
    {Space::ethertype, kEthertypeVlan, decode_vlan},
    {Space::ethertype, kEthertypeQinQ, decode_vlan},
    {Space::ethertype, kEthertypeQinQLegacy, decode_vlan},
    {Space::ethertype, kEthertypeMplsUnicast, decode_mpls},
    {Space::ethertype, kEthertypeMplsMulticast, decode_mpls},
    {Space::ethertype, kEthertypeTeb, decode_ethernet},

    // IP protocols (after IPv6 extension headers).
    {Space::ip_proto, kIpProtoTcp, decode_tcp},
    {Space::ip_proto, kIpProtoUdp, decode_udp},
    {Space::ip_proto, kIpProtoIcmp, decode_icmp},
    {Space::ip_proto, kIpProtoIcmpv6, decode_icmpv6},
    {Space::ip_proto, kIpProtoSctp, decode_sctp},
    {Space::ip_proto, kIpProtoGre, decode_gre},
    {Space::ip_proto, kIpProtoIpip, decode_ipv4_in_ip},
    {Space::ip_proto, kIpProtoIpv6, decode_ipv6_in_ip},

    // UDP destination ports.
    {Space::udp_port, kUdpPortVxlan, decode_vxlan},
};
static_assert(std::size(kBindings) < 255, "table entries are 8-bit binding indices");

// Deliberately not constexpr: reaching a call while building a table at
// compile time makes the build fail, and the message names the mistake.
void binding_error_key_too_large_for_its_table() {}
void binding_error_two_decoders_for_one_protocol_number() {}

// Dense lookup: table[key] is 1 + the index of the binding in kBindings, or 0
// when nothing is bound. One byte per entry keeps the ethertype and UDP port
// tables at 64 KiB each, of which a worker touches a handful of cache lines.
template <std::size_t N>
constexpr std::array<std::uint8_t, N> build_table(Space space) {
  std::array<std::uint8_t, N> table{};
  for (std::size_t i = 0; i < std::size(kBindings); ++i) {
    const Binding& b = kBindings[i];
    if (b.space != space) continue;
    if (b.key >= N) {
      binding_error_key_too_large_for_its_table();
      continue;
    }
    if (table[b.key] != 0) binding_error_two_decoders_for_one_protocol_number();
    table[b.key] = static_cast<std::uint8_t>(i + 1);
  }
  return table;
}

constexpr auto kLinkTable = build_table<512>(Space::link);
constexpr auto kEthertypeTable = build_table<65536>(Space::ethertype);
constexpr auto kIpProtoTable = build_table<256>(Space::ip_proto);
constexpr auto kUdpPortTable = build_table<65536>(Space::udp_port);

std::uint8_t lookup(const NextLayer& n) noexcept {
  switch (n.space) {
    case Space::link: return n.key < kLinkTable.size() ? kLinkTable[n.key] : 0;
    case Space::ethertype: return kEthertypeTable[n.key];
    case Space::ip_proto: return n.key < kIpProtoTable.size() ? kIpProtoTable[n.key] : 0;
    case Space::udp_port: return kUdpPortTable[n.key];
    case Space::stop: return 0;
  }
  return 0;
}

// A protocol number with no decoder ends the walk. Whether that is worth an
// anomaly depends on the registry: an unknown link or ethertype means we saw
// nothing at L3, while an unknown IP protocol or UDP port is ordinary traffic
// whose L3/L4 fields are already filled in.
void on_unbound(DecodeState& s, const NextLayer& n) noexcept {
  switch (n.space) {
    case Space::link:
      s.fail(DecodeAnomaly::link_unsupported);
      return;
    case Space::ethertype:
      s.set_payload_from(n.offset);
      s.fail(DecodeAnomaly::ethertype_unsupported);
      return;
    case Space::ip_proto:
    case Space::udp_port:
    case Space::stop:
      return;
  }
}

}  // namespace

void run_decoders(DecodeState& s, NextLayer next) noexcept {
  for (std::uint32_t step = 0; step < kMaxDecodeSteps; ++step) {
    if (next.space == Space::stop) return;
    const std::uint8_t index = lookup(next);
    if (index == 0) {
      on_unbound(s, next);
      return;
    }
    next = kBindings[index - 1].decode(s, next.offset);
  }
  // Only reachable through layers that nest without a per-protocol limit
  // (e.g. MPLS pseudowire → Ethernet → MPLS …): treat it as over-deep nesting.
  if (next.space != Space::stop) s.fail(DecodeAnomaly::tunnel_too_deep);
}

}  // namespace opensoc::decode::detail
