#pragma once
// Community ID v1 flow hashes (https://github.com/corelight/community-id-spec).
#include <array>
#include <cstdint>
#include <string>

#include "opensoc/core/flow_key.hpp"
#include "opensoc/core/flow_record.hpp"

namespace opensoc::flow {

/// Community ID v1 of a flow record: "1:" + base64(SHA-1(seed, addresses,
/// protocol, ports)), with endpoints ordered as the spec says, so records from
/// other tools (Zeek, Suricata) for the same flow carry the same string.
/// ICMP/ICMPv6 records hold the first packet's type/code in src_port/dst_port;
/// they are mapped to port-equivalents here. Ports are hashed only for TCP,
/// UDP, SCTP, ICMP and ICMPv6. Returns "" when the record's addresses are not
/// both IPv4 or both IPv6.
///
/// Allocates the result: for consumer threads (search/export), not for the
/// per-packet path. Thread-safe.
[[nodiscard]] std::string community_id_v1(const FlowRecord& r, std::uint16_t seed = 0);

/// The same for a 5-tuple known only as values (a log line, a flow export):
/// "" when the addresses are not of one family.
[[nodiscard]] std::string community_id_v1(const IpAddress& src, const IpAddress& dst, std::uint16_t src_port,
                                          std::uint16_t dst_port, std::uint8_t ip_proto, std::uint16_t seed = 0);

/// The SHA-1 digest behind a Community ID, computed from a normalised
/// FlowKey (whose endpoint order and ICMP port-equivalents are already the
/// spec's, see make_flow_key), for the packet index. Same value as the digest
/// in community_id_v1() of the flow's record. Thread-safe, no allocation.
[[nodiscard]] std::array<std::uint8_t, 20> community_id_digest(const FlowKey& key, std::uint16_t seed = 0) noexcept;

/// "1:" + base64(digest).
[[nodiscard]] std::string community_id_text(const std::array<std::uint8_t, 20>& digest);

}  // namespace opensoc::flow
