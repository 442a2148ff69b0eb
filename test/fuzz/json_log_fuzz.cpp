// libFuzzer entry point for JsonLogParser (every flavour) and
// parse_iso8601_ns. Besides "no crash, no sanitizer report", it checks what
// the pipeline relies on: an accepted line names its parser and dataset,
// every field has a name, typed values are what their type says (ip parses,
// integer/time are decimal integers, boolean is true/false), and one parser
// instance gives the same answer twice (no state leaks between lines).
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "logparse/json_log_parser.hpp"

namespace {
using namespace opensoc;

bool integer_text(std::string_view v) {
  std::int64_t i = 0;
  std::uint64_t u = 0;
  const char* end = v.data() + v.size();
  const auto r = std::from_chars(v.data(), end, i);
  if (r.ec == std::errc() && r.ptr == end) return true;
  const auto ru = std::from_chars(v.data(), end, u);
  return ru.ec == std::errc() && ru.ptr == end;
}

void check_event(const LogEvent& e) {
  if (e.parser.empty() || e.dataset.empty() || !e.parsed) __builtin_trap();
  for (const LogField& f : e.fields) {
    if (f.name.empty()) __builtin_trap();
    switch (f.type) {
      case LogValueType::ip:
        if (!IpAddress::parse(f.value)) __builtin_trap();
        break;
      case LogValueType::integer:
      case LogValueType::time:
        if (!integer_text(f.value)) __builtin_trap();
        break;
      case LogValueType::boolean:
        if (f.value != "true" && f.value != "false") __builtin_trap();
        break;
      case LogValueType::number:
        if (f.value.empty()) __builtin_trap();
        break;
      case LogValueType::string:
        break;
    }
  }
}

bool same(const LogEvent& a, const LogEvent& b) {
  if (a.fields.size() != b.fields.size() || a.timestamp != b.timestamp || a.dataset != b.dataset ||
      a.message != b.message || !(a.endpoints.source_ip == b.endpoints.source_ip) ||
      a.endpoints.source_port != b.endpoints.source_port || a.endpoints.ip_proto != b.endpoints.ip_proto)
    return false;
  for (std::size_t i = 0; i < a.fields.size(); ++i)
    if (a.fields[i].name != b.fields[i].name || a.fields[i].value != b.fields[i].value ||
        a.fields[i].type != b.fields[i].type)
      return false;
  return true;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace opensoc::logparse;
  // An exactly sized copy: over-reads must not hide in the caller's buffer.
  const std::string line(reinterpret_cast<const char*>(data), size);
  JsonLogParser parser;
  for (const JsonFlavour f : {JsonFlavour::automatic, JsonFlavour::eve, JsonFlavour::zeek, JsonFlavour::generic}) {
    LogEvent a;
    const auto ra = parser.parse(line, f, a);
    LogEvent b;
    const auto rb = parser.parse(line, f, b);
    if (ra.has_value() != rb.has_value()) __builtin_trap();
    if (!ra) {
      if (ra.error().message.empty()) __builtin_trap();
      continue;
    }
    check_event(a);
    if (!same(a, b)) __builtin_trap();
  }
  (void)parse_iso8601_ns(line);
  return 0;
}
