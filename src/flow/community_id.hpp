#pragma once
// Community ID v1 flow hashes (https://github.com/corelight/community-id-spec).
#include <cstdint>
#include <string>

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

}  // namespace opensoc::flow
