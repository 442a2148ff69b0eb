// JsonLogParser on real lines: EVE as this project's own `opensocd ingest
// --eve-out` writes it (suricata-verify captures dns-udp-double-request-
// response, tls-subjectaltname, ssh-newkeys), a Suricata alert, Zeek 6 JSON
// logs (LogAscii::use_json=T, with and without _path, epoch and ISO 8601 ts)
// and generic ECS documents. Every field is asserted, in order and type.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>

#include "logparse/json_log_parser.hpp"
#include "field_list.hpp"

using namespace opensoc;
using namespace opensoc::logparse;
using namespace opensoc::logparse::test;

namespace {

IpAddress ip(const char* t) { return *IpAddress::parse(t); }

// Our own EVE output (opensocd ingest --eve-out, dns-udp-double-request-response).
constexpr const char* kEveDnsRequest =
    R"({"timestamp":"2016-10-24T16:10:19.556277+0000","flow_id":5845981124449947,"pcap_cnt":1,"event_type":"dns",)"
    R"("src_ip":"10.16.1.11","src_port":53,"dest_ip":"8.8.8.8","dest_port":53,"proto":"UDP",)"
    R"("community_id":"1:d/8GdJe+T0CWgBRmd7/Nk+3OCk0=","tx_id":0,"dns":{"version":3,"type":"request","tx_id":0,)"
    R"("id":1,"flags":"100","rd":true,"opcode":0,"rcode":"NOERROR","queries":[{"rrname":"www.google.com","rrtype":"A"}]}})";

// Same capture, the AAAA response (Suricata writes the uncompressed IPv6 text).
constexpr const char* kEveDnsResponse =
    R"({"timestamp":"2016-10-24T16:10:19.660295+0000","flow_id":5845981124449947,"pcap_cnt":4,"event_type":"dns",)"
    R"("src_ip":"8.8.8.8","src_port":53,"dest_ip":"10.16.1.11","dest_port":53,"proto":"UDP",)"
    R"("community_id":"1:d/8GdJe+T0CWgBRmd7/Nk+3OCk0=","tx_id":3,"dns":{"version":3,"type":"response","tx_id":3,)"
    R"("id":2,"flags":"8180","qr":true,"rd":true,"ra":true,"opcode":0,"rcode":"NOERROR",)"
    R"("queries":[{"rrname":"www.google.com","rrtype":"AAAA"}],"answers":[{"rrname":"www.google.com","rrtype":"AAAA",)"
    R"("ttl":298,"rdata":"2607:f8b0:400a:0809:0000:0000:0000:2004"}],)"
    R"("grouped":{"AAAA":["2607:f8b0:400a:0809:0000:0000:0000:2004"]}}})";

constexpr const char* kEveFlow =
    R"({"timestamp":"2016-10-24T16:10:19.660295+0000","flow_id":5845981124449947,"event_type":"flow",)"
    R"("src_ip":"10.16.1.11","src_port":53,"dest_ip":"8.8.8.8","dest_port":53,"proto":"UDP",)"
    R"("community_id":"1:d/8GdJe+T0CWgBRmd7/Nk+3OCk0=","app_proto":"dns","flow":{"pkts_toserver":2,)"
    R"("pkts_toclient":2,"bytes_toserver":148,"bytes_toclient":304,"start":"2016-10-24T16:10:19.556277+0000",)"
    R"("end":"2016-10-24T16:10:19.660295+0000","age":0,"state":"established","reason":"shutdown","alerted":false}})";

// tls-subjectaltname capture.
constexpr const char* kEveHttp =
    R"({"timestamp":"2022-03-17T08:38:56.146141+0000","flow_id":6576051197016965,"pcap_cnt":77,"event_type":"http",)"
    R"("src_ip":"192.168.100.206","src_port":59697,"dest_ip":"93.184.221.240","dest_port":80,"proto":"TCP",)"
    R"("community_id":"1:wreUYxqnHUbaeXP73n5MjMp0NyA=","tx_id":0,"http":{"hostname":"ctldl.windowsupdate.com",)"
    R"("url":"/msdownload/update/v3/static/trustedr/en/disallowedcertstl.cab?bb56a97388c32c09",)"
    R"("http_user_agent":"Microsoft-CryptoAPI/6.1","http_content_type":"application/vnd.ms-cab-compressed",)"
    R"("http_method":"GET","protocol":"HTTP/1.1","status":200,"length":4817}})";

constexpr const char* kEveTls =
    R"({"timestamp":"2022-03-17T08:38:55.804867+0000","flow_id":7797247665760313,"pcap_cnt":53,"event_type":"tls",)"
    R"("src_ip":"192.168.100.206","src_port":59690,"dest_ip":"204.79.197.200","dest_port":443,"proto":"TCP",)"
    R"("community_id":"1:B1dYVtr2PS6y6I9P2Jge08uqIoE=","tx_id":0,"tls":{"subject":"CN=www.bing.com",)"
    R"("issuerdn":"C=US, O=Microsoft Corporation, CN=Microsoft RSA TLS CA 01",)"
    R"("serial":"12:00:25:FE:E7:DB:B2:92:A6:3B:4D:61:E8:00:00:00:25:FE:E7",)"
    R"("fingerprint":"ae:3d:60:31:50:3c:5a:ad:ab:e0:21:39:02:fb:32:14:d1:a5:23:4a","sni":"www.bing.com",)"
    R"("version":"TLS 1.2","notbefore":"2022-03-16T01:24:53","notafter":"2022-09-16T01:24:53",)"
    R"("subjectaltname":["www.bing.com","dict.bing.com.cn"],"ja3":{"hash":"5182f54f9c6e99d117d9dde3fa2b4cff",)"
    R"("string":"771,49192-49191,0-5-10,23-24,0"},"ja3s":{"hash":"15381d64ba148f31a70eb87b53085230",)"
    R"("string":"771,49192,5-23-65281"},"ja4":"t12d260700_db6bc8f7861c_595eacc76d13"}})";

// Suricata 7 alert, as written with `alert: {metadata: yes}` off.
constexpr const char* kEveAlert =
    R"({"timestamp":"2023-11-02T10:15:00.123456+0100","flow_id":1288213418545371,"in_iface":"eth0",)"
    R"("event_type":"alert","src_ip":"2001:db8::10","src_port":51234,"dest_ip":"2001:db8:0:0:0:0:0:53",)"
    R"("dest_port":80,"proto":"TCP","pkt_src":"wire/pcap","community_id":"1:abc=","alert":{"action":"allowed",)"
    R"("gid":1,"signature_id":2013028,"rev":7,"signature":"ET POLICY curl User-Agent Outbound",)"
    R"("category":"Attempted Information Leak","severity":2},"http":{"hostname":"example.com",)"
    R"("url":"http://example.com/a/b?x=1#frag","http_user_agent":"curl/7.88.1","http_method":"GET",)"
    R"("protocol":"HTTP/1.1","length":0},"app_proto":"http","direction":"to_server",)"
    R"("flow":{"pkts_toserver":3,"pkts_toclient":1,"bytes_toserver":270,"bytes_toclient":74,)"
    R"("start":"2023-11-02T10:14:59.998000+0100"}})";

TimestampNs ns(std::int64_t s, std::int64_t frac_ns) { return s * kNsPerSecond + frac_ns; }

}  // namespace

