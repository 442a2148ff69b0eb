// Tests slice_query.hpp: prefixes, Community ID text, FilterExpr building and
// the per-packet matcher's truth table.
#include "slice/slice_query.hpp"

#include <catch2/catch.hpp>

#include <cstring>
#include <string>

#include "opensoc/core/ip_address.hpp"

using namespace opensoc;
using namespace opensoc::slice;

namespace {

IpPrefix prefix(const char* text) {
  const auto p = parse_ip_prefix(text);
  REQUIRE(p);
  return *p;
}

void set_addr(std::uint8_t out[16], const char* text) {
  const auto a = IpAddress::parse(text);
  REQUIRE(a);
  std::memcpy(out, a->bytes.data(), 16);
}

PacketFacts v4_tcp(const char* src, std::uint16_t sport, const char* dst, std::uint16_t dport) {
  PacketFacts p;
  p.ip_version = 4;
  set_addr(p.src, src);
  set_addr(p.dst, dst);
  p.proto = 6;
  p.has_ports = true;
  p.sport = sport;
  p.dport = dport;
  return p;
}

Predicate host(const char* text, Direction dir = Direction::either) {
  Predicate p;
  p.kind = Predicate::Kind::host;
  p.dir = dir;
  p.net = prefix(text);
  return p;
}

Predicate port(std::uint16_t n, Direction dir = Direction::either) {
  Predicate p;
  p.kind = Predicate::Kind::port;
  p.dir = dir;
  p.port = n;
  return p;
}

Predicate proto(std::uint8_t n, bool icmp_any = false) {
  Predicate p;
  p.kind = Predicate::Kind::proto;
  p.proto = n;
  p.icmp_any = icmp_any;
  return p;
}

bool match(const Predicate& q, const PacketFacts& p) { return matches(FilterExpr::leaf(q), p); }

// The Community ID spec's TCP example (128.232.110.120:34855 -> 66.35.250.204:80).
constexpr const char* kSpecCommunityId = "1:LQU9qZlK+B5F3KDmev6m5PMibrg=";

}  // namespace

TEST_CASE("parse_ip_prefix reads hosts and CIDRs and zeroes host bits", "[slice]") {
  SECTION("IPv4 host") {
    const IpPrefix p = prefix("10.1.2.3");
    CHECK(p.version == 4);
    CHECK(p.prefix_len == 32);
    CHECK(p.is_host());
    CHECK(format_ip_prefix(p) == "10.1.2.3");
  }
  SECTION("IPv4 CIDR with host bits set") {
    const IpPrefix p = prefix("10.1.2.3/8");
    CHECK(p.prefix_len == 8);
    CHECK(format_ip_prefix(p) == "10.0.0.0/8");
    CHECK(p.addr[4] == 0);
  }
  SECTION("IPv4 /23") { CHECK(format_ip_prefix(prefix("10.1.3.200/23")) == "10.1.2.0/23"); }
  SECTION("IPv6 host and CIDR") {
    const IpPrefix h = prefix("2001:DB8::1");
    CHECK(h.version == 6);
    CHECK(h.prefix_len == 128);
    CHECK(format_ip_prefix(h) == "2001:db8::1");
    CHECK(format_ip_prefix(prefix("2001:db8:ffff::1/32")) == "2001:db8::/32");
    CHECK(format_ip_prefix(prefix("::/0")) == "::/0");
  }
  SECTION("zero-length IPv4 prefix") { CHECK(format_ip_prefix(prefix("1.2.3.4/0")) == "0.0.0.0/0"); }
  SECTION("rejects") {
    for (const char* bad : {"", "10.1.2.3/33", "/8", "10.1.2.3/", "10.1.2.3/08", "10.1.2.3/-1", "10.1.2.3/8/8",
                            "2001:db8::/129", "fe80::1%eth0", "1.2.3", "01.2.3.4", "host", "10.1.2.3 ", " 10.1.2.3",
                            "1.2.3.4/1000"}) {
      INFO(bad);
      CHECK_FALSE(parse_ip_prefix(bad));
    }
    CHECK_FALSE(parse_ip_prefix(std::string_view("1.2.3.4\0", 8)));
    CHECK_FALSE(parse_ip_prefix(std::string_view("1.2.3.4/8\0", 10)));
  }
}

