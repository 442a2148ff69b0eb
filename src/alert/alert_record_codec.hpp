#pragma once
// The on-disk form of an Alert in the alert store (docs/ALERTS.md, "Storage"):
// a versioned, length-prefixed binary record. Decoding checks every length
// and enum against the bytes it has, so a damaged record is an error value,
// never a crash. Pure functions; any thread.
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "opensoc/core/alert.hpp"

namespace opensoc::alert {

/// Current record version (the first byte of every record).
inline constexpr std::uint8_t kAlertRecordVersion = 1;

/// Replaces `out` with the encoding of `a`.
void encode_alert_record(const Alert& a, std::vector<std::uint8_t>& out);

/// The alert, or nullopt when the bytes are not a complete record of a known
/// version (truncated, trailing bytes, bad enum values).
[[nodiscard]] std::optional<Alert> decode_alert_record(std::span<const std::uint8_t> bytes);

}  // namespace opensoc::alert
