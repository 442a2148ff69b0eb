#pragma once
// Time values in slice requests: the text forms an analyst types for start,
// end, "before" and "after", and the canonical form we print back. Pure
// functions; any thread.
#include <optional>
#include <string>
#include <string_view>

#include "opensoc/core/time.hpp"

namespace opensoc::slice {

/// RFC 3339 (2026-11-27T10:00:00Z, fractional seconds up to ns, offsets +hh:mm),
/// Unix seconds with optional fraction ("1764237600.123456789"), relative ("5m ago",
/// "90s ago", "2h ago", "1d ago", also "now"). `now` is injected (tests).
///
/// Details: RFC 3339 needs the offset ("Z", "z" or +/-hh:mm) and "T"/"t"
/// between date and time; second 60 is rejected (timestamps are POSIX time,
/// which has no leap seconds); 1 to 9 fraction digits. A relative duration is
/// one or more <digits><unit> with unit ns, us, ms, s, m, h or d ("1h30m ago"),
/// then spaces, then "ago" (any case). No surrounding whitespace. nullopt for
/// anything else, including instants outside TimestampNs' range
/// (1677-09-21..2262-04-11).
[[nodiscard]] std::optional<TimestampNs> parse_time_value(std::string_view text, TimestampNs now);

/// RFC 3339 in UTC: "2026-11-27T10:00:00Z", with ".fffffffff" (trailing zeros
/// dropped) when the nanoseconds are not zero. parse_time_value reads it back
/// exactly.
[[nodiscard]] std::string format_time_value(TimestampNs t);

}  // namespace opensoc::slice