TEST_CASE("EVE dns request from our own export maps to ECS with endpoints", "[logparse][json][eve]") {
  JsonLogParser p;
  LogEvent e;
  REQUIRE(p.parse(kEveDnsRequest, JsonFlavour::automatic, e));
  CHECK(e.parser == "eve");
  CHECK(e.dataset == "suricata.dns");
  CHECK(e.parsed);
  CHECK(e.timestamp == ns(1477325419, 556277000));  // date -d 2016-10-24T16:10:19Z +%s
  CHECK(e.message.empty());
  CHECK(e.endpoints.source_ip == ip("10.16.1.11"));
  CHECK(e.endpoints.destination_ip == ip("8.8.8.8"));
  CHECK(e.endpoints.source_port == 53);
  CHECK(e.endpoints.destination_port == 53);
  CHECK(e.endpoints.ip_proto == 17);
  const std::vector<Row> want{
      {"suricata.eve.flow_id", "5845981124449947", I},
      {"suricata.eve.pcap_cnt", "1", I},
      {"source.ip", "10.16.1.11", IP},
      {"source.port", "53", I},
      {"destination.ip", "8.8.8.8", IP},
      {"destination.port", "53", I},
      {"network.transport", "udp", S},
      {"network.community_id", "1:d/8GdJe+T0CWgBRmd7/Nk+3OCk0=", S},
      {"suricata.eve.tx_id", "0", I},
      {"suricata.eve.dns.version", "3", I},
      {"dns.type", "query", S},
      {"suricata.eve.dns.tx_id", "0", I},
      {"dns.id", "1", I},
      {"suricata.eve.dns.flags", "100", S},
      {"suricata.eve.dns.rd", "true", B},
      {"suricata.eve.dns.opcode", "0", I},
      {"dns.response_code", "NOERROR", S},
      {"dns.question.name", "www.google.com", S},
      {"dns.question.type", "A", S},
  };
  CHECK(rows(e) == want);
}

TEST_CASE("EVE dns answers repeat per answer and IPv6 rdata is normalised", "[logparse][json][eve]") {
  JsonLogParser p;
  LogEvent e;
  REQUIRE(p.parse(kEveDnsResponse, JsonFlavour::eve, e));
  CHECK(e.timestamp == ns(1477325419, 660295000));
  CHECK(e.endpoints.source_ip == ip("8.8.8.8"));
  const std::vector<Row> want{
      {"suricata.eve.flow_id", "5845981124449947", I},
      {"suricata.eve.pcap_cnt", "4", I},
      {"source.ip", "8.8.8.8", IP},
      {"source.port", "53", I},
      {"destination.ip", "10.16.1.11", IP},
      {"destination.port", "53", I},
      {"network.transport", "udp", S},
      {"network.community_id", "1:d/8GdJe+T0CWgBRmd7/Nk+3OCk0=", S},
      {"suricata.eve.tx_id", "3", I},
      {"suricata.eve.dns.version", "3", I},
      {"dns.type", "answer", S},
      {"suricata.eve.dns.tx_id", "3", I},
      {"dns.id", "2", I},
      {"suricata.eve.dns.flags", "8180", S},
      {"suricata.eve.dns.qr", "true", B},
      {"suricata.eve.dns.rd", "true", B},
      {"suricata.eve.dns.ra", "true", B},
      {"suricata.eve.dns.opcode", "0", I},
      {"dns.response_code", "NOERROR", S},
      {"dns.question.name", "www.google.com", S},
      {"dns.question.type", "AAAA", S},
      {"dns.answers.name", "www.google.com", S},
      {"dns.answers.type", "AAAA", S},
      {"dns.answers.ttl", "298", I},
      {"dns.answers.data", "2607:f8b0:400a:0809:0000:0000:0000:2004", S},
      {"dns.resolved_ip", "2607:f8b0:400a:809::2004", IP},
      {"suricata.eve.dns.grouped.AAAA", "2607:f8b0:400a:0809:0000:0000:0000:2004", S},
  };
  CHECK(rows(e) == want);
}

