// VXLAN (RFC 7348) on UDP port 4789: 8-byte header (flags, 24-bit VNI) and an
// inner Ethernet frame, decoded as a new tunnel level.
#include <cstdint>

#include "decode/decode_state.hpp"
#include "decode/layer_decoders.hpp"
#include "decode/protocol_numbers.hpp"

namespace opensoc::decode::detail {
namespace {
constexpr std::uint32_t kVxlanHeaderLen = 8;
constexpr std::uint8_t kFlagVniValid = 0x08;  // "I" flag: must be set
}  // namespace

NextLayer decode_vxlan(DecodeState& s, std::uint32_t off) noexcept {
  if (!s.has(off, kVxlanHeaderLen)) return s.fail(DecodeAnomaly::vxlan_truncated);
  // Other traffic does use port 4789; without the I flag this is not VXLAN
  // and the datagram stays plain UDP.
  if ((s.u8(off) & kFlagVniValid) == 0) return NextLayer::stop();
  s.out.layers |= kLayerVxlan;
  if (!s.enter_tunnel()) return NextLayer::stop();
  return NextLayer::ethertype(kEthertypeTeb, off + kVxlanHeaderLen);
}

}  // namespace opensoc::decode::detail
