// parse_kv against netfilter (ufw) and FortiGate lines, quoting rules and refusals.
#include <catch2/catch.hpp>

#include <string>
#include <string_view>

#include "expect_fields.hpp"
#include "logparse/kv_parser.hpp"
#include "logparse/syslog_parser.hpp"

namespace opensoc::logparse {
namespace {

using test::kInt;
using test::kIp;
using test::require_fields;

LogEvent parse_ok(std::string_view text, std::size_t min_pairs = 2) {
  LogEvent e;
  auto r = parse_kv(text, e, min_pairs);
  INFO(text);
  REQUIRE(r.has_value());
  CHECK(e.parser == "kv");
  return e;
}

TEST_CASE("parse_kv maps a netfilter LOG line (ufw)", "[logparse][kv]") {
  const LogEvent e = parse_ok(
      "[UFW BLOCK] IN=eth0 OUT= MAC=52:54:00:12:34:56:52:54:00:65:43:21:08:00 SRC=10.0.0.1 DST=10.0.0.2 LEN=60 "
      "TOS=0x00 PREC=0x00 TTL=64 ID=54321 DF PROTO=TCP SPT=40000 DPT=22 WINDOW=64240 RES=0x00 SYN URGP=0 ");
  CHECK(e.message == "[UFW BLOCK]");
  CHECK(e.dataset == "log");
  require_fields(e, {{"observer.ingress.interface.name", "eth0"},
                     {"kv.MAC", "52:54:00:12:34:56:52:54:00:65:43:21:08:00"},
                     {"source.ip", "10.0.0.1", kIp},
                     {"destination.ip", "10.0.0.2", kIp},
                     {"kv.LEN", "60"},
                     {"kv.TOS", "0x00"},
                     {"kv.PREC", "0x00"},
                     {"kv.TTL", "64"},
                     {"kv.ID", "54321"},
                     {"network.transport", "tcp"},
                     {"source.port", "40000", kInt},
                     {"destination.port", "22", kInt},
                     {"kv.WINDOW", "64240"},
                     {"kv.RES", "0x00"},
                     {"kv.URGP", "0"}});
  CHECK(e.endpoints.source_ip == *IpAddress::parse("10.0.0.1"));
  CHECK(e.endpoints.destination_ip == *IpAddress::parse("10.0.0.2"));
  CHECK(e.endpoints.source_port == 40000);
  CHECK(e.endpoints.destination_port == 22);
  CHECK(e.endpoints.ip_proto == 6);
}

TEST_CASE("parse_kv maps a FortiGate traffic log with quoted values", "[logparse][kv]") {
  const LogEvent e = parse_ok(
      "date=2019-05-10 time=11:37:47 devname=\"FGT60E\" devid=\"FGT60E4Q16000000\" logid=\"0000000013\" "
      "type=\"traffic\" subtype=\"forward\" level=\"notice\" vd=\"vdom1\" eventtime=1557513467369913239 "
      "srcip=10.1.100.11 srcport=58012 srcintf=\"port12\" srcintfrole=\"undefined\" dstip=23.59.154.35 dstport=80 "
      "dstintf=\"port11\" dstintfrole=\"undefined\" sessionid=105048 proto=6 action=\"close\" policyid=1 "
      "policytype=\"policy\" service=\"HTTP\" dstcountry=\"United States\" srccountry=\"Reserved\" "
      "trandisp=\"snat\" transip=172.16.200.2 transport=58012 appcat=\"unscanned\" duration=10 sentbyte=520 "
      "rcvdbyte=1340 sentpkt=6 rcvdpkt=5");
  CHECK(e.message.empty());
  require_fields(e, {{"kv.date", "2019-05-10"},
                     {"kv.time", "11:37:47"},
                     {"observer.hostname", "FGT60E"},
                     {"observer.serial_number", "FGT60E4Q16000000"},
                     {"event.code", "0000000013"},
                     {"kv.type", "traffic"},
                     {"kv.subtype", "forward"},
                     {"log.level", "notice"},
                     {"kv.vd", "vdom1"},
                     {"kv.eventtime", "1557513467369913239"},
                     {"source.ip", "10.1.100.11", kIp},
                     {"source.port", "58012", kInt},
                     {"observer.ingress.interface.name", "port12"},
                     {"kv.srcintfrole", "undefined"},
                     {"destination.ip", "23.59.154.35", kIp},
                     {"destination.port", "80", kInt},
                     {"observer.egress.interface.name", "port11"},
                     {"kv.dstintfrole", "undefined"},
                     {"kv.sessionid", "105048"},
                     {"network.transport", "tcp"},
                     {"event.action", "close"},
                     {"rule.id", "1"},
                     {"kv.policytype", "policy"},
                     {"kv.service", "HTTP"},
                     {"kv.dstcountry", "United States"},
                     {"kv.srccountry", "Reserved"},
                     {"kv.trandisp", "snat"},
                     {"source.nat.ip", "172.16.200.2", kIp},
                     {"source.nat.port", "58012", kInt},
                     {"kv.appcat", "unscanned"},
                     {"kv.duration", "10"},
                     {"source.bytes", "520", kInt},
                     {"destination.bytes", "1340", kInt},
                     {"source.packets", "6", kInt},
                     {"destination.packets", "5", kInt}});
  CHECK(e.endpoints.ip_proto == 6);
  CHECK(e.endpoints.source_port == 58012);
  CHECK(e.endpoints.destination_port == 80);
}

TEST_CASE("parse_kv reads quotes, escapes and separators after quoted values", "[logparse][kv]") {
  const LogEvent e =
      parse_ok("user='bob smith',action=\"allow\";src=192.0.2.1 msg=\"said \\\"hi\\\"\\tthere\" note=x");
  CHECK(e.message == "said \"hi\"\tthere");
  require_fields(e, {{"user.name", "bob smith"},
                     {"event.action", "allow"},
                     {"source.ip", "192.0.2.1", kIp},
                     {"kv.note", "x"}});
}

TEST_CASE("parse_kv matches well-known keys case-insensitively and normalises values", "[logparse][kv]") {
  const LogEvent e =
      parse_ok("SRC=2001:0db8:0000:0000:0000:0000:0000:0001 Dst=fe80::1 PROTO=ICMPv6 src=gateway.local Proto=47");
  require_fields(e, {{"source.ip", "2001:db8::1", kIp},
                     {"destination.ip", "fe80::1", kIp},
                     {"network.transport", "ipv6-icmp"},
                     {"kv.src", "gateway.local"},
                     {"network.transport", "gre"}});
  CHECK(e.endpoints.source_ip == *IpAddress::parse("2001:db8::1"));
  CHECK(e.endpoints.ip_proto == 47);
}

TEST_CASE("parse_kv refuses too few pairs and leaves the event as it was", "[logparse][kv]") {
  LogEvent e;
  e.dataset = "syslog";
  e.message = "orig";
  e.add("host.hostname", "vm");
  SECTION("one pair, two needed") {
    auto r = parse_kv("just text with a=1", e);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().message == "kv: 1 key=value pairs, at least 2 needed");
    CHECK(e.fields.size() == 1);
    CHECK(e.message == "orig");
  }
  SECTION("plain text") {
    auto r = parse_kv("Failed password for root from 10.1.2.3 port 22 ssh2", e);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().message == "kv: no pairs");
    CHECK(e.fields.size() == 1);
  }
  SECTION("unterminated quote") {
    auto r = parse_kv("a=1 b=\"x", e);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().message == "kv: unterminated quoted value of 'b' at byte 6");
    CHECK(e.fields.size() == 1);
    CHECK(e.endpoints.source_ip.version == 0);
  }
  SECTION("one pair is enough when asked; the dataset is kept") {
    REQUIRE(parse_kv("just text with a=1", e, 1).has_value());
    CHECK(e.dataset == "syslog");
    CHECK(e.message == "just text with");
    require_fields(e, {{"host.hostname", "vm"}, {"kv.a", "1"}});
  }
}

TEST_CASE("parse_kv reads the MSG of a kernel syslog message in place", "[logparse][kv]") {
  LogEvent e;
  REQUIRE(parse_syslog("<4>Nov 28 17:33:51 gw kernel: [UFW BLOCK] IN=eth0 OUT= SRC=203.0.113.9 DST=10.0.0.2 "
                       "PROTO=UDP SPT=5353 DPT=53",
                       SyslogFormat::automatic, 1795887240000000000, e)
              .has_value());
  REQUIRE(parse_kv(e.message, e).has_value());
  CHECK(e.message == "[UFW BLOCK]");
  CHECK(e.dataset == "syslog");
  CHECK(e.find("process.name")->value == "kernel");
  CHECK(e.find("source.ip")->value == "203.0.113.9");
  CHECK(e.endpoints.ip_proto == 17);
  CHECK(e.endpoints.destination_port == 53);
}

}  // namespace
}  // namespace opensoc::logparse
