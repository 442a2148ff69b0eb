// StatsHistory: the ring keeps the newest samples oldest first, samples copy
// the right counters out of a StatsSnapshot, the JSON has the contract's
// shape, and the sampler samples at once, every interval, and stops at once.
#include "daemon/stats_history.hpp"

#include <catch2/catch.hpp>
#include <simdjson.h>

#include <atomic>
#include <chrono>
#include <thread>

using namespace opensoc;
using namespace opensoc::daemon;
using namespace std::chrono_literals;

namespace {

StatsSnapshot snapshot_at(TimestampNs now, std::uint64_t k) {
  StatsSnapshot s;
  s.now = now;
  PortSnapshot a;
  a.device = "net_pcap0";
  a.packets = 10 * k;
  a.bytes = 1000 * k;
  a.nic_dropped = 1;
  a.nic_errors = 2;
  a.mbuf_failures = 3;
  PortSnapshot b;
  b.device = "net_pcap1";
  b.packets = 5;
  b.bytes = 500;
  b.nic_dropped = 10;
  s.ports = {a, b};
  s.sessions.sessions = 7 * k;
  s.sessions.interim_sessions = 99;  // not a final session: not counted
  s.sessions.events = 11;
  s.detection.alerts_total = 4;
  s.detection.alerts_created = 1000;  // the store's total is what counts
  return s;
}

StatsSample at(TimestampNs t) {
  StatsSample s;
  s.time = t;
  return s;
}

}  // namespace

TEST_CASE("sample ring keeps the newest samples, oldest first, after wrapping", "[daemon][history]") {
  SampleRing ring(3);
  CHECK(ring.ordered().empty());
  ring.push(at(1));
  ring.push(at(2));
  REQUIRE(ring.size() == 2);
  CHECK(ring.ordered()[0].time == 1);
  CHECK(ring.ordered()[1].time == 2);
  for (TimestampNs t = 3; t <= 7; ++t) ring.push(at(t));
  REQUIRE(ring.size() == 3);
  const auto o = ring.ordered();
  REQUIRE(o.size() == 3);
  CHECK(o[0].time == 5);
  CHECK(o[1].time == 6);
  CHECK(o[2].time == 7);

  SampleRing one(1);
  one.push(at(1));
  one.push(at(2));
  REQUIRE(one.ordered().size() == 1);
  CHECK(one.ordered()[0].time == 2);
}

TEST_CASE("a sample copies capture, session, event and alert counters out of a snapshot", "[daemon][history]") {
  const StatsSample s = sample_of(snapshot_at(123, 2));
  CHECK(s.time == 123);
  CHECK(s.packets == 25);
  CHECK(s.bytes == 2500);
  CHECK(s.dropped == 16);
  CHECK(s.sessions == 14);
  CHECK(s.events == 11);
  CHECK(s.alerts == 4);
  REQUIRE(s.ports.size() == 2);
  CHECK(s.ports[0].device == "net_pcap0");
  CHECK(s.ports[0].packets == 20);
  CHECK(s.ports[0].bytes == 2000);
  CHECK(s.ports[0].dropped == 6);
  CHECK(s.ports[1].dropped == 10);
}

