// Tests for the rule parser (src/detect/rule_parser.cpp), the classtype
// table and the header matchers in rule.cpp. The last case parses every
// suricata-verify test.rules in the shared corpus and prints what loads.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "detect/rule_classtypes.hpp"
#include "detect/rule_parser.hpp"
#include "support/external_tools.hpp"
#include "support/temp_dir.hpp"

using namespace opensoc;
using namespace opensoc::detect;

namespace {

Rule ok_rule(const std::string& text, const RuleVariables& vars = RuleVariables::defaults()) {
  auto r = parse_rule(text, vars, "t.rules", 7);
  if (r.index() == 1) FAIL("unexpected error: " << std::get<1>(r).keyword << ": " << std::get<1>(r).message);
  return std::get<0>(r);
}

RuleError bad_rule(const std::string& text, const RuleVariables& vars = RuleVariables::defaults()) {
  auto r = parse_rule(text, vars, "t.rules", 7);
  if (r.index() == 0) FAIL("rule parsed but should not: " << text);
  return std::get<1>(r);
}

/// A rule with `opts` in the options and a sid.
std::string with(const std::string& opts, const std::string& header = "alert tcp any any -> any any") {
  return header + " (msg:\"m\"; " + opts + " sid:1;)";
}

IpAddress ip(const char* s) { return *IpAddress::parse(s); }

Cidr cidr(const char* a, std::uint8_t p) { return Cidr{ip(a), p}; }

bool same(const std::vector<Cidr>& got, const std::vector<Cidr>& want) {
  if (got.size() != want.size()) return false;
  for (std::size_t i = 0; i < got.size(); ++i) {
    if (!(got[i].network == want[i].network) || got[i].prefix != want[i].prefix) return false;
  }
  return true;
}

bool same(const std::vector<PortRange>& got, const std::vector<PortRange>& want) {
  if (got.size() != want.size()) return false;
  for (std::size_t i = 0; i < got.size(); ++i) {
    if (got[i].lo != want[i].lo || got[i].hi != want[i].hi) return false;
  }
  return true;
}

}  // namespace

TEST_CASE("parse_rule reads the GPL id-check rule into exact fields", "[detect][rule_parser]") {
  const std::string text =
      "alert ip any any -> any any (msg:\"GPL ATTACK_RESPONSE id check returned root\"; "
      "content:\"uid=0|28|root|29|\"; classtype:bad-unknown; sid:2100498; rev:7;)";
  const Rule r = ok_rule(text);
  CHECK(r.action == "alert");
  CHECK(r.protocol == RuleProtocol::ip);
  CHECK(r.src.any);
  CHECK(r.dst.any);
  CHECK(r.src_ports.any);
  CHECK(r.dst_ports.any);
  CHECK_FALSE(r.bidirectional);
  CHECK(r.msg == "GPL ATTACK_RESPONSE id check returned root");
  CHECK(r.sid == 2100498);
  CHECK(r.rev == 7);
  CHECK(r.classtype == "bad-unknown");
  CHECK(r.priority == 2);
  REQUIRE(r.steps.size() == 1);
  CHECK(r.steps[0].buffer == RuleBuffer::packet);
  CHECK(r.steps[0].kind == MatchStep::Kind::content);
  CHECK(r.steps[0].content.bytes == "uid=0(root)");
  CHECK_FALSE(r.steps[0].content.nocase);
  CHECK_FALSE(r.steps[0].content.negated);
  CHECK_FALSE(r.is_event_rule());
  CHECK(r.file == "t.rules");
  CHECK(r.line == 7);
  CHECK(r.text == text);
}

