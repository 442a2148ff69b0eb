// MessageParser: the chain a listener runs. What the syslog, key=value, CEF
// and LEEF parsers themselves produce is their tests' business; here the
// expected fields of those stages come from calling those parsers directly on
// the same text, so every field of the chain's output is still asserted.
#include <catch2/catch.hpp>

#include "logparse/cef_parser.hpp"
#include "logparse/kv_parser.hpp"
#include "logparse/leef_parser.hpp"
#include "logparse/message_parser.hpp"
#include "logparse/syslog_parser.hpp"
#include "field_list.hpp"

using namespace opensoc;
using namespace opensoc::logparse;
using namespace opensoc::logparse::test;

namespace {

constexpr TimestampNs kReceived = 1699574400LL * kNsPerSecond;  // 2023-11-10T00:00:00Z

IpAddress ip(const char* t) { return *IpAddress::parse(t); }

std::unique_ptr<MessageParser> make(MessageParserConfig cfg = {}) {
  auto p = MessageParser::create(cfg);
  REQUIRE(p);
  return std::move(*p);
}

LogEvent received() {
  LogEvent e;
  e.received = kReceived;
  e.listener = "syslog-udp";
  e.transport = "udp";
  return e;
}

// The syslog stage's own output for `line` (its header fields and MSG).
LogEvent syslog_reference(std::string_view line) {
  LogEvent ref = received();
  REQUIRE(parse_syslog(line, SyslogFormat::automatic, kReceived, ref));
  return ref;
}

std::vector<Row> concat(std::vector<Row> a, const std::vector<Row>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

constexpr std::string_view kRfc5424Kv =
    "<165>1 2023-11-02T10:15:00.123Z fw01.example.com filterlog 4242 ID47 [meta sequenceId=\"7\"] "
    "action=deny src=10.0.0.5 dst=198.51.100.7 proto=tcp spt=40000 dpt=8443";

constexpr std::string_view kRfc3164Eve =
    "<134>Nov  2 10:15:00 sensor1 suricata[1234]: {\"timestamp\":\"2023-11-02T10:14:59.000001+0000\","
    "\"event_type\":\"dns\",\"src_ip\":\"10.0.0.5\",\"src_port\":5353,\"dest_ip\":\"10.0.0.1\",\"dest_port\":53,"
    "\"proto\":\"UDP\",\"dns\":{\"type\":\"query\",\"rrname\":\"evil.example\"}}";

}  // namespace

TEST_CASE("auto chain: RFC 5424 message with key=value MSG keeps syslog fields and adds kv's", "[logparse][chain]") {
  auto p = make();
  LogEvent e = received();
  p->parse(kRfc5424Kv, e);
  const LogEvent sys = syslog_reference(kRfc5424Kv);
  LogEvent kv;
  REQUIRE(parse_kv(sys.message, kv));

  CHECK(e.parsed);
  CHECK(e.parser == "kv");
  CHECK(e.dataset == "syslog");
  CHECK(e.parse_error.empty());
  CHECK(e.original == kRfc5424Kv);
  CHECK(e.timestamp == 1698920100123000000);
  CHECK(e.message == sys.message);
  CHECK(e.message == "action=deny src=10.0.0.5 dst=198.51.100.7 proto=tcp spt=40000 dpt=8443");
  CHECK(e.endpoints.source_ip == ip("10.0.0.5"));
  CHECK(e.endpoints.destination_ip == ip("198.51.100.7"));
  CHECK(e.endpoints.source_port == 40000);
  CHECK(e.endpoints.destination_port == 8443);
  CHECK(e.endpoints.ip_proto == 6);
  CHECK(rows(e) == concat(rows(sys), rows(kv)));
  CHECK(e.listener == "syslog-udp");  // the caller's members are left alone
}

TEST_CASE("auto chain: EVE JSON inside an RFC 3164 message becomes a Suricata event", "[logparse][chain]") {
  auto p = make();
  LogEvent e = received();
  p->parse(std::string(kRfc3164Eve) + "\n", e);
  const LogEvent sys = syslog_reference(kRfc3164Eve);
  CHECK(e.parsed);
  CHECK(e.parser == "eve");
  CHECK(e.dataset == "suricata.dns");
  CHECK(e.timestamp == 1698920099000001000);  // EVE's own time (10:14:59Z), not the syslog header's
  CHECK(e.message.empty());                   // the JSON is event.original
  CHECK(e.original == std::string(kRfc3164Eve) + "\n");
  CHECK(e.endpoints.source_ip == ip("10.0.0.5"));
  CHECK(e.endpoints.ip_proto == 17);
  const std::vector<Row> eve{
      {"source.ip", "10.0.0.5", IP},    {"source.port", "5353", I},      {"destination.ip", "10.0.0.1", IP},
      {"destination.port", "53", I},    {"network.transport", "udp", S}, {"dns.type", "query", S},
      {"dns.question.name", "evil.example", S},
  };
  CHECK(rows(e) == concat(rows(sys), eve));
}

TEST_CASE("auto chain: a syslog MSG nobody parses is still a parsed syslog event", "[logparse][chain]") {
  auto p = make();
  const std::string_view line = "<13>1 2023-11-02T10:15:00Z host app - - - just some words here";
  LogEvent e = received();
  p->parse(line, e);
  const LogEvent sys = syslog_reference(line);
  CHECK(e.parsed);
  CHECK(e.parser == "rfc5424");
  CHECK(e.dataset == "syslog");
  CHECK(e.parse_error.empty());
  CHECK(e.message == "just some words here");
  CHECK(e.timestamp == 1698920100LL * kNsPerSecond);
  CHECK(rows(e) == rows(sys));
}

TEST_CASE("auto chain: a refused body parser leaves nothing behind", "[logparse][chain]") {
  auto p = make();
  // One pair: kv refuses (2 needed) after having read "user=bob".
  const std::string_view line = "<13>1 2023-11-02T10:15:00Z host app - - - user=bob logged in";
  LogEvent e = received();
  p->parse(line, e);
  const LogEvent sys = syslog_reference(line);
  CHECK(e.parsed);
  CHECK(e.parser == "rfc5424");
  CHECK(e.message == "user=bob logged in");
  CHECK(rows(e) == rows(sys));
  CHECK(e.endpoints.source_ip.version == 0);
}

TEST_CASE("auto chain: what nobody accepts is a raw event with the reason", "[logparse][chain]") {
  auto p = make();
  SECTION("plain text") {
    LogEvent e = received();
    p->parse("just some words without structure\r\n", e);
    CHECK_FALSE(e.parsed);
    CHECK(e.parser == "raw");
    CHECK(e.dataset == "log");
    CHECK(e.message == "just some words without structure");
    CHECK(e.original == "just some words without structure\r\n");
    CHECK(e.parse_error.starts_with("kv: "));
    CHECK(e.timestamp == 0);
    CHECK(e.event_time() == kReceived);
    CHECK(rows(e) == std::vector<Row>{{"tags", "_parse_failure", S}});
  }
  SECTION("a broken syslog header reports syslog's reason") {
    LogEvent e = received();
    p->parse("<999>broken syslog", e);
    CHECK_FALSE(e.parsed);
    CHECK(e.parser == "raw");
    CHECK(e.message == "<999>broken syslog");
    CHECK(e.parse_error.starts_with("syslog: "));
    CHECK(rows(e) == std::vector<Row>{{"tags", "_parse_failure", S}});
  }
  SECTION("broken JSON reports JSON's reason") {
    LogEvent e = received();
    p->parse("{\"broken json", e);
    CHECK_FALSE(e.parsed);
    CHECK(e.parse_error.starts_with("json: not valid JSON: "));
    CHECK(rows(e) == std::vector<Row>{{"tags", "_parse_failure", S}});
    CHECK(e.endpoints.source_ip.version == 0);
  }
  SECTION("empty message") {
    LogEvent e = received();
    p->parse("", e);
    CHECK_FALSE(e.parsed);
    CHECK(e.message.empty());
    CHECK(rows(e) == std::vector<Row>{{"tags", "_parse_failure", S}});
  }
}

TEST_CASE("auto chain: plain JSON lines and key=value lines without syslog", "[logparse][chain]") {
  auto p = make();
  LogEvent j = received();
  p->parse(R"({"message":"hello","source":{"ip":"10.1.1.1"}})", j);
  CHECK(j.parsed);
  CHECK(j.parser == "json");
  CHECK(j.message == "hello");
  CHECK(rows(j) == std::vector<Row>{{"source.ip", "10.1.1.1", IP}});

  const std::string_view kvline = "user=bob action=login result=ok";
  LogEvent k = received();
  p->parse(kvline, k);
  LogEvent ref;
  REQUIRE(parse_kv(kvline, ref));
  CHECK(k.parsed);
  CHECK(k.parser == "kv");
  CHECK(rows(k) == rows(ref));
  CHECK_FALSE(rows(k).empty());
}

TEST_CASE("auto chain tries config patterns in order before key=value", "[logparse][chain][grok]") {
  MessageParserConfig cfg;
  cfg.patterns = {
      {"fw", "^%{WORD:event.action} %{IP:source.ip} -> %{IP:destination.ip}$"},
      {"login", "^user=%{USERNAME:user.name} action=%{WORD:event.action}"},
      {"IP", "%{IPV4}"},  // a helper definition that overrides the built-in
  };
  cfg.pattern_order = {"login", "fw"};
  auto p = make(cfg);

  LogEvent a = received();
  p->parse("<14>1 2023-11-02T10:15:00Z h app - - - deny 10.0.0.5 -> 10.9.9.9", a);
  CHECK(a.parsed);
  CHECK(a.parser == "pattern:fw");
  CHECK(a.dataset == "syslog");
  CHECK(a.endpoints.destination_ip == ip("10.9.9.9"));
  const auto sys = syslog_reference("<14>1 2023-11-02T10:15:00Z h app - - - deny 10.0.0.5 -> 10.9.9.9");
  CHECK(rows(a) == concat(rows(sys), {{"event.action", "deny", S},
                                      {"source.ip", "10.0.0.5", IP},
                                      {"destination.ip", "10.9.9.9", IP}}));

  // "login" comes first in pattern_order, so kv never sees this line.
  LogEvent b = received();
  p->parse("user=bob action=login result=ok", b);
  CHECK(b.parser == "pattern:login");
  CHECK(b.dataset == "log");
  CHECK(rows(b) == std::vector<Row>{{"user.name", "bob", S}, {"event.action", "login", S}});

  // IPv6 is not an IP any more (IP overridden): fw does not match, kv refuses.
  LogEvent c = received();
  p->parse("deny 2001:db8::1 -> 10.9.9.9", c);
  CHECK_FALSE(c.parsed);
}

TEST_CASE("explicit chains run their framing first and then the first body parser that accepts", "[logparse][chain]") {
  SECTION("rfc5424 then json: a 3164 message is refused by the framing") {
    MessageParserConfig cfg;
    cfg.chain = {"rfc5424", "json"};
    auto p = make(cfg);
    LogEvent e = received();
    p->parse("<13>Nov  2 10:15:00 host app: {\"a\":1}", e);
    CHECK_FALSE(e.parsed);
    CHECK(e.parser == "raw");
    CHECK(e.parse_error.starts_with("rfc5424: "));
    LogEvent f = received();
    p->parse("<13>1 2023-11-02T10:15:00Z host app - - - {\"a\":1}", f);
    CHECK(f.parsed);
    CHECK(f.parser == "json");
    CHECK(f.find("a") != nullptr);
    LogEvent g = received();
    p->parse("<13>1 2023-11-02T10:15:00Z host app - - - not json", g);
    CHECK(g.parsed);
    CHECK(g.parser == "rfc5424");
    CHECK(g.message == "not json");
  }
  SECTION("zeek only: a Zeek line is parsed, plain text is raw with JSON's reason") {
    MessageParserConfig cfg;
    cfg.chain = {"zeek"};
    auto p = make(cfg);
    LogEvent e = received();
    p->parse(R"({"ts":1.5,"uid":"C1","id.orig_h":"10.0.0.1","query":"a.example"})", e);
    CHECK(e.parser == "zeek");
    CHECK(e.dataset == "zeek.dns");
    LogEvent f = received();
    p->parse("<13>1 2023-11-02T10:15:00Z host app - - - x", f);
    CHECK_FALSE(f.parsed);
    CHECK(f.parse_error.starts_with("zeek: not valid JSON"));
  }
  SECTION("cef then kv: kv gets the line after cef refused it") {
    MessageParserConfig cfg;
    cfg.chain = {"cef", "kv"};
    auto p = make(cfg);
    LogEvent e = received();
    p->parse("src=10.0.0.1 dst=10.0.0.2", e);
    CHECK(e.parsed);
    CHECK(e.parser == "kv");
    CHECK(e.endpoints.source_ip == ip("10.0.0.1"));
  }
  SECTION("syslog alone: the MSG stays the message") {
    MessageParserConfig cfg;
    cfg.chain = {"syslog"};
    auto p = make(cfg);
    LogEvent e = received();
    p->parse(kRfc5424Kv, e);
    CHECK(e.parsed);
    CHECK(e.parser == "rfc5424");
    CHECK(rows(e) == rows(syslog_reference(kRfc5424Kv)));
  }
}

TEST_CASE("auto chain hands CEF and LEEF bodies to their parsers", "[logparse][chain]") {
  auto p = make();
  SECTION("CEF in RFC 5424") {
    const std::string_view line =
        "<134>1 2023-11-02T10:15:00Z fw01 cef - - - CEF:0|Security|threatmanager|1.0|100|worm successfully "
        "stopped|10|src=10.0.0.1 dst=2.1.2.2 spt=1232";
    LogEvent e = received();
    p->parse(line, e);
    const LogEvent sys = syslog_reference(line);
    LogEvent cef = received();
    REQUIRE(parse_cef(sys.message, cef));
    CHECK(e.parsed);
    CHECK(e.parser == "cef");
    CHECK(e.dataset == "cef");
    CHECK(e.message == cef.message);
    CHECK(e.endpoints.source_ip == ip("10.0.0.1"));
    CHECK(rows(e) == concat(rows(sys), rows(cef)));
  }
  SECTION("LEEF 2.0 without syslog") {
    const std::string_view line =
        "LEEF:2.0|Lancope|StealthWatch|1.0|41|^|src=10.0.1.8^dst=10.0.0.5^sev=5^cat=anomaly^srcPort=81^dstPort=21";
    LogEvent e = received();
    p->parse(line, e);
    LogEvent leef = received();
    REQUIRE(parse_leef(line, leef));
    CHECK(e.parsed);
    CHECK(e.parser == "leef");
    CHECK(e.dataset == "leef");
    CHECK(e.endpoints.destination_ip == ip("10.0.0.5"));
    CHECK(rows(e) == rows(leef));
  }
}

TEST_CASE("MessageParser::create rejects bad chains and patterns with the reason", "[logparse][chain]") {
  const auto err = [](MessageParserConfig cfg) {
    auto p = MessageParser::create(cfg);
    REQUIRE_FALSE(p);
    return p.error().message;
  };
  MessageParserConfig c;
  c.chain = {"xml"};
  CHECK(err(c) == "unknown parser 'xml' in the chain");
  c.chain = {"pattern:nope"};
  CHECK(err(c) == "parser chain names an unknown pattern 'nope'");
  c.chain = {"json", "rfc5424"};
  CHECK(err(c) == "parser 'rfc5424' frames the message: it must come first");
  c.chain = {};
  CHECK(err(c) == "parser chain is empty");
  c.chain = {"auto"};
  c.patterns = {{"bad", "%{INT:x} %{NOPE}"}};
  CHECK(err(c) == "pattern 'bad': pattern at offset 9: unknown pattern %{NOPE}");
  c.patterns = {{"ok", "%{INT:x}"}};
  c.pattern_order = {"ok", "missing"};
  CHECK(err(c) == "pattern_order names an unknown pattern 'missing'");
  c.pattern_order = {};
  c.chain = {"rfc3164", "pattern:ok", "kv", "cef", "leef", "eve", "zeek", "json", "auto"};
  CHECK(MessageParser::create(c));
}
