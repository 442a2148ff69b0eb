#include "pipeline/capture_worker.hpp"

#include <cstdlib>
#include <string>
#include <thread>

#include <catch2/catch.hpp>

#include "capture/pcap_file_source.hpp"

using namespace opensoc;

namespace {
std::string corpus_file(const std::string& rel) {
  const char* env = std::getenv("OPENSOC_CORPUS");
  return std::string(env != nullptr ? env : "../shared/corpus") + "/suricata-verify/tests/" + rel;
}

std::uint64_t drain(SpscRing<FlowRecord>& ring, std::uint64_t* packets = nullptr) {
  FlowRecord r;
  std::uint64_t n = 0;
  while (ring.try_pop(r)) {
    ++n;
    if (packets != nullptr) *packets += r.src_packets + r.dst_packets;
  }
  return n;
}
}  // namespace

TEST_CASE("CaptureWorker accounts every packet of a capture to flows", "[pipeline][worker]") {
  // 43 TCP packets, all IPv4 (capinfos/tshark agree on the count).
  auto src = capture::PcapFileSource::open(corpus_file("community-id-ipv4/input.pcap"));
  REQUIRE(src);
  SpscRing<FlowRecord> ring(1024);
  flow::FlowConfig fc;
  fc.table_size = 1024;
  pipeline::CaptureWorker worker(3, 7, fc, ring, pipeline::RingFullPolicy::drop);
  while (!(*src)->exhausted()) worker.poll(**src);
  worker.flush(FlowEndReason::shutdown);

  const WorkerSnapshot s = worker.snapshot();
  CHECK(s.worker == 3);
  CHECK(s.lcore == 7);
  CHECK(s.packets == 43);
  CHECK(s.bytes == 31012);
  CHECK(s.flows_active == 0);
  std::uint64_t packets_in_records = 0;
  const std::uint64_t records = drain(ring, &packets_in_records);
  CHECK(records == s.flows_created);
  CHECK(records == s.ring_records);
  CHECK(packets_in_records == 43);
  CHECK(s.ring_drops == 0);
}

TEST_CASE("CaptureWorker counts ring drops under the drop policy and loses nothing under wait", "[pipeline][worker]") {
  flow::FlowConfig fc;
  fc.table_size = 4096;
  SECTION("drop: a full ring costs records, counted") {
    auto src = capture::PcapFileSource::open(corpus_file("http-range-multiflows/input.pcap"));
    REQUIRE(src);
    SpscRing<FlowRecord> ring(2);  // smaller than the number of flows
    pipeline::CaptureWorker worker(0, 0, fc, ring, pipeline::RingFullPolicy::drop);
    while (!(*src)->exhausted()) worker.poll(**src);
    worker.flush(FlowEndReason::shutdown);
    const auto s = worker.snapshot();
    REQUIRE(s.flows_created > 2);
    CHECK(s.ring_records == 2);
    CHECK(s.ring_drops == s.flows_created - 2);
  }
  SECTION("wait: the producer waits for the consumer") {
    auto src = capture::PcapFileSource::open(corpus_file("http-range-multiflows/input.pcap"));
    REQUIRE(src);
    SpscRing<FlowRecord> ring(2);
    std::atomic<bool> done{false};
    std::uint64_t consumed = 0;
    std::thread consumer([&] {
      FlowRecord r;
      while (!done.load() || ring.size() != 0)
        if (ring.try_pop(r)) ++consumed;
    });
    pipeline::CaptureWorker worker(0, 0, fc, ring, pipeline::RingFullPolicy::wait);
    while (!(*src)->exhausted()) worker.poll(**src);
    worker.flush(FlowEndReason::shutdown);
    done = true;
    consumer.join();
    const auto s = worker.snapshot();
    CHECK(s.ring_drops == 0);
    CHECK(consumed == s.flows_created);
  }
}

TEST_CASE("CaptureWorker expires idle flows on wall time when no packets arrive", "[pipeline][worker]") {
  auto src = capture::PcapFileSource::open(corpus_file("http-range-multiflows/input.pcap"));
  REQUIRE(src);
  SpscRing<FlowRecord> ring(1024);
  flow::FlowConfig fc;
  fc.table_size = 1024;
  fc.timeouts.tcp_established_s = 5;
  fc.timeouts.tcp_transitory_s = 5;
  fc.timeouts.tcp_closed_s = 5;
  pipeline::CaptureWorker worker(0, 0, fc, ring, pipeline::RingFullPolicy::drop);
  while (!(*src)->exhausted()) worker.poll(**src);
  const auto before = worker.snapshot();
  REQUIRE(before.flows_active > 0);
  const TimestampNs t0 = 2'000'000'000'000'000'000;
  worker.on_idle(t0);                      // starts the idle clock
  worker.on_idle(t0 + 4 * kNsPerSecond);   // not yet
  CHECK(worker.snapshot().flows_active == before.flows_active);
  worker.on_idle(t0 + 20 * kNsPerSecond);  // past every timeout
  const auto after = worker.snapshot();
  CHECK(after.flows_active == 0);
  CHECK(after.flows_closed_shutdown == 0);
  CHECK(drain(ring) == after.flows_created);
}