TEST_CASE("addresses expand variables, groups and negation into include/exclude", "[detect][rule_parser]") {
  SECTION("$HOME_NET is the RFC 1918 ranges") {
    const Rule r = ok_rule(with("", "alert tcp $HOME_NET any -> $EXTERNAL_NET any"));
    CHECK_FALSE(r.src.any);
    CHECK(same(r.src.include, {cidr("192.168.0.0", 16), cidr("10.0.0.0", 8), cidr("172.16.0.0", 12)}));
    CHECK(r.src.exclude.empty());
    CHECK(r.dst.any);
    CHECK(r.dst.include.empty());
    CHECK(same(r.dst.exclude, {cidr("192.168.0.0", 16), cidr("10.0.0.0", 8), cidr("172.16.0.0", 12)}));
    CHECK(r.src.matches(ip("10.1.2.3")));
    CHECK_FALSE(r.src.matches(ip("8.8.8.8")));
    CHECK(r.dst.matches(ip("8.8.8.8")));
    CHECK_FALSE(r.dst.matches(ip("172.20.0.1")));
    CHECK(r.dst.matches(ip("172.32.0.1")));
  }
  SECTION("a group with a negated member, host bits cleared") {
    const Rule r = ok_rule(with("", "alert tcp [10.0.0.1/8,!10.1.0.0/16] any -> 1.2.3.4 any"));
    CHECK_FALSE(r.src.any);
    CHECK(same(r.src.include, {cidr("10.0.0.0", 8)}));
    CHECK(same(r.src.exclude, {cidr("10.1.0.0", 16)}));
    CHECK(r.src.matches(ip("10.2.0.1")));
    CHECK_FALSE(r.src.matches(ip("10.1.0.1")));
    CHECK(same(r.dst.include, {cidr("1.2.3.4", 32)}));
    CHECK(r.dst.matches(ip("1.2.3.4")));
    CHECK_FALSE(r.dst.matches(ip("1.2.3.5")));
  }
  SECTION("nested groups, negated group, netmask form") {
    const Rule r = ok_rule(with("", "alert tcp [1.1.1.1,[2.2.2.0/24,[3.3.0.0/255.255.0.0]]] any -> ![5.5.5.5,6.6.6.6] any"));
    CHECK(same(r.src.include, {cidr("1.1.1.1", 32), cidr("2.2.2.0", 24), cidr("3.3.0.0", 16)}));
    CHECK(r.dst.any);
    CHECK(same(r.dst.exclude, {cidr("5.5.5.5", 32), cidr("6.6.6.6", 32)}));
  }
  SECTION("IPv6") {
    const Rule r = ok_rule(with("", "alert tcp [2001:db8::1/32,::1] any -> any any"));
    CHECK(same(r.src.include, {cidr("2001:db8::", 32), cidr("::1", 128)}));
    CHECK(r.src.matches(ip("2001:db8:ffff::7")));
    CHECK_FALSE(r.src.matches(ip("2001:db9::7")));
    CHECK_FALSE(r.src.matches(ip("32.1.13.184")));  // 2001:0db8 as IPv4 bytes: another family
  }
  SECTION("user variables expand recursively") {
    RuleVariables v;
    v.addresses["A"] = "[$B,9.9.9.9]";
    v.addresses["B"] = "8.8.8.0/24";
    const Rule r = ok_rule(with("", "alert udp $A any -> any any"), v);
    CHECK(same(r.src.include, {cidr("8.8.8.0", 24), cidr("9.9.9.9", 32)}));
  }
}

TEST_CASE("address errors are refused with a reason", "[detect][rule_parser]") {
  CHECK(bad_rule(with("", "alert tcp !$EXTERNAL_NET any -> any any")).message ==
        "source address: nested negation not supported");
  CHECK(bad_rule(with("", "alert tcp any any -> ![1.1.1.1,!2.2.2.2] any")).message ==
        "destination address: nested negation not supported");
  CHECK(bad_rule(with("", "alert tcp $NOPE any -> any any")).message ==
        "source address: undefined address variable $NOPE");
  CHECK(bad_rule(with("", "alert tcp 1.2.3.256 any -> any any")).message ==
        "source address: invalid address '1.2.3.256'");
  CHECK(bad_rule(with("", "alert tcp 1.2.3.0/33 any -> any any")).message ==
        "source address: invalid address '1.2.3.0/33'");
  CHECK(bad_rule(with("", "alert tcp !any any -> any any")).message == "source address: negated 'any' matches nothing");
  CHECK(bad_rule(with("", "alert tcp [1.1.1.1,] any -> any any")).message ==
        "source address: malformed address group '[1.1.1.1,]'");
  RuleVariables cyc;
  cyc.addresses["A"] = "$B";
  cyc.addresses["B"] = "[1.1.1.1,$A]";
  const RuleError e = bad_rule(with("", "alert tcp $A any -> any any"), cyc);
  CHECK(e.message == "source address: address variable $A refers to itself");
  CHECK(e.keyword.empty());
  CHECK(e.sid == 1);
}

TEST_CASE("ports parse single, ranges, open ranges, groups, negation and variables", "[detect][rule_parser]") {
  SECTION("forms") {
    const Rule r = ok_rule(with("", "alert tcp any [80,1024:2048,60000:] -> any :1023"));
    CHECK_FALSE(r.src_ports.any);
    CHECK(same(r.src_ports.include, {{80, 80}, {1024, 2048}, {60000, 65535}}));
    CHECK(same(r.dst_ports.include, {{0, 1023}}));
    CHECK(r.src_ports.matches(80));
    CHECK(r.src_ports.matches(2048));
    CHECK_FALSE(r.src_ports.matches(2049));
    CHECK(r.src_ports.matches(65535));
    CHECK_FALSE(r.src_ports.matches(81));
  }
  SECTION("negation and variables") {
    const Rule r = ok_rule(with("", "alert tcp any $SHELLCODE_PORTS -> any [1:1024,!$HTTP_PORTS]"));
    CHECK(r.src_ports.any);
    CHECK(same(r.src_ports.exclude, {{80, 80}}));
    CHECK_FALSE(r.src_ports.matches(80));
    CHECK(r.src_ports.matches(8080));
    CHECK(same(r.dst_ports.include, {{1, 1024}}));
    CHECK(same(r.dst_ports.exclude, {{80, 80}}));
    CHECK_FALSE(r.dst_ports.matches(80));
    CHECK(r.dst_ports.matches(443));
    CHECK_FALSE(r.dst_ports.matches(2000));
  }
  SECTION("errors") {
    CHECK(bad_rule(with("", "alert tcp any 70000 -> any any")).message == "source port: invalid port '70000'");
    CHECK(bad_rule(with("", "alert tcp any 10:5 -> any any")).message == "source port: invalid port '10:5'");
    CHECK(bad_rule(with("", "alert tcp any any -> any !$SHELLCODE_PORTS")).message ==
          "destination port: nested negation not supported");
    CHECK(bad_rule(with("", "alert tcp any any -> any $HOME_NET")).message ==
          "destination port: undefined port variable $HOME_NET");
  }
}

