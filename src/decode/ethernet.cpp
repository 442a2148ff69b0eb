// Ethernet II: destination MAC, source MAC, ethertype. Also the decoder for
// every inner Ethernet frame (VXLAN, GRE bridging, ERSPAN, MPLS pseudowire),
// which the dispatcher reaches through ethertype 0x6558.
#include <cstdint>

#include "decode/decode_state.hpp"
#include "decode/layer_decoders.hpp"

namespace opensoc::decode::detail {
namespace {
constexpr std::uint32_t kEthernetHeaderLen = 14;
}  // namespace

NextLayer decode_ethernet(DecodeState& s, std::uint32_t off) noexcept {
  if (!s.has(off, kEthernetHeaderLen)) return s.fail(DecodeAnomaly::ethernet_truncated);
  s.out.layers |= kLayerEthernet;
  // Values below 0x0600 are 802.3 lengths (LLC frames such as STP): no
  // ethertype is bound there, so they end as ethertype_unsupported.
  return NextLayer::ethertype(s.be16(off + 12), off + kEthernetHeaderLen);
}

}  // namespace opensoc::decode::detail
