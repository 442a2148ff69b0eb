#pragma once
// The layer decoders, one per protocol file. Each reads the header that starts
// at `off`, fills what it learned into s.out, and returns where the walk goes
// next, naming the next protocol by its number (see protocol_numbers.hpp).
// Contract for every decoder:
//   - check bounds with s.has() before each load; never read past s.cap_end();
//   - on a malformed header return s.fail(<anomaly>) without touching the
//     fields it would have set (fields decoded by earlier layers remain);
//   - no allocation, no exceptions, no recursion: nesting goes back through
//     the dispatcher loop, which bounds it.
// dispatch.cpp binds these to protocol numbers; to add one, follow
// decoder_template.cpp.
#include <cstdint>

#include "decode/decode_state.hpp"

namespace opensoc::decode::detail {

using LayerDecoder = NextLayer (*)(DecodeState& s, std::uint32_t off) noexcept;

// Link layers (link.cpp)
NextLayer decode_null_loopback(DecodeState& s, std::uint32_t off) noexcept;
NextLayer decode_raw_ip(DecodeState& s, std::uint32_t off) noexcept;
NextLayer decode_linux_sll(DecodeState& s, std::uint32_t off) noexcept;
NextLayer decode_linux_sll2(DecodeState& s, std::uint32_t off) noexcept;

// L2 / L2.5
NextLayer decode_ethernet(DecodeState& s, std::uint32_t off) noexcept;  // ethernet.cpp
NextLayer decode_vlan(DecodeState& s, std::uint32_t off) noexcept;      // vlan.cpp
NextLayer decode_mpls(DecodeState& s, std::uint32_t off) noexcept;      // mpls.cpp
NextLayer decode_arp(DecodeState& s, std::uint32_t off) noexcept;       // arp.cpp

// L3
NextLayer decode_ipv4(DecodeState& s, std::uint32_t off) noexcept;  // ipv4.cpp
NextLayer decode_ipv6(DecodeState& s, std::uint32_t off) noexcept;  // ipv6.cpp

// L4
NextLayer decode_tcp(DecodeState& s, std::uint32_t off) noexcept;     // tcp.cpp
NextLayer decode_udp(DecodeState& s, std::uint32_t off) noexcept;     // udp.cpp
NextLayer decode_icmp(DecodeState& s, std::uint32_t off) noexcept;    // icmp.cpp
NextLayer decode_icmpv6(DecodeState& s, std::uint32_t off) noexcept;  // icmp.cpp
NextLayer decode_sctp(DecodeState& s, std::uint32_t off) noexcept;    // sctp.cpp

// Tunnels
NextLayer decode_gre(DecodeState& s, std::uint32_t off) noexcept;         // gre.cpp
NextLayer decode_vxlan(DecodeState& s, std::uint32_t off) noexcept;       // vxlan.cpp
NextLayer decode_ipv4_in_ip(DecodeState& s, std::uint32_t off) noexcept;  // ip_in_ip.cpp
NextLayer decode_ipv6_in_ip(DecodeState& s, std::uint32_t off) noexcept;  // ip_in_ip.cpp

// Payload headers that only occur inside GRE; gre.cpp calls them directly
// because their meaning depends on GRE's own flags and version.
NextLayer decode_ppp_in_gre(DecodeState& s, std::uint32_t off) noexcept;  // ppp.cpp
NextLayer decode_erspan(DecodeState& s, std::uint32_t off, std::uint16_t gre_proto,
                        bool gre_has_sequence) noexcept;                   // erspan.cpp

// The decoder_template.cpp example, compiled but bound to nothing.
NextLayer decode_template(DecodeState& s, std::uint32_t off) noexcept;

}  // namespace opensoc::decode::detail