TEST_CASE("header: action, protocol and direction", "[detect][rule_parser]") {
  const RuleError drop = bad_rule(with("", "drop tcp any any -> any any"));
  CHECK(drop.keyword == "drop");
  CHECK(drop.message == "action 'drop' not supported (IDS only)");
  CHECK(drop.sid == 1);
  CHECK(bad_rule(with("", "pass tcp any any -> any any")).message == "action 'pass' not supported (IDS only)");
  CHECK(bad_rule(with("", "reject tcp any any -> any any")).keyword == "reject");
  const RuleError smb = bad_rule(with("", "alert smb any any -> any any"));
  CHECK(smb.keyword == "smb");
  CHECK(smb.message == "protocol 'smb' not supported");
  CHECK(bad_rule(with("", "alert tcp any any <- any any")).message == "invalid direction '<-' (only -> and <>)");
  CHECK(ok_rule(with("", "alert tcp any any <> any any")).bidirectional);
  CHECK(ok_rule(with("", "alert tcp-pkt any any -> any any")).protocol == RuleProtocol::tcp);
  CHECK(ok_rule(with("", "alert tcp-stream any any -> any any")).protocol == RuleProtocol::tcp);
  CHECK(ok_rule(with("", "alert http1 any any -> any any")).protocol == RuleProtocol::http);
  CHECK(ok_rule(with("", "alert udp any any -> any any")).protocol == RuleProtocol::udp);
  CHECK(ok_rule(with("", "alert icmp any any -> any any")).protocol == RuleProtocol::icmp);
  CHECK(ok_rule(with("", "alert dns any any -> any any")).protocol == RuleProtocol::dns);
  CHECK(ok_rule(with("", "alert tls any any -> any any")).protocol == RuleProtocol::tls);
  CHECK(ok_rule(with("", "alert ssh any any -> any any")).protocol == RuleProtocol::ssh);
  CHECK(ok_rule(with("", "alert dhcp any any -> any any")).protocol == RuleProtocol::dhcp);
  CHECK(bad_rule("alert tcp any any -> any (sid:1;)").message ==
        "expected 'alert proto src sport -> dst dport' header, got 6 fields");
  CHECK(bad_rule("alert tcp any any -> any any sid:1;").message == "expected '(' options ')' after the header");
  CHECK(bad_rule("alert tcp any any -> any any (sid:1;) x").message == "text after the closing ')'");
}

TEST_CASE("meta options: msg, sid, rev, gid, classtype, priority, reference, metadata", "[detect][rule_parser]") {
  const Rule r = ok_rule(
      "alert tcp any any -> any any (msg:\"a \\\"quoted\\\" \\; msg\"; gid:1; sid:42; rev:3; "
      "classtype:trojan-activity; reference:url,example.com/x; reference:cve,2021-44228; "
      "metadata:created_at 2020_01_01, updated_at 2021_01_01; metadata:tag x;)");
  CHECK(r.msg == "a \"quoted\" ; msg");
  CHECK(r.sid == 42);
  CHECK(r.rev == 3);
  CHECK(r.classtype == "trojan-activity");
  CHECK(r.priority == 1);
  CHECK(r.references == std::vector<std::string>{"url,example.com/x", "cve,2021-44228"});
  CHECK(r.metadata == "created_at 2020_01_01, updated_at 2021_01_01, tag x");

  CHECK(ok_rule(with("classtype:misc-activity; priority:1;")).priority == 1);
  CHECK(ok_rule(with("priority:5; classtype:trojan-activity;")).priority == 5);
  CHECK(ok_rule(with("classtype:tcp-connection;")).priority == 4);
  CHECK(ok_rule(with("")).priority == 3);

  const RuleError ct = bad_rule(with("classtype:no-such-thing;"));
  CHECK(ct.keyword == "classtype");
  CHECK(ct.message == "unknown classtype 'no-such-thing'");
  const RuleError nosid = bad_rule("alert tcp any any -> any any (msg:\"x\";)");
  CHECK(nosid.keyword == "sid");
  CHECK(nosid.message == "rule has no sid");
  CHECK(nosid.sid == 0);
  CHECK(bad_rule("alert tcp any any -> any any (sid:abc;)").message == "invalid sid 'abc'");
  CHECK(bad_rule(with("priority:0;")).message == "invalid priority '0' (1..255)");
}

TEST_CASE("unsupported keywords are named in the error", "[detect][rule_parser]") {
  const RuleError e = bad_rule(with("content:\"x\"; byte_test:1,>,2,0;"));
  CHECK(e.keyword == "byte_test");
  CHECK(e.message == "unsupported keyword 'byte_test'");
  CHECK(e.sid == 1);
  CHECK(e.file == "t.rules");
  CHECK(e.line == 7);
  CHECK(bad_rule(with("detection_filter:track by_src, count 5, seconds 60;")).keyword == "detection_filter");
  CHECK(bad_rule(with("flowbits:noalert;")).keyword == "flowbits");
  CHECK(bad_rule(with("app-layer-protocol:http;")).keyword == "app-layer-protocol");
  CHECK(bad_rule(with("file.data; content:\"x\";")).keyword == "file.data");
}

