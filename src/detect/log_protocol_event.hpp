#pragma once
// log_protocol_event: the protocol transaction a log record describes (a DNS
// query from an EVE or Zeek dns line, an HTTP request from a proxy's log, a
// TLS client hello's SNI/JA3), as the ProtocolEvent the signature rules'
// buffers read (dns.query, http.uri, http.host, http.user_agent, tls.sni,
// ja3.hash, ...). So the same rules that run on packet metadata run on logs.
// Pure; any thread.
#include "opensoc/core/log_event.hpp"
#include "opensoc/core/protocol_event.hpp"

namespace opensoc::detect {

/// Fills `out` (body, endpoints, ts, community id left to the caller) from
/// the ECS fields of `log`: DNS when it has dns.question.name, else HTTP when
/// it has url.original, url.domain with http.request.method, or
/// user_agent.original, else TLS when it has tls.client.server_name,
/// tls.client.ja3 or tls.client.ja4. False when it describes none of them.
bool log_protocol_event(const LogEvent& log, ProtocolEvent& out);

}  // namespace opensoc::detect
