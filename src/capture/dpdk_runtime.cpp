// DPDK capture runtime: the only code in opensocd that talks to the EAL and
// ethdev (with dpdk_queue_source.cpp, the only files including rte_*.h).
//
// Start-up, on the control thread (the EAL main lcore):
//   rte_eal_init -> for each configured port: resolve the name to a port id,
//   read dev_info, choose offloads, rte_eth_dev_configure, one mbuf pool and
//   one RX queue per configured queue (plus the one TX queue most PMDs insist
//   on), promiscuous, start -> one DpdkQueueSource per RX queue, dealt to the
//   worker lcores round-robin in (port, queue) order.
//
// Capture, on each worker lcore: the pipeline's worker function, launched by
// launch_workers(), polls only its own sources (rte_eth_rx_burst is not
// thread-safe per queue, so a queue has exactly one poller). Nothing here runs
// per packet; see dpdk_queue_source.cpp for the RX loop.
//
// Frames are kept exactly as captured: no VLAN strip, no CRC or MTU games,
// only offloads that add metadata (RSS hash, RX timestamp) or let a frame
// span mbufs (scatter). RSS uses the symmetric Toeplitz key (0x6d5a repeated,
// Woo & Park 2012), so both directions of a flow land on the same queue and
// so on the same worker's flow table.
#include "capture/dpdk_runtime.hpp"

#include <algorithm>
#include <cstring>
#include <exception>
#include <string_view>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_mempool.h>

