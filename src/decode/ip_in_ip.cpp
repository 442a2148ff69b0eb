// IP-in-IP tunnels: IPv4 (protocol 4, RFC 2003) or IPv6 (protocol 41,
// RFC 4213 "6in4") directly inside an IP header. No header of their own; they
// only open a tunnel level so the inner packet is the one flows see.
#include <cstdint>

#include "decode/decode_state.hpp"
#include "decode/layer_decoders.hpp"
#include "decode/protocol_numbers.hpp"

namespace opensoc::decode::detail {

NextLayer decode_ipv4_in_ip(DecodeState& s, std::uint32_t off) noexcept {
  if (!s.enter_tunnel()) return NextLayer::stop();
  return NextLayer::ethertype(kEthertypeIpv4, off);
}

NextLayer decode_ipv6_in_ip(DecodeState& s, std::uint32_t off) noexcept {
  if (!s.enter_tunnel()) return NextLayer::stop();
  return NextLayer::ethertype(kEthertypeIpv6, off);
}

}  // namespace opensoc::decode::detail
