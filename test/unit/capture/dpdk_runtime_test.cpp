// Tests of DpdkRuntime + DpdkQueueSource on the net_pcap PMD (no NIC, no
// hugepages). The EAL can start once per process, so everything that needs
// it is one TEST_CASE; the configuration checks run before any EAL start.
//
// Expected values come from the oracles (capinfos -c, tshark frame.len and
// frame.time_epoch) and the frame bytes from reading the pcap files here.
#include "capture/dpdk_runtime.hpp"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

namespace opensoc::capture {
namespace {

std::string corpus_dir() {
  if (const char* env = std::getenv("OPENSOC_CORPUS"); env != nullptr && *env != '\0') return env;
#ifdef OPENSOC_SOURCE_ROOT
  return std::string(OPENSOC_SOURCE_ROOT) + "/../shared/corpus";
#else
  return (std::filesystem::path(__FILE__).parent_path() / "../../../../shared/corpus").lexically_normal().string();
#endif
}

std::string corpus_pcap(const std::string& test) {
  return corpus_dir() + "/suricata-verify/tests/" + test;
}

// The records of a classic little-endian microsecond pcap: what the PMD must
// hand over, byte for byte.
struct FileFrame {
  TimestampNs ts = 0;
  std::vector<std::uint8_t> bytes;
};

std::vector<FileFrame> read_pcap(const std::string& path) {
  INFO("corpus file " << path << " (set OPENSOC_CORPUS)");
  REQUIRE(std::filesystem::exists(path));
  std::ifstream in(path, std::ios::binary);
  const std::vector<std::uint8_t> raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto u32 = [&](std::size_t off) {
    std::uint32_t v = 0;
    std::memcpy(&v, raw.data() + off, 4);
    return v;
  };
  std::vector<FileFrame> out;
  REQUIRE(raw.size() >= 24);
  REQUIRE(u32(0) == 0xa1b2c3d4u);  // the files below are all this kind
  for (std::size_t off = 24; off + 16 <= raw.size();) {
    const std::uint32_t incl = u32(off + 8);
    FileFrame f;
    f.ts = static_cast<TimestampNs>(u32(off)) * kNsPerSecond + static_cast<TimestampNs>(u32(off + 4)) * kNsPerMicro;
    off += 16;
    REQUIRE(off + incl <= raw.size());
    f.bytes.assign(raw.begin() + static_cast<std::ptrdiff_t>(off), raw.begin() + static_cast<std::ptrdiff_t>(off + incl));
    off += incl;
    out.push_back(std::move(f));
  }
  return out;
}

struct SeenFrame {
  TimestampNs ts = 0;
  std::uint32_t wirelen = 0;
  std::uint16_t port = 0;
  std::uint16_t queue = 0;
  std::vector<std::uint8_t> bytes;
};

CaptureConfig one_port_config() {
  CaptureConfig c;
  c.main_lcore = 0;
  c.worker_lcores = {1};
  c.ports.push_back(PortConfig{"net_pcap0", 1, 512, true});
  return c;
}

}  // namespace

TEST_CASE("DpdkRuntime::start rejects a configuration without ports", "[capture][dpdk]") {
  CaptureConfig c = one_port_config();
  c.ports.clear();
  auto r = DpdkRuntime::start(c, "dpdk_runtime_test");
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message == "capture: no ports configured");
}

TEST_CASE("DpdkRuntime::start rejects a worker lcore that is the main lcore", "[capture][dpdk]") {
  CaptureConfig c = one_port_config();
  c.worker_lcores = {1, 0};
  auto r = DpdkRuntime::start(c, "dpdk_runtime_test");
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message == "capture: worker lcore 0 is also the main lcore");
}

TEST_CASE("DpdkRuntime::start rejects a worker lcore listed twice", "[capture][dpdk]") {
  CaptureConfig c = one_port_config();
  c.worker_lcores = {1, 1};
  auto r = DpdkRuntime::start(c, "dpdk_runtime_test");
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message == "capture: worker lcore 1 listed twice");
}

TEST_CASE("DpdkRuntime::start rejects a port with no RX queue", "[capture][dpdk]") {
  CaptureConfig c = one_port_config();
  c.ports[0].rx_queues = 0;
  auto r = DpdkRuntime::start(c, "dpdk_runtime_test");
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message == "capture: port net_pcap0: rx_queues must be at least 1");
}

