// Enrichment in the session and event renderings: the exact ECS JSON of a
// fully enriched session (geo, as, asset, direction, two intel matches) and
// of a partly enriched event, the search document values they add, and that
// those values are found through the query language once indexed (the same
// path as the session stage: session_document -> fill_document -> shards ->
// executor).
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "search_document_fields.hpp"
#include <xapian.h>

#include "search/index_terms.hpp"
#include "search/query_compiler.hpp"
#include "search/query_parser.hpp"
#include "search/search_executor.hpp"
#include "search/search_shards.hpp"
#include "session/ecs_json.hpp"
#include "session/session_document.hpp"
#include "support/temp_dir.hpp"

namespace opensoc::session {
namespace {

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

constexpr TimestampNs kT0 = 1473941283'925424123;  // 2016-09-15T12:08:03.925424123Z

ThreatMatch feodo_match() {
  ThreatMatch m;
  m.indicator.type = IndicatorType::ipv4;
  m.indicator.value = "81.2.69.142";
  m.indicator.source = "abuse.ch";
  m.indicator.description = "Feodo C2";
  m.indicator.id = "indicator--1234";
  m.indicator.confidence = 80;
  m.field = "destination.ip";
  m.matched_value = "81.2.69.142";
  return m;
}

ThreatMatch domain_match() {
  ThreatMatch m;
  m.indicator.type = IndicatorType::domain;
  m.indicator.value = "example.com";
  m.indicator.source = "otx";
  m.indicator.confidence = 60;
  m.field = "tls.client.server_name";
  m.matched_value = "www.example.com";
  return m;
}

// A TLS session from an internal database server to a GB address of AS15169
// that two indicators match.
SessionRecord enriched_session() {
  SessionRecord s;
  s.session_id = 77;
  s.community_id = "1:xyz=";
  FlowRecord& f = s.flow;
  f.flow_id = 1;
  f.src_ip = ip("10.0.0.1");
  f.dst_ip = ip("81.2.69.142");
  f.ip_proto = 6;
  f.src_port = 50000;
  f.dst_port = 443;
  f.first_ts = kT0;
  f.last_ts = kT0 + 2'500'000'000;
  f.src_packets = 6;
  f.dst_packets = 4;
  f.src_bytes = 600;
  f.dst_bytes = 4000;
  f.src_tcp_flags = 0x1b;
  f.dst_tcp_flags = 0x13;
  f.tcp_state = TcpState::closed;
  f.end_reason = FlowEndReason::fin;
  s.app_protocol = AppProtocol::tls;
  s.event_count = 1;
  s.tls_sni = "www.example.com";
  Enrichment& e = s.enrichment;
  e.source.internal = true;
  e.source.asset = AssetInfo{"db1", "dba-team", "database", Criticality::high};
  e.destination.geo.country_iso = "GB";
  e.destination.geo.country_name = "United Kingdom";
  e.destination.geo.city = "London";
  e.destination.geo.latitude = 51.5142;
  e.destination.geo.longitude = -0.0931;
  e.destination.geo.has_location = true;
  e.destination.geo.as_number = 15169;
  e.destination.geo.as_org = "Google LLC";
  e.threats = {feodo_match(), domain_match()};
  return s;
}

// A DNS query from outside to an internal resolver: only some parts known
// (country without city or location, an AS without its name, an asset
// without owner, role or criticality).
ProtocolEvent enriched_dns_event() {
  DnsEvent d;
  d.id = 7;
  d.rd = true;
  d.queries.push_back({"www.example.org", 1, 1});
  ProtocolEvent ev;
  ev.session_id = 4242;
  ev.ts = kT0 + 5'000'000;
  ev.session_start = kT0;
  ev.endpoints = Endpoints{ip("198.51.100.7"), ip("192.168.2.1"), 1920, 53, 17, 0};
  ev.community_id = "1:Ab+/cD=";
  ev.body = d;
  ev.enrichment.source.geo.country_iso = "US";
  ev.enrichment.source.geo.as_number = 64500;
  ev.enrichment.destination.internal = true;
  ev.enrichment.destination.asset.name = "ns1";
  return ev;
}

std::string ecs(const SessionRecord& s) {
  std::string out;
  append_ecs_session(out, s);
  return out;
}

std::string ecs(const ProtocolEvent& ev) {
  std::string out;
  append_ecs_event(out, ev);
  return out;
}

using document_fields::Numbers;
using document_fields::numbers_of;
using document_fields::Strings;
using document_fields::values_of;

}  // namespace

TEST_CASE("ECS renders a session's geo, as, asset, direction and every threat match", "[ecs_json]") {
  CHECK(ecs(enriched_session()) ==
        R"json({"@timestamp":"2016-09-15T12:08:03.925424123Z",)json"
        R"json("event":{"kind":"event","category":["network"],"type":["connection","end"],"dataset":"session","start":"2016-09-15T12:08:03.925424123Z","end":"2016-09-15T12:08:06.425424123Z","duration":2500000000,"reason":"fin"},)json"
        R"json("session":{"id":"77","event_count":1,"stream":{"gaps":0,"truncated":false},"tcp":{"state":"closed","source_flags":"1b","destination_flags":"13"}},)json"
        R"json("source":{"ip":"10.0.0.1","port":50000,"bytes":600,"packets":6,"asset":{"name":"db1","owner":"dba-team","role":"database","criticality":"high"}},)json"
        R"json("destination":{"ip":"81.2.69.142","port":443,"bytes":4000,"packets":4,"geo":{"country_iso_code":"GB","country_name":"United Kingdom","city_name":"London","location":{"lat":51.5142,"lon":-0.0931}},"as":{"number":15169,"organization":{"name":"Google LLC"}}},)json"
        R"json("network":{"transport":"tcp","protocol":"tls","iana_number":"6","community_id":"1:xyz=","direction":"outbound","bytes":4600,"packets":10},)json"
        R"json("tls":{"client":{"server_name":"www.example.com"}},)json"
        R"json("threat":{"enrichments":[)json"
        R"json({"indicator":{"type":"ipv4-addr","ip":"81.2.69.142","provider":"abuse.ch","confidence":80,"description":"Feodo C2"},"matched":{"field":"destination.ip","atomic":"81.2.69.142","id":"indicator--1234"}},)json"
        R"json({"indicator":{"type":"domain-name","url":{"domain":"example.com"},"provider":"otx","confidence":60},"matched":{"field":"tls.client.server_name","atomic":"www.example.com"}}],)json"
        R"json("indicator":{"type":"ipv4-addr","provider":"abuse.ch","confidence":80}},)json"
        R"json("pcap":"/api/v1/pcap?community_id=1%3Axyz%3D&start=1473941283.925424123&end=1473941286.425424124"})json");
}

TEST_CASE("ECS renders only the enrichment an event has", "[ecs_json]") {
  CHECK(ecs(enriched_dns_event()) ==
        R"json({"@timestamp":"2016-09-15T12:08:03.930424123Z","event":{"kind":"event","category":["network"],"type":["protocol"],"dataset":"dns","sequence":0},"session":{"id":"4242"},)json"
        R"json("source":{"ip":"198.51.100.7","port":1920,"geo":{"country_iso_code":"US"},"as":{"number":64500}},)json"
        R"json("destination":{"ip":"192.168.2.1","port":53,"asset":{"name":"ns1"}},)json"
        R"json("network":{"transport":"udp","protocol":"dns","iana_number":"17","community_id":"1:Ab+/cD=","direction":"inbound"},)json"
        R"json("dns":{"id":"7","type":"query","op_code":"QUERY","header_flags":["RD"],"question":{"name":"www.example.org","type":"A","class":"IN"}},)json"
        R"json("pcap":"/api/v1/pcap?community_id=1%3AAb%2B%2FcD%3D&start=1473941283.925424123&end=1473941283.930424124"})json");
}

TEST_CASE("ECS network.direction follows the endpoints' internal flags", "[ecs_json]") {
  Enrichment e;
  CHECK(ecs_network_direction(e) == "external");
  e.source.internal = true;
  CHECK(ecs_network_direction(e) == "outbound");
  e.destination.internal = true;
  CHECK(ecs_network_direction(e) == "internal");
  e.source.internal = false;
  CHECK(ecs_network_direction(e) == "inbound");
}

TEST_CASE("ECS names each indicator type's value with its ECS field or our own value", "[ecs_json]") {
  const auto rendered = [](IndicatorType type, const char* value) {
    SessionRecord s = enriched_session();
    ThreatMatch m;
    m.indicator.type = type;
    m.indicator.value = value;
    m.indicator.confidence = 10;
    s.enrichment.threats = {m};
    const std::string json = ecs(s);
    const auto begin = json.find("\"threat\":");
    const auto end = json.find(",\"pcap\"");
    REQUIRE(begin != std::string::npos);
    return json.substr(begin, end - begin);
  };
  CHECK(rendered(IndicatorType::ipv6, "2001:db8::1") ==
        R"json("threat":{"enrichments":[{"indicator":{"type":"ipv6-addr","ip":"2001:db8::1","confidence":10}}],"indicator":{"type":"ipv6-addr","confidence":10}})json");
  CHECK(rendered(IndicatorType::url, "http://evil.example/x") ==
        R"json("threat":{"enrichments":[{"indicator":{"type":"url","url":{"original":"http://evil.example/x"},"confidence":10}}],"indicator":{"type":"url","confidence":10}})json");
  CHECK(rendered(IndicatorType::cidr, "10.0.0.0/8") ==
        R"json("threat":{"enrichments":[{"indicator":{"type":"cidr","value":"10.0.0.0/8","confidence":10}}],"indicator":{"type":"cidr","confidence":10}})json");
  CHECK(rendered(IndicatorType::ja3, "e7d705a3286e19ea42f587b344ee6865") ==
        R"json("threat":{"enrichments":[{"indicator":{"type":"ja3","value":"e7d705a3286e19ea42f587b344ee6865","confidence":10}}],"indicator":{"type":"ja3","confidence":10}})json");
  CHECK(rendered(IndicatorType::cert_sha256, "ab") ==
        R"json("threat":{"enrichments":[{"indicator":{"type":"x509-sha256","value":"ab","confidence":10}}],"indicator":{"type":"x509-sha256","confidence":10}})json");
}

TEST_CASE("search documents carry the enrichment and threat values", "[session_document]") {
  SECTION("enriched session") {
    const search::SearchDocument doc = session_document(enriched_session());
    CHECK(doc.json == ecs(enriched_session()));
    CHECK(values_of(doc, "event.kind") == Strings{"event"});
    CHECK(values_of(doc, "network.direction") == Strings{"outbound"});
    CHECK(values_of(doc, "source.geo.country_iso_code").empty());
    CHECK(values_of(doc, "destination.geo.country_iso_code") == Strings{"GB"});
    CHECK(values_of(doc, "destination.geo.city_name") == Strings{"London"});
    CHECK(numbers_of(doc, "destination.as.number") == Numbers{15169});
    CHECK(numbers_of(doc, "source.as.number").empty());
    CHECK(values_of(doc, "destination.as.organization.name") == Strings{"Google LLC"});
    CHECK(values_of(doc, "source.asset.name") == Strings{"db1"});
    CHECK(values_of(doc, "source.asset.criticality") == Strings{"high"});
    CHECK(values_of(doc, "destination.asset.name").empty());
    CHECK(values_of(doc, "threat.indicator.type") == Strings{"ipv4-addr", "domain-name"});
    CHECK(values_of(doc, "threat.indicator.provider") == Strings{"abuse.ch", "otx"});
    CHECK(numbers_of(doc, "threat.indicator.confidence") == Numbers{80, 60});
    CHECK(values_of(doc, "threat.matched.field") == Strings{"destination.ip", "tls.client.server_name"});
    CHECK(values_of(doc, "threat.indicator.value") == Strings{"81.2.69.142", "example.com"});
  }
  SECTION("partly enriched event") {
    const search::SearchDocument doc = event_document(enriched_dns_event());
    CHECK(doc.json == ecs(enriched_dns_event()));
    CHECK(values_of(doc, "network.direction") == Strings{"inbound"});
    CHECK(values_of(doc, "source.geo.country_iso_code") == Strings{"US"});
    CHECK(values_of(doc, "source.geo.city_name").empty());
    CHECK(numbers_of(doc, "source.as.number") == Numbers{64500});
    CHECK(values_of(doc, "source.as.organization.name").empty());
    CHECK(values_of(doc, "destination.asset.name") == Strings{"ns1"});
    CHECK(values_of(doc, "destination.asset.criticality").empty());
    CHECK(values_of(doc, "threat.indicator.type").empty());
    CHECK(numbers_of(doc, "threat.indicator.confidence").empty());
  }
}

namespace {

// Indexes documents the way the session stage does, then answers queries.
class IndexedRecords {
 public:
  explicit IndexedRecords(const std::vector<search::SearchDocument>& docs) {
    auto w = search::SearchShardWriter::open(search::SearchShardOptions{dir_.path(), 3600, 2000, false});
    REQUIRE(w);
    for (const search::SearchDocument& d : docs) {
      Xapian::Document xd;
      search::fill_document(d, xd);
      REQUIRE((*w)->add(d.ts, std::string(search::kUniqueIdPrefix) + d.unique_id, std::move(xd)));
    }
    REQUIRE((*w)->commit());
  }

  // The session.id of every match of `q`, in @timestamp order.
  Strings ids(const std::string& q, std::string_view kind_term = {}) const {
    auto parsed = search::parse_search_query(q);
    REQUIRE(std::holds_alternative<search::QueryNode>(parsed));
    auto compiled = search::compile_query(std::get<search::QueryNode>(parsed));
    if (const auto* e = std::get_if<search::QueryError>(&compiled)) FAIL(q << ": " << e->message);
    search::SearchRequest r;
    r.query = std::get<Xapian::Query>(compiled);
    r.kind_term = kind_term;
    r.descending = false;
    auto res = search::SearchExecutor(dir_.path()).run(r);
    REQUIRE(res);
    Strings out;
    for (const search::SearchHit& h : res->hits) {
      constexpr std::string_view kKey = R"("session":{"id":")";
      const auto at = h.json.find(kKey);
      REQUIRE(at != std::string::npos);
      const auto begin = at + kKey.size();
      out.push_back(h.json.substr(begin, h.json.find('"', begin) - begin));
    }
    return out;
  }

  [[nodiscard]] const std::string& dir() const { return dir_.path(); }

 private:
  test::TempDir dir_;
};

SessionRecord plain_session() {
  SessionRecord s = enriched_session();
  s.session_id = 78;
  s.flow.first_ts = kT0 + 10 * kNsPerSecond;
  s.flow.last_ts = s.flow.first_ts + 1;
  s.enrichment = Enrichment{};
  return s;
}

}  // namespace

TEST_CASE("enrichment and threat fields are searchable by name and alias", "[session_document]") {
  const IndexedRecords index({session_document(enriched_session()), event_document(enriched_dns_event()),
                              session_document(plain_session())});
  CHECK(index.ids("country:GB") == Strings{"77"});
  CHECK(index.ids("country:us") == Strings{"4242"});
  CHECK(index.ids("destination.geo.country_iso_code:US").empty());
  CHECK(index.ids("destination.geo.city_name:london") == Strings{"77"});
  CHECK(index.ids("asn:15169") == Strings{"77"});
  CHECK(index.ids("source.as.number:64500") == Strings{"4242"});
  CHECK(index.ids("destination.as.organization.name:\"Google LLC\"") == Strings{"77"});
  CHECK(index.ids("network.direction:outbound") == Strings{"77"});
  CHECK(index.ids("network.direction:inbound") == Strings{"4242"});
  CHECK(index.ids("network.direction:external") == Strings{"78"});
  CHECK(index.ids("threat.indicator.type:ipv4-addr") == Strings{"77"});
  CHECK(index.ids("threat.indicator.type:domain-name") == Strings{"77"});
  CHECK(index.ids("threat.indicator.provider:otx") == Strings{"77"});
  CHECK(index.ids("threat.indicator.confidence:>=70") == Strings{"77"});
  CHECK(index.ids("threat.matched.field:tls.client.server_name") == Strings{"77"});
  CHECK(index.ids("threat:example.com") == Strings{"77"});
  CHECK(index.ids("threat:*") == Strings{"77"});
  CHECK(index.ids("asset:db1") == Strings{"77"});
  CHECK(index.ids("asset:ns1") == Strings{"4242"});
  CHECK(index.ids("source.asset.criticality:high") == Strings{"77"});
  CHECK(index.ids("event.kind:event") == Strings{"77", "4242", "78"});
  CHECK(index.ids("NOT threat:*", search::kSessionKindTerm) == Strings{"78"});
  CHECK(index.ids("event.kind:event", search::kAlertKindTerm).empty());

  search::SearchRequest r;
  r.facets = {"destination.geo.country_iso_code", "network.direction"};
  auto res = search::SearchExecutor(index.dir()).run(r);
  REQUIRE(res);
  REQUIRE(res->facets.size() == 2);
  REQUIRE(res->facets[0].second.size() == 1);
  CHECK(res->facets[0].second[0].value == "GB");
  CHECK(res->facets[0].second[0].count == 1);
  CHECK(res->facets[1].second.size() == 3);
}

}  // namespace opensoc::session
