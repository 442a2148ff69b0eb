// Tests src/intel/indicator_fields.cpp: timestamps (RFC 3339 and epoch),
// confidence and severity words, and indicator_from_fields' refusals.
#include "intel/indicator_fields.hpp"

#include <catch2/catch.hpp>

namespace opensoc::intel {
namespace {

constexpr TimestampNs kS = kNsPerSecond;

TEST_CASE("parse_intel_timestamp reads RFC 3339 and epoch seconds", "[intel]") {
  CHECK(parse_intel_timestamp("1970-01-01T00:00:00Z") == TimestampNs{0});
  CHECK(parse_intel_timestamp("2026-11-28T10:00:00Z") == 1795860000 * kS);
  CHECK(parse_intel_timestamp("2026-11-28t10:00:00z") == 1795860000 * kS);
  CHECK(parse_intel_timestamp("2026-11-28 10:00:00Z") == 1795860000 * kS);
  CHECK(parse_intel_timestamp("2026-11-28T12:00:00+02:00") == 1795860000 * kS);
  CHECK(parse_intel_timestamp("2026-11-28T05:30:00-04:30") == 1795860000 * kS);
  CHECK(parse_intel_timestamp("2026-11-28T10:00:00.25Z") == 1795860000 * kS + 250'000'000);
  CHECK(parse_intel_timestamp("2026-11-28T10:00:00.123456789Z") == 1795860000 * kS + 123'456'789);
  CHECK(parse_intel_timestamp("2026-11-28") == 1795824000 * kS);
  CHECK(parse_intel_timestamp("2024-02-29T00:00:00Z") == 1709164800 * kS);
  CHECK(parse_intel_timestamp("1795860000") == 1795860000 * kS);
  CHECK(parse_intel_timestamp(" 1795860000 ") == 1795860000 * kS);
  CHECK(parse_intel_timestamp("9223372036") == 9223372036 * kS);  // the last second TimestampNs holds
}

TEST_CASE("parse_intel_timestamp refuses what is not a time", "[intel]") {
  for (const char* bad : {"", "soon", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "2025-02-29", "2026-11-28T24:00:00Z",
                          "2026-11-28T10:00:00", "2026-11-28T10:00Z", "2026-11-28T10:00:00.Z", "2026-11-28T10:00:00+2:00",
                          "2026-11-28T10:00:00Zjunk", "1969-12-31T23:59:59Z", "123456789012", "9223372037", "99999999999", "-5", "2026/11/28"}) {
    INFO(bad);
    CHECK_FALSE(parse_intel_timestamp(bad).has_value());
  }
}

TEST_CASE("parse_confidence and parse_severity take numbers in range and words", "[intel]") {
  CHECK(parse_confidence("0") == std::uint8_t{0});
  CHECK(parse_confidence("100") == std::uint8_t{100});
  CHECK(parse_confidence("High") == std::uint8_t{85});
  CHECK(parse_confidence("medium") == std::uint8_t{50});
  CHECK(parse_confidence("LOW") == std::uint8_t{15});
  CHECK_FALSE(parse_confidence("101").has_value());
  CHECK_FALSE(parse_confidence("-1").has_value());
  CHECK_FALSE(parse_confidence("1000").has_value());
  CHECK_FALSE(parse_confidence("very").has_value());
  CHECK(parse_severity("1") == std::uint8_t{1});
  CHECK(parse_severity("4") == std::uint8_t{4});
  CHECK(parse_severity("critical") == std::uint8_t{1});
  CHECK(parse_severity("high") == std::uint8_t{1});
  CHECK(parse_severity("Medium") == std::uint8_t{2});
  CHECK(parse_severity("low") == std::uint8_t{3});
  CHECK(parse_severity("info") == std::uint8_t{4});
  CHECK(parse_severity("informational") == std::uint8_t{4});
  CHECK_FALSE(parse_severity("0").has_value());
  CHECK_FALSE(parse_severity("5").has_value());
  CHECK_FALSE(parse_severity("urgent").has_value());
}

TEST_CASE("indicator_from_fields fills every field and defaults the rest", "[intel]") {
  IndicatorFields f;
  f.type = "hostname";
  f.value = "Evil.Example.";
  f.confidence = "70";
  f.severity = "low";
  f.expires = "2099-01-01T00:00:00Z";
  f.description = " phish ";
  f.id = "x-1";
  auto r = indicator_from_fields(f, "feed");
  REQUIRE(r);
  CHECK(r->type == IndicatorType::domain);
  CHECK(r->value == "evil.example");
  CHECK(r->confidence == 70);
  CHECK(r->severity == 3);
  CHECK(r->expires == 4070908800 * kS);
  CHECK(r->description == "phish");
  CHECK(r->source == "feed");
  CHECK(r->id == "x-1");

  IndicatorFields g;
  g.type = "ip";
  g.value = "192.0.2.1";
  g.source = "other";
  r = indicator_from_fields(g, "feed");
  REQUIRE(r);
  CHECK(r->confidence == 50);
  CHECK(r->severity == 2);
  CHECK(r->expires == 0);
  CHECK(r->source == "other");
}

TEST_CASE("indicator_from_fields names the reason for each refusal", "[intel]") {
  auto reason = [](IndicatorFields f) {
    const auto r = indicator_from_fields(f, "feed");
    return r ? std::string("accepted") : r.error().message;
  };
  IndicatorFields ok;
  ok.type = "ip";
  ok.value = "192.0.2.1";
  IndicatorFields f = ok;
  f.type = "";
  CHECK(reason(f) == "missing type");
  f = ok;
  f.type = "md5";
  CHECK(reason(f) == "unknown indicator type 'md5'");
  f = ok;
  f.value = "";
  CHECK(reason(f) == "empty value");
  f = ok;
  f.confidence = "200";
  CHECK(reason(f) == "confidence must be 0..100 or high/medium/low");
  f = ok;
  f.severity = "9";
  CHECK(reason(f) == "severity must be 1..4 or critical/high/medium/low/info");
  f = ok;
  f.expires = "tomorrow";
  CHECK(reason(f) == "expires must be RFC 3339 or epoch seconds");
  CHECK(reason(ok) == "accepted");
}

}  // namespace
}  // namespace opensoc::intel
