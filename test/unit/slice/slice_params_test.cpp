// Tests slice_params.hpp: every GET parameter form and every error.
#include "slice/slice_params.hpp"

#include <catch2/catch.hpp>

#include <cstring>
#include <limits>
#include <string>

#include "opensoc/core/ip_address.hpp"

using namespace opensoc;
using namespace opensoc::slice;

namespace {
constexpr TimestampNs kNow = 1'764'237'600'000'000'000;  // 2025-11-27T10:00:00Z
constexpr TimestampNs kS = kNsPerSecond;
using Params = std::multimap<std::string, std::string>;

SliceQuery ok(const Params& p) {
  auto r = parse_slice_params(p, kNow);
  if (!r) FAIL(r.error().parameter << ": " << r.error().message);
  return std::move(r).value();
}

QueryError err(const Params& p) {
  auto r = parse_slice_params(p, kNow);
  REQUIRE_FALSE(r);
  return r.error();
}

PacketFacts facts(const char* src, std::uint16_t sport, const char* dst, std::uint16_t dport,
                  std::uint8_t proto = 6) {
  PacketFacts p;
  const auto s = IpAddress::parse(src);
  const auto d = IpAddress::parse(dst);
  REQUIRE(s);
  REQUIRE(d);
  REQUIRE(s->version == d->version);
  p.ip_version = s->version;
  std::memcpy(p.src, s->bytes.data(), 16);
  std::memcpy(p.dst, d->bytes.data(), 16);
  p.proto = proto;
  p.has_ports = true;
  p.sport = sport;
  p.dport = dport;
  return p;
}
}  // namespace

TEST_CASE("parse_slice_params builds the filter from address and port parameters", "[slice][params]") {
  SECTION("host and port") {
    const SliceQuery q = ok({{"host", "10.1.2.3"}, {"port", "443"}});
    CHECK(q.describe() == "host 10.1.2.3 and port 443");
    CHECK(matches(q.filter, facts("10.1.2.3", 5555, "192.0.2.1", 443)));
    CHECK(matches(q.filter, facts("192.0.2.1", 443, "10.1.2.3", 5555)));
    CHECK_FALSE(matches(q.filter, facts("10.1.2.3", 5555, "192.0.2.1", 80)));
    CHECK_FALSE(q.start);
    CHECK_FALSE(q.end);
    CHECK_FALSE(q.limit_packets);
    CHECK_FALSE(q.limit_bytes);
  }
  SECTION("repeated host is the conversation between both") {
    const SliceQuery q = ok({{"host", "10.1.2.3"}, {"host", "10.1.2.4"}});
    CHECK(q.describe() == "host 10.1.2.3 and host 10.1.2.4");
    CHECK(matches(q.filter, facts("10.1.2.3", 1, "10.1.2.4", 2)));
    CHECK(matches(q.filter, facts("10.1.2.4", 2, "10.1.2.3", 1)));
    CHECK_FALSE(matches(q.filter, facts("10.1.2.3", 1, "10.1.2.5", 2)));
  }
  SECTION("src, dst, sport, dport are per packet direction") {
    const SliceQuery q = ok({{"src", "10.0.0.0/8"}, {"dst", "2001:db8::/32"}, {"sport", "1"}, {"dport", "65535"}});
    CHECK(q.describe() == "src net 10.0.0.0/8 and dst net 2001:db8::/32 and src port 1 and dst port 65535");
    const SliceQuery v4 = ok({{"src", "10.1.2.3"}, {"dport", "443"}});
    CHECK(matches(v4.filter, facts("10.1.2.3", 5555, "192.0.2.1", 443)));
    CHECK_FALSE(matches(v4.filter, facts("192.0.2.1", 443, "10.1.2.3", 5555)));  // the reply
  }
  SECTION("fixed order whatever the URL order") {
    const SliceQuery q = ok({{"vlan", "12"}, {"port", "53"}, {"host", "::1"}, {"proto", "UDP"}});
    CHECK(q.describe() == "host ::1 and port 53 and udp and vlan 12");
  }
  SECTION("proto forms") {
    CHECK(ok({{"proto", "tcp"}}).describe() == "tcp");
    CHECK(ok({{"proto", "sctp"}}).describe() == "sctp");
    CHECK(ok({{"proto", "0"}}).describe() == "ip proto 0");
    CHECK(ok({{"proto", "255"}}).describe() == "ip proto 255");
    CHECK(ok({{"proto", "6"}}).describe() == "tcp");
    const SliceQuery icmp = ok({{"proto", "icmp"}});
    CHECK(icmp.describe() == "icmp");
    CHECK(matches(icmp.filter, facts("10.1.2.3", 8, "10.1.2.4", 0, 1)));
    CHECK(matches(icmp.filter, facts("2001:db8::1", 128, "2001:db8::2", 0, 58)));
    const SliceQuery one = ok({{"proto", "1"}});
    CHECK_FALSE(matches(one.filter, facts("2001:db8::1", 128, "2001:db8::2", 0, 58)));
  }
  SECTION("vlan and community_id") {
    CHECK(ok({{"vlan", "0"}}).describe() == "vlan 0");
    CHECK(ok({{"vlan", "4095"}}).describe() == "vlan 4095");
    const SliceQuery q = ok({{"community_id", "1:LQU9qZlK+B5F3KDmev6m5PMibrg="}});
    CHECK(q.describe() == "community_id 1:LQU9qZlK+B5F3KDmev6m5PMibrg=");
    CHECK(q.filter.uses(Predicate::Kind::community_id));
  }
  SECTION("no parameters: every packet, all time") {
    const SliceQuery q = ok({});
    CHECK(q.filter.empty());
    CHECK(q.describe().empty());
  }
}

