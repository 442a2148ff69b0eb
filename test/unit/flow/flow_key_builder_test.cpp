#include "flow/flow_key_builder.hpp"

#include <catch2/catch.hpp>

#include <cstring>

#include "test_packets.hpp"

namespace opensoc::flow {
namespace {

using test::make_packet;
using test::PacketSpec;

FlowKey key_of(const PacketSpec& s, bool& swapped) {
  const test::TestPacket p = make_packet(s);
  return make_flow_key(p.frame.data(), p.d, swapped);
}

TEST_CASE("make_flow_key gives both directions the same key", "[flow][key]") {
  bool fwd_swapped = true;
  bool rev_swapped = true;
  const FlowKey fwd = key_of({.src = "10.0.0.2", .dst = "10.0.0.1", .sport = 80, .dport = 40000, .proto = 6}, fwd_swapped);
  const FlowKey rev = key_of({.src = "10.0.0.1", .dst = "10.0.0.2", .sport = 40000, .dport = 80, .proto = 6}, rev_swapped);
  CHECK(fwd == rev);
  CHECK(fwd_swapped);
  CHECK_FALSE(rev_swapped);
  const std::uint8_t lo[16] = {10, 0, 0, 1};
  CHECK(std::memcmp(fwd.lo_addr, lo, 16) == 0);
  CHECK(fwd.lo_port == 40000);
  CHECK(fwd.hi_port == 80);
  CHECK(fwd.ip_proto == 6);
  CHECK(fwd.ip_version == 4);
  CHECK(fwd.vlan == 0);
}

TEST_CASE("make_flow_key orders equal addresses by port", "[flow][key]") {
  bool a_swapped = false;
  bool b_swapped = false;
  const FlowKey a = key_of({.src = "10.0.0.1", .dst = "10.0.0.1", .sport = 9, .dport = 7, .proto = 17}, a_swapped);
  const FlowKey b = key_of({.src = "10.0.0.1", .dst = "10.0.0.1", .sport = 7, .dport = 9, .proto = 17}, b_swapped);
  CHECK(a == b);
  CHECK(a_swapped);
  CHECK_FALSE(b_swapped);
  CHECK(a.lo_port == 7);
}

TEST_CASE("make_flow_key maps ICMP request/reply types to port-equivalents", "[flow][key][icmp]") {
  bool s1 = false;
  bool s2 = false;
  const FlowKey req = key_of({.src = "10.0.0.9", .dst = "10.0.0.1", .proto = 1, .icmp_type = 8}, s1);
  const FlowKey rep = key_of({.src = "10.0.0.1", .dst = "10.0.0.9", .proto = 1, .icmp_type = 0}, s2);
  CHECK(req == rep);
  CHECK(s1 != s2);
  CHECK(req.lo_port == 0);  // 10.0.0.1 sent the reply (type 0)
  CHECK(req.hi_port == 8);

  SECTION("non-mappable types keep the sender first and are never swapped") {
    bool s3 = true;
    const FlowKey unreach = key_of({.src = "10.0.0.9", .dst = "10.0.0.1", .proto = 1, .icmp_type = 3, .icmp_code = 1}, s3);
    CHECK_FALSE(s3);
    const std::uint8_t sender[16] = {10, 0, 0, 9};
    CHECK(std::memcmp(unreach.lo_addr, sender, 16) == 0);
    CHECK(unreach.lo_port == 3);
    CHECK(unreach.hi_port == 1);
  }
}

TEST_CASE("icmp_port_equivalents follows the Community ID tables", "[flow][key][icmp]") {
  CHECK(icmp_port_equivalents(1, 13, 5).dst == 14);
  CHECK_FALSE(icmp_port_equivalents(1, 13, 5).one_way);
  CHECK(icmp_port_equivalents(1, 11, 0).one_way);
  CHECK(icmp_port_equivalents(58, 135, 0).dst == 136);
  CHECK(icmp_port_equivalents(58, 144, 0).dst == 145);
  CHECK(icmp_port_equivalents(58, 8, 0).one_way);  // 8 is echo only in ICMPv4
  CHECK(icmp_port_equivalents(58, 1, 4).dst == 4);
}

TEST_CASE("make_flow_key uses the outer VLAN, the version and ports 0 without L4", "[flow][key]") {
  bool swapped = false;
  const FlowKey k = key_of({.src = "2001:db8::2", .dst = "2001:db8::1", .sport = 1, .dport = 2, .proto = 17,
                            .vlan = 100, .inner_vlan = 200, .later_fragment = true},
                           swapped);
  CHECK(k.vlan == 100);
  CHECK(k.ip_version == 6);
  CHECK(k.ip_proto == 17);
  CHECK(k.lo_port == 0);
  CHECK(k.hi_port == 0);
  CHECK(swapped);
  CHECK(k.lo_addr[15] == 1);

  SECTION("a truncated L4 header also means no ports") {
    test::TestPacket p = make_packet({.src = "10.0.0.1", .dst = "10.0.0.2", .sport = 1, .dport = 2, .proto = 6});
    p.d.anomaly = DecodeAnomaly::tcp_truncated;
    const FlowKey t = make_flow_key(p.frame.data(), p.d, swapped);
    CHECK(t.lo_port == 0);
    CHECK(t.hi_port == 0);
  }
}

}  // namespace
}  // namespace opensoc::flow
