// Tests for LogFieldList (src/logs/log_fields.cpp) and the ECS JSON of a log
// event (src/logs/log_event_json.cpp): nesting of dotted names, arrays of
// repeated names, typed rendering, which core fields the pipeline adds, the
// Community ID of the event's tuple, enrichment and threat matches. Every
// rendering is compared as a whole string, so an extra or missing member
// fails. Single-threaded.
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

#include "flow/community_id.hpp"
#include "logs/log_event_json.hpp"
#include "logs/log_fields.hpp"

namespace opensoc::logs {
namespace {

// 2026-11-28T10:00:00Z
constexpr TimestampNs kReceived = 1795860000LL * kNsPerSecond;

IpAddress ip(std::string_view text) {
  auto a = IpAddress::parse(text);
  REQUIRE(a);
  return *a;
}

std::string json_of(const LogEvent& ev) {
  std::string out;
  append_log_event_json(out, ev);
  return out;
}

// An event with only what the pipeline always knows, no parser fields.
LogEvent bare_event() {
  LogEvent ev;
  ev.id = 7;
  ev.received = kReceived;
  ev.listener = "l1";
  ev.transport = "udp";
  ev.dataset = "syslog";
  ev.parser = "rfc5424";
  ev.parsed = true;
  ev.message = "hi";
  return ev;
}

// The core members of bare_event() after the given middle part, in sorted order.
constexpr std::string_view kBareEvent =
    R"("event":{"created":"2026-11-28T10:00:00.000000000Z","dataset":"syslog","id":"7","kind":"event"},)"
    R"("input":{"type":"udp"},"labels":{"listener":"l1"},"log":{"parser":"rfc5424"},"message":"hi")";

TEST_CASE("LogFieldList lists parser and core fields sorted by name, arrays in their order", "[logs]") {
  LogEvent ev = bare_event();
  ev.add("tags", "b");
  ev.add("zz.one", "1", LogValueType::integer);
  ev.add("tags", "a");
  LogFieldList list;
  list.build(ev);
  std::vector<std::string> names;
  std::vector<std::string> values;
  for (const FlatField& f : list.fields()) {
    names.emplace_back(f.name);
    values.emplace_back(f.value);
  }
  CHECK(names == std::vector<std::string>{"@timestamp", "event.created", "event.dataset", "event.id", "event.kind",
                                          "input.type", "labels.listener", "log.parser", "message", "tags", "tags",
                                          "zz.one"});
  CHECK(values == std::vector<std::string>{"1795860000000000000", "1795860000000000000", "syslog", "7", "event",
                                           "udp", "l1", "rfc5424", "hi", "b", "a", "1"});
  CHECK(list.fields().front().type == LogValueType::time);
  CHECK(list.fields().back().type == LogValueType::integer);

  SECTION("rebuilding for another event forgets the previous one") {
    LogEvent other = bare_event();
    other.id = 8;
    other.message.clear();
    list.build(other);
    CHECK(list.fields().size() == 8);
    for (const FlatField& f : list.fields()) {
      CHECK(f.name != "tags");
      CHECK(f.name != "message");
      if (f.name == "event.id") CHECK(f.value == "8");
    }
  }
}

TEST_CASE("append_log_event_json nests dotted names and makes repeated names arrays", "[logs]") {
  LogEvent ev = bare_event();
  ev.timestamp = kReceived - 5 * kNsPerSecond;
  ev.original = "raw bytes";
  ev.sender = ip("192.0.2.1");
  ev.sender_port = 514;
  ev.add("a.b.c", "x");
  ev.add("a.b.d", "42", LogValueType::integer);
  ev.add("a.e", "true", LogValueType::boolean);
  ev.add("tags", "t1");
  ev.add("tags", "t2");
  CHECK(json_of(ev) ==
        R"({"@timestamp":"2026-11-28T09:59:55.000000000Z","a":{"b":{"c":"x","d":42},"e":true},)"
        R"("event":{"created":"2026-11-28T10:00:00.000000000Z","dataset":"syslog","id":"7","kind":"event",)"
        R"("original":"raw bytes"},"input":{"type":"udp"},"labels":{"listener":"l1"},)"
        R"("log":{"parser":"rfc5424","source":{"address":"192.0.2.1:514"}},"message":"hi","tags":["t1","t2"]})");
}

TEST_CASE("append_log_event_json renders each value type, invalid text as a string", "[logs]") {
  LogEvent ev = bare_event();
  ev.add("n.int", "-3", LogValueType::integer);
  ev.add("n.big", "18446744073709551615", LogValueType::integer);
  ev.add("n.bad", "12abc", LogValueType::integer);
  ev.add("n.empty_sign", "-", LogValueType::integer);
  ev.add("n.num", "2.5", LogValueType::number);
  ev.add("n.nan", "nan", LogValueType::number);
  ev.add("n.badnum", "2.5x", LogValueType::number);
  ev.add("n.yes", "true", LogValueType::boolean);
  ev.add("n.no", "false", LogValueType::boolean);
  ev.add("n.maybe", "True", LogValueType::boolean);
  ev.add("n.time", "1795859990123456789", LogValueType::time);
  ev.add("n.badtime", "yesterday", LogValueType::time);
  ev.add("n.addr", "2001:db8::1", LogValueType::ip);
  ev.add("n.str", "say \"hi\"");
  CHECK(json_of(ev) ==
        R"({"@timestamp":"2026-11-28T10:00:00.000000000Z",)" + std::string(kBareEvent) +
            R"(,"n":{"addr":"2001:db8::1","bad":"12abc","badnum":"2.5x","badtime":"yesterday",)"
            R"("big":18446744073709551615,"empty_sign":"-","int":-3,"maybe":"True","nan":"nan","no":false,)"
            R"("num":2.5,"str":"say \"hi\"","time":"2026-11-28T09:59:50.123456789Z","yes":true}})");
}

