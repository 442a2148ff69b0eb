#pragma once
/// Serialises a FlowRecord as one JSON object with Elastic Common Schema field
/// names (nested objects: {"source":{"ip":…}} is ECS's `source.ip`).
#include <string>

#include "opensoc/core/flow_record.hpp"

namespace opensoc::pipeline {

/// Appends the record (no trailing newline) to `out`. `community_id_seed`
/// seeds network.community_id.
void append_flow_record_json(std::string& out, const FlowRecord& r, std::uint16_t community_id_seed = 0);

/// ECS network.transport name for an IP protocol number ("tcp", "udp",
/// "icmp", "ipv6-icmp", "sctp", "gre", …), or the number as text.
std::string transport_name(std::uint8_t ip_proto);

}  // namespace opensoc::pipeline
