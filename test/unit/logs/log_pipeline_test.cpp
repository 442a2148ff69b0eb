// Tests for LogPipeline (src/logs/log_pipeline.cpp) end to end without
// sockets: a real ingest::MessageQueue fed by the test (as the receivers
// would), a ReceiversConfig with a syslog and a NetFlow listener (port 0,
// never bound: the pipeline does not bind), events submitted as the REST API
// does, stop() draining everything, and then the shards searched with the
// query parser, compiler and SearchExecutor as the API does. A LogHook test
// double sees each event. Runs the pipeline thread; the test thread feeds
// and searches.
#include "logs/log_pipeline.hpp"

#include <algorithm>
#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include <catch2/catch.hpp>
#include <xapian.h>

#include "flow/community_id.hpp"
#include "search/field_schema.hpp"
#include "search/query_compiler.hpp"
#include "search/query_parser.hpp"
#include "search/search_executor.hpp"
#include "search/search_shards.hpp"
#include "support/temp_dir.hpp"

namespace opensoc::logs {
namespace {

constexpr TimestampNs kReceived = 1795860000LL * kNsPerSecond;  // 2026-11-28T10:00:00Z
constexpr std::uint16_t kSyslog = 0;
constexpr std::uint16_t kNetflow = 1;

IpAddress ip(std::string_view text) {
  auto a = IpAddress::parse(text);
  REQUIRE(a);
  return *a;
}

// Records what detection would be asked, and marks one address as known
// bad so the test sees that the hook's enrichment reaches the index.
class RecordingHook final : public LogHook {
 public:
  void on_batch() noexcept override {
    std::lock_guard lock(mu_);
    ++batches_;
  }
  void on_log(LogEvent& event) noexcept override {
    std::lock_guard lock(mu_);
    ids_.push_back(event.id);
    if (event.endpoints.destination_ip == ip("198.51.100.23")) {
      ThreatMatch m;
      m.indicator.type = IndicatorType::ipv4;
      m.indicator.value = "198.51.100.23";
      m.indicator.source = "test-feed";
      m.field = "destination.ip";
      m.matched_value = "198.51.100.23";
      event.enrichment.threats.push_back(std::move(m));
    }
  }
  std::vector<std::uint64_t> ids() const {
    std::lock_guard lock(mu_);
    return ids_;
  }
  std::uint64_t batches() const {
    std::lock_guard lock(mu_);
    return batches_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::uint64_t> ids_;
  std::uint64_t batches_ = 0;
};

ingest::ReceiversConfig receivers() {
  ingest::ReceiversConfig c;
  ingest::ListenerConfig sys;
  sys.name = "syslog-udp";
  sys.protocol = ingest::ListenerProtocol::syslog;
  sys.transport = ingest::ListenerTransport::udp;
  sys.port = 0;
  c.listeners.push_back(sys);
  ingest::ListenerConfig nf;
  nf.name = "netflow";
  nf.protocol = ingest::ListenerProtocol::netflow;
  nf.transport = ingest::ListenerTransport::udp;
  nf.port = 0;
  c.listeners.push_back(nf);
  c.retention_days = 0;  // the fixture's times are fixed; the wall clock is not
  return c;
}

ingest::ReceivedMessage message(std::uint16_t listener, std::string bytes, bool truncated = false) {
  ingest::ReceivedMessage m;
  m.listener = listener;
  m.received = kReceived;
  m.sender = ip("192.0.2.10");
  m.sender_port = 51514;
  m.truncated = truncated;
  m.bytes = std::move(bytes);
  return m;
}

void put_be16(std::string& s, std::uint16_t v) {
  s.push_back(static_cast<char>(v >> 8));
  s.push_back(static_cast<char>(v & 0xff));
}
void put_be32(std::string& s, std::uint32_t v) {
  put_be16(s, static_cast<std::uint16_t>(v >> 16));
  put_be16(s, static_cast<std::uint16_t>(v & 0xffff));
}
void put_ip(std::string& s, std::string_view text) {
  const IpAddress a = ip(text);
  s.append(reinterpret_cast<const char*>(a.bytes.data()), 4);
}

// A NetFlow v5 export (Cisco's fixed 24-byte header and 48-byte records)
// sent at kReceived with the router up 100 s: two flows ending 1 s before.
std::string netflow_v5_two_flows() {
  std::string d;
  put_be16(d, 5);       // version
  put_be16(d, 2);       // count
  put_be32(d, 100000);  // sysUptime ms
  put_be32(d, static_cast<std::uint32_t>(kReceived / kNsPerSecond));
  put_be32(d, 0);  // unix_nsecs
  put_be32(d, 0);  // flow_sequence
  d.push_back(0);  // engine type
  d.push_back(0);  // engine id
  put_be16(d, 0);  // sampling
  struct Flow {
    const char* src;
    const char* dst;
    std::uint16_t sport, dport;
    std::uint8_t proto;
    std::uint32_t packets, bytes;
  };
  for (const Flow& f : {Flow{"10.0.0.5", "198.51.100.23", 40000, 443, 6, 10, 1200},
                        Flow{"10.0.0.6", "192.0.2.53", 5353, 53, 17, 1, 80}}) {
    put_ip(d, f.src);
    put_ip(d, f.dst);
    put_ip(d, "0.0.0.0");  // next hop
    put_be16(d, 1);        // input
    put_be16(d, 2);        // output
    put_be32(d, f.packets);
    put_be32(d, f.bytes);
    put_be32(d, 90000);  // first (uptime ms)
    put_be32(d, 99000);  // last
    put_be16(d, f.sport);
    put_be16(d, f.dport);
    d.push_back(0);                                   // pad
    d.push_back(f.proto == 6 ? char{0x1b} : char{0});  // tcp flags
    d.push_back(static_cast<char>(f.proto));
    d.push_back(0);  // tos
    put_be16(d, 0);  // src as
    put_be16(d, 0);  // dst as
    d.push_back(24);
    d.push_back(24);
    put_be16(d, 0);
  }
  REQUIRE(d.size() == 24 + 2 * 48);
  return d;
}

// The messages a syslog listener read, one per kind of outcome.
const std::vector<std::pair<std::string, bool>>& syslog_messages() {
  static const std::vector<std::pair<std::string, bool>> m{
      // RFC 5424 section 6.5 example 3, with this fixture's time.
      {"<165>1 2026-11-28T09:58:00.003Z mymachine.example.com evntslog 4321 ID47 "
       "[exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"] "
       "An application event log entry for lonvick",
       false},
      // RFC 3164 as sshd writes it through the local syslog daemon.
      {"<38>Nov 28 09:59:00 web1 sshd[999]: Accepted publickey for alice from 10.0.0.5 port 50000 ssh2", false},
      // A firewall's CEF event inside RFC 5424.
      {"<134>1 2026-11-28T09:59:30Z fw1 firewall - - - CEF:0|Acme|Firewall|1.0|100|Connection blocked|5|"
       "src=10.0.0.5 dst=198.51.100.23 spt=40000 dpt=443 proto=TCP cs1=Blocked cs1Label=Action",
       false},
      // Not syslog, nor anything else a parser takes.
      {"\x01\x02\x03 ??? ###", false},
      // Cut at the listener's max_message_bytes.
      {"<13>Nov 28 09:59:10 web1 backup[77]: copied 1200 files to /srv/bac", true},
      // A sender whose clock restarted in 1970.
      {"<14>1 1970-01-01T00:00:01Z oldbox ntpd 12 - - clock reset", false},
  };
  return m;
}

std::vector<LogEvent> api_events() {
  std::vector<LogEvent> v;
  for (int i = 0; i < 2; ++i) {
    LogEvent ev;
    ev.received = kReceived;
    ev.timestamp = kReceived - (10 + i) * kNsPerSecond;
    ev.listener = "api";
    ev.transport = "http";
    ev.dataset = "suricata.eve";
    ev.parser = "eve";
    ev.parsed = true;
    ev.message = i == 0 ? "ET POLICY curl user agent" : "ET INFO external ip lookup";
    ev.add("event.action", "allowed");
    v.push_back(std::move(ev));
  }
  return v;
}

class Fixture {
 public:
  Fixture() : queue_(1024), log_(telemetry::LogLevel::error) {
    LogPipelineOptions o;
    o.receivers = receivers();
    o.shards.dir = dir_.file("search");
    o.shards.sync = false;
    o.batch = 3;  // several batches, so on_batch and the commit path run more than once
    auto p = LogPipeline::open(std::move(o), queue_, &hook_, log_);
    if (!p) FAIL(p.error().message);
    pipeline_ = std::move(*p);
  }

