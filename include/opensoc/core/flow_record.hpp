#pragma once
/// FlowRecord: the compact summary of one flow (a session at L4) that leaves a
/// capture worker when the flow ends, or periodically for long flows. Plain
/// value type, copied through the worker's SPSC ring to the consumer thread.
///
/// Direction: "source" is the side that sent the flow's first packet seen
/// (for TCP, the SYN sender when the handshake was seen), as in ECS.
#include <cstdint>
#include <string_view>

#include "opensoc/core/ip_address.hpp"
#include "opensoc/core/time.hpp"

namespace opensoc {

enum class FlowEndReason : std::uint8_t {
  active = 0,        ///< flow still open (periodic record of a long flow)
  fin,               ///< TCP FIN seen from both sides
  rst,               ///< TCP RST
  idle_timeout,      ///< no packet for the protocol's idle timeout
  memory_pressure,   ///< evicted because the flow table was full
  shutdown,          ///< capture stopped with the flow open
};

constexpr std::string_view end_reason_name(FlowEndReason r) noexcept {
  switch (r) {
    case FlowEndReason::active: return "active";
    case FlowEndReason::fin: return "fin";
    case FlowEndReason::rst: return "rst";
    case FlowEndReason::idle_timeout: return "idle_timeout";
    case FlowEndReason::memory_pressure: return "memory_pressure";
    case FlowEndReason::shutdown: return "shutdown";
  }
  return "unknown";
}

/// TCP connection state as far as a passive observer can tell.
enum class TcpState : std::uint8_t {
  none = 0,        ///< not TCP
  syn_sent,        ///< SYN seen
  syn_received,    ///< SYN-ACK seen
  established,     ///< handshake done, or data seen mid-stream
  closing,         ///< FIN seen from one side
  closed,          ///< FIN from both sides, or RST
};

constexpr std::string_view tcp_state_name(TcpState s) noexcept {
  switch (s) {
    case TcpState::none: return "none";
    case TcpState::syn_sent: return "syn_sent";
    case TcpState::syn_received: return "syn_received";
    case TcpState::established: return "established";
    case TcpState::closing: return "closing";
    case TcpState::closed: return "closed";
  }
  return "unknown";
}

struct FlowRecord {
  std::uint64_t flow_id = 0;       ///< unique per worker and run: (worker << 48) | sequence
  IpAddress src_ip;
  IpAddress dst_ip;
  std::uint16_t src_port = 0;      ///< ICMP: type of the first packet
  std::uint16_t dst_port = 0;      ///< ICMP: code of the first packet
  std::uint8_t ip_proto = 0;       ///< IANA protocol number
  std::uint16_t vlan = 0;          ///< outermost VLAN id, 0 when untagged
  std::uint16_t inner_vlan = 0;    ///< second VLAN id (QinQ), 0 when absent
  std::uint16_t worker = 0;        ///< capture worker that owned the flow

  TimestampNs first_ts = 0;
  TimestampNs last_ts = 0;
  std::uint64_t src_packets = 0;   ///< packets source -> destination
  std::uint64_t dst_packets = 0;   ///< packets destination -> source
  std::uint64_t src_bytes = 0;     ///< frame bytes (wire length) source -> destination
  std::uint64_t dst_bytes = 0;

  std::uint8_t src_tcp_flags = 0;  ///< OR of TCP flags sent by the source
  std::uint8_t dst_tcp_flags = 0;
  TcpState tcp_state = TcpState::none;
  FlowEndReason end_reason = FlowEndReason::active;
};

}  // namespace opensoc