TEST_CASE("IpPrefix contains only addresses of its own family within the prefix", "[slice]") {
  std::uint8_t a[16];
  const IpPrefix net = prefix("10.1.2.0/23");
  set_addr(a, "10.1.3.255");
  CHECK(net.contains(a, 4));
  set_addr(a, "10.1.4.0");
  CHECK_FALSE(net.contains(a, 4));
  set_addr(a, "10.1.1.255");
  CHECK_FALSE(net.contains(a, 4));

  SECTION("IPv4 prefix never contains IPv6, even ::ffff:a.b.c.d or equal leading bytes") {
    set_addr(a, "::ffff:10.1.2.3");
    CHECK_FALSE(net.contains(a, 6));
    set_addr(a, "10.1.2.3");
    CHECK_FALSE(net.contains(a, 6));  // same bytes, wrong version
    CHECK_FALSE(prefix("0.0.0.0/0").contains(a, 6));
  }
  SECTION("IPv6 prefix never contains IPv4") {
    set_addr(a, "0.0.0.0");
    CHECK_FALSE(prefix("::/0").contains(a, 4));
    set_addr(a, "2001:db8::7");
    CHECK(prefix("::/0").contains(a, 6));
    CHECK(prefix("2001:db8::/125").contains(a, 6));
    CHECK_FALSE(prefix("2001:db8::/126").contains(a, 6));
  }
  SECTION("unknown version") {
    set_addr(a, "10.1.2.3");
    CHECK_FALSE(net.contains(a, 0));
  }
}

TEST_CASE("IpPrefix bounds are the first and last address", "[slice]") {
  std::uint8_t lo[16], hi[16];
  prefix("10.1.2.77/23").bounds(lo, hi);
  const std::uint8_t lo4[16] = {10, 1, 2, 0};
  const std::uint8_t hi4[16] = {10, 1, 3, 255};
  CHECK(std::memcmp(lo, lo4, 16) == 0);
  CHECK(std::memcmp(hi, hi4, 16) == 0);

  prefix("2001:db8::/32").bounds(lo, hi);
  std::uint8_t want_lo[16], want_hi[16];
  set_addr(want_lo, "2001:db8::");
  set_addr(want_hi, "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff");
  CHECK(std::memcmp(lo, want_lo, 16) == 0);
  CHECK(std::memcmp(hi, want_hi, 16) == 0);

  prefix("192.0.2.1").bounds(lo, hi);
  CHECK(std::memcmp(lo, hi, 16) == 0);
  CHECK(lo[3] == 1);
}

TEST_CASE("Community ID text parses to its digest and prints back", "[slice]") {
  const auto d = parse_community_id(kSpecCommunityId);
  REQUIRE(d);
  CHECK((*d)[0] == 0x2d);  // 'L','Q' -> 0b001011 0b010000 -> 0x2d
  CHECK(format_community_id(*d) == kSpecCommunityId);

  std::array<std::uint8_t, 20> all_ff;
  all_ff.fill(0xff);
  CHECK(format_community_id(all_ff) == "1://////////////////////////8=");
  CHECK(parse_community_id(format_community_id(all_ff)) == all_ff);

  for (const char* bad : {"", "1:", "2:LQU9qZlK+B5F3KDmev6m5PMibrg=", "1:LQU9qZlK+B5F3KDmev6m5PMibrg",
                          "1:LQU9qZlK+B5F3KDmev6m5PMibrg==", "1:LQU9qZlK+B5F3KDmev6m5PMibrh=",  // non-zero pad bits
                          "1:LQU9qZlK-B5F3KDmev6m5PMibrg=", "1 LQU9qZlK+B5F3KDmev6m5PMibrg=",
                          "1:LQU9qZlK+B5F3KDmev6m5PMib g="}) {
    INFO(bad);
    CHECK_FALSE(parse_community_id(bad));
  }
}

TEST_CASE("matches: host predicates look at either end or the packet's own direction", "[slice][match]") {
  const PacketFacts fwd = v4_tcp("10.1.2.3", 40000, "192.0.2.9", 443);
  CHECK(match(host("10.1.2.3"), fwd));
  CHECK(match(host("192.0.2.9"), fwd));
  CHECK_FALSE(match(host("10.1.2.4"), fwd));
  CHECK(match(host("10.1.2.3", Direction::src), fwd));
  CHECK_FALSE(match(host("10.1.2.3", Direction::dst), fwd));
  CHECK(match(host("192.0.2.9", Direction::dst), fwd));
  CHECK_FALSE(match(host("192.0.2.9", Direction::src), fwd));
  CHECK(match(host("10.0.0.0/8", Direction::src), fwd));
  CHECK(match(host("0.0.0.0/0"), fwd));

  SECTION("family mismatch never matches") {
    CHECK_FALSE(match(host("::/0"), fwd));
    PacketFacts v6 = fwd;
    v6.ip_version = 6;
    set_addr(v6.src, "::ffff:10.1.2.3");
    set_addr(v6.dst, "2001:db8::1");
    CHECK_FALSE(match(host("10.1.2.3"), v6));
    CHECK_FALSE(match(host("0.0.0.0/0"), v6));
    CHECK(match(host("2001:db8::/32"), v6));
    CHECK(match(host("::ffff:10.1.2.3", Direction::src), v6));
  }
  SECTION("not IP: host, port and proto never match") {
    PacketFacts arp = fwd;
    arp.ip_version = 0;
    CHECK_FALSE(match(host("0.0.0.0/0"), arp));
    CHECK_FALSE(match(port(443), arp));
    CHECK_FALSE(match(proto(6), arp));
    CHECK_FALSE(match(proto(0), PacketFacts{}));
  }
}

