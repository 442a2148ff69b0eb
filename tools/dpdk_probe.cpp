// dpdk_probe: a development tool that starts the DPDK capture runtime on one
// port, runs capture workers that only count, and prints what they saw:
// packets, bytes (wire lengths), first and last timestamps, the receive rate,
// and the device counters. With --dump it also writes one line per frame
// ("ts_ns caplen wirelen fnv1a64-of-captured-bytes") so a replay can be
// compared frame by frame with tshark (test/integration/dpdk_replay_test.py).
//
// Threads: the main (control) thread starts the runtime, waits for Ctrl-C,
// --seconds or --idle-exit, then stops the workers; each worker lcore polls
// the sources the runtime dealt it.
//
// --idle-exit S stops S seconds after the last packet (once one was seen);
// --seconds S stops after S seconds in any case; --period prints the rate of
// each second. "ready" is printed once the
// workers poll, so a script can start sending.
//
//   dpdk_probe [--device net_pcap0] [--queues 1] [--workers 1] [--seconds S]
//              [--idle-exit S] [--period] [--burst 32] [--mbufs 4095] [--rxd 1024]
//              [--dump FILE] -- <EAL args, e.g. --no-huge -m 512 --no-pci
//              --file-prefix probe --vdev net_pcap0,rx_pcap=x.pcap>
#include <pthread.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include "capture/capture_config.hpp"
#include "capture/dpdk_runtime.hpp"
#include "opensoc/core/counter.hpp"

namespace {

using opensoc::capture::CaptureConfig;
using opensoc::capture::DpdkRuntime;
using opensoc::capture::PacketSource;

struct alignas(64) WorkerTally {
  opensoc::Counter packets;
  opensoc::Counter bytes;
  opensoc::Counter caplen_bytes;
  opensoc::Counter first_ts;  // as uint64
  opensoc::Counter last_ts;
};

struct Options {
  CaptureConfig capture;
  double seconds = 0;
  double idle_exit = 0;
  bool period = false;
  std::string dump_path;
};

[[noreturn]] void usage(const char* msg) {
  std::fprintf(stderr,
               "dpdk_probe: %s\nusage: dpdk_probe [--device NAME] [--queues N] [--workers L1,L2]"
               " [--seconds S] [--idle-exit S] [--period] [--burst N] [--mbufs N] [--rxd N] [--dump FILE] -- EAL-ARGS\n",
               msg);
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options o;
  opensoc::capture::PortConfig port;
  port.device = "net_pcap0";
  int i = 1;
  auto value = [&](const char* flag) -> std::string {
    if (i + 1 >= argc) usage((std::string("missing value for ") + flag).c_str());
    return argv[++i];
  };
  for (; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--") {
      ++i;
      break;
    }
    if (a == "--device") port.device = value("--device");
    else if (a == "--queues") port.rx_queues = static_cast<std::uint16_t>(std::stoul(value("--queues")));
    else if (a == "--rxd") port.rx_descriptors = static_cast<std::uint16_t>(std::stoul(value("--rxd")));
    else if (a == "--burst") o.capture.burst_size = static_cast<std::uint16_t>(std::stoul(value("--burst")));
    else if (a == "--mbufs") o.capture.mbufs_per_queue = static_cast<std::uint32_t>(std::stoul(value("--mbufs")));
    else if (a == "--seconds") o.seconds = std::stod(value("--seconds"));
    else if (a == "--idle-exit") o.idle_exit = std::stod(value("--idle-exit"));
    else if (a == "--dump") o.dump_path = value("--dump");
    else if (a == "--period") o.period = true;
    else if (a == "--workers") {
      o.capture.worker_lcores.clear();
      std::string list = value("--workers");
      std::size_t pos = 0;
      while (pos <= list.size()) {
        const std::size_t comma = list.find(',', pos);
        const std::string item = list.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
        if (!item.empty()) o.capture.worker_lcores.push_back(static_cast<std::uint32_t>(std::stoul(item)));
        if (comma == std::string::npos) break;
        pos = comma + 1;
      }
    } else {
      usage(("unknown option " + a).c_str());
    }
  }
  for (; i < argc; ++i) o.capture.eal_args.emplace_back(argv[i]);
  o.capture.ports.push_back(port);
  return o;
}

