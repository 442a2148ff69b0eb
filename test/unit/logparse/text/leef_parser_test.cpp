// parse_leef and parse_simple_date against IBM's LEEF 1.0/2.0 examples and PAN-OS/rsyslog variants.
#include <catch2/catch.hpp>

#include <string>
#include <string_view>

#include "expect_fields.hpp"
#include "logparse/leef_parser.hpp"

namespace opensoc::logparse {
namespace {

using test::kInt;
using test::kIp;
using test::require_fields;

LogEvent parse_ok(std::string_view text) {
  LogEvent e;
  auto r = parse_leef(text, e);
  INFO(text);
  REQUIRE(r.has_value());
  CHECK(e.dataset == "leef");
  CHECK(e.parser == "leef");
  return e;
}

std::string parse_error(std::string_view text) {
  LogEvent e;
  auto r = parse_leef(text, e);
  INFO(text);
  REQUIRE_FALSE(r.has_value());
  return r.error().message;
}

TEST_CASE("parse_leef reads LEEF 1.0 with tab-separated attributes (IBM example)", "[logparse][leef]") {
  const LogEvent e = parse_ok(
      "LEEF:1.0|Microsoft|MSExchange|4.0 SP1|15345|src=192.0.2.0\tdst=172.50.123.1\tsev=5\tcat=anomaly\tsrcPort=81\t"
      "dstPort=21\tusrName=joe.black");
  require_fields(e, {{"leef.version", "1.0"},
                     {"observer.vendor", "Microsoft"},
                     {"observer.product", "MSExchange"},
                     {"observer.version", "4.0 SP1"},
                     {"event.code", "15345"},
                     {"source.ip", "192.0.2.0", kIp},
                     {"destination.ip", "172.50.123.1", kIp},
                     {"event.severity", "5", kInt},
                     {"rule.category", "anomaly"},
                     {"source.port", "81", kInt},
                     {"destination.port", "21", kInt},
                     {"user.name", "joe.black"}});
  CHECK(e.endpoints.source_ip == *IpAddress::parse("192.0.2.0"));
  CHECK(e.endpoints.destination_ip == *IpAddress::parse("172.50.123.1"));
  CHECK(e.endpoints.source_port == 81);
  CHECK(e.endpoints.destination_port == 21);
  SECTION("as an rsyslog relay forwards it: \"LEEF: 1.0\", tabs escaped as #011") {
    const LogEvent r =
        parse_ok("LEEF: 1.0|Microsoft|MSExchange|4.0 SP1|15345|src=192.0.2.0#011dst=172.50.123.1#011sev=5");
    CHECK(r.find("leef.version")->value == "1.0");
    CHECK(r.find("event.severity")->value == "5");
    CHECK(r.find("source.ip")->value == "192.0.2.0");
    CHECK(r.find("destination.ip")->value == "172.50.123.1");
  }
}

TEST_CASE("parse_leef reads LEEF 2.0 with the delimiter its header names", "[logparse][leef]") {
  SECTION("a literal caret (IBM example)") {
    const LogEvent e =
        parse_ok("LEEF:2.0|Lancope|StealthWatch|1.0|41|^|src=10.0.1.8^dst=10.0.0.5^sev=5^srcPort=81^dstPort=21");
    require_fields(e, {{"leef.version", "2.0"},
                       {"observer.vendor", "Lancope"},
                       {"observer.product", "StealthWatch"},
                       {"observer.version", "1.0"},
                       {"event.code", "41"},
                       {"source.ip", "10.0.1.8", kIp},
                       {"destination.ip", "10.0.0.5", kIp},
                       {"event.severity", "5", kInt},
                       {"source.port", "81", kInt},
                       {"destination.port", "21", kInt}});
  }
  SECTION("xHH: x5E is the caret; values keep their spaces") {
    const LogEvent e =
        parse_ok("LEEF:2.0|Vendor|Product|Version|EventID|x5E|src=192.0.2.1^usrName=bob smith^proto=UDP^dstPort=53");
    require_fields(e, {{"leef.version", "2.0"},
                       {"observer.vendor", "Vendor"},
                       {"observer.product", "Product"},
                       {"observer.version", "Version"},
                       {"event.code", "EventID"},
                       {"source.ip", "192.0.2.1", kIp},
                       {"user.name", "bob smith"},
                       {"network.transport", "udp"},
                       {"destination.port", "53", kInt}});
    CHECK(e.endpoints.ip_proto == 17);
  }
  SECTION("0xHH: 0x7C makes '|' the delimiter; other characters stay in values") {
    const LogEvent e = parse_ok("LEEF:2.0|V|P|1|E|0x7C|src=192.0.2.1|customKey=a^b|dstBytes=1200");
    require_fields(e, {{"leef.version", "2.0"},
                       {"observer.vendor", "V"},
                       {"observer.product", "P"},
                       {"observer.version", "1"},
                       {"event.code", "E"},
                       {"source.ip", "192.0.2.1", kIp},
                       {"leef.customKey", "a^b"},
                       {"destination.bytes", "1200", kInt}});
  }
  SECTION("no delimiter field: tab") {
    const LogEvent e = parse_ok("LEEF:2.0|V|P|1|E|src=192.0.2.1\tdst=192.0.2.2");
    CHECK(e.find("source.ip")->value == "192.0.2.1");
    CHECK(e.find("destination.ip")->value == "192.0.2.2");
  }
  SECTION("empty delimiter field: tab") {
    const LogEvent e = parse_ok("LEEF:2.0|V|P|1|E||src=192.0.2.1\tdst=192.0.2.2");
    CHECK(e.find("source.ip")->value == "192.0.2.1");
    CHECK(e.find("destination.ip")->value == "192.0.2.2");
  }
}

TEST_CASE("parse_leef takes the event time from devTime and devTimeFormat", "[logparse][leef]") {
  SECTION("format after the time, with milliseconds and a zone name") {
    const LogEvent e = parse_ok(
        "LEEF:1.0|Palo Alto Networks|PAN-OS Syslog Integration|11.0|allow|cat=TRAFFIC\tdevTime=May 13 2026 "
        "08:14:44.123 UTC\tdevTimeFormat=MMM dd yyyy HH:mm:ss.SSS z\tsrc=10.0.0.5");
    CHECK(e.timestamp == 1778660084123000000);
    require_fields(e, {{"leef.version", "1.0"},
                       {"observer.vendor", "Palo Alto Networks"},
                       {"observer.product", "PAN-OS Syslog Integration"},
                       {"observer.version", "11.0"},
                       {"event.code", "allow"},
                       {"rule.category", "TRAFFIC"},
                       {"source.ip", "10.0.0.5", kIp}});
  }
  SECTION("epoch milliseconds without a format") {
    CHECK(parse_ok("LEEF:1.0|V|P|1|E|devTime=1305034099211").timestamp == 1305034099211000000);
  }
  SECTION("the spec's default format without a format attribute") {
    CHECK(parse_ok("LEEF:1.0|V|P|1|E|devTime=May 13 2026 08:14:44").timestamp == 1778660084000000000);
  }
  SECTION("ISO 8601 with an offset") {
    const LogEvent e = parse_ok(
        "LEEF:2.0|V|P|1|E|^|devTimeFormat=yyyy-MM-dd'T'HH:mm:ss.SSSXXX^devTime=2019-05-10T11:37:47.000-07:00");
    CHECK(e.timestamp == 1557513467000000000);
  }
  SECTION("a time that does not parse is kept as text") {
    const LogEvent e = parse_ok("LEEF:1.0|V|P|1|E|devTime=yesterday\tsrc=999.1.1.1");
    CHECK(e.timestamp == 0);
    CHECK(e.find("leef.devTime")->value == "yesterday");
    CHECK(e.find("leef.src")->value == "999.1.1.1");
    CHECK(e.endpoints.source_ip.version == 0);
  }
}

TEST_CASE("parse_leef refuses text that is not LEEF", "[logparse][leef]") {
  CHECK(parse_error("LEEF:1.0|a|b") == "leef: header has 3 of 5 fields (byte 11)");
  CHECK(parse_error("LEEF:3.0|a|b|c|d|x=1") == "leef: unknown version \"3.0\" at byte 5");
  CHECK(parse_error("CEF:0|a|b|c|d|e|1|") == "leef: does not start with \"LEEF:\"");
}

TEST_CASE("parse_simple_date reads Java SimpleDateFormat times", "[logparse][leef]") {
  CHECK(parse_simple_date("13/05/2026 08:14:44", "dd/MM/yyyy HH:mm:ss") == TimestampNs{1778660084000000000});
  CHECK(parse_simple_date("20260513081444", "yyyyMMddHHmmss") == TimestampNs{1778660084000000000});
  CHECK(parse_simple_date("May 13, 2026 8:14:44 AM", "MMM d, yyyy h:mm:ss a") == TimestampNs{1778660084000000000});
  CHECK(parse_simple_date("May 13, 2026 8:14:44 PM", "MMM d, yyyy h:mm:ss a") == TimestampNs{1778703284000000000});
  CHECK(parse_simple_date("Wed May 13 08:14:44 CEST 2026", "EEE MMM dd HH:mm:ss zzz yyyy") ==
        TimestampNs{1778652884000000000});
  CHECK(parse_simple_date("2026-05-13 08:14:44 +0200", "yyyy-MM-dd HH:mm:ss Z") == TimestampNs{1778652884000000000});
  CHECK_FALSE(parse_simple_date("May 13 08:14:44", "MMM dd HH:mm:ss"));  // no year
  CHECK_FALSE(parse_simple_date("Foo 13 2026 08:14:44", "MMM dd yyyy HH:mm:ss"));
  CHECK_FALSE(parse_simple_date("May 32 2026 08:14:44", "MMM dd yyyy HH:mm:ss"));
  CHECK_FALSE(parse_simple_date("May 13 2026 08:14:44 extra", "MMM dd yyyy HH:mm:ss"));
  // Years TimestampNs cannot hold (found by fuzzing).
  CHECK_FALSE(parse_simple_date("May 13, 2620 8:14:44 PM", "MMM d, yyyy h:mm:ss a"));
}

}  // namespace
}  // namespace opensoc::logparse
