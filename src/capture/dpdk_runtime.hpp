#pragma once
/// DpdkRuntime: owns the DPDK environment of the process: the EAL, the
/// configured ports, one mbuf pool and one DpdkQueueSource per RX queue, and
/// the worker lcores that poll them. Built and destroyed by the control
/// thread (the EAL main lcore); the sources are then polled by the workers.
///
/// The EAL can be initialised once per process: after a DpdkRuntime has been
/// destroyed (rte_eal_cleanup), start() cannot succeed again in that process.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "capture/capture_config.hpp"
#include "capture/dpdk_queue_source.hpp"
#include "capture/packet_source.hpp"
#include "opensoc/core/result.hpp"

struct rte_mempool;  // DPDK types stay out of our headers (STYLE.md 7)

namespace opensoc::capture {

/// Counters of one RX queue as the device keeps them (rte_eth_stats
/// q_ipackets / q_ibytes). Only the first RTE_ETHDEV_QUEUE_STAT_CNTRS (16)
/// queues of a port have them.
struct QueueStats {
  std::uint64_t packets = 0;
  std::uint64_t bytes = 0;
};

/// Device counters of one port (rte_eth_stats_get).
struct PortStats {
  std::string device;             ///< configured device name
  std::uint16_t port_id = 0;      ///< DPDK port id
  std::uint16_t rx_queues = 0;
  std::uint64_t ipackets = 0;     ///< frames received
  std::uint64_t ibytes = 0;
  std::uint64_t imissed = 0;      ///< frames the device dropped (RX ring full)
  std::uint64_t ierrors = 0;      ///< erroneous frames
  std::uint64_t rx_nombuf = 0;    ///< RX mbuf allocation failures
  std::vector<QueueStats> queues; ///< per RX queue, in queue order
};

class DpdkRuntime {
 public:
  /// Initialises the EAL (argv: program_name, "-l" main_lcore+worker_lcores,
  /// "--main-lcore" main_lcore, then config.eal_args), resolves each port by
  /// name (a vdev name or a PCI address), creates one mbuf pool per RX queue,
  /// configures and starts the ports in promiscuous mode with no offload that
  /// changes frame bytes (no VLAN strip; QinQ tags survive), RSS with a
  /// symmetric Toeplitz key when a port has more than one RX queue, and the
  /// RX timestamp offload where the PMD's timestamp unit is known (see
  /// TimestampMode). Queues are dealt to workers round-robin in (port, queue)
  /// order.
  ///
  /// Control thread only; blocks while the EAL and the devices start.
  /// Errors name the device and the DPDK error. Everything already set up is
  /// torn down again on error, but the EAL cannot be re-initialised in this
  /// process afterwards.
  static Result<std::unique_ptr<DpdkRuntime>> start(const CaptureConfig& config,
                                                    const std::string& program_name);

  /// Waits for launched workers (they must have been told to stop, or this
  /// blocks until they return), stops and closes the ports, frees the pools
  /// and cleans up the EAL. Control thread only.
  ~DpdkRuntime();
  DpdkRuntime(const DpdkRuntime&) = delete;
  DpdkRuntime& operator=(const DpdkRuntime&) = delete;

  /// Number of capture workers (= config.worker_lcores.size()). Any thread.
  [[nodiscard]] std::size_t worker_count() const noexcept { return worker_lcores_.size(); }

  /// The sources (one per RX queue) that worker `w` polls, created once at
  /// start(); empty when there are more workers than queues or w is out of
  /// range. The runtime keeps ownership; the pointers stay valid until it is
  /// destroyed and may be used only by worker w (stats()/name(): any thread).
  [[nodiscard]] std::vector<PacketSource*> sources_for_worker(std::size_t w);

  /// Every source, in (port, queue) order; for stats. Any thread.
  [[nodiscard]] std::vector<const PacketSource*> all_sources() const;

  /// Runs fn(w) on the lcore of each worker w (rte_eal_remote_launch) and
  /// returns at once. fn must return when the caller asks it to (it owns the
  /// stop flag). Control thread only; one launch at a time (wait_workers()
  /// before launching again). On error, workers already launched keep
  /// running: stop them and call wait_workers().
  Result<void> launch_workers(std::function<void(std::size_t)> fn);

  /// Blocks until every launched worker has returned (rte_eal_mp_wait_lcore).
  /// Control thread only.
  void wait_workers();

  /// Device counters of every port, in config order. Any thread; a few
  /// microseconds per port (the PMD may read device registers).
  [[nodiscard]] std::vector<PortStats> port_stats() const;

 private:
  struct Port {
    std::string device;
    std::uint16_t port_id = 0;
    std::uint16_t rx_queues = 0;
    bool started = false;
    bool configured = false;
  };
  struct WorkerLaunch {
    DpdkRuntime* runtime = nullptr;
    std::size_t worker = 0;
  };

  DpdkRuntime() = default;
  Result<void> setup_port(const CaptureConfig& config, std::size_t index);
  static int worker_entry(void* arg);
  void teardown() noexcept;

  std::vector<std::uint32_t> worker_lcores_;
  std::vector<Port> ports_;
  std::vector<rte_mempool*> pools_;
  std::vector<std::unique_ptr<DpdkQueueSource>> sources_;   // (port, queue) order
  std::vector<std::vector<PacketSource*>> worker_sources_;  // index: worker
  std::vector<WorkerLaunch> launches_;
  std::function<void(std::size_t)> worker_fn_;
  bool eal_initialised_ = false;
  bool workers_running_ = false;
};

}  // namespace opensoc::capture
