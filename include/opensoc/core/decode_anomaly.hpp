#pragma once
/// DecodeAnomaly: the named reasons a frame could not be fully decoded.
/// Hostile or broken traffic is never an error: the decoder stops at the bad
/// header, records the first anomaly here, and the worker counts it by name.
#include <cstdint>
#include <string_view>

namespace opensoc {

#define OPENSOC_DECODE_ANOMALIES(X)   \
  X(none)                             \
  X(link_unsupported)                 \
  X(ethernet_truncated)               \
  X(sll_truncated)                    \
  X(vlan_truncated)                   \
  X(vlan_too_many)                    \
  X(mpls_truncated)                   \
  X(mpls_too_many)                    \
  X(arp_truncated)                    \
  X(ipv4_truncated)                   \
  X(ipv4_bad_version)                 \
  X(ipv4_bad_header_length)           \
  X(ipv4_bad_total_length)            \
  X(ipv4_options_truncated)           \
  X(ipv6_truncated)                   \
  X(ipv6_bad_version)                 \
  X(ipv6_bad_payload_length)          \
  X(ipv6_ext_truncated)               \
  X(ipv6_ext_too_many)                \
  X(tcp_truncated)                    \
  X(tcp_bad_data_offset)              \
  X(tcp_options_truncated)            \
  X(udp_truncated)                    \
  X(udp_bad_length)                   \
  X(icmp_truncated)                   \
  X(icmpv6_truncated)                 \
  X(sctp_truncated)                   \
  X(gre_truncated)                    \
  X(gre_unsupported_version)          \
  X(vxlan_truncated)                  \
  X(tunnel_too_deep)                  \
  X(ethertype_unsupported)

enum class DecodeAnomaly : std::uint8_t {
#define OPENSOC_X(name) name,
  OPENSOC_DECODE_ANOMALIES(OPENSOC_X)
#undef OPENSOC_X
};

inline constexpr std::size_t kDecodeAnomalyCount = 0
#define OPENSOC_X(name) +1
    OPENSOC_DECODE_ANOMALIES(OPENSOC_X)
#undef OPENSOC_X
    ;

/// Stable snake_case name, used as the counter label in stats and metrics.
constexpr std::string_view anomaly_name(DecodeAnomaly a) noexcept {
  constexpr std::string_view names[] = {
#define OPENSOC_X(name) #name,
      OPENSOC_DECODE_ANOMALIES(OPENSOC_X)
#undef OPENSOC_X
  };
  const auto i = static_cast<std::size_t>(a);
  return i < kDecodeAnomalyCount ? names[i] : std::string_view{"unknown"};
}

/// False for anomalies that mean "not a protocol we decode" rather than
/// "malformed": those frames are still stored and counted, but they are not
/// decode errors in summaries.
constexpr bool anomaly_is_error(DecodeAnomaly a) noexcept {
  return a != DecodeAnomaly::none && a != DecodeAnomaly::link_unsupported &&
         a != DecodeAnomaly::ethertype_unsupported;
}

}  // namespace opensoc
