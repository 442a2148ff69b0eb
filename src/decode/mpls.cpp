// MPLS label stack (RFC 3032): 4-byte entries (label 20 bits, TC 3, S 1,
// TTL 8), popped to the bottom-of-stack entry. MPLS does not say what it
// carries, so the payload is guessed from its first nibble, as routers and
// Wireshark do: 4 = IPv4, 6 = IPv6, 0 = pseudowire control word + Ethernet.
#include <cstdint>

#include "decode/decode_state.hpp"
#include "decode/layer_decoders.hpp"
#include "decode/protocol_numbers.hpp"

namespace opensoc::decode::detail {
namespace {
constexpr std::uint32_t kLabelLen = 4;
constexpr std::uint32_t kBottomOfStack = 0x100;
constexpr std::uint32_t kPwControlWordLen = 4;  // RFC 4385
}  // namespace

NextLayer decode_mpls(DecodeState& s, std::uint32_t off) noexcept {
  for (std::uint8_t popped = 0;; ++popped) {
    if (popped >= kMaxMplsLabels) return s.fail(DecodeAnomaly::mpls_too_many);
    if (!s.has(off, kLabelLen)) return s.fail(DecodeAnomaly::mpls_truncated);
    const std::uint32_t entry = s.be32(off);
    off += kLabelLen;
    s.out.layers |= kLayerMpls;
    if (s.out.mpls_count < UINT8_MAX) ++s.out.mpls_count;
    if (entry & kBottomOfStack) break;
  }
  if (!s.has(off, 1)) return s.fail(DecodeAnomaly::mpls_truncated);
  switch (s.u8(off) >> 4) {
    case 4: return NextLayer::ethertype(kEthertypeIpv4, off);
    case 6: return NextLayer::ethertype(kEthertypeIpv6, off);
    case 0:
      if (!s.has(off, kPwControlWordLen)) return s.fail(DecodeAnomaly::mpls_truncated);
      return NextLayer::ethertype(kEthertypeTeb, off + kPwControlWordLen);
    default:
      s.set_payload_from(off);
      return s.fail(DecodeAnomaly::ethertype_unsupported);
  }
}

}  // namespace opensoc::decode::detail
