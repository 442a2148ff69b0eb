#pragma once
// JsonLogParser: JSON log lines (simdjson): Suricata EVE, Zeek's JSON logs,
// and any other JSON object (ECS documents pass through as they are).
// One instance per thread: it owns a simdjson parser and its buffers.
#include <memory>
#include <optional>
#include <string_view>

#include "opensoc/core/log_event.hpp"
#include "opensoc/core/result.hpp"
#include "opensoc/core/time.hpp"

namespace opensoc::logparse {

enum class JsonFlavour : std::uint8_t { automatic, eve, zeek, generic };

class JsonLogParser {
 public:
  JsonLogParser();
  ~JsonLogParser();
  JsonLogParser(const JsonLogParser&) = delete;
  JsonLogParser& operator=(const JsonLogParser&) = delete;

  /// Parses one JSON object. `automatic`: EVE when it has "event_type";
  /// Zeek when it has "_path", or "ts" with "uid" / "id.orig_h"; else generic.
  /// EVE: timestamp, src_ip/src_port/dest_ip/dest_port/proto into endpoints
  /// and source.*/destination.*, event.dataset "suricata.<event_type>",
  /// flow_id -> suricata.eve.flow_id, community_id -> network.community_id,
  /// alert.* -> rule.id / rule.name / rule.category / event.severity /
  /// event.action, dns/http/tls/flow/fileinfo members -> their ECS names
  /// (dns.question.name, url.domain, url.path, http.request.method,
  /// http.response.status_code, user_agent.original, tls.client.server_name,
  /// tls.client.ja3, source.bytes, ...); every other scalar leaf becomes
  /// "suricata.eve.<dotted.path>".
  /// Zeek: ts (epoch seconds or ISO 8601), uid -> zeek.session_id,
  /// id.orig_h/id.orig_p/id.resp_h/id.resp_p, proto, dataset "zeek.<_path or
  /// the guessed log>", conn/dns/http/ssl/files fields to ECS; others
  /// "zeek.<log>.<key>".
  /// Generic: "@timestamp"/"timestamp"/"time"/"ts" -> timestamp; nested
  /// objects flattened to dotted names; ECS source.ip/destination.ip/
  /// source.port/destination.port/network.transport into endpoints; arrays of
  /// scalars repeat the field; "message" -> message. Dataset "json" unless the
  /// object says event.dataset.
  /// Sets parser "eve" / "zeek" / "json". Error: not one valid JSON object.
  Result<void> parse(std::string_view line, JsonFlavour flavour, LogEvent& out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// An ISO 8601 / RFC 3339 date-time ("2016-10-24T16:10:19.556277+0000",
/// "2023-11-02T10:15:00Z", "2022-03-16T01:24:53"; 'T' or ' ' between date and
/// time, fraction up to ns, zone Z / +hh:mm / +hhmm / +hh, none = UTC) as
/// nanoseconds since the epoch; nullopt when `text` is not exactly one.
[[nodiscard]] std::optional<TimestampNs> parse_iso8601_ns(std::string_view text) noexcept;

}  // namespace opensoc::logparse
