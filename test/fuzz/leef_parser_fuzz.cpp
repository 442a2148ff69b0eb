// libFuzzer entry point for parse_leef, and for parse_simple_date with the
// first line of the input as the pattern and the rest as the text (the
// devTimeFormat a sender chooses is untrusted too). Checks, besides no crash
// and no sanitizer report: a success sets dataset and parser, typed values
// are what their type says, a refusal adds nothing.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "logparse/leef_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace opensoc;
  const std::string copy(reinterpret_cast<const char*>(data), size);
  LogEvent e;
  const auto r = logparse::parse_leef(copy, e);
  if (r.has_value()) {
    if (e.dataset != "leef" || e.parser != "leef") __builtin_trap();
    for (const auto& f : e.fields) {
      if (f.name.empty()) __builtin_trap();
      if (f.type == LogValueType::ip && !IpAddress::parse(f.value)) __builtin_trap();
      if (f.type == LogValueType::integer && f.value.find_first_not_of("-0123456789") != std::string::npos)
        __builtin_trap();
    }
  } else if (!e.fields.empty() || r.error().message.empty()) {
    __builtin_trap();
  }
  const std::string_view all(copy);
  const auto nl = all.find('\n');
  if (nl != std::string_view::npos) (void)logparse::parse_simple_date(all.substr(nl + 1), all.substr(0, nl));
  return 0;
}
