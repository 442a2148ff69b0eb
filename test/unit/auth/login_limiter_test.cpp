#include "auth/login_limiter.hpp"

#include <catch2/catch.hpp>

using namespace opensoc;
using opensoc::auth::LoginLimiter;

TEST_CASE("LoginLimiter refuses a source after max failures until its window passes", "[auth][limiter]") {
  LoginLimiter limiter(3, 60);
  const TimestampNs t0 = 1'000 * kNsPerSecond;
  CHECK(limiter.retry_after_s("10.0.0.1", t0) == 0);
  limiter.record_failure("10.0.0.1", t0);
  limiter.record_failure("10.0.0.1", t0 + kNsPerSecond);
  CHECK(limiter.retry_after_s("10.0.0.1", t0 + kNsPerSecond) == 0);
  limiter.record_failure("10.0.0.1", t0 + 2 * kNsPerSecond);
  CHECK(limiter.retry_after_s("10.0.0.1", t0 + 2 * kNsPerSecond) == 58);
  CHECK(limiter.retry_after_s("10.0.0.1", t0 + 59 * kNsPerSecond + 1) == 1);
  CHECK(limiter.retry_after_s("10.0.0.2", t0 + 2 * kNsPerSecond) == 0);
  CHECK(limiter.retry_after_s("10.0.0.1", t0 + 60 * kNsPerSecond) == 0);
  // A failure after the window starts a new one.
  limiter.record_failure("10.0.0.1", t0 + 61 * kNsPerSecond);
  CHECK(limiter.retry_after_s("10.0.0.1", t0 + 61 * kNsPerSecond) == 0);
}

TEST_CASE("LoginLimiter tracks a bounded number of sources", "[auth][limiter]") {
  LoginLimiter limiter(1, 60, 4);
  const TimestampNs t0 = 1'000 * kNsPerSecond;
  for (int i = 0; i < 4; ++i) limiter.record_failure("s" + std::to_string(i), t0 + i);
  CHECK(limiter.sources() == 4);
  limiter.record_failure("s4", t0 + 10);
  CHECK(limiter.sources() == 4);
  // The oldest went.
  CHECK(limiter.retry_after_s("s0", t0 + 10) == 0);
  CHECK(limiter.retry_after_s("s1", t0 + 10) == 60);
  CHECK(limiter.retry_after_s("s4", t0 + 10) == 60);
}
