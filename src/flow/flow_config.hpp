#pragma once
/// Flow table settings, filled by src/config from the `flow:` section.
#include <cstdint>

namespace opensoc::flow {

struct FlowTimeouts {
  std::uint32_t tcp_established_s = 3600;  ///< idle timeout of an established TCP flow
  std::uint32_t tcp_transitory_s = 60;     ///< idle timeout while opening or closing
  std::uint32_t tcp_closed_s = 10;         ///< linger after FIN/FIN or RST, to absorb stray packets
  std::uint32_t udp_s = 180;
  std::uint32_t icmp_s = 30;
  std::uint32_t other_s = 60;
};

struct FlowConfig {
  std::uint32_t table_size = 1u << 20;     ///< flows per worker, preallocated
  FlowTimeouts timeouts;
  std::uint32_t active_timeout_s = 300;    ///< long flows emit an interim record this often (0 = never)
};

}  // namespace opensoc::flow
