// Tests for DetectionStage::inspect_log and log_tables (src/detect/
// detection_stage.cpp): a log event is enriched and matched against the
// intel the stage loaded (a CSV feed in a temp data dir), its matches are
// named by field, and at the end of the indexer's next pass they become
// alerts in the stage's AlertStore that link to the address's sessions,
// logs and packets. The test thread plays both the log pipeline and the
// indexer thread.
#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "detect/detection_stage.hpp"
#include "flow/community_id.hpp"
#include "support/temp_dir.hpp"

namespace opensoc::detect {
namespace {

constexpr TimestampNs kReceived = 1795860000LL * kNsPerSecond;  // 2026-11-28T10:00:00Z

IpAddress ip(std::string_view text) {
  auto a = IpAddress::parse(text);
  REQUIRE(a);
  return *a;
}

class StageFixture {
 public:
  StageFixture() : log_(telemetry::LogLevel::error) {
    {
      std::ofstream f(dir_.file("blocklist.csv"));
      f << "value,type,confidence,severity,description,id\n"
           "198.51.100.23,ip,90,1,Emotet C2,blk-1\n"
           "bad.example,domain,70,2,Phish kit host,blk-3\n";
    }
    {
      std::ofstream f(dir_.file("log.rules"));
      f << "alert dns any any -> any any (msg:\"DNS query for a lab domain\"; dns.query; content:\"lab.test\"; "
           "endswith; sid:5000001; rev:1;)\n"
           "alert http any any -> any any (msg:\"download requested\"; http.uri; content:\"/download/\"; "
           "startswith; sid:5000002; rev:1;)\n";
    }
    DetectionStageOptions o;
    o.data_dir = dir_.path();
    o.config.intel_files = {"blocklist.csv"};  // relative: under data_dir
    o.config.rule_files = {"log.rules"};
    o.config.alerts_map_bytes = 16u << 20;
    auto s = DetectionStage::open(std::move(o), log_);
    if (!s) FAIL(s.error().message);
    stage_ = std::move(*s);
  }
  DetectionStage& stage() { return *stage_; }

  std::vector<Alert> alerts() {
    alert::AlertQuery q;
    q.limit = 100;
    return stage_->alerts().query(q).alerts;
  }

