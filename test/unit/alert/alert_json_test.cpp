#include "alert/alert_json.hpp"

#include <fstream>

#include <catch2/catch.hpp>

#include "alert_test_support.hpp"
#include "support/external_tools.hpp"
#include "support/temp_dir.hpp"

using namespace opensoc;
using namespace opensoc::alert;

namespace {
Alert triaged_alert() {
  Alert a = fixture::make_alert();
  a.history.push_back(
      AlertChange{fixture::kT0 + 5 * kNsPerSecond, "ana", AlertStatus::new_, AlertStatus::acknowledged, "on it"});
  a.status = AlertStatus::acknowledged;
  return a;
}

Alert intel_alert() {
  Alert a = fixture::make_alert(8);
  a.hit.kind = DetectionKind::intel;
  a.hit.rule_id = "intel";
  a.hit.signature_id = 9000001;
  a.hit.rev = 0;
  a.hit.category = "";
  a.hit.evidence.clear();
  ThreatMatch ip;
  ip.indicator = Indicator{IndicatorType::ipv4, "203.0.113.9", "abuse.ch", "Feodo C2", "", 90, 1, 0};
  ip.field = "destination.ip";
  ip.matched_value = "203.0.113.9";
  ThreatMatch dom;
  dom.indicator = Indicator{IndicatorType::domain, "example.com", "local.csv", "", "ind-7", 60, 2, 0};
  dom.field = "dns.question.name";
  dom.matched_value = "evil.example.com";
  a.hit.threats = {ip, dom};
  a.hit.details_json = R"({"matched":2})";
  a.hit.asset_criticality = Criticality::critical;
  return a;
}
}  // namespace

TEST_CASE("append_alert_json renders the ECS alert record", "[alert][json]") {
  std::string out;
  append_alert_json(out, triaged_alert());
  CHECK(out == R"({"id":7,"@timestamp":"2025-11-27T10:00:00.000000000Z","event":{"kind":"alert","category":["intrusion_detection"],"severity":2,"risk_score":59.1,"created":"2025-11-27T10:00:02.000000000Z","start":"2025-11-27T10:00:00.000000000Z","end":"2025-11-27T10:00:00.500000000Z","count":3},"rule":{"id":"sid:2100498","name":"GPL ATTACK_RESPONSE id check returned root","category":"Potentially Bad Traffic","version":"7"},"alert":{"kind":"signature","signature_id":2100498,"rev":7,"signature":"GPL ATTACK_RESPONSE id check returned root","category":"Potentially Bad Traffic","severity":2,"confidence":80,"score":59.1,"status":"acknowledged","count":3,"first_seen":"2025-11-27T10:00:00.000000000Z","last_seen":"2025-11-27T10:00:00.500000000Z","history":[{"at":"2025-11-27T10:00:05.000000000Z","user":"ana","from":"new","to":"acknowledged","note":"on it"}]},"source":{"ip":"10.0.0.5","port":51000},"destination":{"ip":"203.0.113.9","port":80},"network":{"transport":"tcp","protocol":"http","community_id":"1:wCb3OG7yAFWelaUydu0D+125CLM="},"session":{"id":"42"},"evidence":[{"session_id":"42","community_id":"1:wCb3OG7yAFWelaUydu0D+125CLM=","source":{"ip":"10.0.0.5","port":51000},"destination":{"ip":"203.0.113.9","port":80},"transport":"tcp","protocol":"http","start":"2025-11-27T09:59:59.000000000Z","end":"2025-11-27T10:00:00.000000000Z","bytes_out":100,"bytes_in":2000,"pcap":"/api/v1/pcap?community_id=1%3AwCb3OG7yAFWelaUydu0D%2B125CLM%3D&start=1764237599.000000000&end=1764237600.000000001"}],"pcap":"/api/v1/pcap?community_id=1%3AwCb3OG7yAFWelaUydu0D%2B125CLM%3D&start=1764237599.000000000&end=1764237600.000000001"})");
}

