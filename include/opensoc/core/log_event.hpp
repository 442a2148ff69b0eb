#pragma once
/// LogEvent: one received non-packet record (a syslog message, a JSON log
/// line, a NetFlow/IPFIX flow record) as the telemetry pipeline carries it
/// from a parser through normalisation, enrichment and detection to the
/// search index and the exports. Plain value type, strings owned.
///
/// Field names are ECS ("source.ip", "log.syslog.severity.code", ...). The
/// addresses and ports a parser found are ALSO kept typed in `endpoints`,
/// because enrichment, intel matching, detection and the link to the packet
/// sessions (Community ID) work on them; the renderer writes them once.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "opensoc/core/enrichment.hpp"
#include "opensoc/core/ip_address.hpp"
#include "opensoc/core/time.hpp"

namespace opensoc {

/// How a field's value is rendered to JSON and indexed.
enum class LogValueType : std::uint8_t {
  string,   ///< JSON string; keyword or text per the search schema
  integer,  ///< decimal integer text, e.g. "-3", "443"; rendered as a JSON number
  number,   ///< decimal floating-point text; rendered as a JSON number
  boolean,  ///< "true" / "false"
  ip,       ///< an address in text form (IpAddress::to_string()); rendered as a string
  time,     ///< nanoseconds since the epoch as decimal text; rendered as RFC 3339 UTC
};

struct LogField {
  std::string name;   ///< ECS dotted name
  std::string value;  ///< text form, see LogValueType
  LogValueType type = LogValueType::string;
};

/// The addresses a record names. `ip_proto` 0 = unknown; ports 0 = absent.
struct LogEndpoints {
  IpAddress source_ip;       ///< version 0 = absent
  IpAddress destination_ip;  ///< version 0 = absent
  std::uint16_t source_port = 0;
  std::uint16_t destination_port = 0;
  std::uint8_t ip_proto = 0;  ///< 6 tcp, 17 udp, 1 icmp, ...
};

struct LogEvent {
  std::uint64_t id = 0;          ///< unique in the store (assigned by the pipeline)
  TimestampNs received = 0;      ///< event.created: when the listener read it (wall clock)
  TimestampNs timestamp = 0;     ///< from the message; 0 = none, @timestamp is then `received`
  std::string listener;          ///< the config name of the listener that received it
  std::string transport;         ///< "udp", "tcp", "tls", "http"
  IpAddress sender;              ///< the peer that sent it (observer of the log: log.source.address)
  std::uint16_t sender_port = 0;
  std::string dataset;           ///< event.dataset: "syslog", "suricata.eve", "zeek.conn", "cef", "leef", "netflow", "log" ...
  std::string parser;            ///< the parser that accepted it ("rfc5424", "cef", "eve", ...); "raw" when none did
  bool parsed = false;           ///< false: kept as a raw log event (message, sender, time)
  std::string parse_error;       ///< why the last parser tried refused it (raw events)
  std::string message;           ///< `message`: the human text (syslog MSG, CEF name, ...) or the whole line for raw events
  std::string original;          ///< `event.original`: the bytes as received (bounded by the listener's max size)
  LogEndpoints endpoints;
  std::vector<LogField> fields;  ///< every other field, in the order found; names may repeat for arrays
  Enrichment enrichment;         ///< filled by the detection stage before the event is indexed/exported

  /// @timestamp: the message's own time when it had one, else the receive time.
  [[nodiscard]] TimestampNs event_time() const noexcept { return timestamp != 0 ? timestamp : received; }

  void add(std::string name, std::string value, LogValueType type = LogValueType::string) {
    fields.push_back(LogField{std::move(name), std::move(value), type});
  }
  /// The first value of `name`, or nullptr.
  [[nodiscard]] const LogField* find(std::string_view name) const noexcept {
    for (const auto& f : fields)
      if (f.name == name) return &f;
    return nullptr;
  }
};

}  // namespace opensoc
