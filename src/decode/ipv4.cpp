// IPv4 (RFC 791). Fills the L3 fields, narrows the frame to the total length
// (so Ethernet padding is not payload), and hands the payload to the IP
// protocol decoder unless this is a non-first fragment.
#include <cstdint>

#include "decode/decode_state.hpp"
#include "decode/layer_decoders.hpp"

namespace opensoc::decode::detail {
namespace {
constexpr std::uint32_t kIpv4MinHeaderLen = 20;
constexpr std::uint16_t kMoreFragments = 0x2000;
constexpr std::uint16_t kFragmentOffsetMask = 0x1fff;
}  // namespace

NextLayer decode_ipv4(DecodeState& s, std::uint32_t off) noexcept {
  if (!s.has(off, 1)) return s.fail(DecodeAnomaly::ipv4_truncated);
  const std::uint8_t version_ihl = s.u8(off);
  if ((version_ihl >> 4) != 4) return s.fail(DecodeAnomaly::ipv4_bad_version);
  if (!s.has(off, kIpv4MinHeaderLen)) return s.fail(DecodeAnomaly::ipv4_truncated);
  const std::uint32_t header_len = (version_ihl & 0x0fu) * 4u;
  if (header_len < kIpv4MinHeaderLen) return s.fail(DecodeAnomaly::ipv4_bad_header_length);
  if (!s.has(off, header_len)) return s.fail(DecodeAnomaly::ipv4_options_truncated);
  // The total length may exceed what was captured (snap length) but not what
  // was on the wire, and must at least cover the header.
  const std::uint32_t total_len = s.be16(off + 2);
  if (total_len < header_len || total_len > s.remaining_on_wire(off)) {
    return s.fail(DecodeAnomaly::ipv4_bad_total_length);
  }

  s.begin_ip_layer();
  s.enter_container(off, total_len);
  DecodedPacket& p = s.out;
  p.layers |= kLayerIpv4;
  p.ip_version = 4;
  p.ip_ttl = s.u8(off + 8);
  p.l4_proto = s.u8(off + 9);
  p.l3_offset = off;
  p.src_ip_offset = off + 12;
  p.dst_ip_offset = off + 16;
  const std::uint16_t frag = s.be16(off + 6);
  const bool later = (frag & kFragmentOffsetMask) != 0;
  p.fragment = later || (frag & kMoreFragments) != 0;
  p.later_fragment = later;

  const std::uint32_t l4 = off + header_len;
  s.set_payload_from(l4);
  // A non-first fragment starts mid-datagram: there is no L4 header to read.
  if (later) return NextLayer::stop();
  return NextLayer::ip_proto(p.l4_proto, l4);
}

}  // namespace opensoc::decode::detail
