// ERSPAN (draft-foschiano-erspan): mirrored Ethernet frames in GRE. Type I
// (GRE 0x88be without a sequence number) has no header of its own; type II
// (0x88be with a sequence number) has 8 bytes; type III (0x22eb) has 12, plus
// an 8-byte platform sub-header when its O bit is set.
#include <cstdint>

#include "decode/decode_state.hpp"
#include "decode/layer_decoders.hpp"
#include "decode/protocol_numbers.hpp"

namespace opensoc::decode::detail {
namespace {
constexpr std::uint32_t kErspan2HeaderLen = 8;
constexpr std::uint32_t kErspan3HeaderLen = 12;
constexpr std::uint32_t kErspan3PlatformLen = 8;
constexpr std::uint8_t kErspan3OptionalBit = 0x01;  // last byte of the type III header
}  // namespace

NextLayer decode_erspan(DecodeState& s, std::uint32_t off, std::uint16_t gre_proto,
                        bool gre_has_sequence) noexcept {
  std::uint32_t len = 0;
  if (gre_proto == kEthertypeErspan3) {
    if (!s.has(off, kErspan3HeaderLen)) return s.fail(DecodeAnomaly::gre_truncated);
    len = kErspan3HeaderLen;
    if (s.u8(off + kErspan3HeaderLen - 1) & kErspan3OptionalBit) len += kErspan3PlatformLen;
  } else if (gre_has_sequence) {
    len = kErspan2HeaderLen;
  }
  if (!s.has(off, len)) return s.fail(DecodeAnomaly::gre_truncated);
  return NextLayer::ethertype(kEthertypeTeb, off + len);
}

}  // namespace opensoc::decode::detail
