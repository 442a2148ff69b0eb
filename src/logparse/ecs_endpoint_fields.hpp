#pragma once
// ECS endpoint fields shared by the text parsers (CEF, LEEF, key=value, and
// the JSON and pattern parsers through ip_proto_from_text): one place decides
// how an address, a port and a transport are typed and copied into
// LogEndpoints. Pure functions; each adds at most one LogField.
#include <cstdint>
#include <optional>
#include <string_view>

#include "opensoc/core/log_event.hpp"

namespace opensoc::logparse {

/// IANA protocol number of a transport written as a name ("TCP", "udp",
/// "icmp", "ipv6-icmp", ...) or a decimal number; nullopt when unknown.
[[nodiscard]] std::optional<std::uint8_t> ip_proto_from_text(std::string_view text) noexcept;
/// Adds `name` = the normalised address (LogValueType::ip) and stores it in
/// `*endpoint` when not null. False (nothing added) when `text` is no address.
bool add_ip_field(LogEvent& out, std::string_view name, std::string_view text, IpAddress* endpoint);
/// Adds `name` = the port (integer, 0-65535) and stores it in `*endpoint`
/// when not null. False (nothing added) when `text` is not a port number.
bool add_port_field(LogEvent& out, std::string_view name, std::string_view text, std::uint16_t* endpoint);
/// Adds network.transport (lower-case keyword) and sets endpoints.ip_proto
/// when the protocol is known. False (nothing added) when `text` is empty.
bool add_transport_field(LogEvent& out, std::string_view text);
/// Adds `name` as an integer field when `text` is a decimal integer
/// (optional '-'); false (nothing added) otherwise.
bool add_integer_field(LogEvent& out, std::string_view name, std::string_view text);

}  // namespace opensoc::logparse
