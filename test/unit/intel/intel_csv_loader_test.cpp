// Tests src/intel/intel_csv_loader.cpp: the sample feed in test/data/intel,
// header forms, quoting, comments, and every per-row and whole-feed error.
#include "intel/intel_csv_loader.hpp"

#include <string>

#include <catch2/catch.hpp>

#include "intel_test_support.hpp"

namespace opensoc::intel {
namespace {

using test::read_data;

TEST_CASE("parse_intel_csv loads the sample blocklist, rejecting its two bad rows", "[intel]") {
  IntelLoadReport report;
  const auto r = parse_intel_csv(read_data("blocklist.csv"), "blocklist", report);
  REQUIRE(r);
  const std::vector<Indicator>& v = *r;
  REQUIRE(v.size() == 7);
  test::check_report(report, "blocklist", 7, 1, 2);
  CHECK(report.errors[0] == "blocklist:12: not an IP address");
  CHECK(report.errors[1] == "blocklist:13: confidence must be 0..100 or high/medium/low");

  CHECK(v[0].type == IndicatorType::ipv4);
  CHECK(v[0].value == "198.51.100.23");
  CHECK(v[0].confidence == 90);
  CHECK(v[0].severity == 1);
  CHECK(v[0].expires == 4070908800LL * kNsPerSecond);
  CHECK(v[0].description == "Emotet C2, epoch 5");
  CHECK(v[0].id == "blk-1");
  CHECK(v[0].source == "blocklist");
  CHECK(v[1].type == IndicatorType::cidr);
  CHECK(v[1].value == "10.0.0.0/8");
  CHECK(v[1].confidence == 85);
  CHECK(v[1].expires == 0);
  CHECK(v[2].type == IndicatorType::domain);
  CHECK(v[2].value == "bad.example");
  CHECK(v[2].description == "Phish \"kit\" host");
  CHECK(v[2].expires == 4102444800LL * kNsPerSecond);
  CHECK(v[3].value == "tracker.example");
  CHECK(v[4].type == IndicatorType::ja3);
  CHECK(v[5].type == IndicatorType::ja4);
  CHECK(v[5].value == "t13d1516h2_8daaf6152771_02713d6af862");
  CHECK(v[6].value == "203.0.113.77");
}

TEST_CASE("parse_intel_csv takes quoted fields spanning lines and counts lines from the record start", "[intel]") {
  IntelLoadReport report;
  const auto r = parse_intel_csv(
      "type,value,description\n"
      "ip,192.0.2.1,\"two\nlines\"\n"
      "ip,bogus,x\n"
      " \"domain\" , \"a.example\" ,  spaced  \n"
      "ip,\"192.0.2.2\n",
      "t", report);
  REQUIRE(r);
  REQUIRE(r->size() == 2);
  CHECK((*r)[0].description == "two\nlines");
  CHECK((*r)[1].value == "a.example");
  CHECK((*r)[1].description == "spaced");
  REQUIRE(report.errors.size() == 2);
  CHECK(report.errors[0] == "t:4: not an IP address");
  CHECK(report.errors[1] == "t:6: unterminated quoted field");
}

TEST_CASE("parse_intel_csv skips comments, blank lines and a byte order mark; takes CRLF", "[intel]") {
  IntelLoadReport report;
  const auto r = parse_intel_csv("\xEF\xBB\xBF# feed\r\n\r\n  # indented comment\r\nTYPE,VALUE\r\nip,192.0.2.1\r\n# mid\r\nip,192.0.2.2\r\n",
                                 "t", report);
  REQUIRE(r);
  REQUIRE(r->size() == 2);
  CHECK((*r)[0].value == "192.0.2.1");
  CHECK((*r)[1].value == "192.0.2.2");
  CHECK(report.rejected == 0);
}

TEST_CASE("parse_intel_csv rejects short rows and a per-row source overrides the feed's", "[intel]") {
  IntelLoadReport report;
  const auto r = parse_intel_csv("id,source,type,value\nx1,abuse.ch,ip,192.0.2.1\nx2\nx3,,ip,192.0.2.3\n", "feed", report);
  REQUIRE(r);
  REQUIRE(r->size() == 2);
  CHECK((*r)[0].source == "abuse.ch");
  CHECK((*r)[0].id == "x1");
  CHECK((*r)[1].source == "feed");
  REQUIRE(report.errors.size() == 1);
  CHECK(report.errors[0] == "feed:3: fewer fields than the header");
}

TEST_CASE("parse_intel_csv keeps only the first 100 messages but counts every rejection", "[intel]") {
  std::string text = "type,value\n";
  for (int i = 0; i < 250; ++i) text += "ip,bad\n";
  IntelLoadReport report;
  const auto r = parse_intel_csv(text, "t", report);
  REQUIRE(r);
  CHECK(r->empty());
  CHECK(report.rejected == 250);
  CHECK(report.errors.size() == IntelLoadReport::kMaxErrors);
  CHECK(report.errors.back() == "t:101: not an IP address");
}

TEST_CASE("parse_intel_csv fails without a usable header", "[intel]") {
  IntelLoadReport report;
  auto r = parse_intel_csv("", "t", report);
  REQUIRE_FALSE(r);
  CHECK(r.error().message == "t: no header row (empty feed)");
  r = parse_intel_csv("# only comments\n\n", "t", report);
  REQUIRE_FALSE(r);
  CHECK(r.error().message == "t: no header row (empty feed)");
  r = parse_intel_csv("# list\n192.0.2.1\n192.0.2.2\n", "t", report);
  REQUIRE_FALSE(r);
  CHECK(r.error().message == "t:2: header must name the columns 'type' and 'value'");
  r = parse_intel_csv("type,indicator\nip,192.0.2.1\n", "t", report);
  REQUIRE_FALSE(r);
}

}  // namespace
}  // namespace opensoc::intel
