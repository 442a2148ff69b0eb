#pragma once
/// Time vocabulary shared by every module: one clock, nanoseconds since the
/// Unix epoch (UTC), signed so that differences are plain subtraction.
#include <cstdint>
#include <ctime>

namespace opensoc {

/// Nanoseconds since 1970-01-01T00:00:00Z.
using TimestampNs = std::int64_t;

inline constexpr TimestampNs kNsPerSecond = 1'000'000'000;
inline constexpr TimestampNs kNsPerMicro = 1'000;

/// The wall clock now. clock_gettime(CLOCK_REALTIME) is served by the vDSO:
/// no system call, cheap enough for a capture core's idle loop.
[[nodiscard]] inline TimestampNs wall_clock_ns() noexcept {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<TimestampNs>(ts.tv_sec) * kNsPerSecond + ts.tv_nsec;
}

/// Inclusive range [begin, end].
struct TimeRange {
  TimestampNs begin = 0;
  TimestampNs end = 0;
  [[nodiscard]] constexpr bool contains(TimestampNs t) const noexcept { return t >= begin && t <= end; }
};

}  // namespace opensoc
