// ICMP (RFC 792) and ICMPv6 (RFC 4443): type and code, which flows use in
// place of ports (type in src_port, code in dst_port). The quoted packet in
// error messages is left as payload, not decoded.
#include <cstdint>

#include "decode/decode_state.hpp"
#include "decode/layer_decoders.hpp"

namespace opensoc::decode::detail {
namespace {

// Type, code, checksum and the 4-byte type-specific word every message has.
constexpr std::uint32_t kIcmpHeaderLen = 8;

NextLayer decode_icmp_common(DecodeState& s, std::uint32_t off, Layer layer, DecodeAnomaly truncated) {
  if (!s.has(off, kIcmpHeaderLen)) return s.fail(truncated);
  DecodedPacket& p = s.out;
  p.layers |= layer;
  p.l4_offset = off;
  p.icmp_type = s.u8(off);
  p.icmp_code = s.u8(off + 1);
  p.src_port = p.icmp_type;
  p.dst_port = p.icmp_code;
  s.set_payload_from(off + kIcmpHeaderLen);
  return NextLayer::stop();
}

}  // namespace

NextLayer decode_icmp(DecodeState& s, std::uint32_t off) noexcept {
  return decode_icmp_common(s, off, kLayerIcmp, DecodeAnomaly::icmp_truncated);
}

NextLayer decode_icmpv6(DecodeState& s, std::uint32_t off) noexcept {
  return decode_icmp_common(s, off, kLayerIcmpv6, DecodeAnomaly::icmpv6_truncated);
}

}  // namespace opensoc::decode::detail
