// libFuzzer entry point for parse_cef. Besides "no crash, no sanitizer
// report", it checks what callers rely on: a success sets dataset and parser
// and only typed values that are what their type says; a refusal changes
// neither. The same bytes also go through parse_simple_date with the CEF
// time formats.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "logparse/cef_parser.hpp"
#include "logparse/leef_parser.hpp"

namespace {
bool typed_value_ok(const opensoc::LogField& f) {
  using opensoc::LogValueType;
  if (f.type == LogValueType::integer || f.type == LogValueType::time) {
    if (f.value.empty()) return false;
    for (std::size_t i = 0; i < f.value.size(); ++i)
      if (!(f.value[i] >= '0' && f.value[i] <= '9') && !(i == 0 && f.value[i] == '-')) return false;
  }
  if (f.type == LogValueType::ip) return opensoc::IpAddress::parse(f.value).has_value();
  return !f.name.empty();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace opensoc;
  const std::string copy(reinterpret_cast<const char*>(data), size);
  LogEvent e;
  const auto r = logparse::parse_cef(copy, e);
  if (r.has_value()) {
    if (e.dataset != "cef" || e.parser != "cef") __builtin_trap();
    for (const auto& f : e.fields)
      if (!typed_value_ok(f)) __builtin_trap();
  } else if (!e.fields.empty() || !e.dataset.empty() || r.error().message.empty()) {
    __builtin_trap();
  }
  (void)logparse::parse_simple_date(copy, "MMM dd yyyy HH:mm:ss.SSS zzz");
  return 0;
}
