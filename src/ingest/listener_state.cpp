// ListenerState: per-listener config and counters (written by the receive
// thread, snapshotted by stats() on any thread).
#include "ingest/listener_state.hpp"

#include <boost/asio/ssl/context.hpp>

namespace opensoc::ingest {
ListenerState::ListenerState(const ListenerConfig& cfg, std::uint16_t idx, MessageQueue& q)
    : config(cfg),
      index(idx),
      queue(q),
      framing(cfg.protocol == ListenerProtocol::json ? TcpFraming::newline : cfg.framing) {}

ListenerState::~ListenerState() = default;

ListenerStats ListenerState::snapshot() const {
  constexpr auto r = std::memory_order_relaxed;
  ListenerStats s;
  s.name = config.name;
  s.protocol = listener_protocol_name(config.protocol);
  s.transport = listener_transport_name(config.transport);
  s.address = config.address;
  s.port = bound_port;
  s.messages = counters.messages.load(r);
  s.bytes = counters.bytes.load(r);
  s.dropped_queue = counters.dropped_queue.load(r);
  s.dropped_socket = counters.dropped_socket.load(r);
  s.truncated = counters.truncated.load(r);
  s.framing_errors = counters.framing_errors.load(r);
  s.connections = counters.connections.load(r);
  s.connections_open = counters.connections_open.load(r);
  s.connections_refused = counters.connections_refused.load(r);
  s.tls_failures = counters.tls_failures.load(r);
  s.paused = counters.paused.load(r);
  return s;
}

}  // namespace opensoc::ingest
