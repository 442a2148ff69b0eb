#include "flow/flow_table.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <random>
#include <vector>

#include "test_packets.hpp"

namespace opensoc::flow {
namespace {

class CountingSink final : public FlowRecordSink {
 public:
  void on_flow(const FlowRecord&) noexcept override { ++records; }
  std::uint64_t records = 0;
};

// Packets for random flows among 1M (distinct UDP 4-tuples). The packet
// itself is hot, as it is on a worker that has just decoded it; the table is
// far larger than the CPU caches, so this measures the cold-table cost:
// make_flow_key + hash + index probe + accounting + LRU move.
TEST_CASE("FlowTable per-packet cost with 1M flows and random lookups", "[.perf][flow]") {
  constexpr std::uint32_t kFlows = 1u << 20;
  constexpr std::uint32_t kPackets = 10'000'000;
  FlowConfig cfg;
  cfg.table_size = kFlows;
  CountingSink sink;
  FlowTable table(cfg, 0, sink);

  test::TestPacket pkt = make_packet(
      test::PacketSpec{.src = "10.0.0.1", .dst = "172.16.0.1", .sport = 1, .dport = 53, .proto = 17});
  const std::uint32_t a = pkt.d.src_ip_offset;
  auto send = [&](std::uint32_t flow, TimestampNs ts) {
    pkt.frame[a + 1] = static_cast<std::uint8_t>(flow >> 16);
    pkt.frame[a + 2] = static_cast<std::uint8_t>(flow >> 8);
    pkt.frame[a + 3] = static_cast<std::uint8_t>(flow);
    pkt.d.src_port = static_cast<std::uint16_t>(1024 + (flow % 50000));
    pkt.ts = ts;
    table.on_packet(pkt.view(), pkt.d);
  };

  TimestampNs ts = 1'700'000'000 * kNsPerSecond;
  const auto fill_start = std::chrono::steady_clock::now();
  for (std::uint32_t i = 0; i < kFlows; ++i) send(i, ++ts);
  const auto fill_end = std::chrono::steady_clock::now();
  REQUIRE(table.active() == kFlows);

  std::mt19937 rng(1);
  std::vector<std::uint32_t> order(kPackets);
  for (auto& o : order) o = rng() % kFlows;
  const auto start = std::chrono::steady_clock::now();
  for (std::uint32_t n = 0; n < kPackets; ++n) {
    send(order[n], ++ts);
    if ((n & 63) == 0) table.advance(ts);
  }
  const auto end = std::chrono::steady_clock::now();
  const double fill_ns = std::chrono::duration<double, std::nano>(fill_end - fill_start).count() / kFlows;
  const double ns = std::chrono::duration<double, std::nano>(end - start).count() / kPackets;
  std::printf("flow table, %u flows: insert %.1f ns/flow, random lookup+account %.1f ns/packet\n", kFlows,
              fill_ns, ns);
  CHECK(table.stats().packets.get() == std::uint64_t{kFlows} + kPackets);
  CHECK(sink.records == 0);
}

}  // namespace
}  // namespace opensoc::flow
