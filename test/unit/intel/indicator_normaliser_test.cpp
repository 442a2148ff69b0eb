// Tests src/intel/indicator_normaliser.cpp: every canonical form, every type
// word, and each refusal with its reason.
#include "intel/indicator_normaliser.hpp"

#include <string>

#include <catch2/catch.hpp>

namespace opensoc::intel {
namespace {

// "type|value" of the normalised result, or "error: reason".
std::string norm(IndicatorType type, std::string_view value) {
  const auto r = normalise_indicator(type, value);
  if (!r) return "error: " + r.error().message;
  return std::string(indicator_type_name(r->type)) + "|" + r->value;
}

std::string url(std::string_view u) {
  char buf[kMaxUrlLength];
  const std::size_t n = normalise_url_into(u, buf, sizeof buf);
  return n == 0 ? std::string("(malformed)") : std::string(buf, n);
}

TEST_CASE("parse_indicator_type accepts every feed word case-insensitively", "[intel]") {
  using T = IndicatorType;
  const std::pair<const char*, T> words[] = {
      {"ip", T::ipv4},          {"IPv4", T::ipv4},        {"ipv4-addr", T::ipv4},     {"ipv6", T::ipv6},
      {"ipv6-addr", T::ipv6},   {"cidr", T::cidr},        {"Network", T::cidr},       {"domain", T::domain},
      {"domain-name", T::domain}, {"hostname", T::domain}, {"FQDN", T::domain},       {"url", T::url},
      {"uri", T::url},          {"ja3", T::ja3},          {"ja3-md5", T::ja3},        {"ja4", T::ja4},
      {"x509-sha1", T::cert_sha1}, {"cert-sha1", T::cert_sha1}, {"sha1-cert", T::cert_sha1},
      {"x509-sha256", T::cert_sha256}, {"cert-sha256", T::cert_sha256}, {" url ", T::url},
  };
  for (const auto& [word, type] : words) {
    INFO(word);
    const auto t = parse_indicator_type(word);
    REQUIRE(t.has_value());
    CHECK(*t == type);
  }
  CHECK_FALSE(parse_indicator_type("md5").has_value());
  CHECK_FALSE(parse_indicator_type("").has_value());
  CHECK_FALSE(parse_indicator_type("ipv4-address").has_value());
}

TEST_CASE("normalise_indicator gives addresses their canonical text and family", "[intel]") {
  CHECK(norm(IndicatorType::ipv4, " 192.0.2.1 ") == "ipv4-addr|192.0.2.1");
  CHECK(norm(IndicatorType::ipv4, "2001:DB8:0:0::1") == "ipv6-addr|2001:db8::1");
  CHECK(norm(IndicatorType::ipv6, "2001:0db8::0001") == "ipv6-addr|2001:db8::1");
  CHECK(norm(IndicatorType::ipv6, "192.0.2.1") == "ipv4-addr|192.0.2.1");
  CHECK(norm(IndicatorType::cidr, "192.0.2.7") == "ipv4-addr|192.0.2.7");
  CHECK(norm(IndicatorType::ipv6, "::FFFF:192.0.2.1") == "ipv4-addr|192.0.2.1");  // as the matcher sees it
  CHECK(norm(IndicatorType::ipv4, "not-an-ip") == "error: not an IP address");
  CHECK(norm(IndicatorType::ipv4, "") == "error: empty value");
  CHECK(norm(IndicatorType::ipv4, "   ") == "error: empty value");
}

TEST_CASE("normalise_indicator masks networks and turns full-length prefixes into addresses", "[intel]") {
  CHECK(norm(IndicatorType::cidr, "10.1.2.3/8") == "cidr|10.0.0.0/8");
  CHECK(norm(IndicatorType::ipv4, "10.1.2.3/8") == "cidr|10.0.0.0/8");  // an IP type with /n is a network
  CHECK(norm(IndicatorType::cidr, "192.168.255.255/17") == "cidr|192.168.128.0/17");
  CHECK(norm(IndicatorType::cidr, "0.0.0.0/0") == "cidr|0.0.0.0/0");
  CHECK(norm(IndicatorType::cidr, "2001:db8:abcd:12::1/33") == "cidr|2001:db8:8000::/33");
  CHECK(norm(IndicatorType::ipv4, "192.0.2.9/32") == "ipv4-addr|192.0.2.9");
  CHECK(norm(IndicatorType::ipv6, "2001:db8::9/128") == "ipv6-addr|2001:db8::9");
  CHECK(norm(IndicatorType::ipv6, "::ffff:192.0.2.9/128") == "ipv4-addr|192.0.2.9");
  CHECK(norm(IndicatorType::cidr, "::ffff:10.1.2.3/104") == "cidr|10.0.0.0/8");
  CHECK(norm(IndicatorType::cidr, "::ffff:10.1.2.3/95") == "cidr|::fffe:0:0/95");
  CHECK(norm(IndicatorType::cidr, "10.0.0.0/33") == "error: prefix length longer than the address");
  CHECK(norm(IndicatorType::cidr, "2001:db8::/129") == "error: prefix length longer than the address");
  CHECK(norm(IndicatorType::cidr, "10.0.0.0/") == "error: not an IP network (prefix length)");
  CHECK(norm(IndicatorType::cidr, "10.0.0.0/8x") == "error: not an IP network (prefix length)");
  CHECK(norm(IndicatorType::cidr, "10.0.0.0/0008") == "error: not an IP network (prefix length)");
  CHECK(norm(IndicatorType::cidr, "10.0.0/8") == "error: not an IP network (address part)");
}

TEST_CASE("normalise_indicator lower-cases domains and strips the trailing dot and a leading wildcard", "[intel]") {
  CHECK(norm(IndicatorType::domain, "Evil.EXAMPLE.") == "domain-name|evil.example");
  CHECK(norm(IndicatorType::domain, "*.Tracker.example") == "domain-name|tracker.example");
  CHECK(norm(IndicatorType::domain, "xn--bcher-kva.example") == "domain-name|xn--bcher-kva.example");
  CHECK(norm(IndicatorType::domain, "b\xC3\xBC" "cher.example") == "domain-name|b\xC3\xBC" "cher.example");  // IDNA left as is
  CHECK(norm(IndicatorType::domain, "_dmarc.example") == "domain-name|_dmarc.example");
  CHECK(norm(IndicatorType::domain, "192.0.2.4") == "ipv4-addr|192.0.2.4");
  CHECK(norm(IndicatorType::domain, "a..example") == "error: empty label in domain");
  CHECK(norm(IndicatorType::domain, ".example") == "error: empty label in domain");
  CHECK(norm(IndicatorType::domain, "a.example..") == "error: empty label in domain");
  CHECK(norm(IndicatorType::domain, "evil.example/path") == "error: character not allowed in a domain");
  CHECK(norm(IndicatorType::domain, "evil example") == "error: character not allowed in a domain");
  CHECK(norm(IndicatorType::domain, "*.") == "error: empty domain");
  CHECK(norm(IndicatorType::domain, std::string(64, 'a') + ".example") == "error: domain label longer than 63 characters");
  std::string long_name;
  for (int i = 0; i < 50; ++i) long_name += "abcd.";
  long_name += "example";
  CHECK(norm(IndicatorType::domain, long_name) == "error: domain longer than 253 characters");
}

TEST_CASE("normalise_indicator canonicalises URLs", "[intel]") {
  CHECK(norm(IndicatorType::url, "HTTP://Evil.Example:80/Gate.php?A=1#frag") == "url|http://evil.example/Gate.php?A=1");
  CHECK(norm(IndicatorType::url, "https://evil.example:443") == "url|https://evil.example/");
  CHECK(norm(IndicatorType::url, "https://evil.example:8443/x") == "url|https://evil.example:8443/x");
  CHECK(norm(IndicatorType::url, "http://evil.example:443/x") == "url|http://evil.example:443/x");
  CHECK(norm(IndicatorType::url, "evil.example/dl.exe") == "url|http://evil.example/dl.exe");
  CHECK(norm(IndicatorType::url, "http://Evil.Example.?q") == "url|http://evil.example/?q");
  CHECK(norm(IndicatorType::url, "http://Evil.Example../") == "url|http://evil.example/");
  CHECK(norm(IndicatorType::url, "Evil.Example/r?u=http://x/") == "url|http://evil.example/r?u=http://x/");
  CHECK(norm(IndicatorType::url, "ftp://User:Pw@Files.Example:21/a") == "url|ftp://User:Pw@files.example/a");
  CHECK(norm(IndicatorType::url, "http://[2001:DB8::1]:80/a") == "url|http://[2001:db8::1]/a");
  CHECK(norm(IndicatorType::url, "http://[2001:db8::1]:8080/a") == "url|http://[2001:db8::1]:8080/a");
  CHECK(norm(IndicatorType::url, "http:///path") == "error: not a URL (or longer than 4096 bytes)");
  CHECK(norm(IndicatorType::url, "http://host:port/") == "error: not a URL (or longer than 4096 bytes)");
  CHECK(norm(IndicatorType::url, "http://a.example:80x://b/") == "error: not a URL (or longer than 4096 bytes)");
  CHECK(norm(IndicatorType::url, "http://a.example:8:443/") == "error: not a URL (or longer than 4096 bytes)");
  CHECK(norm(IndicatorType::url, "http://a b/") == "error: not a URL (or longer than 4096 bytes)");
  CHECK(norm(IndicatorType::url, "1http://x/") == "error: not a URL (or longer than 4096 bytes)");
  CHECK(norm(IndicatorType::url, "http://[2001:db8::1/") == "error: not a URL (or longer than 4096 bytes)");
  CHECK(norm(IndicatorType::url, "http://x/" + std::string(kMaxUrlLength, 'a')) == "error: not a URL (or longer than 4096 bytes)");
}

TEST_CASE("normalise_url_into never writes past its buffer", "[intel]") {
  char buf[18];
  buf[17] = 'Z';
  CHECK(normalise_url_into("http://a.example", buf, 17) == 17);  // "http://a.example/" exactly fits
  CHECK(std::string(buf, 17) == "http://a.example/");
  CHECK(normalise_url_into("http://ab.example", buf, 17) == 0);
  CHECK(buf[17] == 'Z');
  CHECK(normalise_url_into("http://a.example/", buf, 0) == 0);
  CHECK(url("") == "(malformed)");
  CHECK(url("  http://A.example/x  ") == "http://a.example/x");
}

TEST_CASE("normalise_indicator checks hash lengths and lower-cases hex but keeps ja4's case", "[intel]") {
  CHECK(norm(IndicatorType::ja3, "E7D705A3286E19EA42F587B344EE6865") == "ja3|e7d705a3286e19ea42f587b344ee6865");
  CHECK(norm(IndicatorType::ja3, "e7d705a3286e19ea42f587b344ee686") == "error: ja3 must be 32 hex digits");
  CHECK(norm(IndicatorType::ja3, "e7d705a3286e19ea42f587b344ee68651") == "error: ja3 must be 32 hex digits");
  CHECK(norm(IndicatorType::ja3, "g7d705a3286e19ea42f587b344ee6865") == "error: ja3 must be 32 hex digits");
  CHECK(norm(IndicatorType::cert_sha1, "01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67") ==
        "x509-sha1|0123456789abcdef0123456789abcdef01234567");
  CHECK(norm(IndicatorType::cert_sha1, "0123456789abcdef0123456789abcdef0123456") == "error: x509-sha1 must be 40 hex digits");
  CHECK(norm(IndicatorType::cert_sha256, std::string(64, 'A')) == "x509-sha256|" + std::string(64, 'a'));
  CHECK(norm(IndicatorType::cert_sha256, std::string(40, 'a')) == "error: x509-sha256 must be 64 hex digits");
  CHECK(norm(IndicatorType::ja4, "t13d1516h2_8daaf6152771_02713d6af862") == "ja4|t13d1516h2_8daaf6152771_02713d6af862");
  CHECK(norm(IndicatorType::ja4, "T13D1516H2_8DAAF6152771_02713D6AF862") == "ja4|T13D1516H2_8DAAF6152771_02713D6AF862");
  CHECK(norm(IndicatorType::ja4, "t13d1516h2") == "error: ja4 must have '_'-separated parts");
  CHECK(norm(IndicatorType::ja4, "t13d 1516h2_x") == "error: character not allowed in a ja4");
  CHECK(norm(IndicatorType::ja4, std::string(513, 'a') + "_") == "error: ja4 must be 1 to 512 characters");
}

}  // namespace
}  // namespace opensoc::intel
