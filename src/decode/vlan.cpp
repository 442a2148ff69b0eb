// 802.1Q / 802.1ad VLAN tags: TCI (priority, DEI, 12-bit VLAN id) followed by
// the encapsulated ethertype. Stacked tags (QinQ) come back here through the
// dispatcher, outer tag first.
#include <cstdint>

#include "decode/decode_state.hpp"
#include "decode/layer_decoders.hpp"

namespace opensoc::decode::detail {
namespace {
constexpr std::uint32_t kVlanTagLen = 4;
}  // namespace

NextLayer decode_vlan(DecodeState& s, std::uint32_t off) noexcept {
  if (!s.has(off, kVlanTagLen)) return s.fail(DecodeAnomaly::vlan_truncated);
  // Bounding tags per Ethernet header bounds the work a frame of nothing but
  // tags can cause; three covers QinQ plus a customer tag.
  if (s.vlans_in_level() >= kMaxVlanTagsPerLevel) return s.fail(DecodeAnomaly::vlan_too_many);
  ++s.vlans_in_level();

  DecodedPacket& p = s.out;
  const std::uint16_t id = s.be16(off) & 0x0fff;
  if (p.vlan_count < 2) p.vlan[p.vlan_count] = id;
  if (p.vlan_count < UINT16_MAX) ++p.vlan_count;
  p.layers |= kLayerVlan;
  if (p.vlan_count >= 2) p.layers |= kLayerQinQ;
  return NextLayer::ethertype(s.be16(off + 2), off + kVlanTagLen);
}

}  // namespace opensoc::decode::detail