TEST_CASE("EVE flow maps counters to source/destination and times to event.start/end", "[logparse][json][eve]") {
  JsonLogParser p;
  LogEvent e;
  REQUIRE(p.parse(kEveFlow, JsonFlavour::automatic, e));
  CHECK(e.dataset == "suricata.flow");
  const std::vector<Row> want{
      {"suricata.eve.flow_id", "5845981124449947", I},
      {"source.ip", "10.16.1.11", IP},
      {"source.port", "53", I},
      {"destination.ip", "8.8.8.8", IP},
      {"destination.port", "53", I},
      {"network.transport", "udp", S},
      {"network.community_id", "1:d/8GdJe+T0CWgBRmd7/Nk+3OCk0=", S},
      {"network.protocol", "dns", S},
      {"source.packets", "2", I},
      {"destination.packets", "2", I},
      {"source.bytes", "148", I},
      {"destination.bytes", "304", I},
      {"event.start", "1477325419556277000", T},
      {"event.end", "1477325419660295000", T},
      {"suricata.eve.flow.age", "0", I},
      {"suricata.eve.flow.state", "established", S},
      {"suricata.eve.flow.reason", "shutdown", S},
      {"suricata.eve.flow.alerted", "false", B},
  };
  CHECK(rows(e) == want);
}

TEST_CASE("EVE http splits the URL and maps the request and response", "[logparse][json][eve]") {
  JsonLogParser p;
  LogEvent e;
  REQUIRE(p.parse(kEveHttp, JsonFlavour::automatic, e));
  CHECK(e.dataset == "suricata.http");
  CHECK(e.timestamp == ns(1647506336, 146141000));
  CHECK(e.endpoints.ip_proto == 6);
  const std::vector<Row> want{
      {"suricata.eve.flow_id", "6576051197016965", I},
      {"suricata.eve.pcap_cnt", "77", I},
      {"source.ip", "192.168.100.206", IP},
      {"source.port", "59697", I},
      {"destination.ip", "93.184.221.240", IP},
      {"destination.port", "80", I},
      {"network.transport", "tcp", S},
      {"network.community_id", "1:wreUYxqnHUbaeXP73n5MjMp0NyA=", S},
      {"suricata.eve.tx_id", "0", I},
      {"url.domain", "ctldl.windowsupdate.com", S},
      {"url.original", "/msdownload/update/v3/static/trustedr/en/disallowedcertstl.cab?bb56a97388c32c09", S},
      {"url.path", "/msdownload/update/v3/static/trustedr/en/disallowedcertstl.cab", S},
      {"url.query", "bb56a97388c32c09", S},
      {"user_agent.original", "Microsoft-CryptoAPI/6.1", S},
      {"http.response.mime_type", "application/vnd.ms-cab-compressed", S},
      {"http.request.method", "GET", S},
      {"http.version", "1.1", S},
      {"http.response.status_code", "200", I},
      {"http.response.body.bytes", "4817", I},
  };
  CHECK(rows(e) == want);
}

TEST_CASE("EVE tls maps SNI, version, certificate and JA3/JA4", "[logparse][json][eve]") {
  JsonLogParser p;
  LogEvent e;
  REQUIRE(p.parse(kEveTls, JsonFlavour::automatic, e));
  CHECK(e.dataset == "suricata.tls");
  const std::vector<Row> want{
      {"suricata.eve.flow_id", "7797247665760313", I},
      {"suricata.eve.pcap_cnt", "53", I},
      {"source.ip", "192.168.100.206", IP},
      {"source.port", "59690", I},
      {"destination.ip", "204.79.197.200", IP},
      {"destination.port", "443", I},
      {"network.transport", "tcp", S},
      {"network.community_id", "1:B1dYVtr2PS6y6I9P2Jge08uqIoE=", S},
      {"suricata.eve.tx_id", "0", I},
      {"tls.server.subject", "CN=www.bing.com", S},
      {"tls.server.issuer", "C=US, O=Microsoft Corporation, CN=Microsoft RSA TLS CA 01", S},
      {"tls.server.x509.serial_number", "12:00:25:FE:E7:DB:B2:92:A6:3B:4D:61:E8:00:00:00:25:FE:E7", S},
      {"tls.server.hash.sha1", "AE3D6031503C5AADABE0213902FB3214D1A5234A", S},
      {"tls.client.server_name", "www.bing.com", S},
      {"tls.version", "1.2", S},
      {"tls.version_protocol", "tls", S},
      {"tls.server.not_before", "1647393893000000000", T},  // date -d 2022-03-16T01:24:53Z +%s
      {"tls.server.not_after", "1663291493000000000", T},
      {"suricata.eve.tls.subjectaltname", "www.bing.com", S},
      {"suricata.eve.tls.subjectaltname", "dict.bing.com.cn", S},
      {"tls.client.ja3", "5182f54f9c6e99d117d9dde3fa2b4cff", S},
      {"suricata.eve.tls.ja3.string", "771,49192-49191,0-5-10,23-24,0", S},
      {"tls.server.ja3s", "15381d64ba148f31a70eb87b53085230", S},
      {"suricata.eve.tls.ja3s.string", "771,49192,5-23-65281", S},
      {"tls.client.ja4", "t12d260700_db6bc8f7861c_595eacc76d13", S},
  };
  CHECK(rows(e) == want);
}

