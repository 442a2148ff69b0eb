#pragma once
// parse_kv: "key=value" logs as firewalls and proxies write them (FortiGate,
// Palo Alto's syslog, iptables' "SRC=1.2.3.4 DST=..."), values bare or quoted.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "opensoc/core/log_event.hpp"
#include "opensoc/core/result.hpp"

namespace opensoc::logparse {

/// Pairs are separated by whitespace (or `,`/`;` directly after a quoted
/// value); values may be "double" or 'single' quoted with backslash escapes.
/// Well-known keys map to ECS, case-insensitively (src/srcip/src_ip/SRC ->
/// source.ip; dst/dstip/DST -> destination.ip; sport/srcport/SPT ->
/// source.port; dport/dstport/DPT -> destination.port; proto/PROTO ->
/// network.transport and endpoints.ip_proto; action -> event.action; user/
/// usrName -> user.name; url -> url.original; host/hostname/devname ->
/// observer.hostname; msg -> message; ...; addresses and ports also into
/// out.endpoints). Others become "kv.<key>". Text before the first pair is kept
/// as the message prefix only when it has no '='.
/// Sets parser "kv" (dataset left as it was, "log" if empty).
/// Error: fewer than `min_pairs` pairs found.
Result<void> parse_kv(std::string_view text, LogEvent& out, std::size_t min_pairs = 2);

// ECS endpoint helpers shared by the text parsers (CEF, LEEF, key=value):
// one place decides how an address, a port and a transport are typed and
// copied into LogEndpoints. Pure; each adds at most one LogField.

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
