#pragma once
// TelemetryReceivers: the syslog / JSON-lines / NetFlow listeners (UDP, TCP
// and TLS on Boost.Asio) on their own thread, framing what they read into
// ReceivedMessages on the MessageQueue. Never on a capture core.
//
// Loss accounting, per listener: UDP datagrams the queue could not take are
// dropped and counted, and so are those the kernel dropped from the socket
// buffer (SO_RXQ_OVFL); a TCP/TLS connection whose frames do not fit stops
// reading (the kernel's window then slows the sender) and resumes when the
// queue drains, so TCP never drops.
//
// Threading: start()/stop() on the control thread; the listeners run on one
// internal thread; stats() from any thread.
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ingest/message_queue.hpp"
#include "ingest/receivers_config.hpp"
#include "opensoc/core/result.hpp"

namespace opensoc::ingest {

struct ListenerStats {
  std::string name;
  std::string protocol;   ///< "syslog" / "json" / "netflow"
  std::string transport;  ///< "udp" / "tcp" / "tls"
  std::string address;
  std::uint16_t port = 0;  ///< the bound port
  std::uint64_t messages = 0;        ///< frames read and queued
  std::uint64_t bytes = 0;           ///< payload bytes of those frames
  std::uint64_t dropped_queue = 0;   ///< UDP: the queue was full
  std::uint64_t dropped_socket = 0;  ///< UDP: the kernel dropped them (receive buffer full)
  std::uint64_t truncated = 0;       ///< frames cut at max_message_bytes
  std::uint64_t framing_errors = 0;  ///< TCP: bad octet count etc. (connection closed)
  std::uint64_t connections = 0;     ///< TCP/TLS accepted, in total
  std::uint64_t connections_open = 0;
  std::uint64_t connections_refused = 0;  ///< over max_connections
  std::uint64_t tls_failures = 0;    ///< handshakes that failed
  std::uint64_t paused = 0;          ///< TCP: times a connection stopped reading for back-pressure
};

class TelemetryReceivers {
 public:
  /// Binds every listener (Error names the listener and address on failure:
  /// port in use, bad certificate, ...) and starts the receive thread.
  static Result<std::unique_ptr<TelemetryReceivers>> start(const ReceiversConfig& config, MessageQueue& queue);
  ~TelemetryReceivers();  ///< stop()
  /// Closes the sockets and joins the thread; frames already queued stay queued.
  void stop();

  /// In config order.
  [[nodiscard]] std::vector<ListenerStats> stats() const;

 private:
  TelemetryReceivers() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace opensoc::ingest
