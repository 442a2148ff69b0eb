// Tests src/intel/stix_bundle_loader.cpp with a realistic bundle
// (test/data/intel/acme_bundle.json: an identity, single and ORed patterns,
// an expired, a revoked, an AND and a snort indicator, a malware object and a
// relationship) and the whole-bundle errors.
#include "intel/stix_bundle_loader.hpp"

#include <algorithm>
#include <string>

#include <catch2/catch.hpp>

#include "intel_test_support.hpp"

namespace opensoc::intel {
namespace {

using test::read_data;

const Indicator* find(const std::vector<Indicator>& v, std::string_view value) {
  const auto it = std::find_if(v.begin(), v.end(), [&](const Indicator& i) { return i.value == value; });
  return it == v.end() ? nullptr : &*it;
}

TEST_CASE("parse_stix_bundle loads a realistic bundle, one indicator per comparison", "[intel]") {
  IntelLoadReport report;
  const auto r = parse_stix_bundle(read_data("acme_bundle.json"), "taxii", report);
  REQUIRE(r);
  const std::vector<Indicator>& v = *r;
  CHECK(v.size() == 10);
  test::check_report(report, "taxii", 10, 1, 4);
  CHECK(report.errors[0] ==
        "taxii: indicator--a1c0c0f0-0005-4a4a-8a8a-000000000005: AND is not supported (only OR of single comparisons)");
  CHECK(report.errors[1] == "taxii: indicator--a1c0c0f0-0007-4a4a-8a8a-000000000007: pattern_type 'snort' is not supported");
  CHECK(report.errors[2] == "taxii: indicator--a1c0c0f0-0009-4a4a-8a8a-000000000009: revoked");
  CHECK(report.errors[3] == "taxii: indicator--a1c0c0f0-0010-4a4a-8a8a-000000000010: '999.1.1.1': not an IP address");

  const Indicator* c2 = find(v, "198.51.100.7");
  REQUIRE(c2);
  CHECK(c2->type == IndicatorType::ipv4);
  CHECK(c2->confidence == 80);
  CHECK(c2->severity == 2);
  CHECK(c2->source == "ACME CTI");
  CHECK(c2->id == "indicator--a1c0c0f0-0001-4a4a-8a8a-000000000001");
  CHECK(c2->description == "Cobalt Strike C2: Team server seen in the March campaign (labels: c2, cobalt-strike)");
  CHECK(c2->expires == 4102444799LL * kNsPerSecond);

  const Indicator* d1 = find(v, "login-microsoft.example");
  const Indicator* d2 = find(v, "secure-paypal.example");
  REQUIRE(d1);
  REQUIRE(d2);
  CHECK(d1->type == IndicatorType::domain);
  CHECK(d2->confidence == 65);
  CHECK(d2->description == "Phishing domains");

  const Indicator* gate = find(v, "http://gate.evil.example/panel/gate.php?id=7");
  REQUIRE(gate);
  CHECK(gate->type == IndicatorType::url);
  CHECK(gate->confidence == 50);  // no confidence: the default
  const Indicator* net6 = find(v, "2001:db8:bad::/48");
  REQUIRE(net6);
  CHECK(net6->type == IndicatorType::cidr);

  const Indicator* old = find(v, "203.0.113.9");
  REQUIRE(old);
  CHECK(old->expires == 1577836800LL * kNsPerSecond);

  const Indicator* sha256 = find(v, "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789");
  const Indicator* sha1 = find(v, "0123456789abcdef0123456789abcdef01234567");
  REQUIRE(sha256);
  REQUIRE(sha1);
  CHECK(sha256->type == IndicatorType::cert_sha256);
  CHECK(sha1->type == IndicatorType::cert_sha1);
  CHECK(sha1->confidence == 90);

  const Indicator* net = find(v, "10.66.0.0/16");
  REQUIRE(net);
  CHECK(net->type == IndicatorType::cidr);
  CHECK(net->source == "taxii");  // no created_by_ref: the loader's source

  CHECK(find(v, "192.0.2.55"));
  CHECK_FALSE(find(v, "192.0.2.200"));  // revoked
  CHECK_FALSE(find(v, "192.0.2.1"));    // AND
}

TEST_CASE("parse_stix_bundle refuses bad confidence, valid_until and missing pattern fields", "[intel]") {
  IntelLoadReport report;
  const auto r = parse_stix_bundle(R"({"type":"bundle","objects":[
      {"type":"indicator","id":"indicator--1","pattern_type":"stix","pattern":"[ipv4-addr:value = '192.0.2.1']","confidence":101},
      {"type":"indicator","id":"indicator--2","pattern_type":"stix","pattern":"[ipv4-addr:value = '192.0.2.2']","confidence":"high"},
      {"type":"indicator","id":"indicator--3","pattern_type":"stix","pattern":"[ipv4-addr:value = '192.0.2.3']","valid_until":"never"},
      {"type":"indicator","id":"indicator--4","pattern_type":"stix"},
      {"type":"indicator","id":"indicator--5","pattern":"[ipv4-addr:value = '192.0.2.5']"},
      {"type":"indicator","pattern_type":"stix","pattern":"[ipv4-addr:value = '192.0.2.6']","confidence":0},
      42
    ]})",
                                   "s", report);
  REQUIRE(r);
  REQUIRE(r->size() == 1);
  CHECK((*r)[0].value == "192.0.2.6");
  CHECK((*r)[0].confidence == 0);
  CHECK((*r)[0].id.empty());
  REQUIRE(report.errors.size() == 6);
  CHECK(report.errors[0] == "s: indicator--1: confidence must be an integer 0..100");
  CHECK(report.errors[1] == "s: indicator--2: confidence must be an integer 0..100");
  CHECK(report.errors[2] == "s: indicator--3: valid_until is not an RFC 3339 time");
  CHECK(report.errors[3] == "s: indicator--4: no pattern");
  CHECK(report.errors[4] == "s: indicator--5: no pattern_type");
  CHECK(report.errors[5] == "s: objects[6] is not an object");
}

TEST_CASE("parse_stix_bundle fails on text that is not JSON or not a bundle", "[intel]") {
  IntelLoadReport report;
  auto r = parse_stix_bundle("{\"type\": \"bundle\", ", "s", report);
  REQUIRE_FALSE(r);
  CHECK(r.error().message.rfind("s: not JSON: ", 0) == 0);
  r = parse_stix_bundle(R"([{"type":"indicator","pattern_type":"stix","pattern":"[ipv4-addr:value = '192.0.2.1']"}])", "s", report);
  REQUIRE_FALSE(r);
  CHECK(r.error().message == "s: not a STIX bundle (expected an object with \"type\": \"bundle\")");
  r = parse_stix_bundle(R"({"type":"indicator"})", "s", report);
  REQUIRE_FALSE(r);
  r = parse_stix_bundle(R"({"type":"bundle","objects":{}})", "s", report);
  REQUIRE_FALSE(r);
  CHECK(r.error().message == "s: STIX bundle \"objects\" is not an array");
  r = parse_stix_bundle(R"({"type":"bundle","id":"bundle--1"})", "s", report);
  REQUIRE(r);
  CHECK(r->empty());
}

}  // namespace
}  // namespace opensoc::intel