TEST_CASE("EVE alert maps the rule, keeps the zone offset and IPv6 endpoints", "[logparse][json][eve]") {
  JsonLogParser p;
  LogEvent e;
  REQUIRE(p.parse(kEveAlert, JsonFlavour::automatic, e));
  CHECK(e.dataset == "suricata.alert");
  CHECK(e.message == "ET POLICY curl User-Agent Outbound");
  CHECK(e.timestamp == ns(1698916500, 123456000));  // 10:15:00+01:00 = 09:15:00Z
  CHECK(e.endpoints.source_ip == ip("2001:db8::10"));
  CHECK(e.endpoints.destination_ip == ip("2001:db8::53"));
  CHECK(e.endpoints.source_port == 51234);
  CHECK(e.endpoints.destination_port == 80);
  CHECK(e.endpoints.ip_proto == 6);
  const std::vector<Row> want{
      {"suricata.eve.flow_id", "1288213418545371", I},
      {"observer.ingress.interface.name", "eth0", S},
      {"source.ip", "2001:db8::10", IP},
      {"source.port", "51234", I},
      {"destination.ip", "2001:db8::53", IP},
      {"destination.port", "80", I},
      {"network.transport", "tcp", S},
      {"suricata.eve.pkt_src", "wire/pcap", S},
      {"network.community_id", "1:abc=", S},
      {"event.action", "allowed", S},
      {"suricata.eve.alert.gid", "1", I},
      {"rule.id", "2013028", I},
      {"rule.version", "7", I},
      {"rule.name", "ET POLICY curl User-Agent Outbound", S},
      {"rule.category", "Attempted Information Leak", S},
      {"event.severity", "2", I},
      {"url.domain", "example.com", S},
      {"url.original", "http://example.com/a/b?x=1#frag", S},
      {"url.path", "/a/b", S},
      {"url.query", "x=1", S},
      {"user_agent.original", "curl/7.88.1", S},
      {"http.request.method", "GET", S},
      {"http.version", "1.1", S},
      {"http.response.body.bytes", "0", I},
      {"network.protocol", "http", S},
      {"suricata.eve.direction", "to_server", S},
      {"source.packets", "3", I},
      {"destination.packets", "1", I},
      {"source.bytes", "270", I},
      {"destination.bytes", "74", I},
      {"event.start", "1698916499998000000", T},
  };
  CHECK(rows(e) == want);
}

TEST_CASE("Zeek conn without _path is recognised by its keys, epoch ts to the microsecond", "[logparse][json][zeek]") {
  JsonLogParser p;
  LogEvent e;
  REQUIRE(p.parse(
      R"({"ts":1698765432.123456,"uid":"CHhAvVGS1DHFjwGM9","id.orig_h":"192.168.1.100","id.orig_p":52344,)"
      R"("id.resp_h":"93.184.216.34","id.resp_p":443,"proto":"tcp","service":"ssl","duration":1.234567,)"
      R"("orig_bytes":517,"resp_bytes":4809,"conn_state":"SF","local_orig":true,"local_resp":false,)"
      R"("missed_bytes":0,"history":"ShADadFf","orig_pkts":12,"orig_ip_bytes":1141,"resp_pkts":10,"resp_ip_bytes":5329})",
      JsonFlavour::automatic, e));
  CHECK(e.parser == "zeek");
  CHECK(e.dataset == "zeek.conn");
  CHECK(e.timestamp == ns(1698765432, 123456000));
  CHECK(e.endpoints.source_ip == ip("192.168.1.100"));
  CHECK(e.endpoints.destination_ip == ip("93.184.216.34"));
  CHECK(e.endpoints.source_port == 52344);
  CHECK(e.endpoints.destination_port == 443);
  CHECK(e.endpoints.ip_proto == 6);
  const std::vector<Row> want{
      {"zeek.session_id", "CHhAvVGS1DHFjwGM9", S},
      {"source.ip", "192.168.1.100", IP},
      {"source.port", "52344", I},
      {"destination.ip", "93.184.216.34", IP},
      {"destination.port", "443", I},
      {"network.transport", "tcp", S},
      {"network.protocol", "ssl", S},
      {"event.duration", "1234567000", I},
      {"zeek.conn.orig_bytes", "517", I},
      {"zeek.conn.resp_bytes", "4809", I},
      {"zeek.conn.conn_state", "SF", S},
      {"zeek.conn.local_orig", "true", B},
      {"zeek.conn.local_resp", "false", B},
      {"zeek.conn.missed_bytes", "0", I},
      {"zeek.conn.history", "ShADadFf", S},
      {"source.packets", "12", I},
      {"source.bytes", "1141", I},
      {"destination.packets", "10", I},
      {"destination.bytes", "5329", I},
  };
  CHECK(rows(e) == want);
}

