// Tests time_value.hpp: RFC 3339, Unix seconds, relative times, formatting.
#include "slice/time_value.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <string>

using namespace opensoc;
using namespace opensoc::slice;

namespace {
constexpr TimestampNs kNow = 1'764'237'600'000'000'000;  // 2025-11-27T10:00:00Z
constexpr TimestampNs kS = kNsPerSecond;
constexpr TimestampNs k2026 = 1'795'773'600 * kS;  // 2026-11-27T10:00:00Z

std::optional<TimestampNs> parse(const char* t) { return parse_time_value(t, kNow); }
}  // namespace

TEST_CASE("parse_time_value reads RFC 3339 with offsets and fractions", "[slice][time]") {
  CHECK(parse("2026-11-27T10:00:00Z") == k2026);
  CHECK(parse("2026-11-27t10:00:00z") == k2026);
  CHECK(parse("2026-11-27T11:00:00+01:00") == k2026);
  CHECK(parse("2026-11-27T04:30:00-05:30") == k2026);
  CHECK(parse("2026-11-27T10:00:00-00:00") == k2026);
  CHECK(parse("2026-11-28T09:59:00+23:59") == k2026);
  CHECK(parse("2026-11-27T10:00:00.5Z") == k2026 + 500'000'000);
  CHECK(parse("2026-11-27T10:00:00.000000001Z") == k2026 + 1);
  CHECK(parse("2026-11-27T10:00:00.123456789+00:00") == k2026 + 123'456'789);
  CHECK(parse("1970-01-01T00:00:00Z") == 0);
  CHECK(parse("1969-12-31T23:59:59.5Z") == -kS / 2);
  SECTION("leap years, POSIX time without leap seconds") {
    CHECK(parse("2000-02-29T00:00:00Z") == 951'782'400 * kS);
    CHECK(parse("2024-02-29T00:00:00Z"));
    CHECK_FALSE(parse("2100-02-29T00:00:00Z"));
    CHECK_FALSE(parse("2025-02-29T00:00:00Z"));
    CHECK_FALSE(parse("2016-12-31T23:59:60Z"));  // a real leap second, not representable
    CHECK(parse("2017-01-01T00:00:00Z").value() - parse("2016-12-31T23:59:59Z").value() == kS);
  }
  SECTION("edges of the representable range") {
    CHECK(parse("2262-04-11T23:47:16.854775807Z") == std::numeric_limits<TimestampNs>::max());
    CHECK_FALSE(parse("2262-04-11T23:47:16.854775808Z"));
    CHECK(parse("1677-09-21T00:12:43.145224192Z") == std::numeric_limits<TimestampNs>::min());
    CHECK_FALSE(parse("1677-09-21T00:12:43.145224191Z"));
    CHECK_FALSE(parse("9999-12-31T23:59:59Z"));
    CHECK_FALSE(parse("0000-01-01T00:00:00Z"));
    CHECK_FALSE(parse("2262-04-12T00:00:00Z"));
  }
  SECTION("rejects") {
    for (const char* bad : {"2026-11-27T10:00:00", "2026-11-27 10:00:00Z", "2026-11-27", "2026-11-27T10:00Z",
                            "2026-13-01T00:00:00Z", "2026-00-01T00:00:00Z", "2026-11-00T00:00:00Z",
                            "2026-11-31T00:00:00Z", "2026-11-27T24:00:00Z", "2026-11-27T10:60:00Z",
                            "2026-11-27T10:00:00.Z", "2026-11-27T10:00:00.1234567891Z", "2026-11-27T10:00:00+1:00",
                            "2026-11-27T10:00:00+01", "2026-11-27T10:00:00+0100", "2026-11-27T10:00:00+24:00",
                            "2026-11-27T10:00:00+01:60", "2026-11-27T10:00:00Zx", "2026-11-27T10:00:00 Z",
                            "+2026-11-27T10:00:00Z", "2026-1-27T10:00:00Z", "20261-11-27T10:00:00Z",
                            " 2026-11-27T10:00:00Z", "2026-11-27T10:00:00Z ", "2026-11-27T1a:00:00Z"}) {
      INFO(bad);
      CHECK_FALSE(parse(bad));
    }
  }
}

TEST_CASE("parse_time_value reads Unix seconds with up to nine fraction digits", "[slice][time]") {
  CHECK(parse("1764237600") == kNow);
  CHECK(parse("1764237600.123456789") == kNow + 123'456'789);
  CHECK(parse("1764237600.1") == kNow + 100'000'000);
  CHECK(parse("0") == 0);
  CHECK(parse("9223372036.854775807") == std::numeric_limits<TimestampNs>::max());
  for (const char* bad : {"1764237600.", ".5", "1764237600.1234567890", "-1", "+1", "1e9", "9223372036.854775808",
                          "99999999999999999999", "1764237600 ", "17642376OO"}) {
    INFO(bad);
    CHECK_FALSE(parse(bad));
  }
}

TEST_CASE("parse_time_value reads relative times against the injected now", "[slice][time]") {
  CHECK(parse("now") == kNow);
  CHECK(parse("NOW") == kNow);
  CHECK(parse("5m ago") == kNow - 300 * kS);
  CHECK(parse("90s ago") == kNow - 90 * kS);
  CHECK(parse("2h ago") == kNow - 7200 * kS);
  CHECK(parse("1d ago") == kNow - 86400 * kS);
  CHECK(parse("1h30m ago") == kNow - 5400 * kS);
  CHECK(parse("250ms ago") == kNow - 250'000'000);
  CHECK(parse("7us ago") == kNow - 7'000);
  CHECK(parse("7ns ago") == kNow - 7);
  CHECK(parse("0s ago") == kNow);
  CHECK(parse("5m   AGO") == kNow - 300 * kS);
  CHECK(parse_time_value("1s ago", 0) == -kS);
  for (const char* bad : {"5m", "ago", " ago", "5 m ago", "5mago", "5x ago", "m ago", "-5m ago", "5.5m ago",
                          "5m ago ", " 5m ago", "5M ago", "9223372037s ago", "99999999999999999999d ago",
                          "yesterday", "", "nowx"}) {
    INFO(bad);
    CHECK_FALSE(parse(bad));
  }
  CHECK_FALSE(parse_time_value("1s ago", std::numeric_limits<TimestampNs>::min()));
}

TEST_CASE("format_time_value prints RFC 3339 UTC that parses back exactly", "[slice][time]") {
  CHECK(format_time_value(k2026) == "2026-11-27T10:00:00Z");
  CHECK(format_time_value(k2026 + 500'000'000) == "2026-11-27T10:00:00.5Z");
  CHECK(format_time_value(k2026 + 1) == "2026-11-27T10:00:00.000000001Z");
  CHECK(format_time_value(0) == "1970-01-01T00:00:00Z");
  CHECK(format_time_value(-1) == "1969-12-31T23:59:59.999999999Z");
  CHECK(format_time_value(std::numeric_limits<TimestampNs>::max()) == "2262-04-11T23:47:16.854775807Z");
  CHECK(format_time_value(std::numeric_limits<TimestampNs>::min()) == "1677-09-21T00:12:43.145224192Z");
  for (const TimestampNs t : {TimestampNs{0}, TimestampNs{-1}, kNow + 123, k2026, std::numeric_limits<TimestampNs>::max(),
                              std::numeric_limits<TimestampNs>::min(), TimestampNs{951'782'400} * kS - 1}) {
    CHECK(parse_time_value(format_time_value(t), 0) == t);
  }
}