namespace opensoc::capture {
namespace {

// DPDK reports errors either as a negative errno return or via rte_errno.
Error dpdk_error(const std::string& what, int errnum) {
  if (errnum < 0) errnum = -errnum;
  return Error{what + ": " + rte_strerror(errnum) + " (" + std::to_string(errnum) + ")"};
}

// The RX timestamp dynfield has a PMD-specific unit and epoch. Only PMDs
// whose convention we have verified get the offload; all others are
// timestamped from the wall clock per burst.
TimestampMode timestamp_mode_for(std::string_view driver) {
  // net_pcap (22.11): ts_sec * 1e6 + ts_usec of the pcap record, i.e. µs
  // since the epoch, on every mbuf (verified with tools/dpdk_probe against
  // tshark's frame.time_epoch). libpcap opens the file with µs precision, so
  // a nanosecond pcap loses its sub-µs digits here.
  if (driver == "net_pcap") return TimestampMode::dynfield_micros;
  return TimestampMode::wall_clock;
}

constexpr std::uint32_t kMinFrameLen = 1518;
constexpr std::uint32_t kMaxFrameLen = 65535;  // pcap's classic snaplen; larger frames are cut + counted
constexpr std::uint16_t kJumboMtu = 9000;
constexpr std::uint16_t kDefaultRssKeyLen = 40;

}  // namespace

Result<std::unique_ptr<DpdkRuntime>> DpdkRuntime::start(const CaptureConfig& config,
                                                       const std::string& program_name) {
  // Validate before touching the EAL: it cannot be initialised twice.
  if (config.ports.empty()) return Error{"capture: no ports configured"};
  if (config.worker_lcores.empty()) return Error{"capture: no worker lcores configured"};
  for (std::size_t i = 0; i < config.worker_lcores.size(); ++i) {
    const auto lc = config.worker_lcores[i];
    if (lc == config.main_lcore)
      return Error{"capture: worker lcore " + std::to_string(lc) + " is also the main lcore"};
    if (std::count(config.worker_lcores.begin(), config.worker_lcores.end(), lc) > 1)
      return Error{"capture: worker lcore " + std::to_string(lc) + " listed twice"};
  }
  for (const auto& p : config.ports)
    if (p.rx_queues == 0) return Error{"capture: port " + p.device + ": rx_queues must be at least 1"};

  std::string lcores = std::to_string(config.main_lcore);
  for (const auto lc : config.worker_lcores) lcores += "," + std::to_string(lc);
  std::vector<std::string> args{program_name, "-l", lcores, "--main-lcore", std::to_string(config.main_lcore)};
  args.insert(args.end(), config.eal_args.begin(), config.eal_args.end());
  // rte_eal_init may permute argv, so it gets its own array of pointers.
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  std::unique_ptr<DpdkRuntime> rt(new DpdkRuntime());
  if (rte_eal_init(static_cast<int>(args.size()), argv.data()) < 0)
    return dpdk_error("capture: rte_eal_init (lcores " + lcores + ")", rte_errno);
  rt->eal_initialised_ = true;
  rt->worker_lcores_ = config.worker_lcores;
  rt->worker_sources_.resize(config.worker_lcores.size());
  rt->launches_.resize(config.worker_lcores.size());
  for (std::size_t w = 0; w < rt->launches_.size(); ++w) rt->launches_[w] = WorkerLaunch{rt.get(), w};

  for (std::size_t i = 0; i < config.ports.size(); ++i) {
    auto r = rt->setup_port(config, i);
    if (!r) return r.error().context("capture: port " + config.ports[i].device);  // ~DpdkRuntime tears down
  }

  std::size_t next_worker = 0;
  for (auto& s : rt->sources_) {
    rt->worker_sources_[next_worker].push_back(s.get());
    next_worker = (next_worker + 1) % rt->worker_sources_.size();
  }
  return rt;
}

Result<void> DpdkRuntime::setup_port(const CaptureConfig& config, std::size_t index) {
  const PortConfig& pc = config.ports[index];
  Port port;
  port.device = pc.device;
  port.rx_queues = pc.rx_queues;
  if (const int rc = rte_eth_dev_get_port_by_name(pc.device.c_str(), &port.port_id); rc != 0) {
    std::string known;
    std::uint16_t pid = 0;
    RTE_ETH_FOREACH_DEV(pid) {
      char name[RTE_ETH_NAME_MAX_LEN] = {};
      if (rte_eth_dev_get_name_by_port(pid, name) == 0) known += (known.empty() ? "" : ", ") + std::string(name);
    }
    return dpdk_error("no such DPDK device (known: " + (known.empty() ? std::string("none") : known) + ")", rc);
  }
  const std::uint16_t pid = port.port_id;
  ports_.push_back(port);
  Port& self = ports_.back();

  rte_eth_dev_info info{};
  if (const int rc = rte_eth_dev_info_get(pid, &info); rc != 0) return dpdk_error("rte_eth_dev_info_get", rc);
  if (pc.rx_queues > info.max_rx_queues)
    return Error{"rx_queues " + std::to_string(pc.rx_queues) + " exceeds the device's maximum of " +
                 std::to_string(info.max_rx_queues)};
  const std::string driver = info.driver_name != nullptr ? info.driver_name : "";

  rte_eth_conf conf{};
  std::uint64_t offloads = 0;
  if ((info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_SCATTER) != 0) {
    // Let frames larger than one mbuf arrive chained (the queue source
    // linearises them) and raise the MTU so jumbo frames are not dropped.
    offloads |= RTE_ETH_RX_OFFLOAD_SCATTER;
    conf.rxmode.mtu = std::min<std::uint16_t>(info.max_mtu, kJumboMtu);
  }
  // Request the timestamp offload where it is advertised. net_pcap in 22.11
  // advertises no RX offload at all (requesting it fails configure) yet
  // registers the dynfield at probe and stamps every mbuf; the per-mbuf
  // dynflag check in the queue source covers both cases.
  const TimestampMode ts_mode = timestamp_mode_for(driver);
  if (ts_mode != TimestampMode::wall_clock && (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_TIMESTAMP) != 0)
    offloads |= RTE_ETH_RX_OFFLOAD_TIMESTAMP;
  conf.rxmode.offloads = offloads;

  std::vector<std::uint8_t> rss_key;
  if (pc.rx_queues > 1) {
    const std::uint64_t hf = (RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP) & info.flow_type_rss_offloads;
    if (hf != 0) {
      rss_key.resize(info.hash_key_size != 0 ? info.hash_key_size : kDefaultRssKeyLen);
      for (std::size_t k = 0; k < rss_key.size(); ++k) rss_key[k] = (k % 2 == 0) ? 0x6d : 0x5a;
      conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
      conf.rx_adv_conf.rss_conf.rss_key = rss_key.data();
      conf.rx_adv_conf.rss_conf.rss_key_len = static_cast<std::uint8_t>(rss_key.size());
      conf.rx_adv_conf.rss_conf.rss_hf = hf;
    }
    // else: the PMD spreads queues its own way (af_packet: PACKET_FANOUT).
  }

  const std::uint16_t tx_queues = info.max_tx_queues > 0 ? 1 : 0;
  if (const int rc = rte_eth_dev_configure(pid, pc.rx_queues, tx_queues, &conf); rc != 0)
    return dpdk_error("rte_eth_dev_configure (" + driver + ", " + std::to_string(pc.rx_queues) + " rx queues)", rc);
  self.configured = true;

  std::uint16_t nb_rxd = pc.rx_descriptors;
  std::uint16_t nb_txd = 64;
  if (const int rc = rte_eth_dev_adjust_nb_rx_tx_desc(pid, &nb_rxd, &nb_txd); rc != 0)
    return dpdk_error("rte_eth_dev_adjust_nb_rx_tx_desc", rc);
  if (config.mbufs_per_queue < static_cast<std::uint32_t>(nb_rxd) + config.burst_size)
    return Error{"mbufs_per_queue " + std::to_string(config.mbufs_per_queue) + " cannot fill " +
                 std::to_string(nb_rxd) + " RX descriptors plus a burst of " + std::to_string(config.burst_size)};

  int ts_offset = -1;
  std::uint64_t ts_flag = 0;
  if (ts_mode != TimestampMode::wall_clock && rte_mbuf_dyn_rx_timestamp_register(&ts_offset, &ts_flag) != 0)
    return dpdk_error("rte_mbuf_dyn_rx_timestamp_register", rte_errno);

  const int socket = rte_eth_dev_socket_id(pid);
  const std::uint32_t cache = std::min<std::uint32_t>(256, config.mbufs_per_queue / 4);
  rte_eth_rxconf rxconf = info.default_rxconf;
  rxconf.offloads = offloads;
  for (std::uint16_t q = 0; q < pc.rx_queues; ++q) {
    const std::string pool_name = "osoc_p" + std::to_string(index) + "_q" + std::to_string(q);
    rte_mempool* pool = rte_pktmbuf_pool_create(pool_name.c_str(), config.mbufs_per_queue, cache, 0,
                                                static_cast<std::uint16_t>(RTE_PKTMBUF_HEADROOM + config.mbuf_data_size),
                                                socket);
    if (pool == nullptr)
      return dpdk_error("rte_pktmbuf_pool_create " + pool_name + " (" + std::to_string(config.mbufs_per_queue) +
                            " mbufs)",
                        rte_errno);
    pools_.push_back(pool);
    if (const int rc = rte_eth_rx_queue_setup(pid, q, nb_rxd, static_cast<unsigned>(socket), &rxconf, pool); rc != 0)
      return dpdk_error("rte_eth_rx_queue_setup queue " + std::to_string(q), rc);
  }
  if (tx_queues > 0) {
    if (const int rc = rte_eth_tx_queue_setup(pid, 0, nb_txd, static_cast<unsigned>(socket), nullptr); rc != 0)
      return dpdk_error("rte_eth_tx_queue_setup", rc);
  }

  if (const int rc = rte_eth_dev_start(pid); rc != 0) return dpdk_error("rte_eth_dev_start", rc);
  self.started = true;
  if (driver == "net_af_packet") {
    // The af_packet PMD opens its socket for every interface and binds it to
    // its own only after setting up the ring (tens of milliseconds at EAL
    // init): whatever crossed any interface meanwhile (loopback included) is
    // in the ring now. Discard it: capture starts here, on this interface.
    rte_mbuf* junk[64];
    for (std::uint16_t q = 0; q < pc.rx_queues; ++q) {
      for (std::uint16_t n; (n = rte_eth_rx_burst(pid, q, junk, 64)) != 0;) rte_pktmbuf_free_bulk(junk, n);
    }
  }
  if (pc.promiscuous) {
    // Some PMDs (net_pcap on a file) have no notion of promiscuity.
    if (const int rc = rte_eth_promiscuous_enable(pid); rc != 0 && rc != -ENOTSUP)
      return dpdk_error("rte_eth_promiscuous_enable", rc);
  }

  QueueSourceParams qp;
  qp.device = pc.device;
  qp.dpdk_port_id = pid;
  qp.config_port = static_cast<std::uint16_t>(index);
  qp.burst_size = config.burst_size;
  qp.max_frame_len = std::clamp<std::uint32_t>(info.max_rx_pktlen, kMinFrameLen, kMaxFrameLen);
  qp.ts_mode = ts_mode;
  qp.ts_dynfield_offset = ts_offset;
  qp.ts_dynflag = ts_flag;
  for (std::uint16_t q = 0; q < pc.rx_queues; ++q) {
    qp.queue_id = q;
    sources_.push_back(std::make_unique<DpdkQueueSource>(qp));
  }
  return ok();
}

DpdkRuntime::~DpdkRuntime() { teardown(); }

void DpdkRuntime::teardown() noexcept {
  if (workers_running_) wait_workers();
  // Sources hand their held mbufs back before the pools go; ports are closed
  // before their pools are freed because the PMD holds mbufs in its rings.
  worker_sources_.clear();
  sources_.clear();
  for (auto& p : ports_) {
    if (p.started) rte_eth_dev_stop(p.port_id);
    if (p.configured || p.started) rte_eth_dev_close(p.port_id);
    p.started = p.configured = false;
  }
  ports_.clear();
  for (rte_mempool* pool : pools_) rte_mempool_free(pool);
  pools_.clear();
  if (eal_initialised_) {
    rte_eal_cleanup();
    eal_initialised_ = false;
  }
}

std::vector<PacketSource*> DpdkRuntime::sources_for_worker(std::size_t w) {
  if (w >= worker_sources_.size()) return {};
  return worker_sources_[w];
}

std::vector<const PacketSource*> DpdkRuntime::all_sources() const {
  std::vector<const PacketSource*> out;
  out.reserve(sources_.size());
  for (const auto& s : sources_) out.push_back(s.get());
  return out;
}

int DpdkRuntime::worker_entry(void* arg) {
  auto* launch = static_cast<WorkerLaunch*>(arg);
  // An exception must not unwind into the EAL's C thread loop.
  try {
    launch->runtime->worker_fn_(launch->worker);
  } catch (const std::exception&) {
    return -1;
  }
  return 0;
}

Result<void> DpdkRuntime::launch_workers(std::function<void(std::size_t)> fn) {
  if (workers_running_) return Error{"capture: workers already launched"};
  if (!fn) return Error{"capture: empty worker function"};
  worker_fn_ = std::move(fn);
  for (std::size_t w = 0; w < worker_lcores_.size(); ++w) {
    const int rc = rte_eal_remote_launch(&DpdkRuntime::worker_entry, &launches_[w], worker_lcores_[w]);
    if (rc != 0) {
      // Workers already launched keep running until the caller stops them
      // (waiting here could hang on the caller's stop flag); wait_workers()
      // or the destructor then collects them.
      return dpdk_error("capture: rte_eal_remote_launch on lcore " + std::to_string(worker_lcores_[w]) +
                            (w > 0 ? " (" + std::to_string(w) + " workers already running)" : std::string()),
                        rc);
    }
    workers_running_ = true;
  }
  return ok();
}

void DpdkRuntime::wait_workers() {
  if (!workers_running_) return;
  rte_eal_mp_wait_lcore();
  workers_running_ = false;
}

std::vector<PortStats> DpdkRuntime::port_stats() const {
  std::vector<PortStats> out;
  out.reserve(ports_.size());
  for (const auto& p : ports_) {
    PortStats s;
    s.device = p.device;
    s.port_id = p.port_id;
    s.rx_queues = p.rx_queues;
    rte_eth_stats st{};
    if (rte_eth_stats_get(p.port_id, &st) == 0) {
      s.ipackets = st.ipackets;
      s.ibytes = st.ibytes;
      s.imissed = st.imissed;
      s.ierrors = st.ierrors;
      s.rx_nombuf = st.rx_nombuf;
      const std::uint16_t n = std::min<std::uint16_t>(p.rx_queues, RTE_ETHDEV_QUEUE_STAT_CNTRS);
      for (std::uint16_t q = 0; q < n; ++q) s.queues.push_back(QueueStats{st.q_ipackets[q], st.q_ibytes[q]});
    }
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace opensoc::capture
