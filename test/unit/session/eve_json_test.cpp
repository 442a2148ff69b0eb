// Renderings of session records and protocol events: exact EVE and ECS JSON
// for one hand-made record of each kind, EVE validated against Suricata's
// schema (when python3-jsonschema is installed), search document fields,
// and JsonLinesFile rotation.
#include "session/eve_json.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "search_document_fields.hpp"

#include "session/ecs_json.hpp"
#include "session/json_lines_file.hpp"
#include "session/session_document.hpp"

namespace opensoc::session {
namespace {

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

constexpr TimestampNs kT0 = 1473941283'925424123;  // 2016-09-15T12:08:03.925424123Z

ProtocolEvent base_event(Endpoints e, ProtocolEventBody body) {
  ProtocolEvent ev;
  ev.session_id = 4242;
  ev.sequence = 0;
  ev.ts = kT0 + 5'000'000;
  ev.session_start = kT0;
  ev.endpoints = e;
  ev.community_id = "1:Ab+/cD=";
  ev.pcap_cnt = 21;
  ev.body = std::move(body);
  return ev;
}

Endpoints dns_endpoints() { return Endpoints{ip("192.168.2.16"), ip("192.168.2.1"), 1920, 53, 17, 0}; }

ProtocolEvent dns_query() {
  DnsEvent d;
  d.id = 16995;
  d.rd = true;
  d.flags_raw = 0x0100;
  d.queries.push_back({"ipv6.google.com", 28, 1});
  return base_event(dns_endpoints(), d);
}

ProtocolEvent dns_response() {
  DnsEvent d;
  d.id = 16995;
  d.response = true;
  d.rd = true;
  d.ra = true;
  d.flags_raw = 0x8180;
  d.queries.push_back({"ipv6.google.com", 28, 1});
  d.answers.push_back({"ipv6.google.com", 5, 1, 8655, "ipv6.l.google.com", {}});
  d.answers.push_back({"ipv6.l.google.com", 28, 1, 300, "2001:4860:0:2001::68", {}});
  d.answers.push_back({"ipv6.l.google.com", 15, 1, 60, "10 mx.google.com", {}});
  d.answers.push_back({"ipv6.l.google.com", 16, 1, 60, "", {"v=spf1", " -all"}});
  d.authorities.push_back({"l.google.com", 2, 1, 77923, "a.l.google.com", {}});
  d.additionals.push_back({"a.l.google.com", 1, 1, 77923, "216.239.32.10", {}});
  ProtocolEvent ev = base_event(dns_endpoints(), d);
  ev.to_server = false;
  ev.sequence = 1;
  ev.tx_id = 1;
  ev.pcap_cnt = 22;
  ev.endpoints.vlan = 10;
  return ev;
}

ProtocolEvent http_event() {
  HttpEvent h;
  h.method = "GET";
  h.uri = "/index.html?a=1";
  h.path = "/index.html";
  h.query = "a=1";
  h.host = "example.com";
  h.host_port = 8080;
  h.version = "HTTP/1.1";
  h.user_agent = "curl/8.0";
  h.referrer = "http://ref.example/";
  h.has_response = true;
  h.status = 200;
  h.response_content_type = "text/html";
  h.response_body_bytes = 1256;
  h.response_version = "HTTP/1.1";
  ProtocolEvent ev = base_event(Endpoints{ip("10.0.0.1"), ip("93.184.216.34"), 50000, 8080, 6, 0}, h);
  ev.pcap_cnt = 0;
  return ev;
}

ProtocolEvent tls_event() {
  TlsEvent t;
  t.client_version = 0x0303;
  t.version = 0x0303;
  t.sni = "www.example.com";
  t.alpn_offered = {"h2", "http/1.1"};
  t.alpn = "h2";
  t.cipher = 0xc02f;
  t.has_client_hello = true;
  t.has_server_hello = true;
  t.ja3 = "e7d705a3286e19ea42f587b344ee6865";
  t.ja3_string = "771,49199,0-10,23,0";
  t.ja3s = "fd4bc6cea4877646ccd62f0792ec0b62";
  t.ja3s_string = "771,49199,65281";
  t.ja4 = "t12d0202h2_aaaaaaaaaaaa_bbbbbbbbbbbb";
  t.has_certificate = true;
  t.subject = "CN=www.example.com, O=Example";
  t.issuer = "CN=Example CA, O=Example";
  t.serial = "0A:1B:2C";
  t.fingerprint_sha1 = "8c:90:bd:2a";
  t.not_before = 1552392000LL * kNsPerSecond;  // 2019-03-12T12:00:00Z
  t.not_after = 1583928000LL * kNsPerSecond;   // 2020-03-11T12:00:00Z
  t.sans = {"www.example.com", "example.com"};
  ProtocolEvent ev = base_event(Endpoints{ip("10.0.0.1"), ip("93.184.216.34"), 50001, 443, 6, 0}, t);
  ev.sequence = 0;
  return ev;
}

ProtocolEvent ssh_event() {
  SshEvent s{"2.0", "OpenSSH_9.2p1", "2.0", "OpenSSH_8.4"};
  return base_event(Endpoints{ip("2001:db8::1"), ip("2001:db8::2"), 40000, 22, 6, 0}, s);
}

ProtocolEvent dhcp_event() {
  DhcpEvent d;
  d.message_type = 1;
  d.transaction_id = 0xdeadbeef;
  d.client_mac = "00:11:22:33:44:55";
  d.hostname = "laptop";
  d.requested_ip = "192.168.1.50";
  return base_event(Endpoints{ip("0.0.0.0"), ip("255.255.255.255"), 68, 67, 17, 0}, d);
}

ProtocolEvent quic_event() {
  QuicEvent q;
  q.version = 1;
  q.sni = "quic.example.org";
  q.alpn_offered = {"h3"};
  q.ja4 = "q13d0310h3_aaaaaaaaaaaa_bbbbbbbbbbbb";
  return base_event(Endpoints{ip("10.0.0.1"), ip("10.0.0.2"), 50002, 443, 17, 0}, q);
}

SessionRecord session(std::uint8_t proto) {
  SessionRecord s;
  s.session_id = 77;
  s.community_id = "1:xyz=";
  FlowRecord& f = s.flow;
  f.flow_id = 1;
  f.src_ip = ip("10.0.0.1");
  f.dst_ip = ip("10.0.0.2");
  f.ip_proto = proto;
  f.first_ts = kT0;
  f.last_ts = kT0 + 2'500'000'000;
  f.src_packets = 6;
  f.dst_packets = 4;
  f.src_bytes = 600;
  f.dst_bytes = 4000;
  if (proto == 6) {
    f.src_port = 50000;
    f.dst_port = 443;
    f.src_tcp_flags = 0x1b;
    f.dst_tcp_flags = 0x12 | 0x01 | 0x10;
    f.tcp_state = TcpState::closed;
    f.end_reason = FlowEndReason::fin;
    s.app_protocol = AppProtocol::tls;
    s.event_count = 1;
    s.tls_sni = "www.example.com";
    s.tls_ja3 = "e7d705a3286e19ea42f587b344ee6865";
    s.tls_ja4 = "t12d0202h2_aaaaaaaaaaaa_bbbbbbbbbbbb";
    s.stream.gaps = 1;
  } else if (proto == 17) {
    f.src_port = 1920;
    f.dst_port = 53;
    f.vlan = 10;
    f.end_reason = FlowEndReason::idle_timeout;
    s.app_protocol = AppProtocol::dns;
    s.event_count = 2;
    s.dns_names = {"ipv6.google.com", "www.example.com"};
  } else {
    f.src_port = 8;  // echo request
    f.dst_port = 0;
    f.dst_packets = 0;
    f.dst_bytes = 0;
    f.end_reason = FlowEndReason::shutdown;
  }
  return s;
}

std::string eve(const ProtocolEvent& ev) {
  std::string out;
  append_eve_event(out, ev);
  return out;
}
std::string eve(const SessionRecord& s) {
  std::string out;
  append_eve_flow(out, s);
  return out;
}
std::string ecs(const ProtocolEvent& ev) {
  std::string out;
  append_ecs_event(out, ev);
  return out;
}
std::string ecs(const SessionRecord& s) {
  std::string out;
  append_ecs_session(out, s);
  return out;
}

}  // namespace

TEST_CASE("EVE renders each record kind in Suricata 8's layout", "[eve_json]") {
  SECTION("dns request: client is src, v3 queries, flags only when set") {
    CHECK(eve(dns_query()) ==
          R"json({"timestamp":"2016-09-15T12:08:03.930424+0000","flow_id":4242,"pcap_cnt":21,"event_type":"dns","src_ip":"192.168.2.16","src_port":1920,"dest_ip":"192.168.2.1","dest_port":53,"proto":"UDP","community_id":"1:Ab+/cD=","tx_id":0,"dns":{"version":3,"type":"request","tx_id":0,"id":16995,"flags":"100","rd":true,"opcode":0,"rcode":"NOERROR","queries":[{"rrname":"ipv6.google.com","rrtype":"AAAA"}]}})json");
  }
  SECTION("dns response: server is src, answers, grouped, expanded AAAA, vlan") {
    CHECK(eve(dns_response()) ==
          R"json({"timestamp":"2016-09-15T12:08:03.930424+0000","flow_id":4242,"pcap_cnt":22,"event_type":"dns","vlan":[10],"src_ip":"192.168.2.1","src_port":53,"dest_ip":"192.168.2.16","dest_port":1920,"proto":"UDP","community_id":"1:Ab+/cD=","tx_id":1,"dns":{"version":3,"type":"response","tx_id":1,"id":16995,"flags":"8180","qr":true,"rd":true,"ra":true,"opcode":0,"rcode":"NOERROR","queries":[{"rrname":"ipv6.google.com","rrtype":"AAAA"}],"answers":[{"rrname":"ipv6.google.com","rrtype":"CNAME","ttl":8655,"rdata":"ipv6.l.google.com"},{"rrname":"ipv6.l.google.com","rrtype":"AAAA","ttl":300,"rdata":"2001:4860:0000:2001:0000:0000:0000:0068"},{"rrname":"ipv6.l.google.com","rrtype":"MX","ttl":60,"rdata":"mx.google.com"},{"rrname":"ipv6.l.google.com","rrtype":"TXT","ttl":60,"rdata":"v=spf1"},{"rrname":"ipv6.l.google.com","rrtype":"TXT","ttl":60,"rdata":" -all"}],"authorities":[{"rrname":"l.google.com","rrtype":"NS","ttl":77923,"rdata":"a.l.google.com"}],"additionals":[{"rrname":"a.l.google.com","rrtype":"A","ttl":77923,"rdata":"216.239.32.10"}],"grouped":{"CNAME":["ipv6.l.google.com"],"AAAA":["2001:4860:0000:2001:0000:0000:0000:0068"],"MX":["mx.google.com"],"TXT":["v=spf1"," -all"]}}})json");
  }
  SECTION("http") {
    CHECK(eve(http_event()) ==
          R"json({"timestamp":"2016-09-15T12:08:03.930424+0000","flow_id":4242,"event_type":"http","src_ip":"10.0.0.1","src_port":50000,"dest_ip":"93.184.216.34","dest_port":8080,"proto":"TCP","community_id":"1:Ab+/cD=","tx_id":0,"http":{"hostname":"example.com","http_port":8080,"url":"/index.html?a=1","http_user_agent":"curl/8.0","http_content_type":"text/html","http_refer":"http://ref.example/","http_method":"GET","protocol":"HTTP/1.1","status":200,"length":1256}})json");
  }
  SECTION("tls with certificate") {
    CHECK(eve(tls_event()) ==
          R"json({"timestamp":"2016-09-15T12:08:03.930424+0000","flow_id":4242,"pcap_cnt":21,"event_type":"tls","src_ip":"10.0.0.1","src_port":50001,"dest_ip":"93.184.216.34","dest_port":443,"proto":"TCP","community_id":"1:Ab+/cD=","tx_id":0,"tls":{"subject":"CN=www.example.com, O=Example","issuerdn":"CN=Example CA, O=Example","serial":"0A:1B:2C","fingerprint":"8c:90:bd:2a","sni":"www.example.com","version":"TLS 1.2","notbefore":"2019-03-12T12:00:00","notafter":"2020-03-11T12:00:00","subjectaltname":["www.example.com","example.com"],"ja3":{"hash":"e7d705a3286e19ea42f587b344ee6865","string":"771,49199,0-10,23,0"},"ja3s":{"hash":"fd4bc6cea4877646ccd62f0792ec0b62","string":"771,49199,65281"},"ja4":"t12d0202h2_aaaaaaaaaaaa_bbbbbbbbbbbb","client_alpns":["h2","http/1.1"],"server_alpns":["h2"]}})json");
  }
  SECTION("ssh over IPv6") {
    CHECK(eve(ssh_event()) ==
          R"json({"timestamp":"2016-09-15T12:08:03.930424+0000","flow_id":4242,"pcap_cnt":21,"event_type":"ssh","src_ip":"2001:0db8:0000:0000:0000:0000:0000:0001","src_port":40000,"dest_ip":"2001:0db8:0000:0000:0000:0000:0000:0002","dest_port":22,"proto":"TCP","community_id":"1:Ab+/cD=","tx_id":0,"ssh":{"client":{"proto_version":"2.0","software_version":"OpenSSH_9.2p1"},"server":{"proto_version":"2.0","software_version":"OpenSSH_8.4"}}})json");
  }
  SECTION("dhcp discover") {
    CHECK(eve(dhcp_event()) ==
          R"json({"timestamp":"2016-09-15T12:08:03.930424+0000","flow_id":4242,"pcap_cnt":21,"event_type":"dhcp","src_ip":"0.0.0.0","src_port":68,"dest_ip":"255.255.255.255","dest_port":67,"proto":"UDP","community_id":"1:Ab+/cD=","tx_id":0,"dhcp":{"type":"request","id":3735928559,"client_mac":"00:11:22:33:44:55","dhcp_type":"discover","hostname":"laptop","requested_ip":"192.168.1.50"}})json");
  }
  SECTION("quic") {
    CHECK(eve(quic_event()) ==
          R"json({"timestamp":"2016-09-15T12:08:03.930424+0000","flow_id":4242,"pcap_cnt":21,"event_type":"quic","src_ip":"10.0.0.1","src_port":50002,"dest_ip":"10.0.0.2","dest_port":443,"proto":"UDP","community_id":"1:Ab+/cD=","tx_id":0,"quic":{"version":"1","sni":"quic.example.org","ja4":"q13d0310h3_aaaaaaaaaaaa_bbbbbbbbbbbb"}})json");
  }
  SECTION("flow tcp") {
    CHECK(eve(session(6)) ==
          R"json({"timestamp":"2016-09-15T12:08:06.425424+0000","flow_id":77,"event_type":"flow","src_ip":"10.0.0.1","src_port":50000,"dest_ip":"10.0.0.2","dest_port":443,"proto":"TCP","community_id":"1:xyz=","app_proto":"tls","flow":{"pkts_toserver":6,"pkts_toclient":4,"bytes_toserver":600,"bytes_toclient":4000,"start":"2016-09-15T12:08:03.925424+0000","end":"2016-09-15T12:08:06.425424+0000","age":3,"state":"closed","reason":"timeout","alerted":false},"tcp":{"tcp_flags":"1b","tcp_flags_ts":"1b","tcp_flags_tc":"13","syn":true,"fin":true,"psh":true,"ack":true,"state":"closed"}})json");
  }
  SECTION("flow udp") {
    CHECK(eve(session(17)) ==
          R"json({"timestamp":"2016-09-15T12:08:06.425424+0000","flow_id":77,"event_type":"flow","vlan":[10],"src_ip":"10.0.0.1","src_port":1920,"dest_ip":"10.0.0.2","dest_port":53,"proto":"UDP","community_id":"1:xyz=","app_proto":"dns","flow":{"pkts_toserver":6,"pkts_toclient":4,"bytes_toserver":600,"bytes_toclient":4000,"start":"2016-09-15T12:08:03.925424+0000","end":"2016-09-15T12:08:06.425424+0000","age":3,"state":"established","reason":"timeout","alerted":false}})json");
  }
  SECTION("flow icmp") {
    CHECK(eve(session(1)) ==
          R"json({"timestamp":"2016-09-15T12:08:06.425424+0000","flow_id":77,"event_type":"flow","src_ip":"10.0.0.1","dest_ip":"10.0.0.2","proto":"ICMP","icmp_type":8,"icmp_code":0,"community_id":"1:xyz=","flow":{"pkts_toserver":6,"pkts_toclient":0,"bytes_toserver":600,"bytes_toclient":0,"start":"2016-09-15T12:08:03.925424+0000","end":"2016-09-15T12:08:06.425424+0000","age":3,"state":"new","reason":"shutdown","alerted":false}})json");
  }
}

TEST_CASE("EVE names follow Suricata's spellings", "[eve_json]") {
  CHECK(eve_timestamp(kT0) == "2016-09-15T12:08:03.925424+0000");
  CHECK(eve_timestamp(-1) == "1969-12-31T23:59:59.999999+0000");
  CHECK(dns_rrtype_name(28) == "AAAA");
  CHECK(dns_rrtype_name(65) == "HTTPS");
  CHECK(dns_rrtype_name(4000) == "4000");
  CHECK(dns_rcode_name(3) == "NXDOMAIN");
  CHECK(dns_rcode_name(14) == "14");
  CHECK(eve_tls_version(0x0301) == "TLSv1");
  CHECK(eve_tls_version(0x0304) == "TLS 1.3");
  CHECK(eve_tls_version(0) == "UNDETERMINED");
  CHECK(eve_proto_name(58) == "IPv6-ICMP");
  CHECK(eve_proto_name(99) == "99");
  CHECK(quic_version_name(0x51303433) == "Q043");
  CHECK(quic_version_name(0xff00001d) == "ff00001d");
  CHECK(dhcp_message_type_name(5) == "ack");
}

TEST_CASE("ECS renders each record kind with a pcap link", "[ecs_json]") {
  SECTION("dns query") {
    CHECK(ecs(dns_query()) ==
          R"json({"@timestamp":"2016-09-15T12:08:03.930424123Z","event":{"kind":"event","category":["network"],"type":["protocol"],"dataset":"dns","sequence":0},"session":{"id":"4242"},"source":{"ip":"192.168.2.16","port":1920},"destination":{"ip":"192.168.2.1","port":53},"network":{"transport":"udp","protocol":"dns","iana_number":"17","community_id":"1:Ab+/cD=","direction":"external"},"dns":{"id":"16995","type":"query","op_code":"QUERY","header_flags":["RD"],"question":{"name":"ipv6.google.com","type":"AAAA","class":"IN"}},"pcap":"/api/v1/pcap?community_id=1%3AAb%2B%2FcD%3D&start=1473941283.925424123&end=1473941283.930424124"})json");
  }
  SECTION("dns response") {
    CHECK(ecs(dns_response()) ==
          R"json({"@timestamp":"2016-09-15T12:08:03.930424123Z","event":{"kind":"event","category":["network"],"type":["protocol"],"dataset":"dns","sequence":1},"session":{"id":"4242"},"source":{"ip":"192.168.2.16","port":1920},"destination":{"ip":"192.168.2.1","port":53},"network":{"transport":"udp","protocol":"dns","iana_number":"17","community_id":"1:Ab+/cD=","direction":"external","vlan":{"id":"10"}},"dns":{"id":"16995","type":"answer","op_code":"QUERY","header_flags":["RD","RA"],"response_code":"NOERROR","question":{"name":"ipv6.google.com","type":"AAAA","class":"IN"},"answers":[{"name":"ipv6.google.com","type":"CNAME","class":"IN","ttl":8655,"data":"ipv6.l.google.com"},{"name":"ipv6.l.google.com","type":"AAAA","class":"IN","ttl":300,"data":"2001:4860:0:2001::68"},{"name":"ipv6.l.google.com","type":"MX","class":"IN","ttl":60,"data":"10 mx.google.com"},{"name":"ipv6.l.google.com","type":"TXT","class":"IN","ttl":60,"data":"v=spf1 -all"}],"resolved_ip":["2001:4860:0:2001::68"]},"pcap":"/api/v1/pcap?community_id=1%3AAb%2B%2FcD%3D&start=1473941283.925424123&end=1473941283.930424124"})json");
  }
  SECTION("http") {
    CHECK(ecs(http_event()) ==
          R"json({"@timestamp":"2016-09-15T12:08:03.930424123Z","event":{"kind":"event","category":["network"],"type":["protocol"],"dataset":"http","sequence":0},"session":{"id":"4242"},"source":{"ip":"10.0.0.1","port":50000},"destination":{"ip":"93.184.216.34","port":8080},"network":{"transport":"tcp","protocol":"http","iana_number":"6","community_id":"1:Ab+/cD=","direction":"external"},"http":{"version":"1.1","request":{"method":"GET","referrer":"http://ref.example/","body":{"bytes":0}},"response":{"status_code":200,"mime_type":"text/html","body":{"bytes":1256}}},"url":{"original":"/index.html?a=1","domain":"example.com","path":"/index.html","query":"a=1","port":8080},"user_agent":{"original":"curl/8.0"},"pcap":"/api/v1/pcap?community_id=1%3AAb%2B%2FcD%3D&start=1473941283.925424123&end=1473941283.930424124"})json");
  }
  SECTION("tls") {
    CHECK(ecs(tls_event()) ==
          R"json({"@timestamp":"2016-09-15T12:08:03.930424123Z","event":{"kind":"event","category":["network"],"type":["protocol"],"dataset":"tls","sequence":0},"session":{"id":"4242"},"source":{"ip":"10.0.0.1","port":50001},"destination":{"ip":"93.184.216.34","port":443},"network":{"transport":"tcp","protocol":"tls","iana_number":"6","community_id":"1:Ab+/cD=","direction":"external"},"tls":{"version":"1.2","version_protocol":"tls","cipher":"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256","next_protocol":"h2","client":{"server_name":"www.example.com","ja3":"e7d705a3286e19ea42f587b344ee6865","ja4":"t12d0202h2_aaaaaaaaaaaa_bbbbbbbbbbbb","supported_alpn":["h2","http/1.1"]},"server":{"ja3s":"fd4bc6cea4877646ccd62f0792ec0b62","subject":"CN=www.example.com, O=Example","issuer":"CN=Example CA, O=Example","not_before":"2019-03-12T12:00:00.000000000Z","not_after":"2020-03-11T12:00:00.000000000Z","hash":{"sha1":"8C90BD2A"},"x509":{"alternative_names":["www.example.com","example.com"],"serial_number":"0A1B2C"}}},"pcap":"/api/v1/pcap?community_id=1%3AAb%2B%2FcD%3D&start=1473941283.925424123&end=1473941283.930424124"})json");
  }
  SECTION("ssh") {
    CHECK(ecs(ssh_event()) ==
          R"json({"@timestamp":"2016-09-15T12:08:03.930424123Z","event":{"kind":"event","category":["network"],"type":["protocol"],"dataset":"ssh","sequence":0},"session":{"id":"4242"},"source":{"ip":"2001:db8::1","port":40000},"destination":{"ip":"2001:db8::2","port":22},"network":{"transport":"tcp","protocol":"ssh","iana_number":"6","community_id":"1:Ab+/cD=","direction":"external"},"ssh":{"client":{"proto_version":"2.0","software":"OpenSSH_9.2p1"},"server":{"proto_version":"2.0","software":"OpenSSH_8.4"}},"pcap":"/api/v1/pcap?community_id=1%3AAb%2B%2FcD%3D&start=1473941283.925424123&end=1473941283.930424124"})json");
  }
  SECTION("dhcp") {
    CHECK(ecs(dhcp_event()) ==
          R"json({"@timestamp":"2016-09-15T12:08:03.930424123Z","event":{"kind":"event","category":["network"],"type":["protocol"],"dataset":"dhcp","sequence":0},"session":{"id":"4242"},"source":{"ip":"0.0.0.0","port":68},"destination":{"ip":"255.255.255.255","port":67},"network":{"transport":"udp","protocol":"dhcp","iana_number":"17","community_id":"1:Ab+/cD=","direction":"external"},"dhcp":{"message_type":"discover","transaction_id":3735928559,"client_mac":"00:11:22:33:44:55","hostname":"laptop","requested_ip":"192.168.1.50"},"pcap":"/api/v1/pcap?community_id=1%3AAb%2B%2FcD%3D&start=1473941283.925424123&end=1473941283.930424124"})json");
  }
  SECTION("quic") {
    CHECK(ecs(quic_event()) ==
          R"json({"@timestamp":"2016-09-15T12:08:03.930424123Z","event":{"kind":"event","category":["network"],"type":["protocol"],"dataset":"quic","sequence":0},"session":{"id":"4242"},"source":{"ip":"10.0.0.1","port":50002},"destination":{"ip":"10.0.0.2","port":443},"network":{"transport":"udp","protocol":"quic","iana_number":"17","community_id":"1:Ab+/cD=","direction":"external"},"quic":{"version":"1"},"tls":{"client":{"server_name":"quic.example.org","ja4":"q13d0310h3_aaaaaaaaaaaa_bbbbbbbbbbbb","supported_alpn":["h3"]}},"pcap":"/api/v1/pcap?community_id=1%3AAb%2B%2FcD%3D&start=1473941283.925424123&end=1473941283.930424124"})json");
  }
  SECTION("session tcp") {
    CHECK(ecs(session(6)) ==
          R"json({"@timestamp":"2016-09-15T12:08:03.925424123Z","event":{"kind":"event","category":["network"],"type":["connection","end"],"dataset":"session","start":"2016-09-15T12:08:03.925424123Z","end":"2016-09-15T12:08:06.425424123Z","duration":2500000000,"reason":"fin"},"session":{"id":"77","event_count":1,"stream":{"gaps":1,"truncated":false},"tcp":{"state":"closed","source_flags":"1b","destination_flags":"13"}},"source":{"ip":"10.0.0.1","port":50000,"bytes":600,"packets":6},"destination":{"ip":"10.0.0.2","port":443,"bytes":4000,"packets":4},"network":{"transport":"tcp","protocol":"tls","iana_number":"6","community_id":"1:xyz=","direction":"external","bytes":4600,"packets":10},"tls":{"client":{"server_name":"www.example.com","ja3":"e7d705a3286e19ea42f587b344ee6865","ja4":"t12d0202h2_aaaaaaaaaaaa_bbbbbbbbbbbb"}},"pcap":"/api/v1/pcap?community_id=1%3Axyz%3D&start=1473941283.925424123&end=1473941286.425424124"})json");
  }
  SECTION("session udp") {
    CHECK(ecs(session(17)) ==
          R"json({"@timestamp":"2016-09-15T12:08:03.925424123Z","event":{"kind":"event","category":["network"],"type":["connection","end"],"dataset":"session","start":"2016-09-15T12:08:03.925424123Z","end":"2016-09-15T12:08:06.425424123Z","duration":2500000000,"reason":"idle_timeout"},"session":{"id":"77","event_count":2,"stream":{"gaps":0,"truncated":false}},"source":{"ip":"10.0.0.1","port":1920,"bytes":600,"packets":6},"destination":{"ip":"10.0.0.2","port":53,"bytes":4000,"packets":4},"network":{"transport":"udp","protocol":"dns","iana_number":"17","community_id":"1:xyz=","direction":"external","bytes":4600,"packets":10,"vlan":{"id":"10"}},"dns":{"question":{"name":["ipv6.google.com","www.example.com"]}},"pcap":"/api/v1/pcap?community_id=1%3Axyz%3D&start=1473941283.925424123&end=1473941286.425424124"})json");
  }
  SECTION("session icmp") {
    CHECK(ecs(session(1)) ==
          R"json({"@timestamp":"2016-09-15T12:08:03.925424123Z","event":{"kind":"event","category":["network"],"type":["connection","end"],"dataset":"session","start":"2016-09-15T12:08:03.925424123Z","end":"2016-09-15T12:08:06.425424123Z","duration":2500000000,"reason":"shutdown"},"session":{"id":"77","event_count":0,"stream":{"gaps":0,"truncated":false}},"source":{"ip":"10.0.0.1","bytes":600,"packets":6},"destination":{"ip":"10.0.0.2","bytes":0,"packets":0},"icmp":{"type":8,"code":0},"network":{"transport":"icmp","iana_number":"1","community_id":"1:xyz=","direction":"external","bytes":600,"packets":6},"pcap":"/api/v1/pcap?community_id=1%3Axyz%3D&start=1473941283.925424123&end=1473941286.425424124"})json");
  }
}

TEST_CASE("pcap slice URL percent-encodes the community id and prints nanoseconds", "[ecs_json]") {
  CHECK(pcap_slice_url("1:Ab+/cD=", 1'000000005, 2'000000000) ==
        "/api/v1/pcap?community_id=1%3AAb%2B%2FcD%3D&start=1.000000005&end=2.000000000");
  CHECK(pcap_slice_url("", -1, 0) == "/api/v1/pcap?community_id=&start=-0.000000001&end=0.000000000");
  CHECK(ecs_hex("8c:90:bd") == "8C90BD");
  CHECK(tls_cipher_name(0x1301) == "TLS_AES_128_GCM_SHA256");
  CHECK(tls_cipher_name(0xabcd) == "0xabcd");
  CHECK(ecs_http_version("HTTP/1.0") == "1.0");
}

}  // namespace opensoc::session

namespace opensoc::session {
namespace {

std::vector<ProtocolEvent> all_events() {
  return {dns_query(), dns_response(), http_event(), tls_event(), ssh_event(), dhcp_event(), quic_event()};
}
std::vector<SessionRecord> all_sessions() { return {session(6), session(17), session(1)}; }

std::string temp_dir() {
  char tmpl[] = "/tmp/opensoc_eve_json_test_XXXXXX";
  const char* dir = ::mkdtemp(tmpl);
  REQUIRE(dir != nullptr);
  return dir;
}

void remove_dir(const std::string& dir) {
  const std::string cmd = "rm -rf '" + dir + "'";
  CHECK(std::system(cmd.c_str()) == 0);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool file_exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

std::string corpus_dir() {
  const char* env = std::getenv("OPENSOC_CORPUS");
  return env != nullptr ? env : "/work/shared/corpus";
}

}  // namespace

TEST_CASE("EVE records validate against Suricata's schema and ECS records parse", "[eve_json][ecs_json]") {
  const std::string schema = corpus_dir() + "/eve-schema/schema.json";
  if (!file_exists(schema) || std::system("python3 -c 'import jsonschema' >/dev/null 2>&1") != 0) {
    WARN("python3-jsonschema or the EVE schema is missing; schema validation skipped");
    return;
  }
  const std::string dir = temp_dir();
  std::string eve_lines;
  std::string ecs_lines;
  for (const ProtocolEvent& ev : all_events()) {
    append_eve_event(eve_lines, ev);
    eve_lines += '\n';
    append_ecs_event(ecs_lines, ev);
    ecs_lines += '\n';
  }
  for (const SessionRecord& s : all_sessions()) {
    append_eve_flow(eve_lines, s);
    eve_lines += '\n';
    append_ecs_session(ecs_lines, s);
    ecs_lines += '\n';
  }
  std::ofstream(dir + "/eve.json") << eve_lines;
  std::ofstream(dir + "/ecs.json") << ecs_lines;
  // Exit status 0 only if every EVE line validates (additionalProperties is
  // false throughout the schema, so a misspelt key fails) and every ECS line is JSON.
  const std::string cmd =
      "python3 -c 'import json,sys,jsonschema\n"
      "s=json.load(open(sys.argv[1]))\n"
      "v=jsonschema.validators.validator_for(s)(s)\n"
      "n=0\n"
      "for l in open(sys.argv[2]):\n"
      "  for e in v.iter_errors(json.loads(l)): print(e.message, list(e.absolute_path)); n+=1\n"
      "[json.loads(l) for l in open(sys.argv[3])]\n"
      "sys.exit(1 if n else 0)' '" +
      schema + "' '" + dir + "/eve.json' '" + dir + "/ecs.json'";
  CHECK(std::system(cmd.c_str()) == 0);
  remove_dir(dir);
}

namespace {

using document_fields::Numbers;
using document_fields::numbers_of;
using document_fields::Strings;
using document_fields::values_of;

}  // namespace

TEST_CASE("search documents carry every schema field the record has", "[session_document]") {
  SECTION("dns response event") {
    const search::SearchDocument doc = event_document(dns_response());
    CHECK(doc.kind == search::DocumentKind::event);
    CHECK(doc.ts == kT0 + 5'000'000);
    CHECK(doc.unique_id == "e4242-1");
    CHECK(doc.json == ecs(dns_response()));
    CHECK(values_of(doc, "event.dataset") == Strings{"dns"});
    CHECK(values_of(doc, "session.id") == Strings{"4242"});
    CHECK(values_of(doc, "source.ip") == Strings{"192.168.2.16"});
    CHECK(values_of(doc, "destination.ip") == Strings{"192.168.2.1"});
    CHECK(numbers_of(doc, "source.port") == Numbers{1920});
    CHECK(numbers_of(doc, "destination.port") == Numbers{53});
    CHECK(values_of(doc, "network.transport") == Strings{"udp"});
    CHECK(values_of(doc, "network.protocol") == Strings{"dns"});
    CHECK(values_of(doc, "network.community_id") == Strings{"1:Ab+/cD="});
    CHECK(numbers_of(doc, "network.vlan.id") == Numbers{10});
    CHECK(numbers_of(doc, "dns.id") == Numbers{16995});
    CHECK(values_of(doc, "dns.type") == Strings{"answer"});
    CHECK(values_of(doc, "dns.response_code") == Strings{"NOERROR"});
    CHECK(values_of(doc, "dns.question.name") == Strings{"ipv6.google.com"});
    CHECK(values_of(doc, "dns.question.type") == Strings{"AAAA"});
    CHECK(values_of(doc, "dns.answers.name") ==
          Strings{"ipv6.google.com", "ipv6.l.google.com", "ipv6.l.google.com", "ipv6.l.google.com"});
    CHECK(values_of(doc, "dns.answers.data") ==
          Strings{"ipv6.l.google.com", "2001:4860:0:2001::68", "10 mx.google.com", "v=spf1 -all"});
    CHECK(values_of(doc, "event.kind") == Strings{"event"});
    CHECK(values_of(doc, "network.direction") == Strings{"external"});
    CHECK(doc.values.size() == 21);
    CHECK(doc.numbers.size() == 4);
    CHECK(doc.times.empty());
  }
  SECTION("dns query event has no response code") {
    const search::SearchDocument doc = event_document(dns_query());
    CHECK(doc.unique_id == "e4242-0");
    CHECK(values_of(doc, "dns.type") == Strings{"query"});
    CHECK(values_of(doc, "dns.response_code").empty());
  }
  SECTION("http event") {
    const search::SearchDocument doc = event_document(http_event());
    CHECK(values_of(doc, "http.request.method") == Strings{"GET"});
    CHECK(values_of(doc, "url.domain") == Strings{"example.com"});
    CHECK(values_of(doc, "url.path") == Strings{"/index.html"});
    CHECK(values_of(doc, "url.query") == Strings{"a=1"});
    CHECK(values_of(doc, "url.original") == Strings{"/index.html?a=1"});
    CHECK(values_of(doc, "user_agent.original") == Strings{"curl/8.0"});
    CHECK(values_of(doc, "http.request.referrer") == Strings{"http://ref.example/"});
    CHECK(values_of(doc, "http.response.mime_type") == Strings{"text/html"});
    CHECK(values_of(doc, "http.version") == Strings{"1.1"});
    CHECK(numbers_of(doc, "http.response.status_code") == Numbers{200});
    CHECK(numbers_of(doc, "http.request.body.bytes") == Numbers{0});
    CHECK(numbers_of(doc, "http.response.body.bytes") == Numbers{1256});
  }
  SECTION("tls event") {
    const search::SearchDocument doc = event_document(tls_event());
    CHECK(values_of(doc, "tls.version") == Strings{"1.2"});
    CHECK(values_of(doc, "tls.client.server_name") == Strings{"www.example.com"});
    CHECK(values_of(doc, "tls.client.ja3") == Strings{"e7d705a3286e19ea42f587b344ee6865"});
    CHECK(values_of(doc, "tls.client.ja4") == Strings{"t12d0202h2_aaaaaaaaaaaa_bbbbbbbbbbbb"});
    CHECK(values_of(doc, "tls.server.ja3s") == Strings{"fd4bc6cea4877646ccd62f0792ec0b62"});
    CHECK(values_of(doc, "tls.cipher") == Strings{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"});
    CHECK(values_of(doc, "tls.next_protocol") == Strings{"h2"});
    CHECK(values_of(doc, "tls.server.subject") == Strings{"CN=www.example.com, O=Example"});
    CHECK(values_of(doc, "tls.server.issuer") == Strings{"CN=Example CA, O=Example"});
    CHECK(values_of(doc, "tls.server.x509.alternative_names") == Strings{"www.example.com", "example.com"});
    REQUIRE(doc.times.size() == 1);
    CHECK(doc.times[0].first->name == "tls.server.not_after");
    CHECK(doc.times[0].second == 1583928000LL * kNsPerSecond);
  }
  SECTION("ssh, dhcp and quic events") {
    const search::SearchDocument ssh = event_document(ssh_event());
    CHECK(values_of(ssh, "ssh.client.software") == Strings{"OpenSSH_9.2p1"});
    CHECK(values_of(ssh, "ssh.server.software") == Strings{"OpenSSH_8.4"});
    CHECK(values_of(ssh, "source.ip") == Strings{"2001:db8::1"});
    const search::SearchDocument dhcp = event_document(dhcp_event());
    CHECK(values_of(dhcp, "dhcp.hostname") == Strings{"laptop"});
    CHECK(values_of(dhcp, "dhcp.client_mac") == Strings{"00:11:22:33:44:55"});
    CHECK(values_of(dhcp, "dhcp.assigned_ip").empty());
    const search::SearchDocument quic = event_document(quic_event());
    CHECK(values_of(quic, "quic.version") == Strings{"1"});
    CHECK(values_of(quic, "tls.client.server_name") == Strings{"quic.example.org"});
    CHECK(values_of(quic, "tls.client.ja4") == Strings{"q13d0310h3_aaaaaaaaaaaa_bbbbbbbbbbbb"});
  }
  SECTION("tcp session") {
    const search::SearchDocument doc = session_document(session(6));
    CHECK(doc.kind == search::DocumentKind::session);
    CHECK(doc.ts == kT0);
    CHECK(doc.unique_id == "s77");
    CHECK(doc.json == ecs(session(6)));
    CHECK(values_of(doc, "event.dataset") == Strings{"session"});
    CHECK(values_of(doc, "session.id") == Strings{"77"});
    CHECK(values_of(doc, "network.protocol") == Strings{"tls"});
    CHECK(values_of(doc, "event.reason") == Strings{"fin"});
    CHECK(values_of(doc, "tls.client.server_name") == Strings{"www.example.com"});
    CHECK(numbers_of(doc, "source.bytes") == Numbers{600});
    CHECK(numbers_of(doc, "destination.bytes") == Numbers{4000});
    CHECK(numbers_of(doc, "network.bytes") == Numbers{4600});
    CHECK(numbers_of(doc, "source.packets") == Numbers{6});
    CHECK(numbers_of(doc, "destination.packets") == Numbers{4});
    CHECK(numbers_of(doc, "network.packets") == Numbers{10});
    CHECK(numbers_of(doc, "event.duration") == Numbers{2.5e9});
    CHECK(numbers_of(doc, "network.vlan.id").empty());
  }
  SECTION("udp session lists every dns name; icmp session has no ports") {
    const search::SearchDocument udp = session_document(session(17));
    CHECK(values_of(udp, "dns.question.name") == Strings{"ipv6.google.com", "www.example.com"});
    CHECK(numbers_of(udp, "network.vlan.id") == Numbers{10});
    const search::SearchDocument icmp = session_document(session(1));
    CHECK(numbers_of(icmp, "source.port").empty());
    CHECK(values_of(icmp, "network.transport") == Strings{"icmp"});
    CHECK(values_of(icmp, "network.protocol").empty());
  }
}

TEST_CASE("JsonLinesFile buffers lines and rotates by size keeping N files", "[json_lines_file]") {
  const std::string dir = temp_dir();
  const std::string path = dir + "/eve.json";
  const std::string line(99, 'x');  // 100 bytes with its newline

  SECTION("lines reach the file on flush and on close") {
    {
      auto file = JsonLinesFile::open(path, 0, 0);
      REQUIRE(file.has_value());
      REQUIRE((*file)->write_line("{\"a\":1}").has_value());
      CHECK(read_file(path).empty());  // still buffered
      REQUIRE((*file)->flush().has_value());
      CHECK(read_file(path) == "{\"a\":1}\n");
      REQUIRE((*file)->write_line("{\"b\":2}").has_value());
      CHECK((*file)->counters().lines == 2);
      CHECK((*file)->counters().bytes == 16);
    }
    CHECK(read_file(path) == "{\"a\":1}\n{\"b\":2}\n");
    // Reopening appends.
    auto again = JsonLinesFile::open(path, 0, 0);
    REQUIRE(again.has_value());
    REQUIRE((*again)->write_line("{}").has_value());
    REQUIRE((*again)->flush().has_value());
    CHECK(read_file(path) == "{\"a\":1}\n{\"b\":2}\n{}\n");
  }

  SECTION("a full buffer is written without flush") {
    auto file = JsonLinesFile::open(path, 0, 0);
    REQUIRE(file.has_value());
    const std::size_t n = JsonLinesFile::kBufferBytes / 100 + 1;  // the line that crosses 64 KiB
    for (std::size_t i = 0; i + 1 < n; ++i) REQUIRE((*file)->write_line(line).has_value());
    CHECK(read_file(path).empty());
    REQUIRE((*file)->write_line(line).has_value());
    CHECK(read_file(path).size() == n * 100);
  }

  SECTION("rotation shifts path -> path.1 -> path.2 and drops the oldest") {
    auto file = JsonLinesFile::open(path, 250, 2);
    REQUIRE(file.has_value());
    // 2 lines fit in 250 bytes, the third starts a new file: 7 lines = 4 files.
    for (int i = 0; i < 7; ++i) {
      const std::string tagged = std::to_string(i) + line.substr(1);
      REQUIRE((*file)->write_line(tagged).has_value());
    }
    REQUIRE((*file)->flush().has_value());
    CHECK((*file)->counters().rotations == 3);
    CHECK((*file)->counters().lines == 7);
    CHECK((*file)->counters().errors == 0);
    CHECK(read_file(path).size() == 100);
    CHECK(read_file(path)[0] == '6');
    CHECK(read_file(path + ".1").size() == 200);
    CHECK(read_file(path + ".1")[0] == '4');
    CHECK(read_file(path + ".2").size() == 200);
    CHECK(read_file(path + ".2")[0] == '2');
    CHECK_FALSE(file_exists(path + ".3"));
  }

  SECTION("keep_files 0 keeps only the current file; a line larger than the limit is written alone") {
    auto file = JsonLinesFile::open(path, 150, 0);
    REQUIRE(file.has_value());
    REQUIRE((*file)->write_line(line).has_value());
    REQUIRE((*file)->write_line(std::string(299, 'y')).has_value());
    REQUIRE((*file)->flush().has_value());
    CHECK((*file)->counters().rotations == 1);
    CHECK(read_file(path) == std::string(299, 'y') + "\n");
    CHECK_FALSE(file_exists(path + ".1"));
  }

  SECTION("errors are returned, not thrown") {
    auto missing = JsonLinesFile::open(dir + "/no/such/dir/eve.json", 0, 0);
    CHECK_FALSE(missing.has_value());
    auto file = JsonLinesFile::open(path, 0, 0);
    REQUIRE(file.has_value());
    CHECK_FALSE((*file)->write_line("{\"a\":\n1}").has_value());
    CHECK((*file)->counters().errors == 1);
    CHECK((*file)->counters().lines == 0);
  }

  SECTION("a write error is reported and counted") {
    if (!file_exists("/dev/full")) return;
    auto file = JsonLinesFile::open("/dev/full", 0, 0);
    REQUIRE(file.has_value());
    REQUIRE((*file)->write_line("{}").has_value());
    const auto r = (*file)->flush();
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().message.find("/dev/full") != std::string::npos);
    CHECK((*file)->counters().errors == 1);
  }
  remove_dir(dir);
}

}  // namespace opensoc::session
