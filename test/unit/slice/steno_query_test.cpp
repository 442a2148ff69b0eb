// Tests steno_query.hpp: every accepted form, every error with its column,
// precedence, limits, and describe() round trips.
#include "slice/steno_query.hpp"

#include <catch2/catch.hpp>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "opensoc/core/ip_address.hpp"

using namespace opensoc;
using namespace opensoc::slice;

namespace {
constexpr TimestampNs kNow = 1'764'237'600'000'000'000;  // 2025-11-27T10:00:00Z
constexpr TimestampNs kS = kNsPerSecond;
constexpr const char* kCid = "1:LQU9qZlK+B5F3KDmev6m5PMibrg=";

SliceQuery ok(std::string_view text) {
  auto r = parse_steno_query(text, kNow);
  if (!r) FAIL(std::string(text) << " -> " << r.error().message);
  return std::move(r).value();
}

std::string canon(std::string_view text) { return ok(text).describe(); }

PacketFacts facts(const char* src, std::uint16_t sport, const char* dst, std::uint16_t dport,
                  std::uint8_t proto = 6) {
  PacketFacts p;
  const auto s = IpAddress::parse(src);
  const auto d = IpAddress::parse(dst);
  REQUIRE(s);
  REQUIRE(d);
  p.ip_version = s->version;
  std::memcpy(p.src, s->bytes.data(), 16);
  std::memcpy(p.dst, d->bytes.data(), 16);
  p.proto = proto;
  p.has_ports = proto == 6 || proto == 17 || proto == 132 || proto == 1 || proto == 58;
  p.sport = sport;
  p.dport = dport;
  return p;
}

// A varied population of packets on which two filters must agree to count as
// equivalent: addresses in and out of the test prefixes, both families, ICMP
// with type/code "ports", vlans, known and unknown community ids.
const std::vector<PacketFacts>& population() {
  static const std::vector<PacketFacts> all = [] {
    static const std::array<std::uint8_t, 20> cid = *parse_community_id(kCid);
    static const std::array<std::uint8_t, 20> other{};
    const char* v4[] = {"10.1.2.3", "10.1.2.4", "10.200.0.1", "192.168.1.1", "192.0.2.9"};
    const char* v6[] = {"2001:db8::1", "2001:db8::2", "fe80::1", "::ffff:10.1.2.3"};
    const std::uint16_t ports[] = {0, 8, 53, 80, 443, 8080};
    const std::uint8_t protos[] = {1, 6, 17, 47, 58, 132};
    std::mt19937 rng(12345);
    std::vector<PacketFacts> out;
    for (int i = 0; i < 4000; ++i) {
      const bool six = rng() % 3 == 0;
      PacketFacts p = six ? facts(v6[rng() % 4], ports[rng() % 6], v6[rng() % 4], ports[rng() % 6], protos[rng() % 6])
                          : facts(v4[rng() % 5], ports[rng() % 6], v4[rng() % 5], ports[rng() % 6], protos[rng() % 6]);
      if (rng() % 10 == 0) p.ip_version = 0;
      if (rng() % 8 == 0) p.has_ports = false;
      p.vlan = rng() % 3 == 0 ? 100 : 0;
      const auto c = rng() % 3;
      p.community_id = c == 0 ? nullptr : c == 1 ? &cid : &other;
      out.push_back(p);
    }
    return out;
  }();
  return all;
}

bool equivalent(const FilterExpr& a, const FilterExpr& b) {
  for (const PacketFacts& p : population()) {
    if (matches(a, p) != matches(b, p)) return false;
  }
  return true;
}

QueryError err(std::string_view text) {
  auto r = parse_steno_query(text, kNow);
  REQUIRE_FALSE(r);
  return r.error();
}
}  // namespace

