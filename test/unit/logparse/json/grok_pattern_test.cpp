// GrokPattern: expansion of %{NAME:field:type} into PCRE2, typed captures,
// endpoints/time/message roles, custom patterns and every compile error.
#include <catch2/catch.hpp>

#include "logparse/grok_pattern.hpp"
#include "field_list.hpp"

using namespace opensoc;
using namespace opensoc::logparse;
using namespace opensoc::logparse::test;

namespace {
IpAddress ip(const char* t) { return *IpAddress::parse(t); }
constexpr TimestampNs kNov10th2023 = 1699574400LL * kNsPerSecond;  // 2023-11-10T00:00:00Z
}  // namespace

TEST_CASE("grok pattern on a firewall line fills fields, endpoints, time and message", "[logparse][grok]") {
  auto g = GrokPattern::compile(
      "^%{SYSLOGTIMESTAMP:timestamp} %{HOSTNAME:observer.hostname} %{WORD:event.action} "
      "%{WORD:network.transport} %{IP:source.ip}:%{POSINT:source.port} -> %{IP:destination.ip}:"
      "%{POSINT:destination.port} bytes=%{INT:network.bytes:int} %{GREEDYDATA:message}$");
  REQUIRE(g);
  LogEvent e;
  e.received = kNov10th2023;
  REQUIRE(g->match("Nov  2 10:15:00 fw01 deny TCP 10.0.0.5:40000 -> 198.51.100.7:8443 bytes=1500 policy violation", e));
  CHECK(e.timestamp == 1698920100LL * kNsPerSecond);  // 2023-11-02T10:15:00Z, the year nearest `received`
  CHECK(e.message == "policy violation");
  CHECK(e.endpoints.source_ip == ip("10.0.0.5"));
  CHECK(e.endpoints.destination_ip == ip("198.51.100.7"));
  CHECK(e.endpoints.source_port == 40000);
  CHECK(e.endpoints.destination_port == 8443);
  CHECK(e.endpoints.ip_proto == 6);
  const std::vector<Row> want{
      {"observer.hostname", "fw01", S},    {"event.action", "deny", S},        {"network.transport", "tcp", S},
      {"source.ip", "10.0.0.5", IP},       {"source.port", "40000", I},        {"destination.ip", "198.51.100.7", IP},
      {"destination.port", "8443", I},     {"network.bytes", "1500", I},
  };
  CHECK(rows(e) == want);
}

TEST_CASE("grok pattern on an Apache combined log line (HTTPDATE, QS, optional groups)", "[logparse][grok]") {
  auto g = GrokPattern::compile(
      R"(%{IPORHOST:source.address} %{USER:user.ident} %{USER:user.name} \[%{HTTPDATE:timestamp}\] )"
      R"("%{WORD:http.request.method} %{NOTSPACE:url.original} HTTP/%{NUMBER:http.version}" )"
      R"(%{INT:http.response.status_code:int} (?:%{INT:http.response.body.bytes:int}|-))"
      R"(( %{QS:http.request.referrer} %{QS:user_agent.original})?)");
  REQUIRE(g);
  LogEvent e;
  REQUIRE(g->match(R"(127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 )"
                   R"~("http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)")~",
                   e));
  CHECK(e.timestamp == 971211336LL * kNsPerSecond);  // 2000-10-10T20:55:36Z
  const std::vector<Row> want{
      {"source.address", "127.0.0.1", S},
      {"user.ident", "-", S},
      {"user.name", "frank", S},
      {"http.request.method", "GET", S},
      {"url.original", "/apache_pb.gif", S},
      {"http.version", "1.0", S},
      {"http.response.status_code", "200", I},
      {"http.response.body.bytes", "2326", I},
      {"http.request.referrer", "\"http://www.example.com/start.html\"", S},
      {"user_agent.original", "\"Mozilla/4.08 [en] (Win98; I ;Nav)\"", S},
  };
  CHECK(rows(e) == want);

  SECTION("an optional part that did not match adds no field") {
    LogEvent e2;
    REQUIRE(g->match(R"(::1 - - [10/Oct/2000:13:55:36 +0000] "HEAD / HTTP/1.1" 304 -)", e2));
    CHECK(e2.timestamp == 971186136LL * kNsPerSecond);
    const std::vector<Row> want2{
        {"source.address", "::1", S},     {"user.ident", "-", S},    {"user.name", "-", S},
        {"http.request.method", "HEAD", S}, {"url.original", "/", S}, {"http.version", "1.1", S},
        {"http.response.status_code", "304", I},
    };
    CHECK(rows(e2) == want2);
  }
}

TEST_CASE("grok types convert or fall back to string, never lie", "[logparse][grok]") {
  auto g = GrokPattern::compile(
      "r=%{NUMBER:x.ratio:float} ok=%{WORD:x.ok:bool} a=%{NOTSPACE:x.addr:ip} n=%{NOTSPACE:x.n:int} "
      "s=%{NOTSPACE:x.s:string}");
  REQUIRE(g);
  LogEvent e;
  REQUIRE(g->match("r=0.250 ok=YES a=2001:DB8:0:0::1 n=12x s=42", e));
  const std::vector<Row> want{
      {"x.ratio", "0.25", N}, {"x.ok", "true", B}, {"x.addr", "2001:db8::1", IP}, {"x.n", "12x", S}, {"x.s", "42", S},
  };
  CHECK(rows(e) == want);
  LogEvent f;
  REQUIRE(g->match("r=-3 ok=maybe a=999.1.1.1 n=-7 s=x", f));
  const std::vector<Row> want_f{
      {"x.ratio", "-3", N}, {"x.ok", "maybe", S}, {"x.addr", "999.1.1.1", S}, {"x.n", "-7", I}, {"x.s", "x", S},
  };
  CHECK(rows(f) == want_f);
}

