#include "enrich/network_set.hpp"

#include <catch2/catch.hpp>

using opensoc::IpAddress;
using opensoc::enrich::NetworkSet;

namespace {

IpAddress ip(const char* text) {
  auto a = IpAddress::parse(text);
  REQUIRE(a.has_value());
  return *a;
}

}  // namespace

TEST_CASE("NetworkSet private defaults cover RFC 1918, CGNAT, loopback, link-local and ULA", "[enrich][networks]") {
  const NetworkSet set = NetworkSet::private_defaults();
  CHECK(set.size() == 9);
  for (const char* inside : {"10.0.0.1", "10.255.255.255", "172.16.0.1", "172.31.255.254", "192.168.1.1", "100.64.0.1",
                             "100.127.255.255", "127.0.0.1", "169.254.10.10", "fc00::1", "fd12:3456::1", "fe80::1",
                             "febf::1", "::1", "::ffff:192.168.1.1"}) {
    INFO(inside);
    CHECK(set.contains(ip(inside)));
  }
  for (const char* outside : {"8.8.8.8", "172.32.0.1", "172.15.255.255", "192.169.0.1", "100.128.0.1", "11.0.0.1",
                              "2001:db8::1", "fec0::1", "::2", "::ffff:8.8.8.8", "0.0.0.0"}) {
    INFO(outside);
    CHECK_FALSE(set.contains(ip(outside)));
  }
  CHECK_FALSE(set.contains(IpAddress{}));
}

TEST_CASE("NetworkSet parses the configured networks and nothing else", "[enrich][networks]") {
  auto set = NetworkSet::parse({"198.51.100.0/24", "2001:db8:aa::/48", "203.0.113.9"});
  REQUIRE(set.has_value());
  CHECK(set->size() == 3);
  CHECK(set->contains(ip("198.51.100.200")));
  CHECK(set->contains(ip("2001:db8:aa::5")));
  CHECK(set->contains(ip("203.0.113.9")));
  CHECK_FALSE(set->contains(ip("203.0.113.10")));
  CHECK_FALSE(set->contains(ip("10.0.0.1")));  // the defaults are not added to a configured list

  auto empty = NetworkSet::parse({});
  REQUIRE(empty.has_value());
  CHECK(empty->size() == 0);
  CHECK_FALSE(empty->contains(ip("10.0.0.1")));
}

TEST_CASE("NetworkSet parse names the bad entry", "[enrich][networks]") {
  auto set = NetworkSet::parse({"10.0.0.0/8", "192.168.0.0/33"});
  REQUIRE_FALSE(set.has_value());
  CHECK(set.error().message == "internal network '192.168.0.0/33' is not an address or CIDR network");
}