TEST_CASE("parse_steno_query accepts Stenographer's terms", "[slice][steno]") {
  CHECK(canon("host 10.1.2.3") == "host 10.1.2.3");
  CHECK(canon("host 2001:DB8::1") == "host 2001:db8::1");
  CHECK(canon("net 10.1.2.3/8") == "net 10.0.0.0/8");
  CHECK(canon("net 10.1.0.0 mask 255.255.0.0") == "net 10.1.0.0/16");
  CHECK(canon("net 2001:db8:: mask ffff:ffff::") == "net 2001:db8::/32");
  CHECK(canon("net 10.1.2.3 mask 255.255.255.255") == "host 10.1.2.3");
  CHECK(canon("net 10.1.2.3 mask 0.0.0.0") == "net 0.0.0.0/0");
  CHECK(canon("net 10.1.2.3") == "host 10.1.2.3");
  CHECK(canon("port 0") == "port 0");
  CHECK(canon("port 65535") == "port 65535");
  CHECK(canon("ip proto 47") == "ip proto 47");
  CHECK(canon("ip proto 6") == "tcp");
  CHECK(canon("tcp") == "tcp");
  CHECK(canon("udp") == "udp");
  CHECK(canon("icmp") == "icmp");
  CHECK(canon("host 10.1.2.3 and port 443") == "host 10.1.2.3 and port 443");
  CHECK(canon("host 10.1.2.3 && port 443") == "host 10.1.2.3 and port 443");
  CHECK(canon("host 10.1.2.3&&port 443") == "host 10.1.2.3 and port 443");
  CHECK(canon("tcp or udp") == "tcp or udp");
  CHECK(canon("tcp||udp") == "tcp or udp");
  CHECK(canon("(tcp)") == "tcp");
  CHECK(canon("((tcp or udp))") == "tcp or udp");
  CHECK(canon("  \t\r\nHOST 10.1.2.3 AND Port 443 Or ICMP\n") == "host 10.1.2.3 and port 443 or icmp");
}

TEST_CASE("parse_steno_query accepts the extensions", "[slice][steno]") {
  CHECK(canon("src host 10.1.2.3") == "src host 10.1.2.3");
  CHECK(canon("dst host 10.1.2.3") == "dst host 10.1.2.3");
  CHECK(canon("src net 10.0.0.0/8") == "src net 10.0.0.0/8");
  CHECK(canon("dst net 10.0.0.0 mask 255.0.0.0") == "dst net 10.0.0.0/8");
  CHECK(canon("host 10.1.2.3/24") == "net 10.1.2.0/24");
  CHECK(canon("src port 53") == "src port 53");
  CHECK(canon("DST PORT 53") == "dst port 53");
  CHECK(canon("vlan 0") == "vlan 0");
  CHECK(canon("vlan 4095") == "vlan 4095");
  CHECK(canon("sctp") == "sctp");
  CHECK(canon(std::string("community_id ") + kCid) == std::string("community_id ") + kCid);
  CHECK(canon(std::string("community_id \"") + kCid + "\"") == std::string("community_id ") + kCid);
  CHECK(canon(std::string("Community_ID \"") + kCid + "\" and tcp") == std::string("community_id ") + kCid + " and tcp");
  CHECK(canon("host \"10.1.2.3\"") == "host 10.1.2.3");
}