  ingest::MessageQueue& queue() { return queue_; }
  LogPipeline& pipeline() { return *pipeline_; }
  RecordingHook& hook() { return hook_; }
  std::string search_dir() const { return dir_.file("search"); }

  // Runs `q` over the shards; REQUIREs that it compiles and runs.
  search::SearchResult search(std::string_view q, std::string_view kind) const {
    auto parsed = search::parse_search_query(q);
    REQUIRE(std::holds_alternative<search::QueryNode>(parsed));
    auto compiled = search::compile_query(std::get<search::QueryNode>(parsed));
    if (auto* e = std::get_if<search::QueryError>(&compiled)) FAIL("query '" << q << "': " << e->message);
    search::SearchRequest r;
    r.query = std::get<Xapian::Query>(compiled);
    r.kind_term = kind;
    r.limit = 100;
    auto res = search::SearchExecutor(search_dir()).run(r);
    if (!res) FAIL(res.error().message);
    return std::move(*res);
  }
  std::uint64_t count(std::string_view q, std::string_view kind = search::kLogKindTerm) const {
    const auto r = search(q, kind);
    CHECK(r.total_exact);
    return r.total;
  }
  std::string only_hit(std::string_view q, std::string_view kind = search::kLogKindTerm) const {
    const auto r = search(q, kind);
    INFO(q);
    REQUIRE(r.total == 1);
    REQUIRE(r.hits.size() == 1);
    return r.hits[0].json;
  }

