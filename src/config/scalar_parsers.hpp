#pragma once
/// Parsers for the text of config scalars: plain counts, durations and sizes.
/// They know nothing of YAML or of ranges; the loader applies the range of
/// each key and words the error. All are pure and thread-safe.
#include <cstdint>
#include <optional>
#include <string_view>

namespace opensoc::config {

/// A non-negative decimal integer: one or more ASCII digits, no sign, no
/// spaces, no leading zeros ("0" itself is fine; "010" is refused because
/// YAML 1.1 tools read it as octal). nullopt if malformed or above 2^64-1.
[[nodiscard]] std::optional<std::uint64_t> parse_decimal(std::string_view text);

/// A duration in whole seconds: a decimal integer (seconds), or one directly
/// followed by a unit: s (seconds), m (minutes), h (hours), d (days).
/// "90" = "90s" = 90, "5m" = 300, "1h" = 3600. nullopt if malformed or overflowing.
[[nodiscard]] std::optional<std::uint64_t> parse_duration_seconds(std::string_view text);

/// A size in bytes: a decimal integer (bytes), or one directly followed by a
/// binary unit KiB, MiB or GiB ("16KiB" = 16384). Decimal units (KB, MB) are
/// refused on purpose: they are ambiguous. nullopt if malformed or overflowing.
[[nodiscard]] std::optional<std::uint64_t> parse_size_bytes(std::string_view text);

}  // namespace opensoc::config
