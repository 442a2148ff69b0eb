// IPv6 (RFC 8200) and its extension headers. The chain of hop-by-hop,
// routing, fragment, destination-options, AH and mobility headers is walked
// here, bounded by kMaxIpv6ExtHeaders; the first other next-header value is
// the L4 protocol handed to the dispatcher.
#include <cstdint>

#include "decode/decode_state.hpp"
#include "decode/layer_decoders.hpp"
#include "decode/protocol_numbers.hpp"

namespace opensoc::decode::detail {
namespace {

constexpr std::uint32_t kIpv6HeaderLen = 40;
constexpr std::uint32_t kFragmentHeaderLen = 8;

bool is_extension_header(std::uint8_t nh) {
  switch (nh) {
    case kIpProtoHopByHop:
    case kIpProtoRouting:
    case kIpProtoFragment:
    case kIpProtoDestOpts:
    case kIpProtoAh:
    case kIpProtoMobility:
      return true;
    default:
      return false;
  }
}

}  // namespace

NextLayer decode_ipv6(DecodeState& s, std::uint32_t off) noexcept {
  if (!s.has(off, 1)) return s.fail(DecodeAnomaly::ipv6_truncated);
  if ((s.u8(off) >> 4) != 6) return s.fail(DecodeAnomaly::ipv6_bad_version);
  if (!s.has(off, kIpv6HeaderLen)) return s.fail(DecodeAnomaly::ipv6_truncated);
  const std::uint32_t payload_len = s.be16(off + 4);
  if (payload_len > s.remaining_on_wire(off + kIpv6HeaderLen)) {
    return s.fail(DecodeAnomaly::ipv6_bad_payload_length);
  }

  s.begin_ip_layer();
  s.enter_container(off, kIpv6HeaderLen + payload_len);
  DecodedPacket& p = s.out;
  p.layers |= kLayerIpv6;
  p.ip_version = 6;
  p.ip_ttl = s.u8(off + 7);
  p.l3_offset = off;
  p.src_ip_offset = off + 8;
  p.dst_ip_offset = off + 24;

  std::uint8_t nh = s.u8(off + 6);
  std::uint32_t cur = off + kIpv6HeaderLen;
  p.l4_proto = nh;
  s.set_payload_from(cur);
  for (std::uint8_t seen = 0; is_extension_header(nh); ++seen) {
    if (seen >= kMaxIpv6ExtHeaders) return s.fail(DecodeAnomaly::ipv6_ext_too_many);
    if (!s.has(cur, 2)) return s.fail(DecodeAnomaly::ipv6_ext_truncated);
    const std::uint8_t next = s.u8(cur);
    std::uint32_t len;
    if (nh == kIpProtoFragment) {
      len = kFragmentHeaderLen;
    } else if (nh == kIpProtoAh) {
      len = (std::uint32_t{s.u8(cur + 1)} + 2u) * 4u;  // AH counts 4-byte words
    } else {
      len = (std::uint32_t{s.u8(cur + 1)} + 1u) * 8u;
    }
    if (!s.has(cur, len)) return s.fail(DecodeAnomaly::ipv6_ext_truncated);
    if (nh == kIpProtoFragment) {
      const std::uint16_t frag = s.be16(cur + 2);
      const bool later = (frag & 0xfff8u) != 0;
      p.fragment = later || (frag & 1u) != 0;
      p.later_fragment = later;
    }
    nh = next;
    cur += len;
    p.l4_proto = nh;
    s.set_payload_from(cur);
    if (p.later_fragment) return NextLayer::stop();
  }
  return NextLayer::ip_proto(nh, cur);
}

}  // namespace opensoc::decode::detail
