// GRE: version 0 (RFC 2784/2890, with RFC 1701 source routing) and version 1,
// the enhanced GRE of PPTP (RFC 2637) that carries PPP. The protocol field is
// an ethertype, so the payload goes back to the dispatcher: IPv4, IPv6,
// transparent Ethernet bridging; ERSPAN and PPP payloads are unwrapped here
// because their framing depends on GRE's own flags.
#include <cstdint>

#include "decode/decode_state.hpp"
#include "decode/layer_decoders.hpp"
#include "decode/protocol_numbers.hpp"

namespace opensoc::decode::detail {
namespace {

constexpr std::uint32_t kGreBaseLen = 4;
constexpr std::uint8_t kFlagChecksum = 0x80;
constexpr std::uint8_t kFlagRouting = 0x40;
constexpr std::uint8_t kFlagKey = 0x20;
constexpr std::uint8_t kFlagSequence = 0x10;
constexpr std::uint8_t kFlagAck = 0x80;  // second byte, version 1 only
constexpr std::uint8_t kVersionMask = 0x07;
constexpr std::uint32_t kMaxSourceRouteEntries = 16;

// RFC 1701 source route entries: family(2) SRE offset(1) SRE length(1) and
// `length` bytes, ended by an entry with family 0 and length 0. Returns the
// offset after the terminator, or 0 when the list runs past the bounds.
std::uint32_t skip_source_routes(const DecodeState& s, std::uint32_t cur) {
  for (std::uint32_t i = 0; i < kMaxSourceRouteEntries; ++i) {
    if (!s.has(cur, 4)) return 0;
    const std::uint16_t family = s.be16(cur);
    const std::uint8_t len = s.u8(cur + 3);
    cur += 4;
    if (family == 0 && len == 0) return cur;
    if (!s.has(cur, len)) return 0;
    cur += len;
  }
  return 0;
}

}  // namespace

NextLayer decode_gre(DecodeState& s, std::uint32_t off) noexcept {
  if (!s.has(off, kGreBaseLen)) return s.fail(DecodeAnomaly::gre_truncated);
  const std::uint8_t flags = s.u8(off);
  const std::uint8_t flags2 = s.u8(off + 1);
  const std::uint16_t proto = s.be16(off + 2);
  std::uint32_t len = kGreBaseLen;

  switch (flags2 & kVersionMask) {
    case 0:
      if (flags & (kFlagChecksum | kFlagRouting)) len += 4;  // checksum + routing offset
      if (flags & kFlagKey) len += 4;
      if (flags & kFlagSequence) len += 4;
      if (!s.has(off, len)) return s.fail(DecodeAnomaly::gre_truncated);
      if (flags & kFlagRouting) {
        len = skip_source_routes(s, off + len);
        if (len == 0) return s.fail(DecodeAnomaly::gre_truncated);
        len -= off;
      }
      break;
    case 1:
      // Enhanced GRE always carries PPP and a key (payload length + call id),
      // and never a checksum or routing.
      if (proto != kEthertypePpp || (flags & kFlagKey) == 0 || (flags & (kFlagChecksum | kFlagRouting)) != 0) {
        return s.fail(DecodeAnomaly::gre_unsupported_version);
      }
      len += 4;
      if (flags & kFlagSequence) len += 4;
      if (flags2 & kFlagAck) len += 4;
      if (!s.has(off, len)) return s.fail(DecodeAnomaly::gre_truncated);
      break;
    default:
      return s.fail(DecodeAnomaly::gre_unsupported_version);
  }

  s.out.layers |= kLayerGre;
  const std::uint32_t payload = off + len;
  s.set_payload_from(payload);
  // PPTP acknowledgements and GRE keepalives carry nothing. (Judged on the
  // wire length: a payload cut off by the snap length is still decoded, so
  // its truncation is counted.)
  if (s.remaining_on_wire(payload) == 0) return NextLayer::stop();
  if (!s.enter_tunnel()) return NextLayer::stop();

  switch (proto) {
    case kEthertypePpp: return decode_ppp_in_gre(s, payload);
    case kEthertypeErspan2:
    case kEthertypeErspan3: return decode_erspan(s, payload, proto, (flags & kFlagSequence) != 0);
    default: return NextLayer::ethertype(proto, payload);
  }
}

}  // namespace opensoc::decode::detail
