// ARP (RFC 826): only recorded as a layer; the addresses it carries are not
// flow material. The header is validated so that a truncated ARP is counted.
#include <cstdint>

#include "decode/decode_state.hpp"
#include "decode/layer_decoders.hpp"

namespace opensoc::decode::detail {
namespace {
constexpr std::uint32_t kArpFixedLen = 8;  // htype, ptype, hlen, plen, oper
}  // namespace

NextLayer decode_arp(DecodeState& s, std::uint32_t off) noexcept {
  if (!s.has(off, kArpFixedLen)) return s.fail(DecodeAnomaly::arp_truncated);
  // Sender and target each carry one hardware and one protocol address.
  const std::uint32_t len = kArpFixedLen + 2u * (std::uint32_t{s.u8(off + 4)} + s.u8(off + 5));
  if (!s.has(off, len)) return s.fail(DecodeAnomaly::arp_truncated);
  s.out.layers |= kLayerArp;
  s.set_payload_from(off + len);
  return NextLayer::stop();
}

}  // namespace opensoc::decode::detail
