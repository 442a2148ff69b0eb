#include "enrich/ip_prefix_trie.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <utility>
#include <vector>

using opensoc::IpAddress;
using opensoc::enrich::IpPrefixTrie;
using opensoc::enrich::parse_cidr;
using opensoc::enrich::unmap_ipv4;

namespace {

IpAddress ip(const char* text) {
  auto a = IpAddress::parse(text);
  REQUIRE(a.has_value());
  return *a;
}

void insert(IpPrefixTrie<int>& trie, const char* cidr, int value) {
  auto c = parse_cidr(cidr);
  REQUIRE(c.has_value());
  trie.insert(c->first, c->second, value);
}

int match(const IpPrefixTrie<int>& trie, const char* address) {
  const int* v = trie.longest_match(ip(address));
  return v == nullptr ? -1 : *v;
}

}  // namespace

TEST_CASE("parse_cidr reads networks and bare addresses and masks host bits", "[enrich][trie]") {
  auto v4 = parse_cidr("10.1.2.3/8");
  REQUIRE(v4.has_value());
  CHECK(v4->first == ip("10.0.0.0"));
  CHECK(v4->second == 8);

  auto odd = parse_cidr("192.168.1.255/23");
  REQUIRE(odd.has_value());
  CHECK(odd->first == ip("192.168.0.0"));
  CHECK(odd->second == 23);

  auto v6 = parse_cidr("2001:db8:ffff::1/32");
  REQUIRE(v6.has_value());
  CHECK(v6->first == ip("2001:db8::"));
  CHECK(v6->second == 32);

  auto host4 = parse_cidr(" 8.8.8.8 ");
  REQUIRE(host4.has_value());
  CHECK(host4->first == ip("8.8.8.8"));
  CHECK(host4->second == 32);

  auto host6 = parse_cidr("::1");
  REQUIRE(host6.has_value());
  CHECK(host6->second == 128);

  auto zero = parse_cidr("1.2.3.4/0");
  REQUIRE(zero.has_value());
  CHECK(zero->first == ip("0.0.0.0"));
  CHECK(zero->second == 0);

  auto full6 = parse_cidr("2001:db8::7/128");
  REQUIRE(full6.has_value());
  CHECK(full6->first == ip("2001:db8::7"));
  CHECK(full6->second == 128);
}

TEST_CASE("parse_cidr rejects junk", "[enrich][trie]") {
  for (const char* bad : {"", "/", "10.0.0.0/", "10.0.0.0/33", "2001:db8::/129", "10.0.0/8", "10.0.0.0/8x",
                          "10.0.0.0/-1", "10.0.0.0/0008", "host.example", "10.0.0.0/8/8", "1.2.3.4 5"}) {
    INFO(bad);
    CHECK_FALSE(parse_cidr(bad).has_value());
  }
}

TEST_CASE("unmap_ipv4 turns ::ffff:a.b.c.d into IPv4 and leaves others alone", "[enrich][trie]") {
  CHECK(unmap_ipv4(ip("::ffff:192.0.2.1")) == ip("192.0.2.1"));
  CHECK(unmap_ipv4(ip("::192.0.2.1")) == ip("::192.0.2.1"));
  CHECK(unmap_ipv4(ip("2001:db8::1")) == ip("2001:db8::1"));
  CHECK(unmap_ipv4(ip("192.0.2.1")) == ip("192.0.2.1"));
}

TEST_CASE("IpPrefixTrie finds the longest matching prefix", "[enrich][trie]") {
  IpPrefixTrie<int> trie;
  insert(trie, "10.0.0.0/8", 8);
  insert(trie, "10.1.0.0/16", 16);
  insert(trie, "10.1.2.3/32", 32);
  CHECK(trie.size() == 3);
  CHECK(match(trie, "10.1.2.3") == 32);
  CHECK(match(trie, "10.1.2.4") == 16);
  CHECK(match(trie, "10.2.0.1") == 8);
  CHECK(match(trie, "11.0.0.1") == -1);
  CHECK(match(trie, "9.255.255.255") == -1);
}

TEST_CASE("IpPrefixTrie /0 matches every address of its family only", "[enrich][trie]") {
  IpPrefixTrie<int> trie;
  insert(trie, "0.0.0.0/0", 4);
  CHECK(match(trie, "1.2.3.4") == 4);
  CHECK(match(trie, "255.255.255.255") == 4);
  CHECK(match(trie, "::1") == -1);
  insert(trie, "::/0", 6);
  CHECK(match(trie, "::1") == 6);
  CHECK(match(trie, "ffff::") == 6);
  CHECK(trie.size() == 2);
}