TEST_CASE("content decodes hex and escapes, keeps negation", "[detect][rule_parser]") {
  const Rule r = ok_rule(with("content:\"a|00 FF|b\\\"\\;\\\\\\:|41|\"; content:!\"neg\"; content: !\"sp\";"));
  REQUIRE(r.steps.size() == 3);
  CHECK(r.steps[0].content.bytes == std::string("a\x00\xff" "b\";\\:A", 9));
  CHECK_FALSE(r.steps[0].content.negated);
  CHECK(r.steps[1].content.bytes == "neg");
  CHECK(r.steps[1].content.negated);
  CHECK(r.steps[2].content.negated);
  CHECK(ok_rule(with("content:\"|4142|\";")).steps[0].content.bytes == "AB");

  CHECK(bad_rule(with("content:\"|414|\";")).message == "odd number of hex digits in content");
  CHECK(bad_rule(with("content:\"|4G|\";")).message == "invalid hex character 'G' in content");
  CHECK(bad_rule(with("content:\"|41\";")).message == "unterminated '|' in content");
  CHECK(bad_rule(with("content:\"a\\nb\";")).message == "invalid escape '\\n' in content");
  CHECK(bad_rule(with("content:\"\";")).message == "empty content");
  CHECK(bad_rule(with("content:abc;")).message == "content must be a quoted string");
}

TEST_CASE("content modifiers attach to the last content", "[detect][rule_parser]") {
  const Rule r = ok_rule(with("content:\"abc\"; nocase; offset:2; depth:10; fast_pattern; rawbytes; "
                              "content:\"de\"; distance:-3; within:5; content:\"xyz\"; startswith; endswith; "
                              "content:\"q\"; distance:0;"));
  REQUIRE(r.steps.size() == 4);
  const ContentMatch& a = r.steps[0].content;
  CHECK(a.nocase);
  CHECK(a.offset == 2);
  CHECK(a.depth == 10);
  CHECK_FALSE(a.distance.has_value());
  CHECK(a.fast_pattern);
  CHECK_FALSE(a.relative());
  const ContentMatch& b = r.steps[1].content;
  CHECK(b.distance == -3);
  CHECK(b.within == 5);
  CHECK(b.relative());
  CHECK_FALSE(b.nocase);
  CHECK_FALSE(b.fast_pattern);
  const ContentMatch& c = r.steps[2].content;
  CHECK(c.startswith);
  CHECK(c.endswith);
  CHECK(r.steps[3].content.distance == 0);
  CHECK(r.steps[3].content.relative());

  SECTION("fast_pattern:only and chop") {
    CHECK(ok_rule(with("content:\"abc\"; fast_pattern:only;")).steps[0].content.fast_pattern);
    CHECK(ok_rule(with("content:\"abcdef\"; fast_pattern:1,3;")).steps[0].content.fast_pattern);
  }
  SECTION("a relative modifier on the first content is allowed") {
    const Rule f = ok_rule(with("content:\"abc\"; distance:4; within:8;"));
    CHECK(f.steps[0].content.distance == 4);
    CHECK(f.steps[0].content.within == 8);
  }
  SECTION("errors as Suricata") {
    CHECK(bad_rule(with("content:\"abc\"; depth:0;")).message == "depth 0 makes no sense");
    CHECK(bad_rule(with("content:\"abc\"; depth:2;")).message == "depth 2 smaller than content length 3");
    const RuleError w = bad_rule(with("content:\"a\"; content:\"abcd\"; within:3;"));
    CHECK(w.keyword == "within");
    CHECK(w.message == "within 3 is less than the content length 4");
    const RuleError n = bad_rule(with("nocase;"));
    CHECK(n.keyword == "nocase");
    CHECK(n.message == "'nocase' needs a preceding content");
    CHECK(bad_rule(with("depth:5;")).message == "'depth' needs a preceding content");
    CHECK(bad_rule(with("content:\"a\"; nocase; nocase;")).message == "nocase given twice for one content");
    CHECK(bad_rule(with("content:\"a\"; depth:3; depth:4;")).message == "depth given twice for one content");
    CHECK(bad_rule(with("content:\"abc\"; offset:1; distance:2;")).message ==
          "can't use a relative keyword like within/distance with an absolute keyword like depth/offset for the "
          "same content");
    CHECK(bad_rule(with("content:\"abc\"; within:5; depth:5;")).keyword == "depth");
    CHECK(bad_rule(with("content:\"abc\"; startswith; offset:1;")).message ==
          "startswith cannot be mixed with offset, depth, distance or within");
    CHECK(bad_rule(with("content:\"abc\"; offset:-1;")).message == "invalid offset value '-1'");
    CHECK(bad_rule(with("content:\"a\"; fast_pattern; content:\"b\"; fast_pattern;")).message ==
          "fast_pattern can be used on only one content in a rule");
    CHECK(bad_rule(with("content:!\"a\"; fast_pattern:only;")).message ==
          "fast_pattern:only cannot be used on a negated content");
  }
}

