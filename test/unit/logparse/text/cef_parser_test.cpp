// parse_cef against the ArcSight spec's examples and vendor (ArcSight, Trend Micro, Zscaler, Check Point) lines.
#include <catch2/catch.hpp>

#include <string>
#include <string_view>

#include "expect_fields.hpp"
#include "logparse/cef_parser.hpp"
#include "logparse/syslog_parser.hpp"

namespace opensoc::logparse {
namespace {

using test::kInt;
using test::kIp;
using test::require_fields;

LogEvent parse_ok(std::string_view text) {
  LogEvent e;
  auto r = parse_cef(text, e);
  INFO(text);
  REQUIRE(r.has_value());
  CHECK(e.dataset == "cef");
  CHECK(e.parser == "cef");
  return e;
}

std::string parse_error(std::string_view text) {
  LogEvent e;
  auto r = parse_cef(text, e);
  INFO(text);
  REQUIRE_FALSE(r.has_value());
  return r.error().message;
}

TEST_CASE("parse_cef maps the ArcSight specification example", "[logparse][cef]") {
  const LogEvent e =
      parse_ok("CEF:0|Security|threatmanager|1.0|100|worm successfully stopped|10|src=10.0.0.1 dst=2.1.2.2 spt=1232");
  CHECK(e.message == "worm successfully stopped");
  require_fields(e, {{"cef.version", "0"},
                     {"observer.vendor", "Security"},
                     {"observer.product", "threatmanager"},
                     {"observer.version", "1.0"},
                     {"event.code", "100"},
                     {"rule.name", "worm successfully stopped"},
                     {"event.severity", "10", kInt},
                     {"source.ip", "10.0.0.1", kIp},
                     {"destination.ip", "2.1.2.2", kIp},
                     {"source.port", "1232", kInt}});
  CHECK(e.endpoints.source_ip == *IpAddress::parse("10.0.0.1"));
  CHECK(e.endpoints.destination_ip == *IpAddress::parse("2.1.2.2"));
  CHECK(e.endpoints.source_port == 1232);
  CHECK(e.endpoints.destination_port == 0);
  CHECK(e.timestamp == 0);
}

TEST_CASE("parse_cef undoes the specification's escapes", "[logparse][cef]") {
  SECTION("pipe in the header and in an extension value") {
    const LogEvent e = parse_ok(
        "CEF:0|security|threatmanager|1.0|100|detected a \\| in message|10|src=10.0.0.1 act=blocked a \\| "
        "dst=1.1.1.1");
    CHECK(e.find("rule.name")->value == "detected a | in message");
    CHECK(e.find("event.action")->value == "blocked a |");
    CHECK(e.find("destination.ip")->value == "1.1.1.1");
  }
  SECTION("backslash in the header and in an extension value") {
    const LogEvent e = parse_ok(
        "CEF:0|security|threatmanager|1.0|100|detected a \\\\ in packet|10|src=10.0.0.1 act=blocked a \\\\ "
        "dst=1.1.1.1");
    CHECK(e.find("rule.name")->value == "detected a \\ in packet");
    CHECK(e.find("event.action")->value == "blocked a \\");
    CHECK(e.find("destination.ip")->value == "1.1.1.1");
  }
  SECTION("equal sign: bare in the header, escaped in the extension") {
    const LogEvent e = parse_ok(
        "CEF:0|security|threatmanager|1.0|100|detected a = in message|10|src=10.0.0.1 act=blocked a \\= "
        "dst=1.1.1.1");
    CHECK(e.find("rule.name")->value == "detected a = in message");
    CHECK(e.find("event.action")->value == "blocked a =");
    CHECK(e.find("destination.ip")->value == "1.1.1.1");
  }
  SECTION("newline escape, unescaped '=' inside a URL, time text, IPv6, file hash") {
    const LogEvent e = parse_ok(
        "CEF:0|Zscaler|NSSWeblog|5.7|Allowed|Allowed|3|act=Allowed request=http://example.com/index.php?a=1&b=2 "
        "requestMethod=GET msg=line1\\nline2 suser=alice@example.com proto=TCP spt=51234 dpt=80 src=192.0.2.10 "
        "dst=2001:DB8::5 in=1024 out=2048 fileHash=D41D8CD98F00B204E9800998ECF8427E rt=May 13 2026 08:14:44.123 UTC");
    CHECK(e.message == "line1\nline2");
    CHECK(e.timestamp == 1778660084123000000);  // 2026-05-13T08:14:44.123Z
    require_fields(e, {{"cef.version", "0"},
                       {"observer.vendor", "Zscaler"},
                       {"observer.product", "NSSWeblog"},
                       {"observer.version", "5.7"},
                       {"event.code", "Allowed"},
                       {"rule.name", "Allowed"},
                       {"event.severity", "3", kInt},
                       {"event.action", "Allowed"},
                       {"url.original", "http://example.com/index.php?a=1&b=2"},
                       {"http.request.method", "GET"},
                       {"source.user.name", "alice@example.com"},
                       {"network.transport", "tcp"},
                       {"source.port", "51234", kInt},
                       {"destination.port", "80", kInt},
                       {"source.ip", "192.0.2.10", kIp},
                       {"destination.ip", "2001:db8::5", kIp},
                       {"source.bytes", "1024", kInt},
                       {"destination.bytes", "2048", kInt},
                       {"file.hash.md5", "d41d8cd98f00b204e9800998ecf8427e"}});
    CHECK(e.endpoints.ip_proto == 6);
    CHECK(e.endpoints.source_port == 51234);
    CHECK(e.endpoints.destination_port == 80);
    CHECK(e.endpoints.destination_ip == *IpAddress::parse("2001:db8::5"));
  }
}

TEST_CASE("parse_cef keeps custom strings and numbers next to their labels", "[logparse][cef]") {
  // ArcSight Logger's own internal event, as forwarded by Logger 5.
  const LogEvent e = parse_ok(
      "CEF:0|ArcSight|Logger|5.0.0.5355.2|sensor:115|Logger Internal Event|1|cat=/Monitor/Sensor/Fan5 cs2=Current "
      "Value cnt=1 dvc=10.0.0.1 cs3=Ok cs1=null type=0 cs1Label=unit rt=1305034099211 cs3Label=Status "
      "cn1Label=value cn1=0 cs2Label=timeframe");
  CHECK(e.timestamp == 1305034099211000000);
  CHECK(e.message == "Logger Internal Event");
  require_fields(e, {{"cef.version", "0"},
                     {"observer.vendor", "ArcSight"},
                     {"observer.product", "Logger"},
                     {"observer.version", "5.0.0.5355.2"},
                     {"event.code", "sensor:115"},
                     {"rule.name", "Logger Internal Event"},
                     {"event.severity", "1", kInt},
                     {"cef.extensions.cat", "/Monitor/Sensor/Fan5"},
                     {"cef.extensions.deviceCustomString2", "Current Value"},
                     {"cef.extensions.cnt", "1"},
                     {"observer.ip", "10.0.0.1", kIp},
                     {"cef.extensions.deviceCustomString3", "Ok"},
                     {"cef.extensions.deviceCustomString1", "null"},
                     {"cef.extensions.type", "0"},
                     {"cef.extensions.deviceCustomString1Label", "unit"},
                     {"cef.extensions.deviceCustomString3Label", "Status"},
                     {"cef.extensions.deviceCustomNumber1Label", "value"},
                     {"cef.extensions.deviceCustomNumber1", "0", kInt},
                     {"cef.extensions.deviceCustomString2Label", "timeframe"}});
}

TEST_CASE("parse_cef reads a Trend Micro Deep Security anti-malware event", "[logparse][cef]") {
  const LogEvent e = parse_ok(
      "CEF:0|Trend Micro|Deep Security Agent|10.0|4000000|Eicar_test_file|6|cn1=1 cn1Label=Host ID dvchost=hostname "
      "cn2=205 msg=Realtime filePath=C:\\\\Users\\\\trend\\\\Desktop\\\\eicar.exe act=Delete result=Delete "
      "malName=Eicar_test_file TrendMicroDsMalwareTarget=N/A TrendMicroDsMalwareTargetType=N/A "
      "TrendMicroDsFileMD5=44D88612FEA8A8F36DE82E1278ABB02F");
  CHECK(e.message == "Realtime");
  require_fields(e, {{"cef.version", "0"},
                     {"observer.vendor", "Trend Micro"},
                     {"observer.product", "Deep Security Agent"},
                     {"observer.version", "10.0"},
                     {"event.code", "4000000"},
                     {"rule.name", "Eicar_test_file"},
                     {"event.severity", "6", kInt},
                     {"cef.extensions.deviceCustomNumber1", "1", kInt},
                     {"cef.extensions.deviceCustomNumber1Label", "Host ID"},
                     {"observer.hostname", "hostname"},
                     {"cef.extensions.deviceCustomNumber2", "205", kInt},
                     {"file.path", "C:\\Users\\trend\\Desktop\\eicar.exe"},
                     {"event.action", "Delete"},
                     {"cef.extensions.result", "Delete"},
                     {"cef.extensions.malName", "Eicar_test_file"},
                     {"cef.extensions.TrendMicroDsMalwareTarget", "N/A"},
                     {"cef.extensions.TrendMicroDsMalwareTargetType", "N/A"},
                     {"cef.extensions.TrendMicroDsFileMD5", "44D88612FEA8A8F36DE82E1278ABB02F"}});
}

TEST_CASE("parse_cef maps severity words and keeps values that do not fit their type", "[logparse][cef]") {
  CHECK(parse_ok("CEF:0|v|p|1|1|n|Low|").find("event.severity")->value == "3");
  CHECK(parse_ok("CEF:0|v|p|1|1|n|Medium|").find("event.severity")->value == "6");
  CHECK(parse_ok("CEF:0|v|p|1|1|n|High|").find("event.severity")->value == "8");
  CHECK(parse_ok("CEF:0|v|p|1|1|n|Very-High|").find("event.severity")->value == "10");
  CHECK(parse_ok("CEF:0|v|p|1|1|n|Unknown|").find("event.severity") == nullptr);
  const LogEvent odd = parse_ok("CEF:1|v|p|1|1|n|11|src=not-an-ip spt=70000 rt=yesterday");
  CHECK(odd.find("event.severity") == nullptr);
  CHECK(odd.find("cef.severity")->value == "11");
  CHECK(odd.find("cef.version")->value == "1");
  CHECK(odd.find("source.ip") == nullptr);
  CHECK(odd.find("cef.extensions.src")->value == "not-an-ip");
  CHECK(odd.find("cef.extensions.spt")->value == "70000");
  CHECK(odd.find("cef.extensions.rt")->value == "yesterday");
  CHECK(odd.endpoints.source_ip.version == 0);
  CHECK(odd.timestamp == 0);
  // Epoch milliseconds beyond what TimestampNs holds stay text (found by fuzzing).
  const LogEvent far = parse_ok("CEF:0|v|p|1|1|n|5|rt=13050340992110 start=9223372036855");
  CHECK(far.timestamp == 0);
  CHECK(far.find("cef.extensions.rt")->value == "13050340992110");
  CHECK(far.find("cef.extensions.start")->value == "9223372036855");
  SECTION("no extension at all") {
    const LogEvent e = parse_ok("CEF:0|v|p|1|100|name only|5");
    CHECK(e.fields.size() == 7);
    CHECK(e.message == "name only");
  }
}

TEST_CASE("parse_cef refuses text that is not CEF", "[logparse][cef]") {
  CHECK(parse_error("CEF:0|a|b|c") == "cef: header has 4 of 7 fields (ends at byte 11)");
  CHECK(parse_error("CEF:x|a|b|c|d|e|1|") == "cef: version \"x\" is not a number at byte 4");
  CHECK(parse_error("LEEF:1.0|a|b|c|d|") == "cef: does not start with \"CEF:\"");
  CHECK(parse_error("") == "cef: does not start with \"CEF:\"");
}

TEST_CASE("parse_cef reads the MSG of a syslog message in place", "[logparse][cef]") {
  // What the message parser does: the syslog MSG is the CEF text.
  LogEvent e;
  REQUIRE(parse_syslog("<134>Nov 28 17:33:51 fw01 CEF:0|Check Point|VPN-1 & FireWall-1|R81|Log|Drop|5|src=198.51.100.7 "
                       "dst=10.0.0.5 proto=UDP dpt=161",
                       SyslogFormat::automatic, 1795887240000000000, e)
              .has_value());
  REQUIRE(parse_cef(e.message, e).has_value());
  CHECK(e.dataset == "cef");
  CHECK(e.message == "Drop");
  CHECK(e.find("host.hostname")->value == "fw01");
  CHECK(e.find("observer.product")->value == "VPN-1 & FireWall-1");
  CHECK(e.find("destination.port")->value == "161");
  CHECK(e.endpoints.ip_proto == 17);
  CHECK(e.endpoints.source_ip == *IpAddress::parse("198.51.100.7"));
}

TEST_CASE("parse_cef reads CEF that an rsyslog relay re-framed", "[logparse][cef]") {
  SECTION("RFC 5424 relay: APP-NAME CEF") {
    LogEvent e;
    REQUIRE(parse_syslog("<134>1 2026-11-28T17:50:01+00:00 fw1 CEF - - - 0|Security|threatmanager|1.0|100|worm "
                         "successfully stopped|10|src=10.0.0.1 dst=2.1.2.2 spt=1232\n",
                         SyslogFormat::automatic, 1795888210000000000, e)
                .has_value());
    REQUIRE(parse_cef(e.message, e).has_value());
    CHECK(e.message == "worm successfully stopped");
    CHECK(e.find("cef.version")->value == "0");
    CHECK(e.find("source.port")->value == "1232");
  }
  SECTION("3164 relay: \"CEF: 0|...\"") {
    LogEvent e;
    REQUIRE(parse_syslog("<134>Nov 28 17:50:01 localhost CEF: 0|Security|threatmanager|1.0|100|worm successfully "
                         "stopped|10|src=10.0.0.1 dst=2.1.2.2 spt=1232",
                         SyslogFormat::automatic, 1795888210000000000, e)
                .has_value());
    REQUIRE(parse_cef(e.message, e).has_value());
    CHECK(e.find("host.hostname")->value == "localhost");
    CHECK(e.find("cef.version")->value == "0");
    CHECK(e.find("destination.ip")->value == "2.1.2.2");
  }
}

}  // namespace
}  // namespace opensoc::logparse
