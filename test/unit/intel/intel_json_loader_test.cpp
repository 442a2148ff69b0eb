// Tests src/intel/intel_json_loader.cpp: the POST /api/v1/intel body (object
// and bare array), routing of STIX bundles, and every error path.
#include "intel/intel_json_loader.hpp"

#include <string>

#include <catch2/catch.hpp>

#include "intel_test_support.hpp"

namespace opensoc::intel {
namespace {

using test::read_data;

TEST_CASE("parse_intel_json loads the API body and names each bad object by position", "[intel]") {
  IntelLoadReport report;
  const auto r = parse_intel_json(read_data("api_intel.json"), "api", report);
  REQUIRE(r);
  const std::vector<Indicator>& v = *r;
  REQUIRE(v.size() == 4);
  test::check_report(report, "analyst", 4, 0, 4);
  CHECK(report.errors[0] == "api:5: not an IP address");
  CHECK(report.errors[1] == "api:6: unknown indicator type 'carrier-pigeon'");
  CHECK(report.errors[2] == "api:7: \"value\" has the wrong JSON type");
  CHECK(report.errors[3] == "api:8: not an object");

  CHECK(v[0].type == IndicatorType::ipv4);
  CHECK(v[0].value == "192.0.2.10");
  CHECK(v[0].confidence == 75);
  CHECK(v[0].severity == 1);
  CHECK(v[0].description == "seen in incident 42");
  CHECK(v[0].id == "case-42-1");
  CHECK(v[0].source == "analyst");
  CHECK(v[1].type == IndicatorType::domain);
  CHECK(v[1].value == "evil.example");
  CHECK(v[1].confidence == 85);
  CHECK(v[1].expires == (4083955200LL - 2 * 3600) * kNsPerSecond);
  CHECK(v[2].type == IndicatorType::url);
  CHECK(v[2].value == "https://evil.example/a/B?x=1");
  CHECK(v[2].expires == 4102444800LL * kNsPerSecond);
  CHECK(v[3].type == IndicatorType::ja3);
  CHECK(v[3].value == "e7d705a3286e19ea42f587b344ee6865");
  CHECK(v[3].source == "sslbl");
}

TEST_CASE("parse_intel_json takes a bare array with numbers as doubles and nulls as absent", "[intel]") {
  IntelLoadReport report;
  const auto r = parse_intel_json(
      R"([{"type":"ip","value":"192.0.2.1","confidence":60.0,"severity":null,"expires":null},
          {"type":"ip","value":"192.0.2.2","confidence":60.5},
          {"type":"ip","value":"192.0.2.3","description":7}])",
      "api", report);
  REQUIRE(r);
  REQUIRE(r->size() == 1);
  CHECK((*r)[0].confidence == 60);
  CHECK((*r)[0].severity == 2);
  CHECK((*r)[0].source == "api");
  REQUIRE(report.errors.size() == 2);
  CHECK(report.errors[0] == "api:2: \"confidence\" has the wrong JSON type");
  CHECK(report.errors[1] == "api:3: \"description\" has the wrong JSON type");
}

TEST_CASE("parse_intel_json routes a STIX bundle to the STIX loader", "[intel]") {
  IntelLoadReport report;
  const auto r = parse_intel_json(read_data("acme_bundle.json"), "api", report);
  REQUIRE(r);
  CHECK(r->size() == 10);
  CHECK(report.rejected == 4);
}

TEST_CASE("parse_intel_json fails on text that is not JSON or of another shape", "[intel]") {
  IntelLoadReport report;
  auto r = parse_intel_json("type,value\nip,192.0.2.1\n", "api", report);
  REQUIRE_FALSE(r);
  CHECK(r.error().message.rfind("api: not JSON: ", 0) == 0);
  r = parse_intel_json("", "api", report);
  REQUIRE_FALSE(r);
  const std::string shape = "api: expected {\"indicators\": [...]}, an array of indicators or a STIX bundle";
  r = parse_intel_json(R"({"source":"x"})", "api", report);
  REQUIRE_FALSE(r);
  CHECK(r.error().message == shape);
  r = parse_intel_json(R"({"indicators":{}})", "api", report);
  REQUIRE_FALSE(r);
  CHECK(r.error().message == shape);
  r = parse_intel_json("42", "api", report);
  REQUIRE_FALSE(r);
  CHECK(r.error().message == shape);
  r = parse_intel_json(R"({"indicators":[]})", "api", report);
  REQUIRE(r);
  CHECK(r->empty());
}

}  // namespace
}  // namespace opensoc::intel
