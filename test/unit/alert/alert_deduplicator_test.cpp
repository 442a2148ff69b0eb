#include "alert/alert_deduplicator.hpp"

#include <catch2/catch.hpp>

#include "alert_test_support.hpp"

using namespace opensoc;
using namespace opensoc::alert;

TEST_CASE("alert_dedup_key uses the detector's key, else rule and hosts", "[alert][dedup]") {
  DetectionHit h = fixture::make_hit();
  CHECK(alert_dedup_key(h) == "sid:2100498|10.0.0.5|203.0.113.9");
  h.endpoints.dst_ip = IpAddress{};
  CHECK(alert_dedup_key(h) == "sid:2100498|10.0.0.5|");
  h.dedup_key = "beacon:10.0.0.5";
  CHECK(alert_dedup_key(h) == "beacon:10.0.0.5");
}

TEST_CASE("AlertDeduplicator folds hits within a sliding window of packet time", "[alert][dedup]") {
  const TimestampNs window = 60 * kNsPerSecond;
  AlertDeduplicator d(window);
  const TimestampNs t = fixture::kT0;
  CHECK_FALSE(d.find("k", t));
  d.remember("k", 5, t);
  CHECK(d.find("k", t) == 5u);
  CHECK(d.find("k", t + window) == 5u);
  CHECK_FALSE(d.find("k", t + window + 1));
  CHECK(d.find("k", t - window) == 5u);  // another worker's slightly older packet
  CHECK_FALSE(d.find("k", t - window - 1));
  CHECK_FALSE(d.find("other", t));

  SECTION("a fold moves the window on") {
    d.remember("k", 5, t + window);
    CHECK(d.find("k", t + 2 * window) == 5u);
    d.remember("k", 5, t);  // an older hit does not move it back
    CHECK(d.find("k", t + 2 * window) == 5u);
  }
  SECTION("a new alert for the key restarts the window") {
    d.remember("k", 9, t + 10 * window);
    CHECK(d.find("k", t + 10 * window) == 9u);
    CHECK_FALSE(d.find("k", t));
  }
  SECTION("forget removes the key") {
    d.forget("k");
    CHECK_FALSE(d.find("k", t));
    CHECK(d.size() == 0);
  }
}

TEST_CASE("AlertDeduplicator evicts the least recently remembered key when full", "[alert][dedup]") {
  AlertDeduplicator d(kNsPerSecond, 2);
  d.remember("a", 1, 0);
  d.remember("b", 2, 0);
  d.remember("a", 1, 1);  // a is now the most recent
  d.remember("c", 3, 2);
  CHECK(d.size() == 2);
  CHECK(d.evictions() == 1);
  CHECK(d.find("a", 2) == 1u);
  CHECK_FALSE(d.find("b", 2));
  CHECK(d.find("c", 2) == 3u);
}