TEST_CASE("append_alert_json renders threat indicators, details and no evidence", "[alert][json]") {
  std::string out;
  append_alert_json(out, intel_alert());
  CHECK(out == R"({"id":8,"@timestamp":"2025-11-27T10:00:00.000000000Z","event":{"kind":"alert","category":["threat"],"severity":2,"risk_score":59.1,"created":"2025-11-27T10:00:02.000000000Z","start":"2025-11-27T10:00:00.000000000Z","end":"2025-11-27T10:00:00.500000000Z","count":3},)"
              R"("rule":{"id":"intel","name":"GPL ATTACK_RESPONSE id check returned root"},)"
              R"("alert":{"kind":"intel","signature_id":9000001,"rev":0,"signature":"GPL ATTACK_RESPONSE id check returned root","severity":2,"confidence":80,"score":59.1,"status":"new","count":3,"first_seen":"2025-11-27T10:00:00.000000000Z","last_seen":"2025-11-27T10:00:00.500000000Z","asset_criticality":"critical","history":[]},)"
              R"("source":{"ip":"10.0.0.5","port":51000},"destination":{"ip":"203.0.113.9","port":80},"network":{"transport":"tcp"},)"
              R"("threat":{"indicator":{"type":"ipv4-addr","name":"203.0.113.9","ip":"203.0.113.9","description":"Feodo C2","confidence":90,"provider":"abuse.ch"},)"
              R"("enrichments":[{"indicator":{"type":"ipv4-addr","name":"203.0.113.9","ip":"203.0.113.9","description":"Feodo C2","confidence":90,"provider":"abuse.ch"},"matched":{"atomic":"203.0.113.9","field":"destination.ip","type":"indicator_match_rule"}},)"
              R"({"indicator":{"type":"domain-name","name":"example.com","url":{"domain":"example.com"},"confidence":60,"provider":"local.csv","reference":"ind-7"},"matched":{"atomic":"evil.example.com","field":"dns.question.name","type":"indicator_match_rule"}}]},)"
              R"("details":{"matched":2}})");
}

TEST_CASE("append_alert_json keeps details that are not a JSON object as text", "[alert][json]") {
  Alert a = fixture::make_alert();
  a.hit.details_json = "{broken";
  std::string out;
  append_alert_json(out, a);
  CHECK(out.ends_with(R"(,"details":{"text":"{broken"}})"));
}

TEST_CASE("append_eve_alert renders Suricata's alert record", "[alert][eve]") {
  std::string out;
  append_eve_alert(out, triaged_alert());
  CHECK(out == R"({"timestamp":"2025-11-27T10:00:00.000000+0000","flow_id":42,"event_type":"alert","src_ip":"10.0.0.5","src_port":51000,"dest_ip":"203.0.113.9","dest_port":80,"proto":"TCP","community_id":"1:wCb3OG7yAFWelaUydu0D+125CLM=","app_proto":"http","alert":{"action":"allowed","gid":1,"signature_id":2100498,"rev":7,"signature":"GPL ATTACK_RESPONSE id check returned root","category":"Potentially Bad Traffic","severity":2}})");
}

TEST_CASE("append_eve_alert writes ICMP type/code, full IPv6 and leaves out what is unknown", "[alert][eve]") {
  Alert a = fixture::make_alert();
  a.hit.endpoints = Endpoints{fixture::ip("2001:db8::1"), IpAddress{}, 8, 0, 58, 0};
  a.hit.evidence.clear();
  a.hit.signature = "ping sweep";
  a.hit.category = "attempted-recon";
  std::string out;
  append_eve_alert(out, a);
  CHECK(out == R"({"timestamp":"2025-11-27T10:00:00.000000+0000","event_type":"alert","src_ip":"2001:0db8:0000:0000:0000:0000:0000:0001","proto":"IPv6-ICMP","icmp_type":8,"icmp_code":0,)"
              R"("alert":{"action":"allowed","gid":1,"signature_id":2100498,"rev":7,"signature":"ping sweep","category":"attempted-recon","severity":2}})");
}

TEST_CASE("EVE alerts validate against Suricata's EVE schema", "[alert][eve][schema]") {
  const std::string schema = opensoc::test::corpus_dir() + "/eve-schema/schema.json";
  if (!std::ifstream(schema)) {
    WARN("no EVE schema at " << schema << "; skipped");
    return;
  }
  opensoc::test::TempDir tmp;
  const std::string lines = tmp.file("alerts.json");
  {
    std::ofstream f(lines);
    std::vector<Alert> alerts{triaged_alert(), intel_alert(), fixture::make_alert()};
    alerts[2].hit.endpoints = Endpoints{fixture::ip("2001:db8::1"), fixture::ip("2001:db8::2"), 0, 0, 58, 0};
    for (const Alert& a : alerts) {
      std::string out;
      append_eve_alert(out, a);
      f << out << "\n";
    }
  }
  const std::string script =
      "import json,sys,jsonschema\n"
      "s=json.load(open(sys.argv[1]))\n"
      "n=0\n"
      "for line in open(sys.argv[2]):\n"
      "  jsonschema.validate(json.loads(line), s); n+=1\n"
      "print(n)\n";
  const std::string py = tmp.file("check.py");
  std::ofstream(py) << script;
  const auto out = opensoc::test::run_command("python3 " + opensoc::test::shell_quote(py) + " " +
                                              opensoc::test::shell_quote(schema) + " " +
                                              opensoc::test::shell_quote(lines) + " 2>&1");
  REQUIRE(out);
  CHECK(*out == "3\n");
}