// Port 0 replays a capture with jumbo frames (net_pcap chains them over
// 2 KiB mbufs, so they exercise the linearising path); port 1 has two RX
// queues, one file each, one of them with 802.1Q, QinQ and triple tags.
TEST_CASE("DpdkRuntime replays net_pcap files exactly: counts, bytes, tags, µs timestamps, end of file",
          "[capture][dpdk]") {
  if (geteuid() != 0) {
    WARN("skipped: DPDK needs root here");
    return;
  }
  const std::string jumbo = corpus_pcap("ethernet-eve/test.pcap");
  const std::string vlan = corpus_pcap("eve-flow-vlan-02/input.pcap");
  const std::string small = corpus_pcap("alert-testmyids-async/input.pcap");
  const std::vector<std::vector<FileFrame>> files{read_pcap(jumbo), read_pcap(vlan), read_pcap(small)};
  // capinfos -c of the three files.
  REQUIRE(files[0].size() == 132);
  REQUIRE(files[1].size() == 3);
  REQUIRE(files[2].size() == 4);

  CaptureConfig c;
  c.main_lcore = 0;
  c.worker_lcores = {1};
  c.ports.push_back(PortConfig{"net_pcap0", 1, 512, true});
  c.ports.push_back(PortConfig{"net_pcap1", 2, 512, true});
  c.mbufs_per_queue = 1023;
  c.burst_size = 32;
  // --no-shconf: no 6 MB of runtime files per run under /var/run/dpdk.
  const std::string prefix = "opensoc_unit_" + std::to_string(getpid());
  c.eal_args = {"--no-huge", "-m", "512", "--no-pci", "--no-shconf", "--file-prefix", prefix,
                "--log-level", "lib.eal:error", "--no-telemetry", "--vdev", "net_pcap0,rx_pcap=" + jumbo,
                "--vdev", "net_pcap1,rx_pcap=" + vlan + ",rx_pcap=" + small};
  auto started = DpdkRuntime::start(c, "dpdk_runtime_test");
  INFO((started.has_value() ? std::string() : started.error().message));
  REQUIRE(started.has_value());
  DpdkRuntime& rt = **started;
  struct RuntimeDirCleanup {  // the EAL leaves its (empty) runtime directory behind
    std::string dir;
    ~RuntimeDirCleanup() {
      std::error_code ec;
      std::filesystem::remove(dir, ec);
    }
  } cleanup{"/var/run/dpdk/" + prefix};

  REQUIRE(rt.worker_count() == 1);
  const std::vector<PacketSource*> sources = rt.sources_for_worker(0);
  REQUIRE(sources.size() == 3);  // dealt in (port, queue) order
  CHECK(sources[0]->name() == "net_pcap0:0");
  CHECK(sources[1]->name() == "net_pcap1:0");
  CHECK(sources[2]->name() == "net_pcap1:1");
  CHECK(rt.sources_for_worker(1).empty());
  for (const PacketSource* s : sources) CHECK_FALSE(s->exhausted());

  std::vector<std::vector<SeenFrame>> seen(3);
  std::atomic<bool> drained{false};
  std::atomic<std::uint64_t> empty_polls_after_end{0};
  std::uint64_t count_mismatches = 0;
  REQUIRE(rt.launch_workers([&](std::size_t w) {
    if (w != 0) return;
    PacketBatch batch;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    std::size_t total = 0;
    while (total < 139 && std::chrono::steady_clock::now() < deadline) {
      for (std::size_t i = 0; i < sources.size(); ++i) {
        const std::uint32_t n = sources[i]->next_batch(batch);
        if (n != batch.count) ++count_mismatches;  // no Catch2 macros off the test thread
        for (std::uint32_t k = 0; k < n; ++k) {
          const PacketView& v = batch.packets[k];
          seen[i].push_back(SeenFrame{v.ts, v.wirelen, v.port, v.queue, {v.data, v.data + v.caplen}});
        }
        total += n;
        sources[i]->release(batch);
      }
    }
    // After the end of its file a net_pcap queue only ever returns 0.
    std::uint64_t empty = 0;
    for (int round = 0; round < 1000; ++round)
      for (PacketSource* s : sources) empty += s->next_batch(batch) == 0 ? 1 : 0;
    empty_polls_after_end = empty;
    drained = true;
  }).has_value());
  rt.wait_workers();
  REQUIRE(drained);
  CHECK(empty_polls_after_end == 3000);
  CHECK(count_mismatches == 0);

  const std::uint16_t want_port[] = {0, 1, 1};
  const std::uint16_t want_queue[] = {0, 0, 1};
  for (std::size_t i = 0; i < 3; ++i) {
    INFO("source " << sources[i]->name());
    REQUIRE(seen[i].size() == files[i].size());
    std::uint64_t bytes = 0;
    for (std::size_t k = 0; k < files[i].size(); ++k) {
      INFO("frame " << k + 1);
      CHECK(seen[i][k].ts == files[i][k].ts);
      CHECK(seen[i][k].wirelen == files[i][k].bytes.size());
      CHECK(seen[i][k].port == want_port[i]);
      CHECK(seen[i][k].queue == want_queue[i]);
      CHECK(seen[i][k].bytes == files[i][k].bytes);
      bytes += files[i][k].bytes.size();
    }
    const SourceStats st = sources[i]->stats();
    CHECK(st.packets == files[i].size());
    CHECK(st.bytes == bytes);
    CHECK(st.truncated_records == 0);
    CHECK(st.nic_dropped == 0);
  }
  // tshark: sum of frame.len of the jumbo file, and its largest frame.
  CHECK(sources[0]->stats().bytes == 164607);
  std::size_t largest = 0;
  for (const auto& f : seen[0]) largest = std::max(largest, f.bytes.size());
  CHECK(largest == 16479);
  // tshark frame.time_epoch of the first and last frame: 1425669142.414189,
  // 1582421895.227934.
  CHECK(seen[0].front().ts == 1425669142414189000);
  CHECK(seen[0].back().ts == 1582421895227934000);

  const std::vector<PortStats> ports = rt.port_stats();
  REQUIRE(ports.size() == 2);
  CHECK(ports[0].device == "net_pcap0");
  CHECK(ports[0].ipackets == 132);
  CHECK(ports[0].ibytes == 164607);
  CHECK(ports[1].device == "net_pcap1");
  CHECK(ports[1].rx_queues == 2);
  REQUIRE(ports[1].queues.size() == 2);
  CHECK(ports[1].queues[0].packets == 3);
  CHECK(ports[1].queues[1].packets == 4);
  CHECK(ports[1].ipackets == 7);
  for (const auto& p : ports) {
    CHECK(p.imissed == 0);
    CHECK(p.ierrors == 0);
    CHECK(p.rx_nombuf == 0);
  }
}

}  // namespace opensoc::capture
