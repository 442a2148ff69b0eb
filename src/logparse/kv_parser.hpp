#pragma once
// parse_kv: "key=value" logs as firewalls and proxies write them (FortiGate,
// Palo Alto's syslog, iptables' "SRC=1.2.3.4 DST=..."), values bare or quoted.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "opensoc/core/log_event.hpp"
#include "logparse/ecs_endpoint_fields.hpp"
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

}  // namespace opensoc::logparse
