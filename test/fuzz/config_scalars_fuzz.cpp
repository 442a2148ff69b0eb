// Fuzzes the config scalar parsers (counts, durations, sizes): they read
// operator text from the YAML file and from command-line overrides. Checks
// the round trips their contracts promise: an accepted decimal prints back
// to the same text (no sign, spaces or leading zeros slip through); a
// duration or size equals its number times its unit without overflow.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "config/scalar_parsers.hpp"

namespace {
using namespace opensoc::config;

// Splits "<digits><unit>" and checks value == digits * multiplier(unit).
void check_scaled(std::string_view text, std::uint64_t value, std::string_view unit, std::uint64_t mult) {
  if (text.size() <= unit.size() || text.substr(text.size() - unit.size()) != unit) return;
  const auto n = parse_decimal(text.substr(0, text.size() - unit.size()));
  if (!n) return;
  if (*n > UINT64_MAX / mult || *n * mult != value) __builtin_trap();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (const auto d = parse_decimal(text); d && std::to_string(*d) != text) __builtin_trap();
  if (const auto s = parse_duration_seconds(text)) {
    if (const auto d = parse_decimal(text); d && *d != *s) __builtin_trap();
    check_scaled(text, *s, "s", 1);
    check_scaled(text, *s, "m", 60);
    check_scaled(text, *s, "h", 3600);
    check_scaled(text, *s, "d", 86400);
  }
  if (const auto b = parse_size_bytes(text)) {
    if (const auto d = parse_decimal(text); d && *d != *b) __builtin_trap();
    check_scaled(text, *b, "KiB", 1ull << 10);
    check_scaled(text, *b, "MiB", 1ull << 20);
    check_scaled(text, *b, "GiB", 1ull << 30);
  }
  return 0;
}