TEST_CASE("pcre keeps the pattern and maps flags", "[detect][rule_parser]") {
  const Rule r = ok_rule(with("content:\"x\"; pcre:\"/a\\/b[0-9]+/ismxR\"; pcre:!\"/neg/\";"));
  REQUIRE(r.steps.size() == 3);
  const MatchStep& p = r.steps[1];
  CHECK(p.kind == MatchStep::Kind::pcre);
  CHECK(p.buffer == RuleBuffer::packet);
  CHECK(p.pcre.pattern == "a\\/b[0-9]+");
  CHECK(p.pcre.caseless);
  CHECK(p.pcre.dotall);
  CHECK(p.pcre.multiline);
  CHECK(p.pcre.extended);
  CHECK(p.pcre.relative);
  CHECK_FALSE(p.pcre.negated);
  CHECK(r.steps[2].pcre.pattern == "neg");
  CHECK(r.steps[2].pcre.negated);
  CHECK_FALSE(r.steps[2].pcre.caseless);

  const Rule u = ok_rule(with("pcre:\"/^\\/admin/U\";"));
  CHECK(u.steps[0].buffer == RuleBuffer::http_uri);
  CHECK(u.protocol == RuleProtocol::http);

  const RuleError bad_flag = bad_rule(with("pcre:\"/x/P\";"));
  CHECK(bad_flag.keyword == "pcre");
  CHECK(bad_flag.message == "unsupported pcre flag 'P'");
  CHECK(bad_rule(with("pcre:\"x\";")).message == "pcre must be a quoted \"/regex/flags\"");
  CHECK(bad_rule(with("dns.query; pcre:\"/x/U\";", "alert dns any any -> any any")).message ==
        "pcre flag 'U' inside sticky buffer dns.query");
}

TEST_CASE("sticky buffers set the buffer of the following matches", "[detect][rule_parser]") {
  SECTION("dns.query and its alias, protocol narrowed from udp") {
    const Rule r = ok_rule(with("dns.query; content:\"evil\"; nocase; dns_query; content:\"com\"; endswith;",
                                "alert udp any any -> any 53"));
    REQUIRE(r.steps.size() == 2);
    CHECK(r.steps[0].buffer == RuleBuffer::dns_query);
    CHECK(r.steps[0].content.nocase);
    CHECK(r.steps[1].buffer == RuleBuffer::dns_query);
    CHECK(r.protocol == RuleProtocol::dns);
    CHECK(r.is_event_rule());
  }
  SECTION("http buffers") {
    const Rule r = ok_rule(with("http.method; content:\"POST\"; http.uri; content:\"/login\"; pcre:\"/id=\\d+/R\"; "
                                "http.host; content:\"example.com\"; http.user_agent; content:\"curl\";",
                                "alert tcp any any -> any any"));
    REQUIRE(r.steps.size() == 5);
    CHECK(r.steps[0].buffer == RuleBuffer::http_method);
    CHECK(r.steps[1].buffer == RuleBuffer::http_uri);
    CHECK(r.steps[2].buffer == RuleBuffer::http_uri);
    CHECK(r.steps[2].kind == MatchStep::Kind::pcre);
    CHECK(r.steps[3].buffer == RuleBuffer::http_host);
    CHECK(r.steps[4].buffer == RuleBuffer::http_user_agent);
    CHECK(r.protocol == RuleProtocol::http);
  }
  SECTION("tls buffers") {
    const Rule r = ok_rule(with("tls.sni; content:\"bad.example\"; ja3.hash; content:\"e7d705a3286e19ea42f587b344ee6865\"; "
                                "ja3_hash; content:\"e7d7\";",
                                "alert ip any any -> any any"));
    CHECK(r.steps[0].buffer == RuleBuffer::tls_sni);
    CHECK(r.steps[1].buffer == RuleBuffer::ja3_hash);
    CHECK(r.steps[2].buffer == RuleBuffer::ja3_hash);
    CHECK(r.protocol == RuleProtocol::tls);
  }
  SECTION("old-style modifiers move the content before them") {
    const Rule r = ok_rule(with("content:\"GET\"; http_method; content:\"/x\"; http_uri; nocase; content:\"h\"; "
                                "http_host; content:\"ua\"; http_user_agent;",
                                "alert http any any -> any any"));
    REQUIRE(r.steps.size() == 4);
    CHECK(r.steps[0].buffer == RuleBuffer::http_method);
    CHECK(r.steps[1].buffer == RuleBuffer::http_uri);
    CHECK(r.steps[1].content.nocase);
    CHECK(r.steps[2].buffer == RuleBuffer::http_host);
    CHECK(r.steps[3].buffer == RuleBuffer::http_user_agent);
  }
  SECTION("http_uri with nothing before it is the sticky form") {
    const Rule r = ok_rule(with("http_uri; content:\"/a\"; content:\"/b\";", "alert http any any -> any any"));
    CHECK(r.steps[0].buffer == RuleBuffer::http_uri);
    CHECK(r.steps[1].buffer == RuleBuffer::http_uri);
  }
  SECTION("errors") {
    CHECK(bad_rule(with("content:\"a\"; http.uri; content:\"b\";")).message ==
          "mixing payload content and sticky buffers is not supported");
    CHECK(bad_rule(with("http.uri; content:\"a\"; pkt_data; content:\"b\";")).message ==
          "mixing payload content and sticky buffers is not supported");
    const RuleError p = bad_rule(with("http.uri; content:\"a\";", "alert dns any any -> any any"));
    CHECK(p.keyword == "http.uri");
    CHECK(p.message == "'http.uri' needs protocol http, not dns");
    CHECK(bad_rule(with("tls.sni; content:\"a\";", "alert udp any any -> any any")).message ==
          "'tls.sni' needs protocol tls, not udp");
    CHECK(bad_rule(with("dns.query; content:\"a\"; tls.sni; content:\"b\";")).message ==
          "'tls.sni' and 'dns.query' need different protocols");
    CHECK(bad_rule(with("http.uri; content:\"a\"; http_host;")).message ==
          "'http_host' after a content already in http.uri");
    CHECK(bad_rule(with("dns.query:x;")).message == "'dns.query' takes no value");
  }
}