TEST_CASE("parse_steno_query: before and after set the inclusive time range", "[slice][steno]") {
  SliceQuery q = ok("after 2025-11-27T09:00:00Z and before 2025-11-27T09:30:00.25+00:00");
  CHECK(q.filter.empty());
  CHECK(q.start == kNow - 3600 * kS);
  CHECK(q.end == kNow - 1800 * kS + 250'000'000);

  q = ok("host 10.1.2.3 and after 5m ago");
  CHECK(q.start == kNow - 300 * kS);
  CHECK_FALSE(q.end);
  CHECK(describe_filter(q.filter) == "host 10.1.2.3");

  q = ok("before 2h ago and host 10.1.2.3 and after 3h AGO and tcp");
  CHECK(q.start == kNow - 3 * 3600 * kS);
  CHECK(q.end == kNow - 2 * 3600 * kS);
  CHECK(describe_filter(q.filter) == "host 10.1.2.3 and tcp");

  SECTION("a time term after the last 'or' is a top-level conjunct (left associative)") {
    q = ok("host 10.1.2.3 or host 10.1.2.4 and after 1d ago");
    CHECK(q.start == kNow - 86400 * kS);
    CHECK(describe_filter(q.filter) == "host 10.1.2.3 or host 10.1.2.4");
  }
  SECTION("several bounds intersect") {
    q = ok("after 3h ago and after 1h ago and before now and before 10m ago");
    CHECK(q.start == kNow - 3600 * kS);
    CHECK(q.end == kNow - 600 * kS);
  }
  SECTION("Unix seconds and now") {
    q = ok("after 1764237000.5 and before now");
    CHECK(q.start == 1'764'237'000 * kS + kS / 2);
    CHECK(q.end == kNow);
  }
  SECTION("a single instant is a valid range") {
    q = ok("after now and before now");
    CHECK(q.start == q.end);
  }
}

TEST_CASE("parse_steno_query: and/or share one precedence and associate left", "[slice][steno]") {
  const SliceQuery q = ok("host 10.1.2.3 or host 10.1.2.4 and port 80");
  // (a or b) and port 80: a packet of 10.1.2.3 on port 443 does not match.
  CHECK_FALSE(matches(q.filter, facts("10.1.2.3", 5555, "192.0.2.9", 443)));
  CHECK(matches(q.filter, facts("10.1.2.3", 5555, "192.0.2.9", 80)));
  CHECK(matches(q.filter, facts("192.0.2.9", 80, "10.1.2.4", 5555)));

  const SliceQuery r = ok("port 80 and host 10.1.2.3 or host 10.1.2.4");
  CHECK(matches(r.filter, facts("10.1.2.4", 5555, "192.0.2.9", 443)));
  CHECK_FALSE(matches(r.filter, facts("10.1.2.3", 5555, "192.0.2.9", 443)));

  const SliceQuery s = ok("port 80 and (host 10.1.2.3 or host 10.1.2.4)");
  CHECK_FALSE(matches(s.filter, facts("10.1.2.4", 5555, "192.0.2.9", 443)));
  CHECK(s.describe() == "port 80 and (host 10.1.2.3 or host 10.1.2.4)");
}

TEST_CASE("parse_steno_query: matching follows tshark's undirected host and port", "[slice][steno]") {
  const SliceQuery q = ok("host 10.1.2.3 and port 443");
  CHECK(matches(q.filter, facts("10.1.2.3", 5555, "192.0.2.9", 443)));
  CHECK(matches(q.filter, facts("192.0.2.9", 443, "10.1.2.3", 5555)));
  const SliceQuery d = ok("src host 10.1.2.3 and dst port 443");
  CHECK(matches(d.filter, facts("10.1.2.3", 5555, "192.0.2.9", 443)));
  CHECK_FALSE(matches(d.filter, facts("192.0.2.9", 443, "10.1.2.3", 5555)));
  const SliceQuery icmp = ok("icmp and port 8");
  CHECK_FALSE(matches(icmp.filter, facts("10.1.2.3", 8, "192.0.2.9", 0, 1)));
  CHECK(matches(ok("icmp").filter, facts("2001:db8::1", 128, "2001:db8::2", 0, 58)));
}

TEST_CASE("parse_steno_query reports every error with parameter 'query' and the column", "[slice][steno]") {
  struct Case {
    std::string text;
    std::uint32_t column;
    const char* says;  // a fragment of the message
  };
  const std::vector<Case> cases = {
      {"", 1, "empty query"},
      {"   ", 1, "empty query"},
      {"hots 10.1.2.3", 1, "unknown term 'hots'"},
      {"host", 5, "expected an address after 'host'"},
      {"host 10.1.2.300", 6, "invalid address '10.1.2.300'"},
      {"host 10.1.2.3 and", 18, "unexpected end of query"},
      {"host 10.1.2.3 port 80", 15, "expected 'and' or 'or' before 'port'"},
      {"and tcp", 1, "expected a term, found 'and'"},
      {"tcp or or udp", 8, "expected a term, found 'or'"},
      {"tcp)", 4, "unmatched ')'"},
      {"(tcp", 5, "expected ')' to close the '(' at column 1"},
      {"(tcp udp)", 6, "expected ')'"},
      {"()", 2, "expected a term, found ')'"},
      {"tcp & udp", 5, "expected 'and' or 'or' before '&'"},
      {"& udp", 1, "unknown term '&'"},
      {"not tcp", 1, "unknown term 'not'"},
      {"port 65536", 6, "invalid port '65536'"},
      {"port -1", 6, "invalid port"},
      {"port 80x", 6, "invalid port"},
      {"port 0000080", 6, "invalid port"},
      {"src port", 9, "expected port after 'port'"},
      {"src 10.1.2.3", 5, "expected 'host', 'net' or 'port' after 'src'"},
      {"dst", 4, "expected 'host', 'net' or 'port' after 'dst'"},
      {"ip 6", 4, "expected 'proto' after 'ip'"},
      {"ip proto 256", 10, "invalid protocol '256'"},
      {"ip proto tcp", 10, "invalid protocol 'tcp'"},
      {"vlan 4096", 6, "invalid vlan '4096'"},
      {"net 10.0.0.0/33", 5, "invalid address"},
      {"net 10.0.0.0 mask 255.0.255.0", 19, "invalid netmask"},
      {"net 10.0.0.0 mask ffff::", 19, "invalid netmask"},
      {"net 10.0.0.0/8 mask 255.0.0.0", 16, "already has a prefix length"},
      {"net 10.0.0.0 mask", 18, "expected a netmask after 'mask'"},
      {"host 10.1.2.3 mask 255.0.0.0", 15, "expected 'and' or 'or' before 'mask'"},
      {"community_id 1:abc", 14, "invalid community id '1:abc'"},
      {"community_id \"1:LQU9qZlK+B5F3KDmev6m5PMibrg=", 14, "unterminated quoted string"},
      {"\"tcp\"", 1, "expected a term, found 'tcp'"},
      {"before", 7, "expected a time after 'before'"},
      {"after yesterday", 7, "invalid time 'yesterday'"},
      {"after 5m", 7, "invalid time '5m'"},
      {"after 5x ago", 7, "invalid time '5x ago'"},
      {"after 2026-02-30T00:00:00Z", 7, "invalid time"},
      {"(after 5m ago)", 2, "may not appear inside parentheses"},
      {"tcp and (udp or before now)", 17, "may not appear inside parentheses"},
      {"host 10.1.2.3 or after 5m ago", 18, "may only be joined to the query with 'and'"},
      {"after 5m ago or host 10.1.2.3", 1, "may only be joined to the query with 'and'"},
      {"tcp and after 5m ago or udp", 9, "may only be joined to the query with 'and'"},
      {"after 1h ago and before 2h ago", 18, "empty time range"},
      {"before 2h ago and after 1h ago", 19, "empty time range"},
      {std::string("host 1.2.3.4\0", 13), 6, "invalid address '1.2.3.4?'"},
      {"host \xff\xfe", 6, "invalid address '?" "?'"},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    const QueryError e = err(c.text);
    CHECK(e.parameter == "query");
    CHECK(e.column == c.column);
    CHECK(e.message.rfind("column " + std::to_string(c.column) + ": ", 0) == 0);
    CHECK(e.message.find(c.says) != std::string::npos);
    INFO(e.message);
  }
}

TEST_CASE("parse_steno_query bounds nesting depth and length", "[slice][steno]") {
  SECTION("64 levels of parentheses are fine, 65 are an error at the 65th") {
    CHECK(canon(std::string(64, '(') + "tcp" + std::string(64, ')')) == "tcp");
    const QueryError e = err(std::string(65, '(') + "tcp" + std::string(65, ')'));
    CHECK(e.column == 65);
    CHECK(e.message.find("nested deeper than 64") != std::string::npos);
  }
  SECTION("deep nesting far past the limit fails fast instead of overflowing the stack") {
    const QueryError e = err(std::string(4000, '('));
    CHECK(e.column == 65);
  }
  SECTION("length limit is in bytes") {
    std::string text = "tcp";
    while (text.size() + 7 <= kMaxStenoQueryBytes) text += " or udp";
    text.append(kMaxStenoQueryBytes - text.size(), ' ');
    REQUIRE(text.size() == kMaxStenoQueryBytes);
    CHECK(parse_steno_query(text, kNow));
    text += ' ';
    const QueryError e = err(text);
    CHECK(e.column == kMaxStenoQueryBytes + 1);
    CHECK(e.message.find("longer than 4096 bytes") != std::string::npos);
  }
  SECTION("a long list of alternatives stays a shallow tree") {
    std::string text = "host 10.0.0.1";
    for (int i = 2; i <= 200; ++i) text += " or host 10.0.0." + std::to_string(i);
    const SliceQuery q = ok(text);
    CHECK(q.filter.depth() <= 9);
    CHECK(matches(q.filter, facts("10.0.0.77", 1, "192.0.2.1", 2)));
    CHECK_FALSE(matches(q.filter, facts("10.0.0.201", 1, "192.0.2.1", 2)));
  }
  SECTION("alternating operators past the depth limit are rejected, not evaluated") {
    std::string text = "tcp";
    for (int i = 0; i < 300; ++i) text += i % 2 == 0 ? " or udp" : " and tcp";
    const QueryError e = err(text);
    CHECK(e.column == 1);
    CHECK(e.message.find("too complex") != std::string::npos);
  }
}

TEST_CASE("describe() round-trips through parse_steno_query to an equivalent query", "[slice][steno]") {
  const std::vector<std::string> queries = {
      "host 10.1.2.3 and port 443",
      "host 10.1.2.3 or host 10.1.2.4 and port 80",
      "port 80 and (host 10.1.2.3 or host 10.1.2.4)",
      "(tcp or udp) and (port 53 or port 8080) or icmp",
      "tcp and (udp or (icmp and (vlan 100 or sctp)))",
      "src net 10.0.0.0/8 and dst host 192.0.2.9 or src port 8 and dst port 0",
      "net 2001:db8:: mask ffff:ffff:: or host fe80::1 and ip proto 58",
      "host ::ffff:10.1.2.3 or net 10.1.2.0/31",
      std::string("community_id \"") + kCid + "\" or vlan 100 and ip proto 47",
      "((port 80)) and after 1h ago and before 2025-11-27T09:59:59.999999999+00:30",
      "icmp or ip proto 1 and host 10.1.2.4 || udp && dst port 53",
      // Found by fuzzing: a balanced run put "(port 6 and port 1)" on the left
      // of a nested "or", and describe() dropped its parentheses.
      "net 100.0.0.0/8 or ((port 1) || port 1) || (port 12 || net 100.0.0.8/8 or ((port 1) || (port 06) || "
      "port 1) || (port 1) || (port 066) || port 1) || (port 1) || (port 06 and port 1) || net 100.0.0.0/8 || port 1",
  };
  for (const std::string& text : queries) {
    INFO(text);
    const SliceQuery q = ok(text);
    const std::string d = q.describe();
    INFO(d);
    const SliceQuery back = ok(d);
    CHECK(equivalent(q.filter, back.filter));
    CHECK(back.start == q.start);
    CHECK(back.end == q.end);
    CHECK(back.describe() == d);
  }
  SECTION("the population separates filters that differ") {
    CHECK_FALSE(equivalent(ok("tcp or udp and port 53").filter, ok("tcp or (udp and port 53)").filter));
    CHECK_FALSE(equivalent(ok("icmp").filter, ok("ip proto 1").filter));
    CHECK_FALSE(equivalent(ok("host 10.1.2.3").filter, ok("host ::ffff:10.1.2.3").filter));
  }
}
