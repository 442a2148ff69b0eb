#include "alert/alert_record_codec.hpp"

#include <catch2/catch.hpp>

#include "alert_test_support.hpp"

using namespace opensoc;
using namespace opensoc::alert;

namespace {
Alert full_alert() {
  Alert a = fixture::make_alert(123456789012ULL);
  a.hit.kind = DetectionKind::intel;
  a.hit.endpoints.dst_ip = fixture::ip("2001:db8::42");
  ThreatMatch t;
  t.indicator = Indicator{IndicatorType::domain, "example.com", "abuse.ch", "C2", "indicator--1", 90, 1, 42};
  t.field = "dns.question.name";
  t.matched_value = "evil.example.com";
  a.hit.threats.push_back(t);
  a.hit.dedup_key = "k";
  a.hit.details_json = R"({"n":1})";
  a.hit.asset_criticality = Criticality::high;
  a.hit.from_packet = true;
  a.status = AlertStatus::escalated;
  a.history.push_back(AlertChange{fixture::kT0, "ana", AlertStatus::new_, AlertStatus::escalated, "look"});
  return a;
}

void check_same(const Alert& x, const Alert& y) {
  std::vector<std::uint8_t> bx, by;
  encode_alert_record(x, bx);
  encode_alert_record(y, by);
  CHECK(bx == by);
}
}  // namespace

TEST_CASE("alert records round-trip every field", "[alert][codec]") {
  const Alert a = full_alert();
  std::vector<std::uint8_t> bytes;
  encode_alert_record(a, bytes);
  const auto back = decode_alert_record(bytes);
  REQUIRE(back);
  CHECK(back->id == a.id);
  CHECK(back->score == a.score);
  CHECK(back->hit.endpoints.dst_ip == a.hit.endpoints.dst_ip);
  CHECK(back->hit.evidence.size() == 1);
  CHECK(back->hit.evidence[0].community_id == a.hit.evidence[0].community_id);
  REQUIRE(back->hit.threats.size() == 1);
  CHECK(back->hit.threats[0].indicator.expires == 42);
  CHECK(back->hit.threats[0].matched_value == "evil.example.com");
  CHECK(back->hit.from_packet);
  CHECK(back->hit.asset_criticality == Criticality::high);
  REQUIRE(back->history.size() == 1);
  CHECK(back->history[0].note == "look");
  CHECK(back->history[0].to == AlertStatus::escalated);
  check_same(*back, a);
}

TEST_CASE("decode_alert_record refuses damaged records without reading past them", "[alert][codec]") {
  std::vector<std::uint8_t> bytes;
  encode_alert_record(full_alert(), bytes);
  // Every truncation fails (UBSan/ASan check that nothing reads beyond).
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    CHECK_FALSE(decode_alert_record(std::span<const std::uint8_t>(bytes.data(), n)));
  }
  auto trailing = bytes;
  trailing.push_back(0);
  CHECK_FALSE(decode_alert_record(trailing));
  auto version = bytes;
  version[0] = 99;
  CHECK_FALSE(decode_alert_record(version));
  auto status = bytes;
  status[1 + 8 + 8 + 8 + 8 + 8 + 4] = 9;  // the status byte
  CHECK_FALSE(decode_alert_record(status));
  // A huge list count must not allocate or loop: it is refused.
  std::vector<std::uint8_t> junk(bytes.begin(), bytes.begin() + 60);
  junk.insert(junk.end(), {0xff, 0xff, 0xff, 0xff});
  CHECK_FALSE(decode_alert_record(junk));
}
