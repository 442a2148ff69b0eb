// Fuzzes log event rendering: the ECS JSON every received log becomes (search
// hits, exports, the REST answers) and its search document. Two events per
// input: what the auto parser chain makes of the bytes (the realistic path:
// syslog, CEF, LEEF, JSON, key=value), and an event whose fields come
// straight from the input (lines "T name=value", T a digit choosing the
// value type), so clashing dotted names ("a", "a.b", "a.b.c"), odd types and
// any bytes reach the renderer. Checks: the JSON is one valid object (a bad
// value falls back to a string, invalid UTF-8 becomes U+FFFD), rendering is
// deterministic, and the search document gets the same JSON. Single-threaded.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <simdjson.h>

#include "logparse/message_parser.hpp"
#include "logs/log_document.hpp"
#include "logs/log_event_json.hpp"
#include "logs/log_fields.hpp"

namespace {
using namespace opensoc;

constexpr TimestampNs kReceived = 1764237600LL * kNsPerSecond;

void check_render(const LogEvent& e) {
  static simdjson::dom::parser parser;
  std::string json;
  logs::append_log_event_json(json, e);
  simdjson::dom::object obj;
  if (parser.parse(json).get_object().get(obj) != simdjson::SUCCESS) __builtin_trap();
  logs::LogFieldList list;
  list.build(e);
  std::string again;
  logs::append_log_event_json(again, e, list);
  if (again != json) __builtin_trap();
  const auto doc = logs::log_document(e, list, std::move(again));
  (void)doc;
  (void)logs::log_community_id(e.endpoints);
}

LogEvent event_from_lines(std::string_view in) {
  LogEvent e;
  e.received = kReceived;
  e.listener = "fuzz";
  e.transport = "udp";
  e.dataset = "log";
  e.parser = "kv";
  e.parsed = true;
  e.original = std::string(in);
  while (!in.empty()) {
    const std::size_t nl = in.find('\n');
    std::string_view line = in.substr(0, nl);
    in = nl == std::string_view::npos ? std::string_view{} : in.substr(nl + 1);
    if (line.size() < 2) continue;
    const auto type = static_cast<LogValueType>((static_cast<unsigned char>(line[0]) - '0') % 6);
    line.remove_prefix(1);
    const std::size_t eq = line.find('=');
    const std::string_view name = line.substr(0, eq);
    const std::string_view value = eq == std::string_view::npos ? std::string_view{} : line.substr(eq + 1);
    if (name == "@ts") {
      e.timestamp = static_cast<TimestampNs>(std::hash<std::string_view>{}(value));
      continue;
    }
    if (name == "@src") {
      e.endpoints.source_ip = IpAddress::parse(value).value_or(IpAddress{});
      continue;
    }
    e.add(std::string(name), std::string(value), type);
  }
  return e;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::unique_ptr<logparse::MessageParser> parser = [] {
    logparse::MessageParserConfig cfg;
    cfg.chain = {"auto"};
    auto p = logparse::MessageParser::create(cfg);
    if (!p) __builtin_trap();
    return std::move(*p);
  }();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  LogEvent parsed;
  parsed.received = kReceived;
  parser->parse(text, parsed);
  check_render(parsed);
  check_render(event_from_lines(text));
  return 0;
}