TEST_CASE("append_log_event_json adds core fields only where the parser set none", "[logs]") {
  LogEvent ev = bare_event();
  ev.add("event.kind", "alert");
  ev.add("message", "parser's text");
  ev.add("source.ip", "10.0.0.1", LogValueType::ip);
  ev.endpoints.source_ip = ip("10.0.0.1");
  ev.endpoints.source_port = 1234;
  CHECK(json_of(ev) ==
        R"({"@timestamp":"2026-11-28T10:00:00.000000000Z",)"
        R"("event":{"created":"2026-11-28T10:00:00.000000000Z","dataset":"syslog","id":"7","kind":"alert"},)"
        R"("input":{"type":"udp"},"labels":{"listener":"l1"},"log":{"parser":"rfc5424"},)"
        R"("message":"parser's text","source":{"ip":"10.0.0.1","port":1234}})");
}

TEST_CASE("append_log_event_json writes the Community ID only for a full tuple", "[logs]") {
  LogEvent ev = bare_event();
  LogEndpoints& ep = ev.endpoints;

  SECTION("tcp: the Community ID spec's baseline vector") {
    ep.source_ip = ip("128.232.110.120");
    ep.destination_ip = ip("66.35.250.204");
    ep.source_port = 34855;
    ep.destination_port = 80;
    ep.ip_proto = 6;
    CHECK(log_community_id(ep) == "1:LQU9qZlK+B5F3KDmev6m5PMibrg=");
    CHECK(json_of(ev) ==
          R"({"@timestamp":"2026-11-28T10:00:00.000000000Z",)"
          R"("destination":{"ip":"66.35.250.204","port":80},)" +
              std::string(kBareEvent) +
              R"(,"network":{"community_id":"1:LQU9qZlK+B5F3KDmev6m5PMibrg=","direction":"external",)"
              R"("iana_number":"6","transport":"tcp"},)"
              R"("pcap":"/api/v1/pcap?community_id=1%3ALQU9qZlK%2BB5F3KDmev6m5PMibrg%3D)"
              R"(&start=1795859940.000000000&end=1795860060.000000000",)"
              R"("source":{"ip":"128.232.110.120","port":34855}})");
  }
  SECTION("the pcap link of a record with event.start and event.end covers that span") {
    ep.source_ip = ip("128.232.110.120");
    ep.destination_ip = ip("66.35.250.204");
    ep.source_port = 34855;
    ep.destination_port = 80;
    ep.ip_proto = 6;
    ev.add("event.start", "1795859000000000000", LogValueType::time);
    ev.add("event.end", "1795859010000000000", LogValueType::time);
    CHECK(json_of(ev).find(R"(Mibrg%3D&start=1795859000.000000000&end=1795859010.001000000")") != std::string::npos);
  }
  SECTION("icmp needs no ports beyond type and code") {
    ep.source_ip = ip("192.168.0.89");
    ep.destination_ip = ip("192.168.0.1");
    ep.source_port = 8;
    ep.ip_proto = 1;
    FlowRecord r;
    r.src_ip = ep.source_ip;
    r.dst_ip = ep.destination_ip;
    r.src_port = 8;
    r.ip_proto = 1;
    const std::string expected = flow::community_id_v1(r);
    REQUIRE(expected.size() == 30);
    CHECK(expected == "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=");  // the spec's baseline for this echo request
    CHECK(log_community_id(ep) == expected);
  }
  SECTION("tcp without a destination port") {
    ep.source_ip = ip("10.0.0.1");
    ep.destination_ip = ip("10.0.0.2");
    ep.source_port = 1000;
    ep.ip_proto = 6;
    CHECK(log_community_id(ep).empty());
    CHECK(json_of(ev).find("community_id") == std::string::npos);
  }
  SECTION("no protocol") {
    ep.source_ip = ip("10.0.0.1");
    ep.destination_ip = ip("10.0.0.2");
    ep.source_port = 1000;
    ep.destination_port = 80;
    CHECK(log_community_id(ep).empty());
    CHECK(json_of(ev).find("community_id") == std::string::npos);
  }
  SECTION("addresses of two families") {
    ep.source_ip = ip("10.0.0.1");
    ep.destination_ip = ip("2001:db8::2");
    ep.source_port = 1000;
    ep.destination_port = 80;
    ep.ip_proto = 17;
    CHECK(log_community_id(ep).empty());
  }
  SECTION("one address only") {
    ep.destination_ip = ip("10.0.0.2");
    ep.destination_port = 80;
    ep.ip_proto = 17;
    CHECK(log_community_id(ep).empty());
  }
}

