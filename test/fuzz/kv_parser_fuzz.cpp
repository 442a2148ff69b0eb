// libFuzzer entry point for parse_kv. Checks, besides no crash and no
// sanitizer report: a refusal leaves the event exactly as it was (the
// message parser tries kv on events that already hold syslog fields), a
// success sets the parser, keeps a non-empty dataset and only adds typed
// values that are what their type says.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "logparse/kv_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace opensoc;
  const std::string copy(reinterpret_cast<const char*>(data), size);
  LogEvent e;
  e.dataset = "syslog";
  e.message = copy;
  e.add("host.hostname", "fuzz");
  // In place, as the message parser calls it: the text is the event's own message.
  const auto r = logparse::parse_kv(e.message, e, size % 3);
  if (r.has_value()) {
    if (e.parser != "kv" || e.dataset != "syslog" || e.fields.empty()) __builtin_trap();
    for (const auto& f : e.fields) {
      if (f.name.empty()) __builtin_trap();
      if (f.type == LogValueType::ip && !IpAddress::parse(f.value)) __builtin_trap();
    }
    if (e.endpoints.ip_proto != 0 && e.find("network.transport") == nullptr) __builtin_trap();
  } else {
    if (e.fields.size() != 1 || e.message != copy || e.endpoints.source_ip.version != 0) __builtin_trap();
  }
  return 0;
}
