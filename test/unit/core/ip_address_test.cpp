#include "opensoc/core/ip_address.hpp"

#include <catch2/catch.hpp>

using opensoc::IpAddress;

TEST_CASE("IpAddress parses and prints both families", "[core][ip]") {
  auto v4 = IpAddress::parse("192.0.2.1");
  REQUIRE(v4);
  CHECK(v4->version == 4);
  CHECK(v4->to_string() == "192.0.2.1");
  auto v6 = IpAddress::parse("2001:DB8:0:0::1");
  REQUIRE(v6);
  CHECK(v6->version == 6);
  CHECK(v6->to_string() == "2001:db8::1");  // RFC 5952 form
}

TEST_CASE("IpAddress rejects what is not an address", "[core][ip]") {
  for (const char* bad : {"", "1.2.3", "256.1.1.1", "example.com", "1.2.3.4/24", "::g", " 1.2.3.4"}) {
    INFO(bad);
    CHECK_FALSE(IpAddress::parse(bad));
  }
  CHECK_FALSE(IpAddress::parse(std::string(100, '1')));
}

TEST_CASE("IpAddress orders by family, then bytes", "[core][ip]") {
  const auto a = *IpAddress::parse("10.0.0.1");
  const auto b = *IpAddress::parse("10.0.0.2");
  const auto c = *IpAddress::parse("::1");
  CHECK(a < b);
  CHECK(b < c);
  CHECK(a == *IpAddress::parse("10.0.0.1"));
}