std::uint64_t fnv1a(const std::uint8_t* p, std::uint32_t n) {
  std::uint64_t h = 1469598103934665603ull;
  for (std::uint32_t k = 0; k < n; ++k) h = (h ^ p[k]) * 1099511628211ull;
  return h;
}

std::string format_ts(std::int64_t ns) {
  const std::time_t s = static_cast<std::time_t>(ns / opensoc::kNsPerSecond);
  std::tm tm{};
  gmtime_r(&s, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[96];
  std::snprintf(out, sizeof out, "%s.%09lldZ", buf, static_cast<long long>(ns % opensoc::kNsPerSecond));
  return out;
}

void count_batch(const opensoc::PacketBatch& batch, WorkerTally& t, std::FILE* dump) {
  std::uint64_t bytes = 0;
  std::uint64_t cap = 0;
  for (std::uint32_t k = 0; k < batch.count; ++k) {
    const auto& v = batch.packets[k];
    bytes += v.wirelen;
    cap += v.caplen;
    if (dump != nullptr)
      std::fprintf(dump, "%lld %u %u %016llx\n", static_cast<long long>(v.ts), v.caplen, v.wirelen,
                   static_cast<unsigned long long>(fnv1a(v.data, v.caplen)));
  }
  if (t.packets.get() == 0) t.first_ts.set(static_cast<std::uint64_t>(batch.packets[0].ts));
  t.last_ts.set(static_cast<std::uint64_t>(batch.packets[batch.count - 1].ts));
  t.packets.add(batch.count);
  t.bytes.add(bytes);
  t.caplen_bytes.add(cap);
}

}  // namespace

