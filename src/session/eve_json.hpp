#pragma once
// EVE JSON rendering of protocol events and session records, in the layout of
// Suricata 8's eve.json (DNS log version 3, "detailed" and "grouped" answers),
// so that pipelines built for Suricata (Security Onion, Malcolm, Elastic
// integrations) ingest our records unchanged. Pure functions of their input;
// any thread may call them (the exporter thread does). They append to the
// caller's buffer, which keeps its capacity between records.
#include <cstdint>
#include <string>
#include <string_view>

#include "opensoc/core/protocol_event.hpp"
#include "opensoc/core/time.hpp"

namespace opensoc::session {

/// Appends one EVE object for a protocol event ("event_type" dns, http, tls,
/// ssh, dhcp or quic). No trailing newline.
void append_eve_event(std::string& out, const ProtocolEvent& ev);
/// Appends one EVE object with "event_type":"flow" for a session.
void append_eve_flow(std::string& out, const SessionRecord& s);

// Names shared by the EVE and ECS renderings.

/// "2016-09-16T12:08:03.925424+0000": EVE's timestamp (microseconds, UTC).
std::string eve_timestamp(TimestampNs ts);
/// "TCP", "UDP", "ICMP", "IPv6-ICMP", "SCTP", ... else the number.
std::string eve_proto_name(std::uint8_t ip_proto);
/// "A", "AAAA", "CNAME", ...; unknown types as their decimal number, as Suricata prints them.
std::string dns_rrtype_name(std::uint16_t type);
/// "NOERROR", "NXDOMAIN", ...; unknown codes as their decimal number.
std::string dns_rcode_name(std::uint8_t rcode);
/// "TLS 1.2", "TLS 1.3", "TLSv1", "SSLv3", ... (Suricata's strings); "UNDETERMINED" otherwise.
std::string_view eve_tls_version(std::uint16_t version);
/// QUIC version: gQUIC's four ASCII bytes ("Q043"), else lower-case hex ("1" for QUIC v1).
std::string quic_version_name(std::uint32_t version);
/// DHCP option 53 names as Suricata logs them: "discover", "offer", ...; "unknown" otherwise.
std::string_view dhcp_message_type_name(std::uint8_t type);

}  // namespace opensoc::session
