#pragma once
// ListenerState: what one configured listener shares with its sockets and
// connections: its config, the queue, and the counters that stats() reads.
// Owned by TelemetryReceivers and outlives the io_context, so a connection
// being destroyed at shutdown can still count itself out. Counters are
// written by the receive thread only and read from any thread.
#include <atomic>
#include <cstdint>
#include <memory>

#include "ingest/message_queue.hpp"
#include "ingest/receivers_config.hpp"
#include "ingest/telemetry_receivers.hpp"

namespace boost::asio::ssl {
class context;
}

namespace opensoc::ingest {

struct ListenerCounters {
  std::atomic<std::uint64_t> messages{0};
  std::atomic<std::uint64_t> bytes{0};
  std::atomic<std::uint64_t> dropped_queue{0};
  std::atomic<std::uint64_t> dropped_socket{0};
  std::atomic<std::uint64_t> truncated{0};
  std::atomic<std::uint64_t> framing_errors{0};
  std::atomic<std::uint64_t> connections{0};
  std::atomic<std::uint64_t> connections_open{0};
  std::atomic<std::uint64_t> connections_refused{0};
  std::atomic<std::uint64_t> tls_failures{0};
  std::atomic<std::uint64_t> paused{0};
};

/// Adds `n` to a counter; relaxed because readers only need a recent value.
inline void count(std::atomic<std::uint64_t>& counter, std::uint64_t n = 1) noexcept {
  counter.fetch_add(n, std::memory_order_relaxed);
}

struct ListenerState {
  ListenerState(const ListenerConfig& cfg, std::uint16_t idx, MessageQueue& q);
  ~ListenerState();
  ListenerState(const ListenerState&) = delete;
  ListenerState& operator=(const ListenerState&) = delete;

  ListenerConfig config;
  std::uint16_t index;  ///< ReceivedMessage::listener
  MessageQueue& queue;
  std::uint16_t bound_port = 0;  ///< set by start() before the thread runs
  /// Framing after the protocol's rules (JSON lines are always newline).
  TcpFraming framing = TcpFraming::automatic;
  std::unique_ptr<boost::asio::ssl::context> tls;  ///< transport tls only
  ListenerCounters counters;

  [[nodiscard]] ListenerStats snapshot() const;
};

}  // namespace opensoc::ingest
