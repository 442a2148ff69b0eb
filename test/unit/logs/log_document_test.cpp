// Tests for log_document (src/logs/log_document.cpp): which kind a log event
// and a flow record are indexed as, how each field lands in the search
// document by its schema type, what goes to the dynamic keyword space, and
// what is deliberately not indexed. Single-threaded.
#include "logs/log_document.hpp"

#include <set>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "logs/log_event_json.hpp"
#include "logs/log_fields.hpp"
#include "search/field_schema.hpp"

namespace opensoc::logs {
namespace {

constexpr TimestampNs kReceived = 1795860000LL * kNsPerSecond;  // 2026-11-28T10:00:00Z

using Pairs = std::set<std::pair<std::string, std::string>>;

Pairs values_of(const search::SearchDocument& d) {
  Pairs out;
  for (const auto& [f, v] : d.values) out.emplace(std::string(f->name), v);
  return out;
}
std::set<std::pair<std::string, double>> numbers_of(const search::SearchDocument& d) {
  std::set<std::pair<std::string, double>> out;
  for (const auto& [f, v] : d.numbers) out.emplace(std::string(f->name), v);
  return out;
}
std::set<std::pair<std::string, TimestampNs>> times_of(const search::SearchDocument& d) {
  std::set<std::pair<std::string, TimestampNs>> out;
  for (const auto& [f, v] : d.times) out.emplace(std::string(f->name), v);
  return out;
}
Pairs dynamic_of(const search::SearchDocument& d) { return Pairs(d.dynamic_values.begin(), d.dynamic_values.end()); }

search::SearchDocument document_of(const LogEvent& ev, std::string json = "{}") {
  LogFieldList list;
  list.build(ev);
  return log_document(ev, list, std::move(json));
}

LogEvent syslog_event() {
  LogEvent ev;
  ev.id = 3;
  ev.received = kReceived;
  ev.timestamp = kReceived - 2 * kNsPerSecond;
  ev.listener = "syslog-udp";
  ev.transport = "udp";
  ev.dataset = "syslog";
  ev.parser = "rfc5424";
  ev.parsed = true;
  ev.message = "Failed password for root";
  ev.original = "<38>1 2026-11-28T09:59:58Z web1 sshd 4321 - - Failed password for root";
  ev.add("host.hostname", "web1");
  ev.add("process.name", "sshd");
  ev.add("process.pid", "4321", LogValueType::integer);
  ev.add("log.syslog.severity.code", "6", LogValueType::integer);
  ev.add("log.syslog.structured_data.origin.ip", "192.0.2.9");
  ev.add("cef.extensions.cs1", "Blocked");
  ev.add("tags", "a");
  ev.add("tags", "b");
  return ev;
}

TEST_CASE("log_document indexes a log event as kind log with typed schema fields and dynamic others", "[logs]") {
  const LogEvent ev = syslog_event();
  CHECK_FALSE(is_flow_record(ev));
  const search::SearchDocument d = document_of(ev, "{\"x\":1}");
  CHECK(d.kind == search::DocumentKind::log);
  CHECK(d.ts == kReceived - 2 * kNsPerSecond);
  CHECK(d.json == "{\"x\":1}");
  CHECK(d.unique_id.empty());
  CHECK(values_of(d) == Pairs{{"event.dataset", "syslog"},
                              {"event.id", "3"},
                              {"event.kind", "event"},
                              {"host.hostname", "web1"},
                              {"input.type", "udp"},
                              {"labels.listener", "syslog-udp"},
                              {"log.parser", "rfc5424"},
                              {"message", "Failed password for root"},
                              {"process.name", "sshd"},
                              {"tags", "a"},
                              {"tags", "b"}});
  CHECK(d.values.size() == 11);
  CHECK(numbers_of(d) == std::set<std::pair<std::string, double>>{{"log.syslog.severity.code", 6.0},
                                                                  {"process.pid", 4321.0}});
  CHECK(times_of(d) == std::set<std::pair<std::string, TimestampNs>>{{"event.created", kReceived}});
  CHECK(dynamic_of(d) == Pairs{{"cef.extensions.cs1", "Blocked"},
                               {"log.syslog.structured_data.origin.ip", "192.0.2.9"}});
}

TEST_CASE("log_document does not index event.original or @timestamp as fields", "[logs]") {
  const search::SearchDocument d = document_of(syslog_event());
  for (const auto& [f, v] : d.values) {
    CHECK(f->name != "@timestamp");
    CHECK(v.find("<38>1") == std::string::npos);
  }
  for (const auto& [n, v] : d.dynamic_values) {
    CHECK(n != "event.original");
    CHECK(n != "@timestamp");
  }
  for (const auto& [f, v] : d.times) CHECK(f->name != "@timestamp");
}

TEST_CASE("log_document drops a number field whose text is not a number", "[logs]") {
  LogEvent ev = syslog_event();
  ev.fields.clear();
  ev.add("process.pid", "12ab", LogValueType::integer);
  const search::SearchDocument d = document_of(ev);
  CHECK(numbers_of(d).empty());
  for (const auto& [n, v] : d.dynamic_values) CHECK(n != "process.pid");
}

TEST_CASE("log_document indexes a NetFlow record as a session with its endpoints", "[logs]") {
  LogEvent ev;
  ev.id = 9;
  ev.received = kReceived;
  ev.timestamp = kReceived - 30 * kNsPerSecond;
  ev.dataset = "netflow";
  ev.parser = "netflow";
  ev.parsed = true;
  ev.endpoints.source_ip = *IpAddress::parse("10.0.0.5");
  ev.endpoints.destination_ip = *IpAddress::parse("192.0.2.80");
  ev.endpoints.source_port = 40000;
  ev.endpoints.destination_port = 443;
  ev.endpoints.ip_proto = 6;
  ev.add("source.bytes", "1200", LogValueType::integer);
  ev.add("netflow.exporter.address", "127.0.0.1", LogValueType::ip);
  CHECK(is_flow_record(ev));
  const search::SearchDocument d = document_of(ev);
  CHECK(d.kind == search::DocumentKind::session);
  CHECK(d.ts == kReceived - 30 * kNsPerSecond);
  const Pairs v = values_of(d);
  CHECK(v.count({"source.ip", "10.0.0.5"}) == 1);
  CHECK(v.count({"destination.ip", "192.0.2.80"}) == 1);
  CHECK(v.count({"network.transport", "tcp"}) == 1);
  CHECK(v.count({"netflow.exporter.address", "127.0.0.1"}) == 1);
  CHECK(v.count({"network.community_id", log_community_id(ev.endpoints)}) == 1);
  CHECK(numbers_of(d) == std::set<std::pair<std::string, double>>{
                             {"destination.port", 443.0}, {"source.bytes", 1200.0}, {"source.port", 40000.0}});
  CHECK(v.count({"event.id", "9"}) == 1);
  CHECK(dynamic_of(d) == Pairs{{"network.iana_number", "6"}});
}

TEST_CASE("log_document indexes intel matches as threat fields", "[logs]") {
  LogEvent ev = syslog_event();
  ThreatMatch m;
  m.indicator.type = IndicatorType::domain;
  m.indicator.value = "bad.example";
  m.indicator.source = "blocklist";
  m.indicator.confidence = 70;
  m.field = "destination.domain";
  m.matched_value = "www.bad.example";
  ev.enrichment.threats.push_back(m);
  const search::SearchDocument d = document_of(ev);
  const Pairs v = values_of(d);
  CHECK(v.count({"threat.indicator.type", "domain-name"}) == 1);
  CHECK(v.count({"threat.indicator.provider", "blocklist"}) == 1);
  CHECK(v.count({"threat.matched.field", "destination.domain"}) == 1);
  CHECK(v.count({"threat.indicator.value", "bad.example"}) == 1);
  CHECK(numbers_of(d).count({"threat.indicator.confidence", 70.0}) == 1);
}

}  // namespace
}  // namespace opensoc::logs