TEST_CASE("append_log_event_json renders enrichment of the addresses the event names", "[logs]") {
  LogEvent ev = bare_event();
  ev.endpoints.source_ip = ip("2001:db8::7");
  ev.endpoints.destination_ip = ip("2001:db8::8");
  ev.sender = ip("2001:db8::1");
  ev.sender_port = 6514;
  GeoInfo& g = ev.enrichment.source.geo;
  g.country_iso = "DE";
  g.country_name = "Germany";
  g.city = "Berlin";
  g.latitude = 52.52;
  g.longitude = 13.405;
  g.has_location = true;
  g.as_number = 3320;
  g.as_org = "Deutsche Telekom AG";
  AssetInfo& a = ev.enrichment.destination.asset;
  a.name = "db-1";
  a.owner = "ops";
  a.role = "database";
  a.criticality = Criticality::high;
  ev.enrichment.destination.internal = true;
  CHECK(json_of(ev) ==
        R"({"@timestamp":"2026-11-28T10:00:00.000000000Z",)"
        R"("destination":{"asset":{"criticality":"high","name":"db-1","owner":"ops","role":"database"},)"
        R"("ip":"2001:db8::8"},)"
        R"("event":{"created":"2026-11-28T10:00:00.000000000Z","dataset":"syslog","id":"7","kind":"event"},)"
        R"("input":{"type":"udp"},"labels":{"listener":"l1"},)"
        R"("log":{"parser":"rfc5424","source":{"address":"[2001:db8::1]:6514"}},"message":"hi",)"
        R"("network":{"direction":"inbound"},)"
        R"("source":{"as":{"number":3320,"organization":{"name":"Deutsche Telekom AG"}},)"
        R"("geo":{"city_name":"Berlin","country_iso_code":"DE","country_name":"Germany",)"
        R"("location":{"lat":52.52,"lon":13.405}},"ip":"2001:db8::7"}})");

  SECTION("enrichment of an address the event does not name is not shown") {
    ev.endpoints.source_ip = IpAddress{};
    const std::string json = json_of(ev);
    CHECK(json.find("geo") == std::string::npos);
    CHECK(json.find("direction") == std::string::npos);
    CHECK(json.find("\"asset\":{\"criticality\":\"high\"") != std::string::npos);
  }
}

TEST_CASE("append_log_event_json adds the threat member for intel matches", "[logs]") {
  LogEvent ev = bare_event();
  ev.endpoints.destination_ip = ip("198.51.100.23");
  ThreatMatch m;
  m.indicator.type = IndicatorType::ipv4;
  m.indicator.value = "198.51.100.23";
  m.indicator.source = "blocklist";
  m.indicator.confidence = 90;
  m.indicator.description = "Emotet C2";
  m.indicator.id = "blk-1";
  m.field = "destination.ip";
  m.matched_value = "198.51.100.23";
  ev.enrichment.threats.push_back(m);
  CHECK(json_of(ev) ==
        R"({"@timestamp":"2026-11-28T10:00:00.000000000Z","destination":{"ip":"198.51.100.23"},)" +
            std::string(kBareEvent) +
            R"(,"threat":{"enrichments":[{"indicator":{"type":"ipv4-addr","ip":"198.51.100.23",)"
            R"("provider":"blocklist","confidence":90,"description":"Emotet C2"},)"
            R"("matched":{"field":"destination.ip","atomic":"198.51.100.23","id":"blk-1"}}],)"
            R"("indicator":{"type":"ipv4-addr","provider":"blocklist","confidence":90}}})");

  SECTION("a parser's own threat fields are not repeated") {
    ev.add("threat.indicator.type", "ipv4-addr");
    const std::string json = json_of(ev);
    CHECK(json.find("enrichments") == std::string::npos);
    CHECK(json.find(R"("threat":{"indicator":{"type":"ipv4-addr"}})") != std::string::npos);
  }
}

TEST_CASE("append_log_event_json from a prebuilt list equals the one-call form", "[logs]") {
  LogEvent ev = bare_event();
  ev.add("cef.extensions.cs1", "x");
  LogFieldList list;
  list.build(ev);
  std::string a = "prefix ";
  append_log_event_json(a, ev, list);
  CHECK(a == "prefix " + json_of(ev));
}

}  // namespace
}  // namespace opensoc::logs
