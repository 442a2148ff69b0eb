#pragma once
/// Time vocabulary shared by every module: one clock, nanoseconds since the
/// Unix epoch (UTC), signed so that differences are plain subtraction.
#include <cstdint>

namespace opensoc {

/// Nanoseconds since 1970-01-01T00:00:00Z.
using TimestampNs = std::int64_t;

inline constexpr TimestampNs kNsPerSecond = 1'000'000'000;
inline constexpr TimestampNs kNsPerMicro = 1'000;

/// Inclusive range [begin, end].
struct TimeRange {
  TimestampNs begin = 0;
  TimestampNs end = 0;
  [[nodiscard]] constexpr bool contains(TimestampNs t) const noexcept { return t >= begin && t <= end; }
};

}  // namespace opensoc
