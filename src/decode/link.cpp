// Link-layer pseudo-headers that are not Ethernet: Linux "cooked" captures
// (SLL, SLL2), BSD null/loopback, and raw IP. Each only names the network
// protocol that follows.
#include <cstdint>

#include "decode/decode_state.hpp"
#include "decode/layer_decoders.hpp"
#include "decode/protocol_numbers.hpp"

namespace opensoc::decode::detail {
namespace {

constexpr std::uint32_t kNullHeaderLen = 4;
constexpr std::uint32_t kSllHeaderLen = 16;
constexpr std::uint32_t kSll2HeaderLen = 20;

// Address-family values for IPv6 differ per OS that wrote the capture
// (Linux 10, NetBSD/OpenBSD 24, FreeBSD 28, Darwin 30); IPv4 is 2 everywhere.
constexpr std::uint32_t kAfInet = 2;
constexpr bool is_af_inet6(std::uint32_t af) { return af == 10 || af == 24 || af == 28 || af == 30; }

}  // namespace

NextLayer decode_null_loopback(DecodeState& s, std::uint32_t off) noexcept {
  if (!s.has(off, kNullHeaderLen)) return s.fail(DecodeAnomaly::sll_truncated);
  // The family is in the capturing host's byte order, which the file does not
  // record; every valid family is < 256, so a large value means the other order.
  std::uint32_t af = s.le32(off);
  if (af > 0xffff) af = s.be32(off);
  const std::uint32_t next = off + kNullHeaderLen;
  if (af == kAfInet) return NextLayer::ethertype(kEthertypeIpv4, next);
  if (is_af_inet6(af)) return NextLayer::ethertype(kEthertypeIpv6, next);
  s.set_payload_from(next);
  return s.fail(DecodeAnomaly::ethertype_unsupported);
}

NextLayer decode_raw_ip(DecodeState& s, std::uint32_t off) noexcept {
  if (!s.has(off, 1)) return s.fail(DecodeAnomaly::ipv4_truncated);
  switch (s.u8(off) >> 4) {
    case 4: return NextLayer::ethertype(kEthertypeIpv4, off);
    case 6: return NextLayer::ethertype(kEthertypeIpv6, off);
    default: return s.fail(DecodeAnomaly::ipv4_bad_version);
  }
}

NextLayer decode_linux_sll(DecodeState& s, std::uint32_t off) noexcept {
  // packet type(2) ARPHRD type(2) address length(2) address(8) protocol(2)
  if (!s.has(off, kSllHeaderLen)) return s.fail(DecodeAnomaly::sll_truncated);
  s.out.layers |= kLayerSll;
  return NextLayer::ethertype(s.be16(off + 14), off + kSllHeaderLen);
}

NextLayer decode_linux_sll2(DecodeState& s, std::uint32_t off) noexcept {
  // protocol(2) reserved(2) interface index(4) ARPHRD type(2) packet type(1)
  // address length(1) address(8)
  if (!s.has(off, kSll2HeaderLen)) return s.fail(DecodeAnomaly::sll_truncated);
  s.out.layers |= kLayerSll;
  return NextLayer::ethertype(s.be16(off), off + kSll2HeaderLen);
}

}  // namespace opensoc::decode::detail