TEST_CASE("IpPrefixTrie keeps IPv4 and IPv6 apart", "[enrich][trie]") {
  IpPrefixTrie<int> trie;
  // 10.0.0.0 and 0a00:: share their leading bytes; the families must not mix.
  insert(trie, "10.0.0.0/8", 4);
  CHECK(match(trie, "a00::1") == -1);
  insert(trie, "a00::/8", 6);
  CHECK(match(trie, "10.0.0.1") == 4);
  CHECK(match(trie, "a00::1") == 6);
}

TEST_CASE("IpPrefixTrie /128 and /32 match exactly one address", "[enrich][trie]") {
  IpPrefixTrie<int> trie;
  insert(trie, "2001:db8::1/128", 1);
  insert(trie, "192.0.2.255/32", 2);
  CHECK(match(trie, "2001:db8::1") == 1);
  CHECK(match(trie, "2001:db8::") == -1);
  CHECK(match(trie, "2001:db8::2") == -1);
  CHECK(match(trie, "192.0.2.255") == 2);
  CHECK(match(trie, "192.0.2.254") == -1);
}

TEST_CASE("IpPrefixTrie replaces the value of a prefix inserted again", "[enrich][trie]") {
  IpPrefixTrie<int> trie;
  insert(trie, "192.168.0.0/16", 1);
  insert(trie, "192.168.255.255/16", 2);  // same network after masking
  CHECK(trie.size() == 1);
  CHECK(match(trie, "192.168.3.4") == 2);
  auto c = parse_cidr("192.168.0.0/16");
  REQUIRE(trie.find(c->first, c->second) != nullptr);
  CHECK(*trie.find(c->first, c->second) == 2);
  CHECK(trie.find(c->first, 17) == nullptr);
  CHECK(trie.find(c->first, 15) == nullptr);
}

TEST_CASE("IpPrefixTrie for_each_match visits containing prefixes shortest first", "[enrich][trie]") {
  IpPrefixTrie<int> trie;
  insert(trie, "2001:db8:1::/48", 48);
  insert(trie, "::/0", 0);
  insert(trie, "2001:db8::/32", 32);
  insert(trie, "2001:db8:2::/48", 99);  // a sibling: not on the path
  std::vector<std::pair<int, int>> seen;
  trie.for_each_match(ip("2001:db8:1::5"), [&](const int& v, std::uint8_t len) { seen.emplace_back(v, len); });
  CHECK(seen == std::vector<std::pair<int, int>>{{0, 0}, {32, 32}, {48, 48}});
  std::vector<int> values;
  trie.for_each_match(ip("2001:db9::"), [&](const int& v) { values.push_back(v); });
  CHECK(values == std::vector<int>{0});
}

TEST_CASE("IpPrefixTrie ignores impossible prefixes and versionless addresses", "[enrich][trie]") {
  IpPrefixTrie<int> trie;
  trie.insert(ip("10.0.0.0"), 33, 1);
  trie.insert(IpAddress{}, 0, 2);
  CHECK(trie.size() == 0);
  CHECK(trie.empty());
  insert(trie, "0.0.0.0/0", 3);
  CHECK(trie.longest_match(IpAddress{}) == nullptr);
}

TEST_CASE("IpPrefixTrie holds many prefixes with exact answers", "[enrich][trie]") {
  IpPrefixTrie<std::uint32_t> trie;
  // Every /24 of 10.0.0.0/16, value = third octet, plus host routes on .7.
  for (std::uint32_t i = 0; i < 256; ++i) {
    const std::uint8_t net[4] = {10, 0, static_cast<std::uint8_t>(i), 0};
    trie.insert(IpAddress::v4(net), 24, i);
    const std::uint8_t host[4] = {10, 0, static_cast<std::uint8_t>(i), 7};
    trie.insert(IpAddress::v4(host), 32, 1000 + i);
  }
  CHECK(trie.size() == 512);
  for (std::uint32_t i = 0; i < 256; ++i) {
    const std::uint8_t a[4] = {10, 0, static_cast<std::uint8_t>(i), 8};
    const std::uint8_t h[4] = {10, 0, static_cast<std::uint8_t>(i), 7};
    REQUIRE(trie.longest_match(IpAddress::v4(a)) != nullptr);
    CHECK(*trie.longest_match(IpAddress::v4(a)) == i);
    CHECK(*trie.longest_match(IpAddress::v4(h)) == 1000 + i);
  }
}