TEST_CASE("Zeek dns with _path and ISO 8601 timestamps", "[logparse][json][zeek]") {
  JsonLogParser p;
  LogEvent e;
  REQUIRE(p.parse(
      R"({"_path":"dns","_write_ts":"2023-10-31T15:17:12.650000Z","ts":"2023-10-31T15:17:12.523145Z",)"
      R"("uid":"CfJ7sI3Vw8cq3mGQ2l","id.orig_h":"192.168.1.100","id.orig_p":41234,"id.resp_h":"192.168.1.1",)"
      R"("id.resp_p":53,"proto":"udp","trans_id":48213,"rtt":0.012345,"query":"www.example.com","qclass":1,)"
      R"("qclass_name":"C_INTERNET","qtype":28,"qtype_name":"AAAA","rcode":0,"rcode_name":"NOERROR","AA":false,)"
      R"("TC":false,"RD":true,"RA":true,"Z":0,"answers":["2606:2800:220:1:248:1893:25c8:1946"],"TTLs":[3600.0],)"
      R"("rejected":false})",
      JsonFlavour::automatic, e));
  CHECK(e.dataset == "zeek.dns");
  CHECK(e.timestamp == ns(1698765432, 523145000));
  CHECK(e.endpoints.ip_proto == 17);
  const std::vector<Row> want{
      {"event.ingested", "1698765432650000000", T},
      {"zeek.session_id", "CfJ7sI3Vw8cq3mGQ2l", S},
      {"source.ip", "192.168.1.100", IP},
      {"source.port", "41234", I},
      {"destination.ip", "192.168.1.1", IP},
      {"destination.port", "53", I},
      {"network.transport", "udp", S},
      {"dns.id", "48213", I},
      {"zeek.dns.rtt", "0.012345", N},
      {"dns.question.name", "www.example.com", S},
      {"zeek.dns.qclass", "1", I},
      {"dns.question.class", "C_INTERNET", S},
      {"zeek.dns.qtype", "28", I},
      {"dns.question.type", "AAAA", S},
      {"zeek.dns.rcode", "0", I},
      {"dns.response_code", "NOERROR", S},
      {"zeek.dns.AA", "false", B},
      {"zeek.dns.TC", "false", B},
      {"zeek.dns.RD", "true", B},
      {"zeek.dns.RA", "true", B},
      {"zeek.dns.Z", "0", I},
      {"dns.answers.data", "2606:2800:220:1:248:1893:25c8:1946", S},
      {"dns.resolved_ip", "2606:2800:220:1:248:1893:25c8:1946", IP},
      {"dns.answers.ttl", "3600", N},
      {"zeek.dns.rejected", "false", B},
  };
  CHECK(rows(e) == want);
}

TEST_CASE("Zeek http and ssl imply TCP and map to ECS", "[logparse][json][zeek]") {
  JsonLogParser p;
  SECTION("http") {
    LogEvent e;
    REQUIRE(p.parse(
        R"({"ts":1698765433.10101,"uid":"C4J4Th3PJpwUYZZ6gc","id.orig_h":"192.168.1.100","id.orig_p":52346,)"
        R"("id.resp_h":"93.184.216.34","id.resp_p":80,"trans_depth":1,"method":"GET","host":"www.example.com",)"
        R"("uri":"/index.html?q=1","referrer":"http://www.example.com/","version":"1.1","user_agent":"curl/8.4.0",)"
        R"("request_body_len":0,"response_body_len":1256,"status_code":200,"status_msg":"OK","tags":[],)"
        R"("resp_fuids":["FXbR0x3bN0rGtl6Ap2"],"resp_mime_types":["text/html"]})",
        JsonFlavour::automatic, e));
    CHECK(e.dataset == "zeek.http");
    CHECK(e.timestamp == ns(1698765433, 101010000));
    CHECK(e.endpoints.ip_proto == 6);
    const std::vector<Row> want{
        {"network.transport", "tcp", S},
        {"zeek.session_id", "C4J4Th3PJpwUYZZ6gc", S},
        {"source.ip", "192.168.1.100", IP},
        {"source.port", "52346", I},
        {"destination.ip", "93.184.216.34", IP},
        {"destination.port", "80", I},
        {"zeek.http.trans_depth", "1", I},
        {"http.request.method", "GET", S},
        {"url.domain", "www.example.com", S},
        {"url.original", "/index.html?q=1", S},
        {"url.path", "/index.html", S},
        {"url.query", "q=1", S},
        {"http.request.referrer", "http://www.example.com/", S},
        {"http.version", "1.1", S},
        {"user_agent.original", "curl/8.4.0", S},
        {"http.request.body.bytes", "0", I},
        {"http.response.body.bytes", "1256", I},
        {"http.response.status_code", "200", I},
        {"zeek.http.status_msg", "OK", S},
        {"zeek.http.resp_fuids", "FXbR0x3bN0rGtl6Ap2", S},
        {"http.response.mime_type", "text/html", S},
    };
    CHECK(rows(e) == want);
  }
  SECTION("ssl") {
    LogEvent e;
    REQUIRE(p.parse(
        R"({"ts":1698765432.201,"uid":"CHhAvVGS1DHFjwGM9","id.orig_h":"192.168.1.100","id.orig_p":52344,)"
        R"("id.resp_h":"93.184.216.34","id.resp_p":443,"version":"TLSv13","cipher":"TLS_AES_256_GCM_SHA384",)"
        R"("curve":"x25519","server_name":"www.example.com","resumed":false,"established":true,"ssl_history":"CsiI"})",
        JsonFlavour::zeek, e));
    CHECK(e.dataset == "zeek.ssl");
    CHECK(e.timestamp == ns(1698765432, 201000000));
    const std::vector<Row> want{
        {"network.transport", "tcp", S},
        {"zeek.session_id", "CHhAvVGS1DHFjwGM9", S},
        {"source.ip", "192.168.1.100", IP},
        {"source.port", "52344", I},
        {"destination.ip", "93.184.216.34", IP},
        {"destination.port", "443", I},
        {"tls.version", "1.3", S},
        {"tls.version_protocol", "tls", S},
        {"tls.cipher", "TLS_AES_256_GCM_SHA384", S},
        {"tls.curve", "x25519", S},
        {"tls.client.server_name", "www.example.com", S},
        {"tls.resumed", "false", B},
        {"tls.established", "true", B},
        {"zeek.ssl.ssl_history", "CsiI", S},
    };
    CHECK(rows(e) == want);
  }
}

