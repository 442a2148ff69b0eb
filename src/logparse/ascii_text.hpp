#pragma once
// ASCII case helpers the log parsers share: keys, month names, severity
// words and protocol names compare without case, and log text is bytes, not
// locale text (no <cctype>). Pure constexpr functions; any thread.
#include <cstddef>
#include <string_view>

namespace opensoc::logparse {

constexpr char lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c; }

/// Equal ignoring ASCII case (on both sides).
constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

}  // namespace opensoc::logparse
