#pragma once
// ECS (Elastic Common Schema) rendering of protocol events and session
// records: the JSON the search API returns and the exporters ship to
// Elastic/OpenSearch. Each record carries "pcap", the relative URL of the
// packet store slice holding its packets, so one click leads to them.
// Pure functions of their input; any thread may call them. They append to
// the caller's buffer.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "opensoc/core/json_writer.hpp"
#include "opensoc/core/protocol_event.hpp"
#include "opensoc/core/time.hpp"

namespace opensoc::session {

/// Appends one ECS object for a protocol event. No trailing newline.
void append_ecs_event(std::string& out, const ProtocolEvent& ev);
/// Appends one ECS object for a session (event.dataset "session").
void append_ecs_session(std::string& out, const SessionRecord& s);

/// "/api/v1/pcap?community_id=<percent-encoded>&start=<s.nnnnnnnnn>&end=<s.nnnnnnnnn>":
/// the packet store slice [begin, end) of one community id.
std::string pcap_slice_url(std::string_view community_id, TimestampNs begin, TimestampNs end);
/// "/api/v1/pcap?host=<address>&start=...&end=...": every packet of one
/// address in [begin, end), for records that name no whole 5-tuple.
std::string pcap_host_slice_url(const IpAddress& host, TimestampNs begin, TimestampNs end);

// Names shared by the ECS rendering and the search documents, so that a
// search for a value finds the records that show it.

/// network.transport: "tcp", "udp", "icmp", "ipv6-icmp", "sctp", ... else the number.
std::string ecs_transport_name(std::uint8_t ip_proto);
/// network.direction from the endpoints' internal flags: "internal" (both),
/// "outbound" (source only), "inbound" (destination only), "external" (neither).
std::string_view ecs_network_direction(const Enrichment& e) noexcept;
/// tls.version: "1.0" .. "1.3", "3.0" (SSL); "" when unknown (0).
std::string ecs_tls_version(std::uint16_t version);
/// tls.cipher: the IANA name of common suites, else "0x" + 4 hex digits.
std::string tls_cipher_name(std::uint16_t cipher);
/// http.version: "HTTP/1.1" -> "1.1".
std::string_view ecs_http_version(std::string_view version);
/// The "threat" member (ECS 8 threat.enrichments + threat.indicator) for
/// intel matches; nothing when `threats` is empty.
void write_ecs_threats(JsonWriter& w, const std::vector<ThreatMatch>& threats);
/// Colon-separated hex ("8c:90:...") -> upper-case hex without separators, as ECS hashes and serials are written.
std::string ecs_hex(std::string_view colon_hex);

}  // namespace opensoc::session