int main(int argc, char** argv) {
  Options opt = parse(argc, argv);

  // Block the stop signals before the EAL creates its threads (they inherit
  // the mask); the main thread then takes them with sigtimedwait.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto started = DpdkRuntime::start(opt.capture, "dpdk_probe");
  if (!started) {
    std::fprintf(stderr, "dpdk_probe: %s\n", started.error().message.c_str());
    return 1;
  }
  DpdkRuntime& rt = **started;

  std::FILE* dump = nullptr;
  if (!opt.dump_path.empty()) {
    if (rt.worker_count() != 1) {
      std::fprintf(stderr, "dpdk_probe: --dump needs exactly one worker\n");
      return 2;
    }
    dump = std::fopen(opt.dump_path.c_str(), "w");
    if (dump == nullptr) {
      std::fprintf(stderr, "dpdk_probe: cannot open %s: %s\n", opt.dump_path.c_str(), std::strerror(errno));
      return 1;
    }
  }

  std::vector<WorkerTally> tallies(rt.worker_count());
  std::atomic<bool> stop{false};
  auto launched = rt.launch_workers([&](std::size_t w) {
    std::vector<PacketSource*> sources = rt.sources_for_worker(w);
    WorkerTally& t = tallies[w];
    opensoc::PacketBatch batch;
    while (!stop.load(std::memory_order_relaxed)) {
      for (PacketSource* s : sources) {
        if (s->next_batch(batch) == 0) continue;
        count_batch(batch, t, dump);
        s->release(batch);
      }
    }
  });
  if (!launched) {
    std::fprintf(stderr, "dpdk_probe: %s\n", launched.error().message.c_str());
    return 1;
  }

  std::printf("ready\n");
  std::fflush(stdout);
  const auto t0 = std::chrono::steady_clock::now();
  auto last_change = t0;
  auto first_packet = t0;
  bool seen_any = false;
  std::uint64_t last_total = 0;
  auto last_period = t0;
  std::uint64_t period_total = 0;
  const timespec tick{0, 50'000'000};
  for (;;) {
    if (sigtimedwait(&stop_signals, nullptr, &tick) > 0) break;
    const auto now = std::chrono::steady_clock::now();
    std::uint64_t total = 0;
    for (const auto& t : tallies) total += t.packets.get();
    if (total != last_total) {
      if (!seen_any) first_packet = now;
      seen_any = true;
      last_total = total;
      last_change = now;
    }
    if (opt.period && std::chrono::duration<double>(now - last_period).count() >= 1.0) {
      const double dt = std::chrono::duration<double>(now - last_period).count();
      std::printf("period_pps %.0f\n", static_cast<double>(total - period_total) / dt);
      std::fflush(stdout);
      last_period = now;
      period_total = total;
    }
    const double run = std::chrono::duration<double>(now - t0).count();
    if (opt.seconds > 0 && run >= opt.seconds) break;
    if (opt.idle_exit > 0 && seen_any &&
        std::chrono::duration<double>(now - last_change).count() >= opt.idle_exit)
      break;
  }
  stop.store(true);
  rt.wait_workers();
  const auto t1 = std::chrono::steady_clock::now();
  if (dump != nullptr) std::fclose(dump);

  std::uint64_t packets = 0, bytes = 0, cap = 0;
  std::int64_t first = 0, last = 0;
  for (std::size_t w = 0; w < tallies.size(); ++w) {
    const auto& t = tallies[w];
    const std::uint64_t p = t.packets.get();
    if (p == 0) continue;
    const auto f = static_cast<std::int64_t>(t.first_ts.get());
    const auto l = static_cast<std::int64_t>(t.last_ts.get());
    if (packets == 0 || f < first) first = f;
    if (packets == 0 || l > last) last = l;
    packets += p;
    bytes += t.bytes.get();
    cap += t.caplen_bytes.get();
  }
  const double elapsed = std::chrono::duration<double>(t1 - t0).count();
  const double active = seen_any ? std::chrono::duration<double>(last_change - first_packet).count() : 0.0;
  std::printf("packets %llu\nbytes %llu\ncaplen_bytes %llu\n", static_cast<unsigned long long>(packets),
              static_cast<unsigned long long>(bytes), static_cast<unsigned long long>(cap));
  std::printf("first_ts %lld %s\nlast_ts %lld %s\n", static_cast<long long>(first), format_ts(first).c_str(),
              static_cast<long long>(last), format_ts(last).c_str());
  std::printf("elapsed_s %.3f\nrate_pps %.0f\n", elapsed, elapsed > 0 ? static_cast<double>(packets) / elapsed : 0.0);
  std::printf("active_s %.3f\n", active);
  for (const PacketSource* s : rt.all_sources()) {
    const auto st = s->stats();
    std::printf("source %s packets %llu bytes %llu truncated %llu\n", s->name().c_str(),
                static_cast<unsigned long long>(st.packets), static_cast<unsigned long long>(st.bytes),
                static_cast<unsigned long long>(st.truncated_records));
  }
  for (const auto& p : rt.port_stats()) {
    std::printf("port %s id %u ipackets %llu ibytes %llu imissed %llu ierrors %llu rx_nombuf %llu\n",
                p.device.c_str(), p.port_id, static_cast<unsigned long long>(p.ipackets),
                static_cast<unsigned long long>(p.ibytes), static_cast<unsigned long long>(p.imissed),
                static_cast<unsigned long long>(p.ierrors), static_cast<unsigned long long>(p.rx_nombuf));
    for (std::size_t q = 0; q < p.queues.size(); ++q)
      std::printf("  queue %zu packets %llu bytes %llu\n", q, static_cast<unsigned long long>(p.queues[q].packets),
                  static_cast<unsigned long long>(p.queues[q].bytes));
  }
  return 0;
}
