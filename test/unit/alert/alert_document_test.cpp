#include "alert/alert_document.hpp"

#include <algorithm>

#include <catch2/catch.hpp>

#include "alert/alert_json.hpp"
#include "alert_test_support.hpp"

using namespace opensoc;
using namespace opensoc::alert;

namespace {
std::vector<std::string> values(const search::SearchDocument& d, std::string_view field) {
  std::vector<std::string> out;
  for (const auto& [spec, v] : d.values) {
    if (spec->name == field) out.push_back(v);
  }
  return out;
}

std::vector<double> numbers(const search::SearchDocument& d, std::string_view field) {
  std::vector<double> out;
  for (const auto& [spec, v] : d.numbers) {
    if (spec->name == field) out.push_back(v);
  }
  return out;
}
}  // namespace

TEST_CASE("alert_document indexes the alert's fields under their ECS names", "[alert][search]") {
  Alert a = fixture::make_alert(12);
  ThreatMatch t;
  t.indicator = Indicator{IndicatorType::ipv4, "203.0.113.9", "abuse.ch", "", "", 90, 1, 0};
  t.field = "destination.ip";
  a.hit.threats.push_back(t);
  const search::SearchDocument d = alert_document(a);
  CHECK(d.kind == search::DocumentKind::alert);
  CHECK(d.ts == a.first_seen);
  CHECK(d.unique_id == "alert:12");
  CHECK(values(d, "event.kind") == std::vector<std::string>{"alert"});
  CHECK(values(d, "rule.id") == std::vector<std::string>{"sid:2100498"});
  CHECK(values(d, "rule.name") == std::vector<std::string>{"GPL ATTACK_RESPONSE id check returned root"});
  CHECK(values(d, "rule.category") == std::vector<std::string>{"Potentially Bad Traffic"});
  CHECK(numbers(d, "event.severity") == std::vector<double>{2});
  CHECK(numbers(d, "alert.score") == std::vector<double>{59.1});
  CHECK(numbers(d, "alert.signature_id") == std::vector<double>{2100498});
  CHECK(numbers(d, "alert.id") == std::vector<double>{12});
  CHECK(values(d, "source.ip") == std::vector<std::string>{"10.0.0.5"});
  CHECK(values(d, "destination.ip") == std::vector<std::string>{"203.0.113.9"});
  CHECK(numbers(d, "source.port") == std::vector<double>{51000});
  CHECK(numbers(d, "destination.port") == std::vector<double>{80});
  CHECK(values(d, "network.transport") == std::vector<std::string>{"tcp"});
  CHECK(values(d, "network.protocol") == std::vector<std::string>{"http"});
  CHECK(values(d, "network.community_id") == std::vector<std::string>{"1:wCb3OG7yAFWelaUydu0D+125CLM="});
  CHECK(values(d, "session.id") == std::vector<std::string>{"42"});
  CHECK(values(d, "threat.indicator.type") == std::vector<std::string>{"ipv4-addr"});
  CHECK(values(d, "threat.indicator.provider") == std::vector<std::string>{"abuse.ch"});
  CHECK(numbers(d, "threat.indicator.confidence") == std::vector<double>{90});
  std::string json;
  append_alert_json(json, a);
  CHECK(d.json == json);
}
