#include "config/listen_endpoint.hpp"

#include <string>
#include <string_view>

#include <catch2/catch.hpp>

namespace opensoc::config {
namespace {

std::string error_of(std::string_view text) {
  const auto r = parse_listen(text);
  REQUIRE_FALSE(r.has_value());
  return r.error().message;
}

}  // namespace

TEST_CASE("parse_listen accepts a numeric IPv4 address and port", "[config][listen]") {
  const auto r = parse_listen("127.0.0.1:8080");
  REQUIRE(r.has_value());
  CHECK(r->first == "127.0.0.1");
  CHECK(r->second == 8080);
  CHECK(parse_listen("0.0.0.0:1")->second == 1);
  CHECK(parse_listen("10.1.2.3:65535")->second == 65535);
}

TEST_CASE("parse_listen accepts a bracketed IPv6 address and returns it without brackets", "[config][listen]") {
  const auto r = parse_listen("[::1]:9090");
  REQUIRE(r.has_value());
  CHECK(r->first == "::1");
  CHECK(r->second == 9090);
  CHECK(parse_listen("[::]:80")->first == "::");
  CHECK(parse_listen("[2001:db8::10]:443")->first == "2001:db8::10");
  CHECK(parse_listen("[::ffff:10.0.0.1]:80")->first == "::ffff:10.0.0.1");
}

TEST_CASE("parse_listen says what is wrong with a malformed endpoint", "[config][listen]") {
  constexpr const char* kShape =
      "expected ADDR:PORT with a numeric IPv4 address or a bracketed IPv6 address (e.g. 127.0.0.1:8080 or "
      "[::1]:8080), got ";
  constexpr const char* kHost =
      "expected a numeric IPv4 address or a bracketed IPv6 address (host names are not resolved), got ";
  SECTION("missing port") {
    CHECK(error_of("127.0.0.1") == std::string(kShape) + "'127.0.0.1'");
    CHECK(error_of("") == std::string(kShape) + "''");
    CHECK(error_of("127.0.0.1:") == "expected a port between 1 and 65535, got ''");
    CHECK(error_of("[::1]") == "expected ':PORT' after the IPv6 address, got '[::1]'");
    CHECK(error_of("[::1]8080") == "expected ':PORT' after the IPv6 address, got '[::1]8080'");
  }
  SECTION("bad port") {
    CHECK(error_of("127.0.0.1:0") == "expected a port between 1 and 65535, got '0'");
    CHECK(error_of("127.0.0.1:65536") == "expected a port between 1 and 65535, got '65536'");
    CHECK(error_of("127.0.0.1:http") == "expected a port between 1 and 65535, got 'http'");
    CHECK(error_of("127.0.0.1:-80") == "expected a port between 1 and 65535, got '-80'");
    CHECK(error_of("[::1]:99999999999999999999999") ==
          "expected a port between 1 and 65535, got '99999999999999999999999'");
  }
  SECTION("host names and bad addresses") {
    CHECK(error_of("localhost:8080") == std::string(kHost) + "'localhost'");
    CHECK(error_of(":8080") == std::string(kHost) + "''");
    CHECK(error_of("256.0.0.1:80") == std::string(kHost) + "'256.0.0.1'");
    CHECK(error_of("1.2.3:80") == std::string(kHost) + "'1.2.3'");
    CHECK(error_of("[localhost]:80") == "expected an IPv6 address inside [ ], got 'localhost'");
    CHECK(error_of("[1.2.3.4]:80") == "expected an IPv6 address inside [ ], got '1.2.3.4'");
    CHECK(error_of("[fe80::1%eth0]:80") == "expected an IPv6 address inside [ ], got 'fe80::1%eth0'");
    CHECK(error_of(std::string_view("1.2.3.4\0x:80", 12)) == std::string(kHost) + "'1.2.3.4\\x00x'");
  }
  SECTION("IPv6 without brackets") {
    CHECK(error_of("::1:8080") == "expected an IPv6 address in brackets, e.g. [::1]:8080, got '::1:8080'");
    CHECK(error_of("[::1:8080") ==
          "expected ']' closing the IPv6 address in ADDR:PORT with a numeric IPv4 address or a bracketed IPv6 "
          "address (e.g. 127.0.0.1:8080 or [::1]:8080), got '[::1:8080'");
  }
}

}  // namespace opensoc::config