 private:
  test::TempDir dir_;
  telemetry::Logger log_;
  std::unique_ptr<DetectionStage> stage_;
};

LogEvent firewall_log(std::string_view dst) {
  LogEvent ev;
  ev.id = 42;
  ev.received = kReceived;
  ev.listener = "fw-syslog";
  ev.transport = "udp";
  ev.dataset = "cef";
  ev.parser = "cef";
  ev.parsed = true;
  ev.message = "Connection blocked";
  ev.endpoints.source_ip = ip("10.0.0.5");
  ev.endpoints.destination_ip = ip(dst);
  ev.endpoints.source_port = 40000;
  ev.endpoints.destination_port = 443;
  ev.endpoints.ip_proto = 6;
  ev.add("source.ip", "10.0.0.5", LogValueType::ip);
  ev.add("destination.ip", std::string(dst), LogValueType::ip);
  return ev;
}

TEST_CASE("inspect_log matches a destination address on an intel list and raises an alert linking its sessions",
          "[detect][logs]") {
  StageFixture fx;
  const DetectionTables tables = fx.stage().log_tables();
  REQUIRE(tables.intel);
  CHECK(tables.intel->size() == 2);

  LogEvent ev = firewall_log("198.51.100.23");
  fx.stage().inspect_log(ev, tables);
  // One match, on the typed endpoint; the same address as a field is not a second one.
  REQUIRE(ev.enrichment.threats.size() == 1);
  const ThreatMatch& m = ev.enrichment.threats[0];
  CHECK(m.field == "destination.ip");
  CHECK(m.matched_value == "198.51.100.23");
  CHECK(m.indicator.type == IndicatorType::ipv4);
  CHECK(m.indicator.value == "198.51.100.23");
  CHECK(m.indicator.source == "blocklist");
  CHECK(m.indicator.id == "blk-1");
  CHECK(m.indicator.confidence == 90);
  // Enrichment ran too: the default internal networks are the private ranges.
  CHECK(ev.enrichment.source.internal);
  CHECK_FALSE(ev.enrichment.destination.internal);

  // Raised by the indexer thread at the end of its pass, not before.
  CHECK(fx.alerts().empty());
  fx.stage().on_pass_end(wall_clock_ns(), kReceived);
  const std::vector<Alert> alerts = fx.alerts();
  REQUIRE(alerts.size() == 1);
  const Alert& a = alerts[0];
  CHECK(a.hit.kind == DetectionKind::intel);
  CHECK(a.hit.rule_id == "intel");
  CHECK(a.hit.severity == 1);
  CHECK(a.hit.confidence == 90);
  CHECK(a.hit.ts == kReceived);
  CHECK(a.hit.signature == "Threat intel match (cef): ipv4-addr 198.51.100.23 in destination.ip (blocklist)");
  CHECK(a.hit.endpoints.src_ip == ip("10.0.0.5"));
  CHECK(a.hit.endpoints.dst_ip == ip("198.51.100.23"));
  CHECK(a.hit.endpoints.dst_port == 443);
  REQUIRE(a.hit.threats.size() == 1);
  CHECK(a.hit.threats[0].field == "destination.ip");
  REQUIRE(a.hit.evidence.size() == 1);
  FlowRecord r;
  r.src_ip = ip("10.0.0.5");
  r.dst_ip = ip("198.51.100.23");
  r.src_port = 40000;
  r.dst_port = 443;
  r.ip_proto = 6;
  CHECK(a.hit.evidence[0].community_id == flow::community_id_v1(r));
  CHECK(a.hit.evidence[0].session_id == 0);
  CHECK(a.hit.details_json ==
        R"({"log":{"id":42,"dataset":"cef","listener":"fw-syslog","message":"Connection blocked"},)"
        R"("sessions":"/api/v1/sessions?q=ip:198.51.100.23","logs":"/api/v1/logs?q=ip:198.51.100.23",)"
        R"("pcap":"/api/v1/pcap?host=198.51.100.23&start=1795856400.000000000&end=1795863600.000000000"})");

  const DetectionSnapshot s = fx.stage().snapshot();
  CHECK(s.logs_inspected == 1);
  CHECK(s.intel_matches >= 1);

  SECTION("the same log again folds into the same alert") {
    LogEvent again = firewall_log("198.51.100.23");
    fx.stage().inspect_log(again, fx.stage().log_tables());
    fx.stage().on_pass_end(wall_clock_ns(), kReceived);
    const std::vector<Alert> after = fx.alerts();
    REQUIRE(after.size() == 1);
    CHECK(after[0].count == 2);
  }
}

TEST_CASE("inspect_log matches a domain field under a listed domain", "[detect][logs]") {
  StageFixture fx;
  LogEvent ev;
  ev.id = 7;
  ev.received = kReceived;
  ev.listener = "proxy";
  ev.dataset = "proxy.kv";
  ev.message = "GET https://cdn.bad.example/x";
  ev.endpoints.source_ip = ip("10.0.0.7");
  ev.add("url.domain", "cdn.bad.example");
  fx.stage().inspect_log(ev, fx.stage().log_tables());
  REQUIRE(ev.enrichment.threats.size() == 1);
  CHECK(ev.enrichment.threats[0].field == "url.domain");
  CHECK(ev.enrichment.threats[0].matched_value == "cdn.bad.example");
  CHECK(ev.enrichment.threats[0].indicator.type == IndicatorType::domain);
  CHECK(ev.enrichment.threats[0].indicator.value == "bad.example");

  fx.stage().on_pass_end(wall_clock_ns(), kReceived);
  const std::vector<Alert> alerts = fx.alerts();
  REQUIRE(alerts.size() == 1);
  CHECK(alerts[0].hit.signature == "Threat intel match (proxy.kv): domain-name bad.example in url.domain (blocklist)");
  CHECK(alerts[0].hit.severity == 2);
  // No address matched: the links are the log's own source address.
  CHECK(alerts[0].hit.details_json ==
        R"({"log":{"id":7,"dataset":"proxy.kv","listener":"proxy","message":"GET https://cdn.bad.example/x"},)"
        R"("sessions":"/api/v1/sessions?q=ip:10.0.0.7","logs":"/api/v1/logs?q=ip:10.0.0.7",)"
        R"("pcap":"/api/v1/pcap?host=10.0.0.7&start=1795856400.000000000&end=1795863600.000000000"})");
}

TEST_CASE("inspect_log raises nothing for a log that matches no indicator", "[detect][logs]") {
  StageFixture fx;
  LogEvent ev = firewall_log("192.0.2.80");
  ev.add("url.domain", "good.example");
  ev.add("observer.ip", "198.51.100.23", LogValueType::ip);  // the reporter, not a party to the traffic
  fx.stage().inspect_log(ev, fx.stage().log_tables());
  CHECK(ev.enrichment.threats.empty());
  CHECK(ev.enrichment.source.internal);
  fx.stage().on_pass_end(wall_clock_ns(), kReceived);
  CHECK(fx.alerts().empty());
  CHECK(fx.stage().snapshot().logs_inspected == 1);
}


TEST_CASE("inspect_log runs the signature rules on the transaction a log describes", "[detect][logs]") {
  StageFixture fx;
  LogInspectionState state;
  LogEvent dns = firewall_log("192.0.2.53");
  dns.dataset = "suricata.dns";
  dns.endpoints.destination_port = 53;
  dns.endpoints.ip_proto = 17;
  dns.add("dns.question.name", "www.lab.test");
  LogEvent proxy = firewall_log("192.0.2.80");
  proxy.id = 43;
  proxy.add("url.original", "http://files.example/download/x.zip");
  proxy.add("http.request.method", "GET");
  LogEvent other = firewall_log("192.0.2.81");
  other.id = 44;
  other.add("url.original", "http://files.example/upload/x.zip");
  const DetectionTables tables = fx.stage().log_tables();
  for (LogEvent* ev : {&dns, &proxy, &other}) fx.stage().inspect_log(*ev, tables, &state);
  // Without a state the rules do not run (intel and enrichment only).
  LogEvent no_rules = firewall_log("192.0.2.53");
  no_rules.add("dns.question.name", "www.lab.test");
  fx.stage().inspect_log(no_rules, tables);
  fx.stage().on_pass_end(kReceived, 0);
  std::vector<std::string> rules;
  for (const Alert& a : fx.alerts()) rules.push_back(a.hit.rule_id + " " + a.hit.endpoints.dst_ip.to_string());
  std::sort(rules.begin(), rules.end());
  CHECK(rules == std::vector<std::string>{"sid:5000001 192.0.2.53", "sid:5000002 192.0.2.80"});
}

TEST_CASE("inspect_log turns another sensor's EVE alert into an alert of ours", "[detect][logs]") {
  StageFixture fx;
  LogEvent ev = firewall_log("192.0.2.99");
  ev.dataset = "suricata.alert";
  ev.add("rule.id", "2019401");
  ev.add("rule.name", "ET POLICY Curl User-Agent Outbound");
  ev.add("rule.category", "Attempted Information Leak");
  ev.add("event.severity", "3", LogValueType::integer);
  fx.stage().inspect_log(ev, fx.stage().log_tables());
  fx.stage().on_pass_end(kReceived, 0);
  const auto alerts = fx.alerts();
  REQUIRE(alerts.size() == 1);
  CHECK(alerts[0].hit.rule_id == "sensor:sid:2019401");
  CHECK(alerts[0].hit.signature_id == 2019401);
  CHECK(alerts[0].hit.signature == "ET POLICY Curl User-Agent Outbound");
  CHECK(alerts[0].hit.category == "Attempted Information Leak");
  CHECK(alerts[0].hit.severity == 3);
  CHECK(alerts[0].hit.endpoints.dst_ip == ip("192.0.2.99"));
  REQUIRE(alerts[0].hit.evidence.size() == 1);
  CHECK(alerts[0].hit.evidence[0].first_ts == kReceived - 60 * kNsPerSecond);
  CHECK(alerts[0].hit.evidence[0].last_ts == kReceived + 60 * kNsPerSecond);
}

}  // namespace
}  // namespace opensoc::detect