TEST_CASE("Zeek files and notice logs", "[logparse][json][zeek]") {
  JsonLogParser p;
  SECTION("files (Zeek 6: uid and id instead of tx_hosts/rx_hosts)") {
    LogEvent e;
    REQUIRE(p.parse(
        R"({"ts":1698765433.2,"fuid":"FXbR0x3bN0rGtl6Ap2","uid":"C4J4Th3PJpwUYZZ6gc","id.orig_h":"192.168.1.100",)"
        R"("id.orig_p":52346,"id.resp_h":"93.184.216.34","id.resp_p":80,"source":"HTTP","depth":0,)"
        R"("analyzers":["MD5","SHA1"],"mime_type":"text/html","duration":0.0,"is_orig":false,"seen_bytes":1256,)"
        R"("total_bytes":1256,"missing_bytes":0,"overflow_bytes":0,"timedout":false,)"
        R"("md5":"84238dfc8092e5d9c0dac8ef93371a07","sha1":"4a3ce8ee11e091dd7923f4d8c6e5b5e41ec7c047"})",
        JsonFlavour::automatic, e));
    CHECK(e.dataset == "zeek.files");
    CHECK(e.endpoints.ip_proto == 0);
    const std::vector<Row> want{
        {"zeek.files.fuid", "FXbR0x3bN0rGtl6Ap2", S},
        {"zeek.session_id", "C4J4Th3PJpwUYZZ6gc", S},
        {"source.ip", "192.168.1.100", IP},
        {"source.port", "52346", I},
        {"destination.ip", "93.184.216.34", IP},
        {"destination.port", "80", I},
        {"zeek.files.source", "HTTP", S},
        {"zeek.files.depth", "0", I},
        {"zeek.files.analyzers", "MD5", S},
        {"zeek.files.analyzers", "SHA1", S},
        {"file.mime_type", "text/html", S},
        {"zeek.files.duration", "0", N},
        {"zeek.files.is_orig", "false", B},
        {"zeek.files.seen_bytes", "1256", I},
        {"file.size", "1256", I},
        {"zeek.files.missing_bytes", "0", I},
        {"zeek.files.overflow_bytes", "0", I},
        {"zeek.files.timedout", "false", B},
        {"file.hash.md5", "84238dfc8092e5d9c0dac8ef93371a07", S},
        {"file.hash.sha1", "4a3ce8ee11e091dd7923f4d8c6e5b5e41ec7c047", S},
    };
    CHECK(rows(e) == want);
  }
  SECTION("notice: msg is the message, src/dst repeat id.* and are not duplicated") {
    LogEvent e;
    REQUIRE(p.parse(
        R"({"_path":"notice","ts":1698765434.0,"uid":"CHhAvVGS1DHFjwGM9","id.orig_h":"192.168.1.100",)"
        R"("id.orig_p":52344,"id.resp_h":"93.184.216.34","id.resp_p":443,"proto":"tcp",)"
        R"~("note":"SSL::Invalid_Server_Cert","msg":"SSL certificate validation failed with (unable to get local )~"
        R"~(issuer certificate)","sub":"CN=www.example.com","src":"192.168.1.100","dst":"93.184.216.34","p":443,)~"
        R"("peer_descr":"worker-1","actions":["Notice::ACTION_LOG"],"email_dest":[],"suppress_for":3600.0})",
        JsonFlavour::automatic, e));
    CHECK(e.dataset == "zeek.notice");
    CHECK(e.message == "SSL certificate validation failed with (unable to get local issuer certificate)");
    CHECK(e.timestamp == ns(1698765434, 0));
    const std::vector<Row> want{
        {"zeek.session_id", "CHhAvVGS1DHFjwGM9", S},
        {"source.ip", "192.168.1.100", IP},
        {"source.port", "52344", I},
        {"destination.ip", "93.184.216.34", IP},
        {"destination.port", "443", I},
        {"network.transport", "tcp", S},
        {"rule.name", "SSL::Invalid_Server_Cert", S},
        {"zeek.notice.sub", "CN=www.example.com", S},
        {"zeek.notice.peer_descr", "worker-1", S},
        {"event.action", "Notice::ACTION_LOG", S},
        {"zeek.notice.suppress_for", "3600", N},
    };
    CHECK(rows(e) == want);
  }
}

