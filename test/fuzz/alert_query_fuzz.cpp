// Fuzzes the alert list's query parameters (GET /api/v1/alerts?...): any
// key/value mix parses to a query or to a 400 naming a parameter, never a
// crash; a parsed query stays within its documented bounds.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "alert/alert_query.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::multimap<std::string, std::string> params;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const std::size_t amp = text.find('&', pos);
    const std::string_view pair = text.substr(pos, amp == std::string_view::npos ? std::string_view::npos : amp - pos);
    const std::size_t eq = pair.find('=');
    params.emplace(std::string(pair.substr(0, eq)), eq == std::string_view::npos ? "" : std::string(pair.substr(eq + 1)));
    if (amp == std::string_view::npos) break;
    pos = amp + 1;
  }
  const auto r = opensoc::alert::parse_alert_query(params, 1'700'000'000'000'000'000LL);
  if (const auto* q = std::get_if<opensoc::alert::AlertQuery>(&r)) {
    if (q->limit == 0 || q->limit > opensoc::alert::AlertQuery::kMaxLimit) __builtin_trap();
  } else if (std::get<1>(r).second.empty() && std::get<1>(r).first.empty()) {
    __builtin_trap();
  }
  return 0;
}