TEST_CASE("matches: ports only for TCP, UDP and SCTP, per direction", "[slice][match]") {
  PacketFacts p = v4_tcp("10.1.2.3", 40000, "192.0.2.9", 443);
  CHECK(match(port(443), p));
  CHECK(match(port(40000), p));
  CHECK_FALSE(match(port(80), p));
  CHECK(match(port(40000, Direction::src), p));
  CHECK_FALSE(match(port(443, Direction::src), p));
  CHECK(match(port(443, Direction::dst), p));
  CHECK_FALSE(match(port(40000, Direction::dst), p));

  SECTION("UDP and SCTP") {
    p.proto = 17;
    CHECK(match(port(443), p));
    p.proto = 132;
    CHECK(match(port(443), p));
  }
  SECTION("ICMP type/code are never ports") {
    for (const std::uint8_t icmp : {std::uint8_t{1}, std::uint8_t{58}}) {
      p.proto = icmp;
      p.sport = 8;  // echo request as the flow key stores it
      p.dport = 0;
      p.has_ports = true;
      CHECK_FALSE(match(port(8), p));
      CHECK_FALSE(match(port(0), p));
      CHECK_FALSE(match(port(8, Direction::src), p));
    }
  }
  SECTION("no L4 header") {
    p.has_ports = false;
    CHECK_FALSE(match(port(443), p));
  }
  SECTION("other protocols with ports set") {
    p.proto = 47;
    CHECK_FALSE(match(port(443), p));
  }
}

TEST_CASE("matches: proto, icmp for both versions, vlan, community id", "[slice][match]") {
  PacketFacts p = v4_tcp("10.1.2.3", 1, "10.1.2.4", 2);
  CHECK(match(proto(6), p));
  CHECK_FALSE(match(proto(17), p));
  p.proto = 1;
  CHECK(match(proto(1, true), p));
  CHECK(match(proto(1), p));
  p.proto = 58;
  CHECK(match(proto(1, true), p));
  CHECK_FALSE(match(proto(1), p));  // "ip proto 1" is exactly 1
  CHECK(match(proto(58), p));
  p.proto = 6;
  CHECK_FALSE(match(proto(1, true), p));

  Predicate vlan;
  vlan.kind = Predicate::Kind::vlan;
  vlan.vlan = 0;
  CHECK(match(vlan, p));  // untagged
  p.vlan = 100;
  CHECK_FALSE(match(vlan, p));
  vlan.vlan = 100;
  CHECK(match(vlan, p));
  PacketFacts not_ip;
  not_ip.vlan = 100;
  CHECK(match(vlan, not_ip));  // vlan does not need IP

  Predicate cid;
  cid.kind = Predicate::Kind::community_id;
  cid.community_id = *parse_community_id(kSpecCommunityId);
  CHECK_FALSE(match(cid, p));  // unknown
  auto same = cid.community_id;
  p.community_id = &same;
  CHECK(match(cid, p));
  auto other = same;
  other[19] ^= 1;
  p.community_id = &other;
  CHECK_FALSE(match(cid, p));
}