TEST_CASE("parse_slice_params reads times and limits, intersecting repeats", "[slice][params]") {
  const SliceQuery q = ok({{"start", "2025-11-27T09:00:00Z"}, {"end", "5m ago"}, {"limit", "100"},
                           {"limit_bytes", "18446744073709551615"}});
  CHECK(q.start == kNow - 3600 * kS);
  CHECK(q.end == kNow - 300 * kS);
  CHECK(q.limit_packets == 100u);
  CHECK(q.limit_bytes == std::numeric_limits<std::uint64_t>::max());
  CHECK(q.describe() == "after 2025-11-27T09:00:00Z and before 2025-11-27T09:55:00Z");

  const SliceQuery r = ok({{"start", "1764230000"}, {"start", "1764231000"}, {"end", "now"}, {"end", "1h ago"},
                           {"limit", "5"}, {"limit", "3"}, {"limit_bytes", "1"}});
  CHECK(r.start == 1'764'231'000 * kS);
  CHECK(r.end == kNow - 3600 * kS);
  CHECK(r.limit_packets == 3u);
  CHECK(r.limit_bytes == 1u);

  const SliceQuery same = ok({{"start", "now"}, {"end", "now"}});  // inclusive: one instant is fine
  CHECK(same.start == same.end);
}

TEST_CASE("parse_slice_params ANDs the query parameter with the rest", "[slice][params]") {
  const SliceQuery q = ok({{"host", "10.1.2.3"}, {"query", "port 53 or port 853"}, {"start", "2h ago"}});
  CHECK(q.describe() == "host 10.1.2.3 and (port 53 or port 853) and after 2025-11-27T08:00:00Z");
  CHECK(matches(q.filter, facts("10.1.2.3", 5555, "192.0.2.1", 853)));
  CHECK_FALSE(matches(q.filter, facts("10.1.2.4", 5555, "192.0.2.1", 853)));

  const SliceQuery t = ok({{"start", "2h ago"}, {"query", "after 1h ago and before 30m ago"}, {"end", "45m ago"}});
  CHECK(t.filter.empty());
  CHECK(t.start == kNow - 3600 * kS);
  CHECK(t.end == kNow - 45 * 60 * kS);
}

TEST_CASE("parse_slice_params names the parameter of every error", "[slice][params]") {
  struct Case {
    Params params;
    const char* parameter;
  };
  const Case cases[] = {
      {{{"hots", "10.1.2.3"}}, "hots"},
      {{{"host", "10.1.2.3"}, {"Host", "10.1.2.3"}}, "Host"},
      {{{"", "x"}}, ""},
      {{{"host", ""}}, "host"},
      {{{"port", ""}}, "port"},
      {{{"host", "10.1.2.300"}}, "host"},
      {{{"host", "10.1.2.3/33"}}, "host"},
      {{{"src", "example.com"}}, "src"},
      {{{"dst", "2001:db8::/129"}}, "dst"},
      {{{"port", "0"}}, "port"},
      {{{"port", "65536"}}, "port"},
      {{{"port", "-1"}}, "port"},
      {{{"port", "+80"}}, "port"},
      {{{"port", " 80"}}, "port"},
      {{{"sport", "http"}}, "sport"},
      {{{"dport", "99999999999999999999999"}}, "dport"},
      {{{"proto", "256"}}, "proto"},
      {{{"proto", "icmp6"}}, "proto"},
      {{{"proto", "6x"}}, "proto"},
      {{{"vlan", "4096"}}, "vlan"},
      {{{"vlan", "-0"}}, "vlan"},
      {{{"community_id", "1:abc"}}, "community_id"},
      {{{"community_id", "LQU9qZlK+B5F3KDmev6m5PMibrg="}}, "community_id"},
      {{{"start", "yesterday"}}, "start"},
      {{{"end", "2026-02-30T00:00:00Z"}}, "end"},
      {{{"limit", "0"}}, "limit"},
      {{{"limit", "18446744073709551616"}}, "limit"},
      {{{"limit_bytes", "1k"}}, "limit_bytes"},
      {{{"limit_bytes", "0"}}, "limit_bytes"},
      {{{"query", "host"}}, "query"},
      {{{"query", "host 10.1.2.3 or after 5m ago"}}, "query"},
      {{{"start", "1h ago"}, {"end", "2h ago"}}, "end"},
      {{{"start", "1h ago"}, {"query", "before 2h ago"}}, "start"},
      {{{"query", "after 1h ago"}, {"end", "2h ago"}}, "end"},
  };
  for (const Case& c : cases) {
    std::string text;
    for (const auto& [k, v] : c.params) text += k + "=" + v + "&";
    INFO(text);
    const QueryError e = err(c.params);
    CHECK(e.parameter == c.parameter);
    CHECK_FALSE(e.message.empty());
  }
  const QueryError steno = err({{"query", "host 10.1.2.3 and (port 80"}});
  CHECK(steno.column == 27);
  CHECK(steno.message.find("column 27") != std::string::npos);
}