TEST_CASE("flow keyword sets each direction and state", "[detect][rule_parser]") {
  const Rule a = ok_rule(with("flow:established,to_server;"));
  CHECK(a.flow.established);
  CHECK(a.flow.to_server);
  CHECK_FALSE(a.flow.to_client);
  CHECK_FALSE(a.flow.not_established);
  CHECK_FALSE(a.flow.stateless);
  const Rule b = ok_rule(with("flow: from_server, not_established;"));
  CHECK(b.flow.to_client);
  CHECK(b.flow.not_established);
  CHECK(ok_rule(with("flow:from_client;")).flow.to_server);
  CHECK(ok_rule(with("flow:to_client;")).flow.to_client);
  CHECK(ok_rule(with("flow:stateless;")).flow.stateless);
  const RuleError e = bad_rule(with("flow:established,only_stream;"));
  CHECK(e.keyword == "flow");
  CHECK(e.message == "flow option 'only_stream' not supported");
  CHECK(bad_rule(with("flow:no_stream;")).message == "flow option 'no_stream' not supported");
  CHECK(bad_rule(with("flow:to_server,to_client;")).message == "flow cannot be both to_server and to_client");
  CHECK(bad_rule(with("flow:sideways;")).message == "invalid flow option 'sideways'");
}

TEST_CASE("threshold needs every part", "[detect][rule_parser]") {
  const Rule r = ok_rule(with("threshold: type both, track by_dst, count 5, seconds 120;"));
  REQUIRE(r.threshold.has_value());
  CHECK(r.threshold->type == ThresholdSpec::Type::both);
  CHECK(r.threshold->track == ThresholdSpec::Track::by_dst);
  CHECK(r.threshold->count == 5);
  CHECK(r.threshold->seconds == 120);
  const Rule l = ok_rule(with("threshold:type limit,track by_src,count 1,seconds 60;"));
  CHECK(l.threshold->type == ThresholdSpec::Type::limit);
  CHECK(l.threshold->track == ThresholdSpec::Track::by_src);
  CHECK(ok_rule(with("threshold:type threshold, track by_src, count 10, seconds 1;")).threshold->type ==
        ThresholdSpec::Type::threshold);
  CHECK_FALSE(ok_rule(with("")).threshold.has_value());

  const RuleError m = bad_rule(with("threshold:type limit, track by_src, count 1;"));
  CHECK(m.keyword == "threshold");
  CHECK(m.message == "threshold needs type, track, count and seconds");
  CHECK(bad_rule(with("threshold:type limit, track by_rule, count 1, seconds 5;")).message ==
        "threshold track 'by_rule' not supported");
  CHECK(bad_rule(with("threshold:type sometimes, track by_src, count 1, seconds 5;")).message ==
        "invalid threshold type 'sometimes'");
  CHECK(bad_rule(with("threshold:type limit, track by_src, count 0, seconds 5;")).message ==
        "invalid threshold count '0'");
}

TEST_CASE("parse_rules skips comments, joins continuations, refuses duplicate sids", "[detect][rule_parser]") {
  const std::string text =
      "# a comment\n"
      "\n"
      "alert tcp any any -> any any (msg:\"one\"; content:\"a\"; sid:1;)\n"
      "#alert tcp any any -> any any (msg:\"commented\"; sid:2;)\n"
      "   # indented comment\n"
      "alert tcp any any -> any any (msg:\"two\"; \\\n"
      "    content:\"b\"; \\\n"
      "    sid:3;)\r\n"
      "alert tcp any any -> any any (msg:\"bad\"; byte_jump:4,0; sid:4;)\n"
      "drop tcp any any -> any any (msg:\"drop\"; sid:5;)\n"
      "alert tcp any any -> any any (msg:\"dup\"; sid:1;)\n"
      "garbage line\n"
      "alert udp any any -> any any (msg:\"last\"; sid:6;)";
  const RuleParseResult r = parse_rules(text, "x.rules", RuleVariables::defaults());
  REQUIRE(r.rules.size() == 3);
  CHECK(r.rules[0].sid == 1);
  CHECK(r.rules[0].line == 3);
  CHECK(r.rules[1].sid == 3);
  CHECK(r.rules[1].line == 6);
  CHECK(r.rules[1].msg == "two");
  REQUIRE(r.rules[1].steps.size() == 1);
  CHECK(r.rules[1].steps[0].content.bytes == "b");
  CHECK(r.rules[1].text == "alert tcp any any -> any any (msg:\"two\";     content:\"b\";     sid:3;)");
  CHECK(r.rules[2].sid == 6);
  CHECK(r.rules[2].line == 13);
  CHECK(r.rules[2].file == "x.rules");
  REQUIRE(r.errors.size() == 4);
  CHECK(r.errors[0].line == 9);
  CHECK(r.errors[0].sid == 4);
  CHECK(r.errors[0].keyword == "byte_jump");
  CHECK(r.errors[1].line == 10);
  CHECK(r.errors[1].keyword == "drop");
  CHECK(r.errors[2].line == 11);
  CHECK(r.errors[2].keyword == "sid");
  CHECK(r.errors[2].message == "duplicate sid 1 (first at x.rules:3)");
  CHECK(r.errors[3].line == 12);
  CHECK(r.errors[3].keyword.empty());
  CHECK(r.errors[3].file == "x.rules");
  CHECK(r.errors[3].text == "garbage line");
}