TEST_CASE("FilterExpr combines with and/or and treats empty as every packet", "[slice][match]") {
  const PacketFacts p = v4_tcp("10.1.2.3", 40000, "192.0.2.9", 443);
  const FilterExpr yes = FilterExpr::leaf(port(443));
  const FilterExpr no = FilterExpr::leaf(port(80));
  using Op = FilterExpr::Node::Op;

  CHECK(matches(FilterExpr{}, p));
  CHECK(matches(FilterExpr::conjunction(yes, yes), p));
  CHECK_FALSE(matches(FilterExpr::conjunction(yes, no), p));
  CHECK_FALSE(matches(FilterExpr::conjunction(no, yes), p));
  CHECK(matches(FilterExpr::combine(Op::any_of, no, yes), p));
  CHECK_FALSE(matches(FilterExpr::combine(Op::any_of, no, no), p));

  CHECK(FilterExpr::conjunction(FilterExpr{}, no).nodes.size() == 1);
  CHECK(FilterExpr::conjunction(no, FilterExpr{}).nodes.size() == 1);
  CHECK(FilterExpr::conjunction(FilterExpr{}, FilterExpr{}).empty());
  CHECK(FilterExpr::combine(Op::any_of, FilterExpr{}, no).empty());

  const FilterExpr both = FilterExpr::conjunction(FilterExpr::leaf(host("10.1.2.3")), yes);
  CHECK(both.uses(Predicate::Kind::host));
  CHECK(both.uses(Predicate::Kind::port));
  CHECK_FALSE(both.uses(Predicate::Kind::vlan));
  CHECK(both.depth() == 2);
  CHECK(FilterExpr{}.depth() == 0);

  SECTION("combine_all is balanced") {
    std::vector<FilterExpr> many(1000, no);
    many[777] = yes;
    const FilterExpr any = FilterExpr::combine_all(Op::any_of, many);
    CHECK(any.depth() == 11);  // ceil(log2(1000)) + 1
    CHECK(matches(any, p));
    many[777] = no;
    CHECK_FALSE(matches(FilterExpr::combine_all(Op::any_of, many), p));
    CHECK(FilterExpr::combine_all(Op::all_of, {}).empty());
  }
  SECTION("malformed trees evaluate to false instead of looping or overflowing") {
    FilterExpr loop = yes;
    loop.nodes.push_back({Op::all_of, 1, 0, {}});  // child index = self
    CHECK_FALSE(matches(loop, p));
    FilterExpr deep = yes;
    for (std::uint32_t i = 0; i < 3000; ++i) {
      deep.nodes.push_back({Op::all_of, static_cast<std::uint32_t>(deep.nodes.size() - 1), 0, {}});
    }
    CHECK(deep.depth() == 3001);
    CHECK_FALSE(matches(deep, p));
  }
}

TEST_CASE("describe prints filter and time bounds in the query language", "[slice]") {
  SliceQuery q;
  CHECK(q.describe().empty());
  q.filter = FilterExpr::conjunction(FilterExpr::leaf(host("10.1.2.3")), FilterExpr::leaf(port(443)));
  CHECK(q.describe() == "host 10.1.2.3 and port 443");
  q.start = 1'764'237'600'000'000'000;
  q.end = 1'764'237'600'500'000'000;
  CHECK(q.describe() == "host 10.1.2.3 and port 443 and after 2025-11-27T10:00:00Z and before 2025-11-27T10:00:00.5Z");
  q.limit_packets = 10;
  CHECK(q.describe() == "host 10.1.2.3 and port 443 and after 2025-11-27T10:00:00Z and before 2025-11-27T10:00:00.5Z");

  using Op = FilterExpr::Node::Op;
  FilterExpr f = FilterExpr::combine(Op::any_of, FilterExpr::leaf(host("10.0.0.0/8", Direction::src)),
                                     FilterExpr::leaf(port(53, Direction::dst)));
  f = FilterExpr::conjunction(FilterExpr::leaf(proto(17)), f);
  CHECK(describe_filter(f) == "udp and (src net 10.0.0.0/8 or dst port 53)");
  f = FilterExpr::conjunction(f, FilterExpr::leaf(proto(1, true)));
  CHECK(describe_filter(f) == "udp and (src net 10.0.0.0/8 or dst port 53) and icmp");

  SECTION("an other-operator operand inside a same-operator chain keeps its parentheses") {
    // Balanced trees put such an operand on the left of a nested node.
    const FilterExpr inner = FilterExpr::combine(
        Op::any_of, FilterExpr::conjunction(FilterExpr::leaf(port(6)), FilterExpr::leaf(port(1))),
        FilterExpr::leaf(proto(17)));
    const FilterExpr chain = FilterExpr::combine(Op::any_of, FilterExpr::leaf(proto(6)), inner);
    CHECK(describe_filter(chain) == "tcp or (port 6 and port 1) or udp");
    CHECK(describe_filter(inner) == "port 6 and port 1 or udp");
  }

  Predicate v;
  v.kind = Predicate::Kind::vlan;
  v.vlan = 7;
  Predicate cid;
  cid.kind = Predicate::Kind::community_id;
  cid.community_id = *parse_community_id(kSpecCommunityId);
  CHECK(describe_filter(FilterExpr::combine(Op::any_of, FilterExpr::leaf(v), FilterExpr::leaf(cid))) ==
        std::string("vlan 7 or community_id ") + kSpecCommunityId);
  CHECK(describe_filter(FilterExpr::leaf(proto(47))) == "ip proto 47");
  CHECK(describe_filter(FilterExpr::leaf(proto(132))) == "sctp");
  CHECK(describe_filter(FilterExpr::leaf(host("2001:db8::1", Direction::dst))) == "dst host 2001:db8::1");
}
