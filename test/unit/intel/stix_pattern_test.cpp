// Tests src/intel/stix_pattern.cpp: the accepted OR-of-equalities subset and
// the reason given for each pattern it cannot hold.
#include "intel/stix_pattern.hpp"

#include <string>

#include <catch2/catch.hpp>

namespace opensoc::intel {
namespace {

// "type=value;type=value" or "error: reason".
std::string split(std::string_view pattern) {
  const auto r = parse_stix_pattern(pattern);
  if (!r) return "error: " + r.error().message;
  std::string s;
  for (const StixComparison& c : *r) {
    if (!s.empty()) s += ";";
    s += std::string(indicator_type_name(c.type)) + "=" + c.value;
  }
  return s;
}

TEST_CASE("parse_stix_pattern splits ORed comparisons on supported objects", "[intel]") {
  CHECK(split("[ipv4-addr:value = '198.51.100.1']") == "ipv4-addr=198.51.100.1");
  CHECK(split("[ipv6-addr:value='2001:db8::1']") == "ipv4-addr=2001:db8::1");  // the value decides the family
  CHECK(split("[ipv4-addr:value ISSUBSET '10.0.0.0/8']") == "ipv4-addr=10.0.0.0/8");
  CHECK(split("[domain-name:value = 'a.example' OR domain-name:value = 'b.example']") ==
        "domain-name=a.example;domain-name=b.example");
  CHECK(split("[url:value = 'http://x.example/'] OR [domain-name:value = 'y.example']") ==
        "url=http://x.example/;domain-name=y.example");
  CHECK(split("([ipv4-addr:value = '192.0.2.1'] OR ([ipv4-addr:value = '192.0.2.2']))") ==
        "ipv4-addr=192.0.2.1;ipv4-addr=192.0.2.2");
  CHECK(split("[(domain-name:value = 'a.example' OR domain-name:value = 'b.example')]") ==
        "domain-name=a.example;domain-name=b.example");
  CHECK(split("[x509-certificate:hashes.'SHA-256' = 'aa'] OR [x509-certificate:hashes.'SHA-1' = 'bb']") ==
        "x509-sha256=aa;x509-sha1=bb");
  CHECK(split("[x509-certificate:hashes.SHA256 = 'aa']") == "x509-sha256=aa");
  CHECK(split("[url:value = 'http://x.example/it\\'s\\\\']") == "url=http://x.example/it's\\");
}

TEST_CASE("parse_stix_pattern refuses what an indicator set cannot hold", "[intel]") {
  CHECK(split("[ipv4-addr:value = '192.0.2.1' AND domain-name:value = 'x.example']") ==
        "error: AND is not supported (only OR of single comparisons)");
  CHECK(split("[ipv4-addr:value = '192.0.2.1'] AND [ipv4-addr:value = '192.0.2.2']") ==
        "error: AND is not supported (only OR of single comparisons)");
  CHECK(split("[ipv4-addr:value = '192.0.2.1'] FOLLOWEDBY [ipv4-addr:value = '192.0.2.2']") ==
        "error: FOLLOWEDBY is not supported");
  CHECK(split("[ipv4-addr:value = '192.0.2.1'] WITHIN 300 SECONDS") == "error: qualifier WITHIN is not supported");
  CHECK(split("[file:hashes.MD5 = 'abc']") == "error: unsupported object path 'file:hashes.MD5'");
  CHECK(split("[x509-certificate:hashes.'MD5' = 'abc']") == "error: unsupported object path 'x509-certificate:hashes.MD5'");
  CHECK(split("[domain-name:value LIKE '%.example']") == "error: operator 'LIKE' is not supported (only '=')");
  CHECK(split("[ipv4-addr:value != '192.0.2.1']") == "error: operator '!=' is not supported (only '=' and ISSUBSET)");
  CHECK(split("[domain-name:value ISSUBSET 'x']") == "error: operator 'ISSUBSET' is not supported (only '=')");
  CHECK(split("[NOT ipv4-addr:value = '192.0.2.1']") == "error: NOT is not supported");
  CHECK(split("ipv4-addr:value = '192.0.2.1'") == "error: comparison outside '[...]'");
  CHECK(split("[ipv4-addr:value = '192.0.2.1'") == "error: unbalanced brackets in pattern");
  CHECK(split("[ipv4-addr:value = '192.0.2.1')") == "error: unbalanced brackets in pattern");
  CHECK(split("[ipv4-addr:value = '192.0.2.1']]") == "error: unbalanced brackets in pattern");
  CHECK(split("[[ipv4-addr:value = '192.0.2.1']]") == "error: '[' inside an observation expression");
  CHECK(split("[ipv4-addr:value = '192.0.2.1' OR]") == "error: expected an object path in pattern");
  CHECK(split("[ipv4-addr:value = '192.0.2.1'] OR") == "error: pattern ends after OR");
  CHECK(split("[ipv4-addr:value = ]") == "error: comparison value must be a quoted string");
  CHECK(split("[ipv4-addr:value =") == "error: incomplete comparison in pattern");
  CHECK(split("[ipv4-addr:value = 42]") == "error: comparison value must be a quoted string");
  CHECK(split("[ipv4-addr:value = '192.0.2.1") == "error: unterminated or badly escaped string in pattern");
  CHECK(split("[url:value = 'a\\n']") == "error: unterminated or badly escaped string in pattern");
  CHECK(split("[ipv4-addr:value = '1'] ; drop") == "error: unexpected character ';' in pattern");
  CHECK(split("") == "error: empty pattern");
  CHECK(split("[]") == "error: expected an object path in pattern");
  CHECK(split(std::string(100, '(')) == "error: pattern nested too deeply");
}

}  // namespace
}  // namespace opensoc::intel