TEST_CASE("RuleError text is truncated to 512 bytes", "[detect][rule_parser]") {
  const std::string text = with("content:\"" + std::string(2000, 'a') + "\"; bogus;");
  const RuleError e = bad_rule(text);
  CHECK(e.keyword == "bogus");
  CHECK(e.text.size() == 512);
  CHECK(e.text == text.substr(0, 512));
}

TEST_CASE("hostile nesting is an error, not a stack overflow", "[detect][rule_parser]") {
  const std::string deep = std::string(5000, '[') + "1.1.1.1" + std::string(5000, ']');
  CHECK(bad_rule(with("", "alert tcp " + deep + " any -> any any")).message == "source address: address nesting too deep");
  RuleVariables v;
  for (int i = 0; i < 100; ++i) v.ports["P" + std::to_string(i)] = "$P" + std::to_string(i + 1);
  v.ports["P100"] = "80";
  CHECK(bad_rule(with("", "alert tcp any $P0 -> any any"), v).message == "source port: port nesting too deep");
}

TEST_CASE("load_rules_file reads a file and reports an unreadable one", "[detect][rule_parser]") {
  test::TempDir dir;
  const std::string path = dir.file("a.rules");
  {
    std::ofstream out(path);
    out << "alert tcp any any -> any any (msg:\"x\"; sid:9;)\nalert tcp any any -> any any (msg:\"y\";)\n";
  }
  const auto r = load_rules_file(path, RuleVariables::defaults());
  REQUIRE(r.has_value());
  REQUIRE(r->rules.size() == 1);
  CHECK(r->rules[0].file == path);
  CHECK(r->rules[0].sid == 9);
  REQUIRE(r->errors.size() == 1);
  CHECK(r->errors[0].line == 2);

  const auto missing = load_rules_file(dir.file("missing.rules"), RuleVariables::defaults());
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().message == "cannot open rules file " + dir.file("missing.rules"));
  CHECK_FALSE(load_rules_file(dir.path(), RuleVariables::defaults()).has_value());
}

TEST_CASE("classtype table is Suricata's classification.config", "[detect][rule_parser]") {
  CHECK(all_classtypes().size() == 43);
  const ClassType* t = find_classtype("trojan-activity");
  REQUIRE(t != nullptr);
  CHECK(t->description == "A Network Trojan was detected");
  CHECK(t->priority == 1);
  CHECK(find_classtype("not-suspicious")->priority == 3);
  CHECK(find_classtype("unknown")->priority == 3);
  CHECK(find_classtype("bad-unknown")->priority == 2);
  CHECK(find_classtype("attempted-recon")->priority == 2);
  CHECK(find_classtype("successful-recon-limited")->priority == 2);
  CHECK(find_classtype("web-application-attack")->priority == 1);
  CHECK(find_classtype("policy-violation")->priority == 1);
  CHECK(find_classtype("misc-activity")->priority == 3);
  CHECK(find_classtype("tcp-connection")->priority == 4);
  CHECK(find_classtype("command-and-control")->priority == 1);
  CHECK(find_classtype("Trojan-Activity") == nullptr);
  CHECK(find_classtype("") == nullptr);
}

TEST_CASE("rule_buffer_name names every buffer", "[detect][rule]") {
  CHECK(std::string(rule_buffer_name(RuleBuffer::packet)) == "packet");
  CHECK(std::string(rule_buffer_name(RuleBuffer::dns_query)) == "dns.query");
  CHECK(std::string(rule_buffer_name(RuleBuffer::http_uri)) == "http.uri");
  CHECK(std::string(rule_buffer_name(RuleBuffer::http_host)) == "http.host");
  CHECK(std::string(rule_buffer_name(RuleBuffer::http_method)) == "http.method");
  CHECK(std::string(rule_buffer_name(RuleBuffer::http_user_agent)) == "http.user_agent");
  CHECK(std::string(rule_buffer_name(RuleBuffer::tls_sni)) == "tls.sni");
  CHECK(std::string(rule_buffer_name(RuleBuffer::ja3_hash)) == "ja3.hash");
}

