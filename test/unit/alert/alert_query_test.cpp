#include "alert/alert_query.hpp"

#include <catch2/catch.hpp>

#include "alert_test_support.hpp"

using namespace opensoc;
using namespace opensoc::alert;

namespace {
using Params = std::multimap<std::string, std::string>;

AlertQuery parse_ok(const Params& p) {
  auto r = parse_alert_query(p, fixture::kT0);
  REQUIRE(std::holds_alternative<AlertQuery>(r));
  return std::get<AlertQuery>(r);
}

AlertQueryError parse_error(const Params& p) {
  auto r = parse_alert_query(p, fixture::kT0);
  REQUIRE(std::holds_alternative<AlertQueryError>(r));
  return std::get<AlertQueryError>(r);
}
}  // namespace

TEST_CASE("parse_alert_query defaults to the 50 latest alerts", "[alert][query]") {
  const AlertQuery q = parse_ok({});
  CHECK(q.statuses.empty());
  CHECK(q.sort == AlertSortField::last_seen);
  CHECK(q.descending);
  CHECK(q.limit == 50);
  CHECK(q.offset == 0);
}

TEST_CASE("parse_alert_query reads every filter", "[alert][query]") {
  const AlertQuery q = parse_ok({{"status", "new,escalated"}, {"status", "closed"}, {"min_severity", "1"},
                                 {"max_severity", "2"}, {"min_score", "40.5"}, {"kind", "intel"},
                                 {"rule_id", "sid:1"}, {"signature_id", "2100498"}, {"ip", "2001:db8::1"},
                                 {"start", "2025-11-27T09:00:00Z"}, {"end", "30m ago"}, {"text", "Root"}, {"q", "rule.name:x"},
                                 {"sort", "score"}, {"order", "asc"}, {"limit", "1000"}, {"offset", "20"}});
  CHECK(q.statuses == std::vector<AlertStatus>{AlertStatus::new_, AlertStatus::escalated, AlertStatus::closed});
  CHECK(q.min_severity == 1);
  CHECK(q.max_severity == 2);
  CHECK(q.min_score == 40.5);
  CHECK(q.kind == DetectionKind::intel);
  CHECK(q.rule_id == "sid:1");
  CHECK(q.signature_id == 2100498u);
  CHECK(q.ip == fixture::ip("2001:db8::1"));
  CHECK(q.start == fixture::kT0 - 3600 * kNsPerSecond);
  CHECK(q.end == fixture::kT0 - 1800 * kNsPerSecond);
  CHECK(q.text == "Root");
  CHECK(q.sort == AlertSortField::score);
  CHECK_FALSE(q.descending);
  CHECK(q.limit == 1000);
  CHECK(q.offset == 20);
}

TEST_CASE("parse_alert_query names the parameter it rejects", "[alert][query]") {
  CHECK(parse_error({{"status", "open"}}).second == "status");
  CHECK(parse_error({{"min_severity", "0"}}).second == "min_severity");
  CHECK(parse_error({{"max_severity", "5"}}).second == "max_severity");
  CHECK(parse_error({{"min_score", "101"}}).second == "min_score");
  CHECK(parse_error({{"min_score", "nan"}}).second == "min_score");
  CHECK(parse_error({{"kind", "magic"}}).second == "kind");
  CHECK(parse_error({{"signature_id", "-1"}}).second == "signature_id");
  CHECK(parse_error({{"ip", "10.0.0.256"}}).second == "ip");
  CHECK(parse_error({{"start", "yesterday"}}).second == "start");
  CHECK(parse_error({{"sort", "name"}}).second == "sort");
  CHECK(parse_error({{"order", "up"}}).second == "order");
  CHECK(parse_error({{"limit", "0"}}).second == "limit");
  CHECK(parse_error({{"limit", "1001"}}).second == "limit");
  CHECK(parse_error({{"offset", "x"}}).second == "offset");
  CHECK(parse_error({{"limt", "5"}}) == AlertQueryError{"unknown parameter", "limt"});
  CHECK(parse_error({{"limit", "5"}, {"limit", "6"}}).second == "limit");
  CHECK(parse_error({{"min_severity", "3"}, {"max_severity", "2"}}).second == "min_severity");
  CHECK(parse_error({{"start", "100"}, {"end", "100"}}).second == "start");
}

TEST_CASE("matches applies each filter to a summary", "[alert][query]") {
  Alert a = fixture::make_alert();
  a.status = AlertStatus::acknowledged;
  const AlertSummary s = summarize(a);
  AlertQuery q;
  CHECK(matches(q, s));
  q.statuses = {AlertStatus::new_};
  CHECK_FALSE(matches(q, s));
  q.statuses = {AlertStatus::new_, AlertStatus::acknowledged};
  CHECK(matches(q, s));
  q.ip = fixture::ip("203.0.113.9");
  CHECK(matches(q, s));
  q.ip = fixture::ip("203.0.113.10");
  CHECK_FALSE(matches(q, s));
  q.ip.reset();
  q.text = "check RETURNED";
  CHECK(matches(q, s));
  q.text = "absent";
  CHECK_FALSE(matches(q, s));
  q.text.clear();
  q.start = a.last_seen;
  CHECK(matches(q, s));
  q.end = a.last_seen;  // end is exclusive
  CHECK_FALSE(matches(q, s));
  q.end.reset();
  q.min_score = 59.2;
  CHECK_FALSE(matches(q, s));
  q.min_score = 59.1;
  CHECK(matches(q, s));
  q.max_severity = 1;
  CHECK_FALSE(matches(q, s));
}