TEST_CASE("Generic JSON flattens objects, repeats arrays and reads ECS endpoints", "[logparse][json][generic]") {
  JsonLogParser p;
  LogEvent e;
  REQUIRE(p.parse(
      R"({"@timestamp":"2023-11-02T10:15:00.5Z","message":"blocked outbound connection",)"
      R"("event":{"dataset":"firewall.log","action":"deny","risk":0.75},)"
      R"("source":{"ip":"10.0.0.5","port":40000},"destination":{"ip":"198.51.100.7","port":8443},)"
      R"("network":{"transport":"TCP"},"tags":["fw","egress"],"ok":false,"nothing":null,"empty":{}})",
      JsonFlavour::automatic, e));
  CHECK(e.parser == "json");
  CHECK(e.dataset == "firewall.log");
  CHECK(e.message == "blocked outbound connection");
  CHECK(e.timestamp == ns(1698920100, 500000000));
  CHECK(e.endpoints.source_ip == ip("10.0.0.5"));
  CHECK(e.endpoints.destination_ip == ip("198.51.100.7"));
  CHECK(e.endpoints.source_port == 40000);
  CHECK(e.endpoints.destination_port == 8443);
  CHECK(e.endpoints.ip_proto == 6);
  const std::vector<Row> want{
      {"event.action", "deny", S},
      {"event.risk", "0.75", N},
      {"source.ip", "10.0.0.5", IP},
      {"source.port", "40000", I},
      {"destination.ip", "198.51.100.7", IP},
      {"destination.port", "8443", I},
      {"network.transport", "tcp", S},
      {"tags", "fw", S},
      {"tags", "egress", S},
      {"ok", "false", B},
  };
  CHECK(rows(e) == want);
}

TEST_CASE("Generic JSON epoch times by magnitude and dataset default", "[logparse][json][generic]") {
  JsonLogParser p;
  SECTION("seconds with fraction under \"ts\"") {
    LogEvent e;
    REQUIRE(p.parse(R"({"ts":1700000000.25,"level":"info"})", JsonFlavour::generic, e));
    CHECK(e.timestamp == ns(1700000000, 250000000));
    CHECK(e.dataset == "json");
    CHECK(rows(e) == std::vector<Row>{{"level", "info", S}});
  }
  SECTION("milliseconds under \"time\"") {
    LogEvent e;
    REQUIRE(p.parse(R"({"time":1700000000123})", JsonFlavour::generic, e));
    CHECK(e.timestamp == ns(1700000000, 123000000));
    CHECK(e.fields.empty());
  }
  SECTION("microseconds, and times past 2262 stay fields instead of overflowing") {
    LogEvent e;
    REQUIRE(p.parse(R"({"ts":1700000000123456,"time":9300000000})", JsonFlavour::generic, e));
    CHECK(e.timestamp == ns(1700000000, 123456000));
    CHECK(rows(e) == std::vector<Row>{{"time", "9300000000", I}});
  }
  SECTION("an empty top-level key gives no nameless field") {
    LogEvent e;
    REQUIRE(p.parse(R"({"":1,"a":{"":2}})", JsonFlavour::generic, e));
    CHECK(rows(e) == std::vector<Row>{{"a.", "2", I}});
  }
  SECTION("an unparsable time stays a field") {
    LogEvent e;
    REQUIRE(p.parse(R"({"timestamp":"yesterday"})", JsonFlavour::generic, e));
    CHECK(e.timestamp == 0);
    CHECK(rows(e) == std::vector<Row>{{"timestamp", "yesterday", S}});
  }
  SECTION("an address that is not one stays a string, ports out of range stay out of endpoints") {
    LogEvent e;
    REQUIRE(p.parse(R"({"source":{"ip":"not-an-ip","port":70000}})", JsonFlavour::generic, e));
    CHECK(e.endpoints.source_ip.version == 0);
    CHECK(e.endpoints.source_port == 0);
    CHECK(rows(e) == std::vector<Row>{{"source.ip", "not-an-ip", S}, {"source.port", "70000", I}});
  }
}