 private:
  test::TempDir dir_;
  ingest::MessageQueue queue_;
  telemetry::Logger log_;
  RecordingHook hook_;
  std::unique_ptr<LogPipeline> pipeline_;
};

bool contains(const std::string& hay, std::string_view needle) { return hay.find(needle) != std::string::npos; }

TEST_CASE("LogPipeline parses, indexes and counts what the receivers queued and the API submitted", "[logs]") {
  Fixture fx;
  std::vector<ingest::ReceivedMessage> batch;
  for (const auto& [text, truncated] : syslog_messages()) batch.push_back(message(kSyslog, text, truncated));
  batch.push_back(message(kNetflow, netflow_v5_two_flows()));
  REQUIRE(fx.queue().try_push(batch) == 7);
  REQUIRE(batch.empty());

  fx.pipeline().start();
  std::vector<LogEvent> api = api_events();
  REQUIRE(fx.pipeline().submit(api, 5000));
  CHECK(api.empty());
  fx.pipeline().stop();
  CHECK(fx.queue().size() == 0);

  SECTION("the hook sees every event exactly once, in id order") {
    const std::vector<std::uint64_t> ids = fx.hook().ids();
    CHECK(ids == std::vector<std::uint64_t>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
    CHECK(fx.hook().batches() >= 2);
  }

  SECTION("snapshot counts messages, events, parsers and listeners exactly") {
    const TelemetrySnapshot s = fx.pipeline().snapshot();
    CHECK(s.enabled);
    CHECK(s.received == 9);  // 6 syslog + 1 NetFlow datagram + 2 API events
    CHECK(s.events == 10);   // the datagram made two
    CHECK(s.parsed == 9);
    CHECK(s.raw == 1);
    CHECK(s.flows == 2);
    CHECK(s.indexed == 10);
    CHECK(s.index_errors == 0);
    CHECK(s.commits >= 1);
    CHECK(s.last_error.empty());
    CHECK(s.queue_capacity == 1024);
    CHECK(s.queue_size == 0);
    CHECK(s.queue_high_water == 7);
    CHECK(s.netflow_packets == 1);
    CHECK(s.netflow_malformed == 0);
    REQUIRE(s.listeners.size() == 3);
    CHECK(s.listeners[0].name == "syslog-udp");
    CHECK(s.listeners[0].protocol == "syslog");
    CHECK(s.listeners[0].transport == "udp");
    CHECK(s.listeners[0].parsed == 5);
    CHECK(s.listeners[0].failed == 1);
    CHECK(s.listeners[0].records == 0);
    CHECK(s.listeners[1].name == "netflow");
    CHECK(s.listeners[1].protocol == "netflow");
    CHECK(s.listeners[1].parsed == 1);
    CHECK(s.listeners[1].failed == 0);
    CHECK(s.listeners[1].records == 2);
    CHECK(s.listeners[2].name == "api");
    CHECK(s.listeners[2].transport == "http");
    CHECK(s.listeners[2].messages == 2);
    CHECK(s.listeners[2].parsed == 2);
    CHECK(s.listeners[2].failed == 0);
    std::vector<std::string> parsers;
    for (const ParserCounters& p : s.parsers) {
      parsers.push_back(p.name + " " + std::to_string(p.parsed) + "/" + std::to_string(p.failed));
    }
    // Failures are counted under the listener's chain ("auto"), successes
    // under the parser that took the message.
    CHECK(parsers == std::vector<std::string>{"auto 0/1", "cef 1/0", "eve 2/0", "rfc3164 2/0", "rfc5424 2/0"});
  }

  SECTION("log and session kinds hold exactly their records") {
    CHECK(fx.count("") == 8);
    CHECK(fx.count("", search::kSessionKindTerm) == 2);
    CHECK(fx.count("dataset:netflow", search::kSessionKindTerm) == 2);
    CHECK(fx.count("dataset:netflow") == 0);
    CHECK(fx.count("dataset:syslog") == 4);
    CHECK(fx.count("dataset:\"suricata.eve\"") == 2);
    CHECK(fx.count("listener:syslog-udp") == 6);
    CHECK(fx.count("listener:api") == 2);
  }

  SECTION("message words, host, pid range and syslog fields are searchable") {
    CHECK(fx.count("lonvick") == 1);
    CHECK(fx.count("application event") == 1);
    CHECK(fx.count("publickey alice") == 1);
    CHECK(fx.count("curl") == 1);
    CHECK(fx.count("host.hostname:web1") == 2);
    CHECK(fx.count("hostname:mymachine.example.com") == 1);
    CHECK(fx.count("process.pid:1..1000") == 3);  // 999, 77, 12
    CHECK(fx.count("process.pid:>=4000") == 1);
    CHECK(fx.count("program:sshd") == 1);
    CHECK(fx.count("log.syslog.msgid:ID47") == 1);
    CHECK(fx.count("log.syslog.structured_data.exampleSDID@32473.eventID:1011") == 1);
    const std::string rfc5424 = fx.only_hit("lonvick");
    CHECK(contains(rfc5424, R"("@timestamp":"2026-11-28T09:58:00.003000000Z")"));
    CHECK(contains(rfc5424, R"("created":"2026-11-28T10:00:00.000000000Z")"));
    CHECK(contains(rfc5424, R"("hostname":"mymachine.example.com")"));
    CHECK(contains(rfc5424, R"("pid":4321)"));
    CHECK(contains(rfc5424, R"("source":{"address":"192.0.2.10:51514"})"));
    CHECK(contains(rfc5424, R"("listener":"syslog-udp")"));
  }

  SECTION("CEF extensions are dynamic fields: exact, prefix and exists") {
    CHECK(fx.count("cef.extensions.deviceCustomString1:Blocked") == 1);
    CHECK(fx.count("cef.extensions.deviceCustomString1:blo*") == 1);
    CHECK(fx.count("cef.extensions.deviceCustomString1:allowed") == 0);
    CHECK(fx.count("cef.extensions.deviceCustomString1Label:*") == 1);
    CHECK(fx.count("parser:cef") == 1);
    CHECK(fx.count("destination.ip:198.51.100.23") == 1);
    CHECK(fx.count("destination.ip:198.51.100.23", search::kSessionKindTerm) == 1);
    const std::string cef = fx.only_hit("parser:cef");
    CHECK(contains(cef, R"("deviceCustomString1":"Blocked")"));
    CHECK(contains(cef, R"("community_id":"1:)"));
  }

  SECTION("the hook's intel match reaches the index and the record") {
    CHECK(fx.count("threat:198.51.100.23") == 1);
    CHECK(fx.count("threat:198.51.100.23", search::kSessionKindTerm) == 1);
    CHECK(contains(fx.only_hit("threat:198.51.100.23"), R"("provider":"test-feed")"));
  }

  SECTION("garbage is kept raw, tagged, with its sender and receive time") {
    CHECK(fx.count("parser:raw") == 1);
    CHECK(fx.count("tags:_parse_failure") == 1);
    const std::string raw = fx.only_hit("parser:raw");
    CHECK(contains(raw, R"("@timestamp":"2026-11-28T10:00:00.000000000Z")"));
    CHECK(contains(raw, R"("message":"\u0001\u0002\u0003 ??? ###")"));
    CHECK(contains(raw, R"("address":"192.0.2.10:51514")"));
  }

  SECTION("a truncated frame is tagged _truncated and still parsed") {
    CHECK(fx.count("tags:_truncated") == 1);
    const std::string cut = fx.only_hit("tags:_truncated");
    CHECK(contains(cut, R"("parser":"rfc3164")"));
    CHECK(contains(cut, R"("pid":77)"));
  }

  SECTION("a 1970 time is replaced by the receive time and kept as labels.original_timestamp") {
    CHECK(fx.count("labels.original_timestamp:*") == 1);
    CHECK(fx.count("tags:_timestamp_out_of_range") == 1);
    const auto r = fx.search("hostname:oldbox", search::kLogKindTerm);
    REQUIRE(r.total == 1);
    REQUIRE(r.hits.size() == 1);
    CHECK(r.hits[0].ts == kReceived);
    CHECK(contains(r.hits[0].json, R"("@timestamp":"2026-11-28T10:00:00.000000000Z")"));
    CHECK(contains(r.hits[0].json, R"("original_timestamp":"1970-01-01T00:00:01.000000000Z")"));
  }

  SECTION("NetFlow records are sessions with their counters and times") {
    const std::string flow = fx.only_hit("source.ip:10.0.0.6", search::kSessionKindTerm);
    INFO(flow);
    CHECK(contains(flow, R"("@timestamp":"2026-11-28T09:59:59.000000000Z")"));
    CHECK(contains(flow, R"("ip":"192.0.2.53","port":53})"));
    CHECK(contains(flow, R"("start":"2026-11-28T09:59:50.000000000Z")"));
    CHECK(contains(flow, R"("network":{"bytes":80,)"));
    CHECK(contains(flow, R"("packets":1,"transport":"udp"})"));
    // The packets of the flow: its own span, through its last (exporter) millisecond.
    CHECK(contains(flow, R"(&start=1795859990.000000000&end=1795859999.001000000")"));
    FlowRecord r;
    r.src_ip = ip("10.0.0.6");
    r.dst_ip = ip("192.0.2.53");
    r.src_port = 5353;
    r.dst_port = 53;
    r.ip_proto = 17;
    CHECK(contains(flow, R"("community_id":")" + flow::community_id_v1(r) + '"'));
    CHECK(contains(flow, R"("transport":"udp")"));
    CHECK(contains(flow, R"("listener":"netflow")"));
    CHECK(fx.count("destination.port:443", search::kSessionKindTerm) == 1);
  }

  SECTION("the shards are the log pipeline's own, tagged logs") {
    auto dirs = search::list_shard_dirs(fx.search_dir());
    REQUIRE(dirs);
    REQUIRE_FALSE(dirs->empty());
    for (const auto& d : *dirs) CHECK(search::shard_dir_tag(d.name) == "logs");
  }
}

TEST_CASE("LogPipeline stop() drains a full queue before it returns", "[logs]") {
  Fixture fx;
  std::vector<ingest::ReceivedMessage> batch;
  for (int i = 0; i < 500; ++i) {
    batch.push_back(message(kSyslog, "<13>1 2026-11-28T09:00:00Z h app - - - line " + std::to_string(i)));
  }
  REQUIRE(fx.queue().try_push(batch) == 500);
  fx.pipeline().start();
  fx.pipeline().stop();
  const TelemetrySnapshot s = fx.pipeline().snapshot();
  CHECK(s.received == 500);
  CHECK(s.indexed == 500);
  CHECK(fx.hook().ids().size() == 500);
  CHECK(fx.count("") == 500);
  CHECK(fx.count("line") == 500);
  CHECK(fx.count("program:app") == 500);
  CHECK(fx.count("line 499") == 1);
}

// IPFIX (RFC 7011): a 16-byte header, then sets. Template 256 = source and
// destination IPv4 address and transport ports (12 bytes a record).
std::string ipfix(std::string sets) {
  std::string d;
  put_be16(d, 10);
  put_be16(d, static_cast<std::uint16_t>(16 + sets.size()));
  put_be32(d, static_cast<std::uint32_t>(kReceived / kNsPerSecond));
  put_be32(d, 0);  // sequence: data records sent before
  put_be32(d, 1);  // observation domain
  return d + sets;
}
std::string ipfix_template_set() {
  std::string s;
  put_be16(s, 2);   // template set
  put_be16(s, 24);  // length
  put_be16(s, 256);
  put_be16(s, 4);
  for (const std::uint16_t ie : {8, 12, 7, 11}) {  // sourceIPv4Address, destinationIPv4Address, ports
    put_be16(s, ie);
    put_be16(s, ie == 8 || ie == 12 ? 4 : 2);
  }
  return s;
}
std::string ipfix_data_set() {
  std::string s;
  put_be16(s, 256);
  put_be16(s, 16);
  put_ip(s, "10.1.1.1");
  put_ip(s, "10.2.2.2");
  put_be16(s, 12345);
  put_be16(s, 8080);
  return s;
}

TEST_CASE("LogPipeline counts a template-only IPFIX datagram as parsed and data without a template as failed",
          "[logs]") {
  Fixture fx;
  std::vector<ingest::ReceivedMessage> batch;
  batch.push_back(message(kNetflow, ipfix(ipfix_template_set())));
  batch.push_back(message(kNetflow, ipfix(ipfix_data_set())));
  ingest::ReceivedMessage other = message(kNetflow, ipfix(ipfix_data_set()));
  other.sender_port = 51515;  // another exporter: templates are per exporter
  batch.push_back(std::move(other));
  REQUIRE(fx.queue().try_push(batch) == 3);
  fx.pipeline().start();
  fx.pipeline().stop();
  const TelemetrySnapshot s = fx.pipeline().snapshot();
  CHECK(s.received == 3);
  CHECK(s.events == 1);
  CHECK(s.flows == 1);
  CHECK(s.raw == 0);
  CHECK(s.netflow_packets == 3);
  CHECK(s.netflow_templates == 1);
  CHECK(s.netflow_missing_template == 1);
  REQUIRE(s.listeners.size() == 3);
  CHECK(s.listeners[1].parsed == 2);
  CHECK(s.listeners[1].failed == 1);
  CHECK(s.listeners[1].records == 1);
  CHECK(fx.count("", search::kSessionKindTerm) == 1);
  CHECK(fx.count("", search::kLogKindTerm) == 0);
  const std::string flow = fx.only_hit("destination.port:8080", search::kSessionKindTerm);
  CHECK(contains(flow, R"("source":{"ip":"10.1.1.1","port":12345})"));
  CHECK(contains(flow, R"("parser":"ipfix")"));
}

TEST_CASE("LogPipeline::open names the listener whose parser chain is bad", "[logs]") {
  test::TempDir dir;
  ingest::MessageQueue q(16);
  telemetry::Logger log(telemetry::LogLevel::error);
  LogPipelineOptions o;
  o.receivers = receivers();
  o.receivers.listeners[0].parsers = {"pattern:missing"};
  o.shards.dir = dir.file("search");
  auto p = LogPipeline::open(std::move(o), q, nullptr, log);
  REQUIRE_FALSE(p);
  CHECK(contains(p.error().message, "listener syslog-udp"));
  CHECK(contains(p.error().message, "missing"));
}

}  // namespace
}  // namespace opensoc::logs
