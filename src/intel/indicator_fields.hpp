#pragma once
// The per-indicator fields a CSV row or an API object carries, as text, and
// their conversion into an Indicator. Shared by the CSV and the API JSON
// loaders so both accept the same words. Pure functions; any thread.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "opensoc/core/enrichment.hpp"
#include "opensoc/core/result.hpp"
#include "opensoc/core/time.hpp"

namespace opensoc::intel {

/// RFC 3339 ("2026-01-31T12:00:00Z", fraction and "+02:00" offsets allowed,
/// 't'/'z' and a space separator too, a bare date is midnight UTC) or Unix
/// epoch seconds ("1798675200"). nullopt when it is neither.
std::optional<TimestampNs> parse_intel_timestamp(std::string_view text) noexcept;

/// 0..100, or the words high (85), medium (50), low (15). nullopt otherwise.
std::optional<std::uint8_t> parse_confidence(std::string_view text) noexcept;

/// 1..4 (Suricata's priority scale, 1 highest), or the words critical and
/// high (1), medium (2), low (3), info / informational (4).
std::optional<std::uint8_t> parse_severity(std::string_view text) noexcept;

/// One indicator's fields as the feed wrote them; empty means absent.
/// Views into the caller's text, valid for the call only.
struct IndicatorFields {
  std::string_view type, value, confidence, severity, expires, description, source, id;
};

/// Builds a normalised Indicator from `f`; `default_source` when f.source is
/// empty. The Error's message is the reason the row is refused.
Result<Indicator> indicator_from_fields(const IndicatorFields& f, const std::string& default_source);

}  // namespace opensoc::intel