TEST_CASE("stats history JSON has the contract's shape", "[daemon][history]") {
  const TimestampNs t0 = 1'764'237'600LL * kNsPerSecond;  // 2025-11-27T10:00:00Z
  const std::vector<StatsSample> samples{sample_of(snapshot_at(t0, 1)), sample_of(snapshot_at(t0 + 10 * kNsPerSecond, 3))};
  const std::string body = stats_history_json(10s, samples);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE(parser.parse(body).get(doc) == simdjson::SUCCESS);
  std::uint64_t interval = 0;
  REQUIRE(doc["interval_s"].get(interval) == simdjson::SUCCESS);
  CHECK(interval == 10);
  simdjson::dom::array arr;
  REQUIRE(doc["samples"].get(arr) == simdjson::SUCCESS);
  REQUIRE(arr.size() == 2);
  simdjson::dom::element second = arr.at(1);
  std::string_view time;
  std::int64_t time_ns = 0;
  std::uint64_t packets = 0, bytes = 0, dropped = 0, sessions = 0, events = 0, alerts = 0;
  REQUIRE(second["time"].get(time) == simdjson::SUCCESS);
  REQUIRE(second["time_ns"].get(time_ns) == simdjson::SUCCESS);
  REQUIRE(second["packets"].get(packets) == simdjson::SUCCESS);
  REQUIRE(second["bytes"].get(bytes) == simdjson::SUCCESS);
  REQUIRE(second["dropped"].get(dropped) == simdjson::SUCCESS);
  REQUIRE(second["sessions"].get(sessions) == simdjson::SUCCESS);
  REQUIRE(second["events"].get(events) == simdjson::SUCCESS);
  REQUIRE(second["alerts"].get(alerts) == simdjson::SUCCESS);
  CHECK(time.substr(0, 20) == "2025-11-27T10:00:10.");
  CHECK(time.back() == 'Z');
  CHECK(time_ns == t0 + 10 * kNsPerSecond);
  CHECK(packets == 35);
  CHECK(bytes == 3500);
  CHECK(dropped == 16);
  CHECK(sessions == 21);
  CHECK(events == 11);
  CHECK(alerts == 4);
  simdjson::dom::array ports;
  REQUIRE(second["ports"].get(ports) == simdjson::SUCCESS);
  REQUIRE(ports.size() == 2);
  std::string_view device;
  std::uint64_t pp = 0, pb = 0, pd = 0;
  REQUIRE(ports.at(0)["device"].get(device) == simdjson::SUCCESS);
  REQUIRE(ports.at(0)["packets"].get(pp) == simdjson::SUCCESS);
  REQUIRE(ports.at(0)["bytes"].get(pb) == simdjson::SUCCESS);
  REQUIRE(ports.at(0)["dropped"].get(pd) == simdjson::SUCCESS);
  CHECK(device == "net_pcap0");
  CHECK(pp == 30);
  CHECK(pb == 3000);
  CHECK(pd == 6);

  // Sub-second intervals (tests) are fractional; no samples is an empty list.
  const std::string quick = stats_history_json(250ms, {});
  REQUIRE(parser.parse(quick).get(doc) == simdjson::SUCCESS);
  double fractional = 0;
  REQUIRE(doc["interval_s"].get(fractional) == simdjson::SUCCESS);
  CHECK(fractional == Approx(0.25));
  REQUIRE(doc["samples"].get(arr) == simdjson::SUCCESS);
  CHECK(arr.size() == 0);
}

TEST_CASE("stats history samples at start, every interval, keeps its capacity, and stops at once",
          "[daemon][history]") {
  std::atomic<std::uint64_t> calls{0};
  StatsHistory history(
      [&calls]() {
        const std::uint64_t k = ++calls;
        return snapshot_at(static_cast<TimestampNs>(k) * kNsPerSecond, k);
      },
      20ms, 4);
  history.start();
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (calls.load() < 7 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(5ms);
  history.stop();
  const std::uint64_t n = calls.load();
  REQUIRE(n >= 7);
  std::this_thread::sleep_for(60ms);
  CHECK(calls.load() == n);  // stopped: no more samples
  const auto s = history.samples();
  REQUIRE(s.size() == 4);
  // The newest four, oldest first, consecutive.
  for (std::size_t i = 0; i < 4; ++i) {
    CHECK(s[i].time == static_cast<TimestampNs>(n - 3 + i) * kNsPerSecond);
    CHECK(s[i].packets == 10 * (n - 3 + i) + 5);
  }

  api::Request req;
  req.method = "GET";
  const api::Response r = history.serve(req);
  CHECK(r.status == 200);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE(parser.parse(r.body).get(doc) == simdjson::SUCCESS);
  simdjson::dom::array arr;
  REQUIRE(doc["samples"].get(arr) == simdjson::SUCCESS);
  CHECK(arr.size() == 4);
}

TEST_CASE("stats history takes its first sample at start and stops without waiting an interval",
          "[daemon][history]") {
  std::atomic<int> calls{0};
  StatsHistory history(
      [&calls]() {
        ++calls;
        return StatsSnapshot{};  // now == 0: the sample gets the wall clock
      },
      std::chrono::hours(1), 360);
  const TimestampNs before = wall_clock_ns();
  history.start();
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (calls.load() < 1 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(1ms);
  REQUIRE(calls.load() == 1);
  const auto t0 = std::chrono::steady_clock::now();
  history.stop();
  CHECK(std::chrono::steady_clock::now() - t0 < 1s);
  CHECK(calls.load() == 1);
  const auto s = history.samples();
  REQUIRE(s.size() == 1);
  CHECK(s[0].time >= before);
  CHECK(s[0].time <= wall_clock_ns());
  history.stop();  // idempotent
}
