#pragma once
// ASCII text helpers the intel loaders share: feed words compare without
// case, and fields arrive padded. Pure functions; any thread.
#include <cstddef>
#include <string_view>

namespace opensoc::intel {

constexpr char ascii_lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

constexpr bool equals_ignore_case(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  return true;
}

/// `s` without leading and trailing characters from `chars`.
constexpr std::string_view trim_any_of(std::string_view s, std::string_view chars) noexcept {
  while (!s.empty() && chars.find(s.front()) != std::string_view::npos) s.remove_prefix(1);
  while (!s.empty() && chars.find(s.back()) != std::string_view::npos) s.remove_suffix(1);
  return s;
}

/// Without spaces, tabs and carriage returns: the padding of one field of a
/// line (a CSV row, an API member).
constexpr std::string_view trim_blanks(std::string_view s) noexcept { return trim_any_of(s, " \t\r"); }

/// Without any whitespace, newlines included: an indicator value.
constexpr std::string_view trim_whitespace(std::string_view s) noexcept { return trim_any_of(s, " \t\r\n"); }

}  // namespace opensoc::intel