TEST_CASE("grok IP built-ins match whole IPv4 and IPv6 addresses", "[logparse][grok]") {
  auto g = GrokPattern::compile("^%{IP:source.ip}$");
  REQUIRE(g);
  for (const char* a : {"10.1.2.3", "255.255.255.255", "fe80::1", "2001:db8::7", "::ffff:192.0.2.1",
                        "1:2:3:4:5:6:7:8", "::", "2001:db8:0:0:1::", "::1"}) {
    LogEvent e;
    INFO(a);
    REQUIRE(g->match(a, e));
    CHECK(e.endpoints.source_ip == ip(a));
  }
  for (const char* a : {"256.1.1.1", "1.2.3", "1:2:3:4:5:6:7:8:9", "12345::1", "hello"}) {
    LogEvent e;
    INFO(a);
    CHECK_FALSE(g->match(a, e));
  }
}

TEST_CASE("grok custom patterns refer to each other, override built-ins, and user groups become fields",
          "[logparse][grok]") {
  const std::map<std::string, std::string> custom{
      {"FWACTION", "(?:accept|deny|drop)"},
      {"FWRULE", "rule=%{INT:rule.id:int} action=%{FWACTION:event.action}"},
      {"WORD", "[a-z]+"},  // overrides the built-in
  };
  auto g = GrokPattern::compile("%{FWRULE} user=(?<user_name>%{WORD})", custom);
  REQUIRE(g);
  CHECK(g->expanded() == "(?:rule=(?<_g0>(?:[+-]?(?:[0-9]+))) action=(?<_g1>(?:accept|deny|drop))) user=(?<user_name>(?:[a-z]+))");
  LogEvent e;
  REQUIRE(g->match("rule=17 action=drop user=alice", e));
  CHECK(rows(e) == std::vector<Row>{{"rule.id", "17", I}, {"event.action", "drop", S}, {"user_name", "alice", S}});
  LogEvent miss;
  CHECK_FALSE(g->match("rule=17 action=drop user=ALICE", miss));
  CHECK(miss.fields.empty());
}

TEST_CASE("grok compile errors name the position and the reason", "[logparse][grok]") {
  const auto err = [](std::string_view p, const std::map<std::string, std::string>& c = {}) {
    auto g = GrokPattern::compile(p, c);
    REQUIRE_FALSE(g);
    return g.error().message;
  };
  CHECK(err("a %{NOPE:x}") == "pattern at offset 2: unknown pattern %{NOPE}");
  CHECK(err("%{INT:x:money}") == "pattern at offset 0: unknown type 'money' (int, float, ip, bool, string)");
  CHECK(err("%{INT") == "pattern at offset 0: unterminated %{");
  CHECK(err("%{INT:}") == "pattern at offset 0: empty field name in %{INT:}");
  CHECK(err("%{}") == "pattern at offset 0: empty pattern name");
  CHECK(err("%{A-B}") == "pattern at offset 0: bad pattern name 'A-B'");
  CHECK(err("x%{A}", {{"A", "%{B}"}, {"B", "y%{A}"}}) == "%{B} at offset 1: pattern %{A} refers to itself");
  CHECK(err("%{A}", {{"A", "%{A}"}}) == "%{A} at offset 0: pattern %{A} refers to itself");
  const std::string bad = err("(%{INT:x}");
  CHECK(bad.starts_with("pattern does not compile: missing closing parenthesis at offset "));
  CHECK(bad.find("(?<_g0>(?:[+-]?(?:[0-9]+))") != std::string::npos);
}

TEST_CASE("grok matches anywhere unless anchored, and empty captures add nothing", "[logparse][grok]") {
  auto g = GrokPattern::compile("id=%{DATA:x.id};");
  REQUIRE(g);
  LogEvent e;
  REQUIRE(g->match("prefix id=; suffix", e));
  CHECK(e.fields.empty());
  REQUIRE(g->match("prefix id=abc; suffix", e));
  CHECK(rows(e) == std::vector<Row>{{"x.id", "abc", S}});
  LogEvent empty;
  CHECK_FALSE(g->match("", empty));
  auto any = GrokPattern::compile("");
  REQUIRE(any);
  CHECK(any->match("", empty));
  CHECK(empty.fields.empty());
}

TEST_CASE("grok pattern survives a move and a catastrophic pattern fails instead of hanging", "[logparse][grok]") {
  auto g = GrokPattern::compile("^(a+)+$");
  REQUIRE(g);
  GrokPattern moved = std::move(*g);
  LogEvent e;
  CHECK(moved.match("aaaa", e));
  CHECK_FALSE(moved.match(std::string(40, 'a') + "b", e));
}