TEST_CASE("AddressSpec and PortSpec match by include, any and exclude", "[detect][rule]") {
  AddressSpec a;
  CHECK(a.matches(ip("1.2.3.4")));
  CHECK(a.matches(ip("::1")));
  a.any = false;
  CHECK_FALSE(a.matches(ip("1.2.3.4")));
  a.include.push_back(cidr("1.2.0.0", 16));
  a.exclude.push_back(cidr("1.2.3.0", 24));
  CHECK(a.matches(ip("1.2.4.4")));
  CHECK_FALSE(a.matches(ip("1.2.3.4")));
  a.include.push_back(cidr("0.0.0.0", 0));
  CHECK(a.matches(ip("200.1.1.1")));
  CHECK_FALSE(a.matches(ip("2001::1")));
  AddressSpec odd;  // prefix not on a byte boundary
  odd.any = false;
  odd.include.push_back(cidr("172.16.0.0", 12));
  CHECK(odd.matches(ip("172.31.255.255")));
  CHECK_FALSE(odd.matches(ip("172.32.0.0")));

  PortSpec p;
  CHECK(p.matches(0));
  p.exclude.push_back({22, 22});
  CHECK_FALSE(p.matches(22));
  CHECK(p.matches(23));
  p.any = false;
  CHECK_FALSE(p.matches(23));
  p.include.push_back({20, 25});
  CHECK(p.matches(23));
  CHECK_FALSE(p.matches(22));
  CHECK_FALSE(p.matches(26));
}

TEST_CASE("suricata-verify rules: report what loads, known-good ones parse", "[detect][rule_parser][corpus]") {
  namespace fs = std::filesystem;
  const fs::path root = fs::path(test::corpus_dir()) / "suricata-verify" / "tests";
  if (!fs::is_directory(root)) {
    WARN("corpus not found at " << root.string() << " (set OPENSOC_CORPUS)");
    return;
  }
  std::vector<fs::path> files;
  for (const auto& d : fs::directory_iterator(root)) {
    const fs::path f = d.path() / "test.rules";
    if (fs::is_regular_file(f)) files.push_back(f);
  }
  std::sort(files.begin(), files.end());
  std::size_t loaded = 0, rejected = 0;
  std::map<std::string, std::size_t> by_keyword;
  std::map<std::string, std::size_t> header_messages;
  std::vector<Rule> all_loaded;
  for (const fs::path& f : files) {
    const auto r = load_rules_file(f.string(), RuleVariables::defaults());
    REQUIRE(r.has_value());
    loaded += r->rules.size();
    rejected += r->errors.size();
    for (const RuleError& e : r->errors) {
      ++by_keyword[e.keyword.empty() ? "(header/syntax)" : e.keyword];
      if (e.keyword.empty()) ++header_messages[e.message.substr(0, 60)];
    }
    for (const Rule& rule : r->rules) all_loaded.push_back(rule);
  }
  std::printf("suricata-verify: %zu files, %zu rules loaded, %zu rejected\n", files.size(), loaded, rejected);
  std::vector<std::pair<std::size_t, std::string>> table;
  for (const auto& [k, n] : by_keyword) table.emplace_back(n, k);
  std::sort(table.rbegin(), table.rend());
  std::printf("rejected by keyword:\n");
  for (const auto& [n, k] : table) std::printf("  %5zu  %s\n", n, k.c_str());
  std::printf("header/syntax errors by message:\n");
  for (const auto& [m, n] : header_messages) std::printf("  %5zu  %s\n", n, m.c_str());

  CHECK(loaded > 0);
  // Known-good rules from the corpus, each parsed into its exact shape.
  const auto find = [&](std::uint32_t sid, const std::string& in) -> const Rule* {
    for (const Rule& r : all_loaded) {
      if (r.sid == sid && r.file.find("/" + in + "/") != std::string::npos) return &r;
    }
    return nullptr;
  };
  const Rule* gpl = find(2100498, "alert-testmyids-async");
  REQUIRE(gpl != nullptr);
  CHECK(gpl->steps.size() == 1);
  CHECK(gpl->steps[0].content.bytes == "uid=0(root)");
  CHECK(gpl->priority == 2);

  const Rule* ua = find(20, "detect-absent-negated-content");
  REQUIRE(ua != nullptr);
  CHECK(ua->protocol == RuleProtocol::http);
  CHECK_FALSE(ua->src.any);
  CHECK(ua->dst.any);
  CHECK(ua->dst.exclude.size() == 3);
  CHECK(ua->flow.established);
  CHECK(ua->flow.to_server);
  REQUIRE(ua->steps.size() == 2);
  CHECK(ua->steps[1].buffer == RuleBuffer::http_user_agent);
  CHECK(ua->steps[1].content.bytes == "bar");
  CHECK(ua->steps[1].content.negated);

  const Rule* uri = find(1, "tcp-fastopen-01");
  REQUIRE(uri != nullptr);
  REQUIRE(uri->steps.size() == 1);
  CHECK(uri->steps[0].buffer == RuleBuffer::http_uri);
  CHECK(uri->steps[0].content.bytes == "/etc/passwd");

  const Rule* chain = find(6, "bug-5197");
  REQUIRE(chain != nullptr);
  CHECK(chain->protocol == RuleProtocol::dns);
  REQUIRE(chain->steps.size() == 6);
  CHECK(chain->steps[0].content.offset == 4);
  CHECK(chain->steps[0].content.depth == 8);
  CHECK(chain->steps[1].content.fast_pattern);
  CHECK(chain->steps[5].content.bytes == "456789");
  CHECK(chain->steps[5].content.distance == 2);
  CHECK(chain->steps[5].content.within == 6);

  const Rule* ends = find(1, "tcp-5379");
  REQUIRE(ends != nullptr);
  CHECK(ends->steps[0].content.endswith);
}
