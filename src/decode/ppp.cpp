// PPP (RFC 1661) as PPTP carries it inside enhanced GRE: an optional
// address/control pair (0xff 0x03) and a 1- or 2-byte protocol field
// (protocol-field compression, RFC 1661 §6.5). Only IPv4 and IPv6 go on;
// LCP, CHAP, CCP and the like are control traffic with nothing to decode.
#include <cstdint>

#include "decode/decode_state.hpp"
#include "decode/layer_decoders.hpp"
#include "decode/protocol_numbers.hpp"

namespace opensoc::decode::detail {
namespace {
constexpr std::uint16_t kPppIpv4 = 0x0021;
constexpr std::uint16_t kPppIpv6 = 0x0057;
}  // namespace

NextLayer decode_ppp_in_gre(DecodeState& s, std::uint32_t off) noexcept {
  if (!s.has(off, 1)) return s.fail(DecodeAnomaly::gre_truncated);
  // 0xff is never a protocol byte (it would be a compressed, odd, reserved
  // value), so it always starts the address/control pair.
  if (s.u8(off) == 0xff) {
    if (!s.has(off, 3)) return s.fail(DecodeAnomaly::gre_truncated);
    if (s.u8(off + 1) == 0x03) off += 2;
  }
  std::uint16_t proto;
  // Protocol numbers are odd in their low byte and even in their high byte,
  // so an odd first byte is a compressed one-byte field.
  if (s.u8(off) & 1u) {
    proto = s.u8(off);
    off += 1;
  } else {
    if (!s.has(off, 2)) return s.fail(DecodeAnomaly::gre_truncated);
    proto = s.be16(off);
    off += 2;
  }
  switch (proto) {
    case kPppIpv4: return NextLayer::ethertype(kEthertypeIpv4, off);
    case kPppIpv6: return NextLayer::ethertype(kEthertypeIpv6, off);
    default:
      s.set_payload_from(off);
      return s.fail(DecodeAnomaly::ethertype_unsupported);
  }
}

}  // namespace opensoc::decode::detail
