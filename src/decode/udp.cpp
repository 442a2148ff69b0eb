// UDP (RFC 768): ports and length. The length bounds the payload and any
// UDP-carried tunnel, which is looked up by destination port.
#include <cstdint>

#include "decode/decode_state.hpp"
#include "decode/layer_decoders.hpp"

namespace opensoc::decode::detail {
namespace {
constexpr std::uint32_t kUdpHeaderLen = 8;
}  // namespace

NextLayer decode_udp(DecodeState& s, std::uint32_t off) noexcept {
  if (!s.has(off, kUdpHeaderLen)) return s.fail(DecodeAnomaly::udp_truncated);
  const std::uint32_t udp_len = s.be16(off + 4);
  if (udp_len < kUdpHeaderLen) return s.fail(DecodeAnomaly::udp_bad_length);
  // In a first fragment the datagram continues in later fragments, so its
  // length legitimately exceeds this packet.
  if (!s.out.fragment) {
    if (udp_len > s.remaining_on_wire(off)) return s.fail(DecodeAnomaly::udp_bad_length);
    s.enter_container(off, udp_len);
  }

  DecodedPacket& p = s.out;
  p.layers |= kLayerUdp;
  p.l4_offset = off;
  p.src_port = s.be16(off);
  p.dst_port = s.be16(off + 2);
  s.set_payload_from(off + kUdpHeaderLen);
  return NextLayer::udp_port(p.dst_port, off + kUdpHeaderLen);
}

}  // namespace opensoc::decode::detail
