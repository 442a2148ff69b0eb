#pragma once
/// Capture settings, filled by src/config from the `capture:` section.
#include <cstdint>
#include <string>
#include <vector>

namespace opensoc::capture {

/// One DPDK port to capture from.
struct PortConfig {
  std::string device;                 ///< DPDK device name or PCI address ("net_pcap0", "0000:01:00.0")
  std::uint16_t rx_queues = 1;        ///< RX queues; >1 enables RSS with a symmetric key
  std::uint16_t rx_descriptors = 1024;///< descriptors per RX queue
  bool promiscuous = true;
};

struct CaptureConfig {
  std::vector<std::string> eal_args;  ///< extra EAL arguments (vdevs, --no-huge, -m, --file-prefix …)
  std::uint32_t main_lcore = 0;       ///< lcore of the control thread (HTTP, stats)
  std::vector<std::uint32_t> worker_lcores{1};  ///< one capture worker per lcore; queues are dealt round-robin
  std::vector<PortConfig> ports;
  std::uint32_t mbufs_per_queue = 4095;  ///< mbuf pool size per RX queue
  std::uint16_t burst_size = 32;      ///< packets per rte_eth_rx_burst, at most 64
  std::uint32_t mbuf_data_size = 2048;  ///< packet bytes per mbuf; raise for jumbo frames on PMDs without scatter (af_packet)
};

}  // namespace opensoc::capture
