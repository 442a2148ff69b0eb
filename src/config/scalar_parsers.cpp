#include "config/scalar_parsers.hpp"

#include <array>
#include <limits>
#include <utility>

namespace opensoc::config {
namespace {

// Splits "123unit" into the digits and whatever follows them.
std::pair<std::string_view, std::string_view> split_number(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
  return {text.substr(0, i), text.substr(i)};
}

std::optional<std::uint64_t> scaled(std::string_view digits, std::uint64_t multiplier) {
  const auto n = parse_decimal(digits);
  if (!n) return std::nullopt;
  if (*n > std::numeric_limits<std::uint64_t>::max() / multiplier) return std::nullopt;
  return *n * multiplier;
}

struct Unit {
  std::string_view suffix;
  std::uint64_t multiplier;
};

std::optional<std::uint64_t> parse_with_units(std::string_view text, const auto& units) {
  const auto [digits, suffix] = split_number(text);
  if (suffix.empty()) return parse_decimal(digits);
  for (const Unit& u : units) {
    if (suffix == u.suffix) return scaled(digits, u.multiplier);
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::uint64_t> parse_decimal(std::string_view text) {
  if (text.empty()) return std::nullopt;
  if (text.size() > 1 && text[0] == '0') return std::nullopt;
  std::uint64_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (value > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

std::optional<std::uint64_t> parse_duration_seconds(std::string_view text) {
  static constexpr std::array<Unit, 4> kUnits{{{"s", 1}, {"m", 60}, {"h", 3600}, {"d", 86400}}};
  return parse_with_units(text, kUnits);
}

std::optional<std::uint64_t> parse_size_bytes(std::string_view text) {
  static constexpr std::array<Unit, 3> kUnits{{{"KiB", 1ull << 10}, {"MiB", 1ull << 20}, {"GiB", 1ull << 30}}};
  return parse_with_units(text, kUnits);
}

}  // namespace opensoc::config