TEST_CASE("Flavour detection: event_type means EVE, _path or ts+uid means Zeek", "[logparse][json]") {
  JsonLogParser p;
  LogEvent a, b, c, d;
  REQUIRE(p.parse(R"({"event_type":"stats","stats":{"uptime":5}})", JsonFlavour::automatic, a));
  CHECK(a.parser == "eve");
  CHECK(a.dataset == "suricata.stats");
  CHECK(rows(a) == std::vector<Row>{{"suricata.eve.stats.uptime", "5", I}});
  REQUIRE(p.parse(R"({"_path":"weird","ts":1.5,"name":"bad_TCP_checksum"})", JsonFlavour::automatic, b));
  CHECK(b.dataset == "zeek.weird");
  CHECK(rows(b) == std::vector<Row>{{"zeek.weird.name", "bad_TCP_checksum", S}});
  REQUIRE(p.parse(R"({"ts":1.5,"uid":"Cx","x":1})", JsonFlavour::automatic, c));
  CHECK(c.dataset == "zeek.unknown");
  REQUIRE(p.parse(R"({"ts":1.5,"x":1})", JsonFlavour::automatic, d));
  CHECK(d.parser == "json");
}

TEST_CASE("JsonLogParser refuses what is not exactly one JSON object", "[logparse][json]") {
  JsonLogParser p;
  const char* bad[] = {"", "   ", "[1,2]", "\"text\"", "42", "{\"a\":1", "{\"a\":1} {\"b\":2}", "{\"a\":\"\xff\"}",
                       "{'a':1}", "{\"a\":1,}", "null"};
  for (const char* b : bad) {
    LogEvent e;
    INFO(b);
    const auto r = p.parse(b, JsonFlavour::automatic, e);
    CHECK_FALSE(r);
    if (!r) CHECK_FALSE(r.error().message.empty());
  }
  // The parser is fine afterwards, and trailing CR/LF is whitespace.
  LogEvent ok_event;
  CHECK(p.parse("{\"a\":1}\r\n", JsonFlavour::generic, ok_event));
  CHECK(rows(ok_event) == std::vector<Row>{{"a", "1", I}});
}

TEST_CASE("parse_iso8601_ns accepts RFC 3339 variants and rejects the rest", "[logparse][json][time]") {
  CHECK(parse_iso8601_ns("1970-01-01T00:00:00Z") == TimestampNs{0});
  CHECK(parse_iso8601_ns("2016-10-24T16:10:19.556277+0000") == ns(1477325419, 556277000));
  CHECK(parse_iso8601_ns("2016-10-24 18:10:19.556277+02:00") == ns(1477325419, 556277000));
  CHECK(parse_iso8601_ns("2016-10-24T11:10:19.556277-05") == ns(1477325419, 556277000));
  CHECK(parse_iso8601_ns("2024-02-29T23:59:59.123456789123z") == ns(1709251199, 123456789));
  CHECK(parse_iso8601_ns("1969-12-31T23:59:59Z") == TimestampNs{-kNsPerSecond});
  CHECK_FALSE(parse_iso8601_ns("2016-13-01T00:00:00Z"));
  CHECK_FALSE(parse_iso8601_ns("2016-10-24T16:10:19."));
  CHECK_FALSE(parse_iso8601_ns("2016-10-24T16:10:19Zjunk"));
  CHECK_FALSE(parse_iso8601_ns("2016-10-24"));
  CHECK_FALSE(parse_iso8601_ns("2016-10-24T16:10:19+2"));
  // Past the int64 nanosecond clock (2262-04-11): refused, not overflowed.
  CHECK(parse_iso8601_ns("2262-04-11T00:00:00Z") == TimestampNs{9223286400LL * kNsPerSecond});
  CHECK_FALSE(parse_iso8601_ns("4023-11-02T10:15:00Z"));
  CHECK_FALSE(parse_iso8601_ns("1000-01-01T00:00:00Z"));
}

TEST_CASE("JSON parse speed on EVE dns and Zeek conn lines", "[.bench][logparse][json]") {
  JsonLogParser p;
  const std::string zeek =
      R"({"ts":1698765432.123456,"uid":"CHhAvVGS1DHFjwGM9","id.orig_h":"192.168.1.100","id.orig_p":52344,)"
      R"("id.resp_h":"93.184.216.34","id.resp_p":443,"proto":"tcp","service":"ssl","duration":1.234567,)"
      R"("orig_bytes":517,"resp_bytes":4809,"conn_state":"SF","local_orig":true,"local_resp":false,)"
      R"("missed_bytes":0,"history":"ShADadFf","orig_pkts":12,"orig_ip_bytes":1141,"resp_pkts":10,"resp_ip_bytes":5329})";
  for (const auto& [name, line] : {std::pair<const char*, std::string>{"EVE dns", kEveDnsRequest}, {"Zeek conn", zeek}}) {
    constexpr int kLines = 200'000;
    LogEvent e;
    // Thread CPU time: the machine is shared, wall time would count others' work.
    const auto cpu_ns = [] {
      timespec ts{};
      clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
      return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
    };
    const auto w0 = std::chrono::steady_clock::now();
    const double t0 = cpu_ns();
    for (int i = 0; i < kLines; ++i) {
      e = LogEvent{};  // as the pipeline hands over a fresh event per message
      if (!p.parse(line, JsonFlavour::automatic, e)) FAIL("parse failed");
    }
    const double cpu = cpu_ns() - t0;
    const auto wall = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - w0).count();
    std::printf("%s: %.0f ns/line CPU (%.0f wall), %zu bytes, %zu fields\n", name, cpu / kLines, wall / kLines,
                line.size(), e.fields.size());
  }
}
