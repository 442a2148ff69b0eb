// Text helpers of the query parsers (see query_text.hpp).
#include "slice/query_text.hpp"

#include <algorithm>

namespace opensoc::slice {

std::string quote(std::string_view s) {
  std::string out = "'";
  const std::size_t n = std::min<std::size_t>(s.size(), 40);
  for (std::size_t i = 0; i < n; ++i) {
    const char c = s[i];
    out += (c >= 0x20 && c < 0x7f) ? c : '?';
  }
  if (s.size() > n) out += "...";
  out += "'";
  return out;
}

}  // namespace opensoc::slice
