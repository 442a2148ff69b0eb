// SCTP (RFC 9260): only the common header (ports, verification tag,
// checksum); chunks are payload.
#include <cstdint>

#include "decode/decode_state.hpp"
#include "decode/layer_decoders.hpp"

namespace opensoc::decode::detail {
namespace {
constexpr std::uint32_t kSctpCommonHeaderLen = 12;
}  // namespace

NextLayer decode_sctp(DecodeState& s, std::uint32_t off) noexcept {
  if (!s.has(off, kSctpCommonHeaderLen)) return s.fail(DecodeAnomaly::sctp_truncated);
  DecodedPacket& p = s.out;
  p.layers |= kLayerSctp;
  p.l4_offset = off;
  p.src_port = s.be16(off);
  p.dst_port = s.be16(off + 2);
  s.set_payload_from(off + kSctpCommonHeaderLen);
  return NextLayer::stop();
}

}  // namespace opensoc::decode::detail
