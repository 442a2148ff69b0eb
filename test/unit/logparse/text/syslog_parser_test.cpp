// parse_syslog against the RFC 5424/3164 examples, util-linux logger and rsyslog output, malformed lines.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>
#include <string_view>

#include "expect_fields.hpp"
#include "logparse/syslog_parser.hpp"

namespace opensoc::logparse {
namespace {

using test::ExpectedField;
using test::kInt;
using test::require_fields;

// 2026-11-28T17:34:00Z, a few seconds after the captured logger messages.
constexpr TimestampNs kReceived = 1795887240000000000;

LogEvent parse_ok(std::string_view line, SyslogFormat format = SyslogFormat::automatic,
                  TimestampNs received = kReceived) {
  LogEvent e;
  auto r = parse_syslog(line, format, received, e);
  INFO(line);
  REQUIRE(r.has_value());
  return e;
}

std::string parse_error(std::string_view line, SyslogFormat format = SyslogFormat::automatic) {
  LogEvent e;
  auto r = parse_syslog(line, format, kReceived, e);
  INFO(line);
  REQUIRE_FALSE(r.has_value());
  return r.error().message;
}

TEST_CASE("parse_syslog reads the RFC 5424 section 6.5 examples", "[logparse][syslog]") {
  SECTION("example 1: no STRUCTURED-DATA, BOM before MSG, millisecond UTC time") {
    const LogEvent e = parse_ok(
        "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - \xEF\xBB\xBF'su root' failed for lonvick on "
        "/dev/pts/8");
    CHECK(e.parser == "rfc5424");
    CHECK(e.dataset == "syslog");
    CHECK(e.timestamp == 1065910455003000000);
    CHECK(e.message == "'su root' failed for lonvick on /dev/pts/8");
    require_fields(e, {{"log.syslog.priority", "34", kInt},
                       {"log.syslog.facility.code", "4", kInt},
                       {"log.syslog.facility.name", "auth"},
                       {"log.syslog.severity.code", "2", kInt},
                       {"log.syslog.severity.name", "crit"},
                       {"log.syslog.version", "1"},
                       {"host.hostname", "mymachine.example.com"},
                       {"process.name", "su"},
                       {"log.syslog.msgid", "ID47"}});
  }
  SECTION("example 2: microseconds and a -07:00 offset converted to UTC") {
    const LogEvent e = parse_ok(
        "<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make the do-nuts.");
    CHECK(e.timestamp == 1061727255000003000);
    CHECK(e.message == "%% It's time to make the do-nuts.");
    require_fields(e, {{"log.syslog.priority", "165", kInt},
                       {"log.syslog.facility.code", "20", kInt},
                       {"log.syslog.facility.name", "local4"},
                       {"log.syslog.severity.code", "5", kInt},
                       {"log.syslog.severity.name", "notice"},
                       {"log.syslog.version", "1"},
                       {"host.hostname", "192.0.2.1"},
                       {"process.name", "myproc"},
                       {"process.pid", "8710", kInt}});
  }
  SECTION("example 3: one SD-ELEMENT with three SD-PARAMs") {
    const LogEvent e = parse_ok(
        "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\" "
        "eventSource=\"Application\" eventID=\"1011\"] \xEF\xBB\xBF"
        "An application event log entry...");
    CHECK(e.timestamp == 1065910455003000000);
    CHECK(e.message == "An application event log entry...");
    require_fields(e, {{"log.syslog.priority", "165", kInt},
                       {"log.syslog.facility.code", "20", kInt},
                       {"log.syslog.facility.name", "local4"},
                       {"log.syslog.severity.code", "5", kInt},
                       {"log.syslog.severity.name", "notice"},
                       {"log.syslog.version", "1"},
                       {"host.hostname", "mymachine.example.com"},
                       {"process.name", "evntslog"},
                       {"log.syslog.msgid", "ID47"},
                       {"log.syslog.structured_data.exampleSDID@32473.iut", "3"},
                       {"log.syslog.structured_data.exampleSDID@32473.eventSource", "Application"},
                       {"log.syslog.structured_data.exampleSDID@32473.eventID", "1011"}});
  }
  SECTION("example 4: two SD-ELEMENTs and no MSG") {
    const LogEvent e = parse_ok(
        "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\" "
        "eventSource=\"Application\" eventID=\"1011\"][examplePriority@32473 class=\"high\"]");
    CHECK(e.message.empty());
    REQUIRE(e.fields.size() == 13);
    CHECK(e.fields[12].name == "log.syslog.structured_data.examplePriority@32473.class");
    CHECK(e.fields[12].value == "high");
  }
}

TEST_CASE("parse_syslog reads what util-linux logger --rfc5424 sends", "[logparse][syslog]") {
  SECTION("default message with logger's timeQuality element") {
    const LogEvent e = parse_ok(
        "<13>1 2026-11-28T17:33:51.682258+00:00 vm root - - [timeQuality tzKnown=\"1\" isSynced=\"0\"] hello world");
    CHECK(e.timestamp == 1795887231682258000);
    CHECK(e.message == "hello world");
    require_fields(e, {{"log.syslog.priority", "13", kInt},
                       {"log.syslog.facility.code", "1", kInt},
                       {"log.syslog.facility.name", "user"},
                       {"log.syslog.severity.code", "5", kInt},
                       {"log.syslog.severity.name", "notice"},
                       {"log.syslog.version", "1"},
                       {"host.hostname", "vm"},
                       {"process.name", "root"},
                       {"log.syslog.structured_data.timeQuality.tzKnown", "1"},
                       {"log.syslog.structured_data.timeQuality.isSynced", "0"}});
  }
  SECTION("-p local4.warning -t sshd -i --msgid ID47 --sd-id ...") {
    const LogEvent e = parse_ok(
        "<164>1 2026-11-28T17:33:56.630836+00:00 vm sshd 10527 ID47 [timeQuality tzKnown=\"1\" "
        "isSynced=\"0\"][exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"] Failed password "
        "for root from 10.1.2.3 port 22 ssh2\n");
    CHECK(e.timestamp == 1795887236630836000);
    CHECK(e.message == "Failed password for root from 10.1.2.3 port 22 ssh2");
    require_fields(e, {{"log.syslog.priority", "164", kInt},
                       {"log.syslog.facility.code", "20", kInt},
                       {"log.syslog.facility.name", "local4"},
                       {"log.syslog.severity.code", "4", kInt},
                       {"log.syslog.severity.name", "warning"},
                       {"log.syslog.version", "1"},
                       {"host.hostname", "vm"},
                       {"process.name", "sshd"},
                       {"process.pid", "10527", kInt},
                       {"log.syslog.msgid", "ID47"},
                       {"log.syslog.structured_data.timeQuality.tzKnown", "1"},
                       {"log.syslog.structured_data.timeQuality.isSynced", "0"},
                       {"log.syslog.structured_data.exampleSDID@32473.iut", "3"},
                       {"log.syslog.structured_data.exampleSDID@32473.eventSource", "Application"},
                       {"log.syslog.structured_data.exampleSDID@32473.eventID", "1011"}});
  }
  SECTION("SD-PARAM escapes \\\\ \\\" \\] are undone, other backslashes kept") {
    const LogEvent e = parse_ok(
        "<13>1 2026-11-28T17:33:56.636874+00:00 vm app - - [meta@1 path=\"C:\\\\dir\\\\x\" q=\"a\\\"b\\]c\" "
        "r=\"\\n\"] escapes");
    CHECK(e.message == "escapes");
    const auto* path = e.find("log.syslog.structured_data.meta@1.path");
    const auto* q = e.find("log.syslog.structured_data.meta@1.q");
    const auto* r = e.find("log.syslog.structured_data.meta@1.r");
    REQUIRE(path != nullptr);
    REQUIRE(q != nullptr);
    REQUIRE(r != nullptr);
    CHECK(path->value == "C:\\dir\\x");
    CHECK(q->value == "a\"b]c");
    CHECK(r->value == "\\n");
  }
  SECTION("a -05:00 local time (TZ=America/New_York) is stored as UTC") {
    const LogEvent e = parse_ok(
        "<13>1 2026-11-28T12:33:56.638445-05:00 vm tz - - [timeQuality tzKnown=\"1\" isSynced=\"0\"] offset");
    CHECK(e.timestamp == 1795887236638445000);
  }
  SECTION("--rfc5424=notq,notime,nohost: NILVALUE time and host are absent") {
    const LogEvent e = parse_ok("<13>1 - - app - - - no time no host");
    CHECK(e.timestamp == 0);
    CHECK(e.message == "no time no host");
    require_fields(e, {{"log.syslog.priority", "13", kInt},
                       {"log.syslog.facility.code", "1", kInt},
                       {"log.syslog.facility.name", "user"},
                       {"log.syslog.severity.code", "5", kInt},
                       {"log.syslog.severity.name", "notice"},
                       {"log.syslog.version", "1"},
                       {"process.name", "app"}});
  }
  SECTION("-p kern.emerg: PRI 8 names facility kern, severity emerg... PRI 0 is kern.emerg") {
    const LogEvent e = parse_ok("<0>1 2026-11-28T17:33:51.692196+00:00 vm root - - - kernel panic");
    CHECK(e.find("log.syslog.facility.name")->value == "kern");
    CHECK(e.find("log.syslog.severity.name")->value == "emerg");
    const LogEvent e8 = parse_ok("<8>1 2026-11-28T17:33:51.692196+00:00 vm root - - - kernel panic");
    CHECK(e8.find("log.syslog.facility.name")->value == "user");
    CHECK(e8.find("log.syslog.severity.name")->value == "emerg");
    CHECK(e8.timestamp == 1795887231692196000);
  }
  SECTION("a PROCID that is not a number goes to log.syslog.procid") {
    const LogEvent e = parse_ok("<191>1 - host app worker-3 - - x\r\n");
    CHECK(e.find("process.pid") == nullptr);
    REQUIRE(e.find("log.syslog.procid") != nullptr);
    CHECK(e.find("log.syslog.procid")->value == "worker-3");
    CHECK(e.find("log.syslog.facility.name")->value == "local7");
    CHECK(e.find("log.syslog.severity.name")->value == "debug");
    CHECK(e.message == "x");
  }
}

TEST_CASE("parse_syslog reads RFC 3164 as real senders write it", "[logparse][syslog]") {
  SECTION("logger --rfc3164: host and tag") {
    const LogEvent e = parse_ok("<13>Nov 28 17:33:51 vm root: hello world");
    CHECK(e.parser == "rfc3164");
    CHECK(e.dataset == "syslog");
    CHECK(e.timestamp == 1795887231000000000);
    CHECK(e.message == "hello world");
    require_fields(e, {{"log.syslog.priority", "13", kInt},
                       {"log.syslog.facility.code", "1", kInt},
                       {"log.syslog.facility.name", "user"},
                       {"log.syslog.severity.code", "5", kInt},
                       {"log.syslog.severity.name", "notice"},
                       {"host.hostname", "vm"},
                       {"process.name", "root"}});
  }
  SECTION("logger --rfc3164 -p auth.err -t sshd -i: tag[pid]") {
    const LogEvent e =
        parse_ok("<35>Nov 28 17:33:51 vm sshd[10316]: Failed password for invalid user admin from 192.0.2.7 port "
                 "4242 ssh2");
    CHECK(e.message == "Failed password for invalid user admin from 192.0.2.7 port 4242 ssh2");
    require_fields(e, {{"log.syslog.priority", "35", kInt},
                       {"log.syslog.facility.code", "4", kInt},
                       {"log.syslog.facility.name", "auth"},
                       {"log.syslog.severity.code", "3", kInt},
                       {"log.syslog.severity.name", "err"},
                       {"host.hostname", "vm"},
                       {"process.name", "sshd"},
                       {"process.pid", "10316", kInt}});
  }
  SECTION("RFC 3164 5.4 example: space-padded day, no tag") {
    // Received the same day in 2026: the year is 2026.
    const LogEvent e = parse_ok("<13>Feb  5 17:32:18 10.0.0.99 Use the BFG!", SyslogFormat::automatic,
                                1770314400000000000);  // 2026-02-05T18:00:00Z
    CHECK(e.timestamp == 1770312738000000000);         // 2026-02-05T17:32:18Z
    CHECK(e.message == "Use the BFG!");
    CHECK(e.find("host.hostname")->value == "10.0.0.99");
    CHECK(e.find("process.name") == nullptr);
  }
  SECTION("RFC 3164 5.4 example 1 with its tag") {
    const LogEvent e = parse_ok("<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8",
                                SyslogFormat::rfc3164, 1065910460000000000);
    CHECK(e.timestamp == 1065910455000000000);
    CHECK(e.find("host.hostname")->value == "mymachine");
    CHECK(e.find("process.name")->value == "su");
    CHECK(e.message == "'su root' failed for lonvick on /dev/pts/8");
  }
  SECTION("no HOSTNAME: the TAG follows the time") {
    const LogEvent e = parse_ok("<38>Nov 28 17:33:51 sshd[42]: Accepted publickey for alice");
    CHECK(e.find("host.hostname") == nullptr);
    CHECK(e.find("process.name")->value == "sshd");
    CHECK(e.find("process.pid")->value == "42");
    CHECK(e.message == "Accepted publickey for alice");
  }
  SECTION("ISO timestamp, as rsyslog's RSYSLOG_ForwardFormat sends it") {
    const LogEvent e = parse_ok("<13>2026-11-28T17:33:51.692196+00:00 vm root: hello");
    CHECK(e.parser == "rfc3164");
    CHECK(e.timestamp == 1795887231692196000);
    CHECK(e.find("host.hostname")->value == "vm");
    CHECK(e.find("process.name")->value == "root");
    CHECK(e.message == "hello");
  }
  SECTION("octet-counted TCP record after the receiver removed its length") {
    const LogEvent e = parse_ok("<13>Nov 28 17:33:51 vm cron: octet");
    CHECK(e.find("process.name")->value == "cron");
    CHECK(e.message == "octet");
  }
  SECTION("a CEF body directly after the time is neither host nor tag") {
    const LogEvent e = parse_ok("<134>Nov 28 17:33:51 CEF:0|a|b|1|100|x|5|src=10.0.0.1");
    CHECK(e.find("host.hostname") == nullptr);
    CHECK(e.message == "CEF:0|a|b|1|100|x|5|src=10.0.0.1");
  }
}

TEST_CASE("parse_syslog reads what an rsyslog relay forwards", "[logparse][syslog]") {
  // Captured from rsyslogd 8 (Debian 12) receiving logger/netcat messages on
  // UDP and forwarding them with its stock templates.
  SECTION("RSYSLOG_ForwardFormat: 3164 with an RFC 3339 time") {
    const LogEvent e = parse_ok(
        "<13>2026-11-28T17:46:53+00:00 vm sshd[11614]: Accepted publickey for alice from 198.51.100.4 port 50122 ssh2");
    CHECK(e.parser == "rfc3164");
    CHECK(e.timestamp == 1795888013000000000);
    CHECK(e.find("host.hostname")->value == "vm");
    CHECK(e.find("process.name")->value == "sshd");
    CHECK(e.find("process.pid")->value == "11614");
    CHECK(e.message == "Accepted publickey for alice from 198.51.100.4 port 50122 ssh2");
  }
  SECTION("RSYSLOG_SyslogProtocol23Format: the relayed MSG's leading space is dropped") {
    const LogEvent e = parse_ok(
        "<13>1 2026-11-28T17:46:53+00:00 vm sshd 11614 - -  Accepted publickey for alice from 198.51.100.4 port "
        "50122 ssh2\n");
    CHECK(e.parser == "rfc5424");
    CHECK(e.timestamp == 1795888013000000000);
    CHECK(e.find("process.pid")->value == "11614");
    CHECK(e.message == "Accepted publickey for alice from 198.51.100.4 port 50122 ssh2");
  }
  SECTION("RFC 5424 relay of a CEF message: APP-NAME \"CEF\" is put back in front of the body") {
    const LogEvent e = parse_ok(
        "<134>1 2026-11-28T17:50:01+00:00 fw1 CEF - - - 0|Security|threatmanager|1.0|100|worm successfully "
        "stopped|10|src=10.0.0.1 dst=2.1.2.2 spt=1232\n");
    CHECK(e.timestamp == 1795888201000000000);
    CHECK(e.find("process.name") == nullptr);
    CHECK(e.message ==
          "CEF:0|Security|threatmanager|1.0|100|worm successfully stopped|10|src=10.0.0.1 dst=2.1.2.2 spt=1232");
  }
  SECTION("3164 relay of a LEEF message: \"LEEF:\" is not taken for a TAG") {
    const LogEvent e = parse_ok(
        "<134>2026-11-28T17:50:01+00:00 fw1 LEEF: 1.0|Microsoft|MSExchange|4.0 SP1|15345|src=192.0.2.0#011dst=172.50."
        "123.1#011sev=5");
    CHECK(e.find("host.hostname")->value == "fw1");
    CHECK(e.find("process.name") == nullptr);
    CHECK(e.message == "LEEF: 1.0|Microsoft|MSExchange|4.0 SP1|15345|src=192.0.2.0#011dst=172.50.123.1#011sev=5");
  }
  SECTION("RFC 5424 relay of a kernel netfilter line") {
    const LogEvent e = parse_ok(
        "<4>1 2026-11-28T17:50:02+00:00 gw kernel - - -  [UFW BLOCK] IN=eth0 OUT= SRC=203.0.113.9 DST=10.0.0.2 "
        "PROTO=UDP SPT=5353 DPT=53\n");
    CHECK(e.timestamp == 1795888202000000000);
    CHECK(e.find("process.name")->value == "kernel");
    CHECK(e.message == "[UFW BLOCK] IN=eth0 OUT= SRC=203.0.113.9 DST=10.0.0.2 PROTO=UDP SPT=5353 DPT=53");
  }
}

TEST_CASE("parse_syslog gives RFC 3164 times the year nearest the receive time", "[logparse][syslog]") {
  SECTION("a December message read on New Year's Day is last year's") {
    const LogEvent e = parse_ok("<13>Dec 31 23:59:50 h t: x", SyslogFormat::rfc3164, 1767225610000000000);
    CHECK(e.timestamp == 1767225590000000000);  // 2025-12-31T23:59:50Z
  }
  SECTION("a January message read on New Year's Eve (sender clock ahead) is next year's") {
    const LogEvent e = parse_ok("<13>Jan  1 00:00:10 h t: x", SyslogFormat::rfc3164, 1767225590000000000);
    CHECK(e.timestamp == 1767225610000000000);  // 2026-01-01T00:00:10Z
  }
  SECTION("Feb 29 read in a non-leap year belongs to the last leap year") {
    // received 2025-03-01T00:00:00Z
    const LogEvent e = parse_ok("<13>Feb 29 12:00:00 h t: x", SyslogFormat::rfc3164, 1740787200000000000);
    CHECK(e.timestamp == 1709208000000000000);  // 2024-02-29T12:00:00Z
  }
}

TEST_CASE("parse_syslog refuses malformed messages with the byte offset", "[logparse][syslog]") {
  CHECK(parse_error("Nov 28 17:33:51 vm root: hello") == "syslog: no <PRI> at byte 0");
  CHECK(parse_error("") == "syslog: no <PRI> at byte 0");
  CHECK(parse_error("<192>1 - - - - - - x") == "syslog: PRI greater than 191 at byte 1");
  CHECK(parse_error("<13 hello") == "syslog: PRI not closed by '>' at byte 3");
  CHECK(parse_error("<1234>1 - - - - - -") == "syslog: PRI not closed by '>' at byte 4");
  CHECK(parse_error("<>1 - - - - - -") == "syslog: PRI is not a number at byte 1");
  CHECK(parse_error("<13>1 2026-13-28T17:33:51Z vm a - - - x") == "rfc5424: bad TIMESTAMP at byte 6");
  CHECK(parse_error("<13>1 2026-02-30T17:33:51Z vm a - - - x") == "rfc5424: bad TIMESTAMP at byte 6");
  CHECK(parse_error("<13>1 2026-11-28T17:33:51 vm a - - - x") == "rfc5424: bad TIMESTAMP at byte 6");
  CHECK(parse_error("<13>Foo 28 17:33:51 vm root: x") == "rfc3164: bad TIMESTAMP at byte 4");
  CHECK(parse_error("<13>Nov 28 25:33:51 vm root: x") == "rfc3164: bad TIMESTAMP at byte 4");
  CHECK(parse_error("<13>hello world") == "rfc3164: bad TIMESTAMP at byte 4");
  CHECK(parse_error("<13>1 - h a - - [id@1 k=\"v\"") == "rfc5424: truncated STRUCTURED-DATA at byte 27");
  CHECK(parse_error("<13>1 - h a - - [id@1 k=\"v] msg") == "rfc5424: unterminated PARAM-VALUE at byte 24");
  CHECK(parse_error("<13>1 - h a - - [id@1 k=v]") == "rfc5424: expected '\"' to open PARAM-VALUE at byte 24");
  CHECK(parse_error("<13>1 - h a - - [id@1]msg") == "rfc5424: expected SP after STRUCTURED-DATA at byte 22");
  CHECK(parse_error("<13>1 - h a - - x") == "rfc5424: expected STRUCTURED-DATA at byte 16");
  CHECK(parse_error("<13>1 - h a - -") == "rfc5424: truncated header at byte 15");
  CHECK(parse_error("<13>1 -  a - - -") == "rfc5424: bad HOSTNAME at byte 8");
  SECTION("the wrong explicit format") {
    CHECK(parse_error("<13>Nov 28 17:33:51 vm root: hello", SyslogFormat::rfc5424) ==
          "rfc5424: expected VERSION at byte 4");
    CHECK(parse_error("<13>1 2026-11-28T17:33:51Z vm a - - - x", SyslogFormat::rfc3164) ==
          "rfc3164: bad TIMESTAMP at byte 4");
  }
}

TEST_CASE("parse_rfc3339_ns converts offsets and fractions exactly", "[logparse][syslog]") {
  CHECK(parse_rfc3339_ns("2003-10-11T22:14:15.003Z") == TimestampNs{1065910455003000000});
  CHECK(parse_rfc3339_ns("2003-08-24T05:14:15.000003-07:00") == TimestampNs{1061727255000003000});
  CHECK(parse_rfc3339_ns("2019-05-10T11:37:47-0700") == TimestampNs{1557513467000000000});
  CHECK(parse_rfc3339_ns("1970-01-01T00:00:00.123456789Z") == TimestampNs{123456789});
  CHECK(parse_rfc3339_ns("1969-12-31T23:59:59Z") == TimestampNs{-1000000000});
  CHECK_FALSE(parse_rfc3339_ns("2003-10-11T22:14:15.003"));
  CHECK_FALSE(parse_rfc3339_ns("2003-10-11 22:14:15Z"));
  CHECK_FALSE(parse_rfc3339_ns("2003-10-11T22:14:15Z trailing"));
  // Outside 1900-2261 the nanoseconds would overflow TimestampNs (found by fuzzing).
  CHECK_FALSE(parse_rfc3339_ns("2803-10-11T22:14:15.003Z"));
  CHECK_FALSE(parse_rfc3339_ns("1899-12-31T23:59:59Z"));
  CHECK(parse_rfc3339_ns("2261-12-31T23:59:59Z") == TimestampNs{9214646399000000000});
}

TEST_CASE("parse_syslog costs well under a microsecond per message", "[logparse][syslog][.bench]") {
  constexpr int kRounds = 200000;
  const std::string_view l5424 =
      "<165>1 2026-11-28T17:33:56.630836+00:00 web-01.example.com sshd 10527 ID47 [timeQuality tzKnown=\"1\" "
      "isSynced=\"0\"] Failed password for root from 10.1.2.3 port 22 ssh2";
  const std::string_view l3164 =
      "<35>Nov 28 17:33:51 web-01 sshd[10316]: Failed password for invalid user admin from 192.0.2.7 port 4242 ssh2";
  for (const auto& [name, line] : {std::pair{"rfc5424", l5424}, std::pair{"rfc3164", l3164}}) {
    // Thread CPU time as well as wall time: on a shared machine the wall
    // clock measures the neighbours.
    auto cpu_now = [] {
      timespec ts{};
      clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
      return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
    };
    std::size_t total = 0;
    const auto t0 = std::chrono::steady_clock::now();
    const double c0 = cpu_now();
    for (int i = 0; i < kRounds; ++i) {
      LogEvent e;  // a fresh event per message, as the pipeline makes them
      auto r = parse_syslog(line, SyslogFormat::automatic, kReceived, e);
      total += r.has_value() ? e.fields.size() : 0;
    }
    const double cpu_ns = (cpu_now() - c0) / kRounds;
    const auto dt = std::chrono::steady_clock::now() - t0;
    const double ns = static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(dt).count()) / kRounds;
    std::printf("parse_syslog %s: %.0f ns/message CPU, %.0f ns wall (%zu fields)\n", name, cpu_ns, ns,
                total / kRounds);
    CHECK(total > 0);
  }
}

}  // namespace
}  // namespace opensoc::logparse
