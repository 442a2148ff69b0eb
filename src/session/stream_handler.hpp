#pragma once
// The interfaces between a session and its application-layer handler: the
// handler gets the flow's reassembled bytes per direction and hands complete
// protocol events back through an EventEmitter, which stamps them with the
// session's identity, time and packet number. Internal to src/session.
//
// Threading: the session builder's thread (the indexer thread) only.
#include <cstdint>
#include <memory>
#include <span>

#include "opensoc/core/protocol_event.hpp"

namespace opensoc::session {

/// Direction of stream bytes: 0 = source to destination (to server), 1 = back.
inline constexpr int kToServer = 0;
inline constexpr int kToClient = 1;

class EventEmitter {
 public:
  virtual ~EventEmitter() = default;
  /// A complete protocol event. `tx_id` pairs a request with its answer (DNS).
  virtual void emit(ProtocolEventBody body, bool to_server, std::uint32_t tx_id) = 0;
};

/// One TCP session's application protocol, once detected.
class StreamHandler {
 public:
  virtual ~StreamHandler() = default;
  virtual void on_data(int direction, std::span<const std::uint8_t> data, EventEmitter& out) = 0;
  /// `bytes` of the direction were never seen (capture loss or a bound).
  virtual void on_gap(int direction, std::uint64_t bytes, EventEmitter& out) = 0;
  /// The flow ended: emit what is pending (a request without its response, a
  /// handshake without its server side).
  virtual void on_end(EventEmitter& out) = 0;
  /// Nothing more is wanted from `direction` (the handshake is over, or the
  /// parser gave up): the session stops reassembling it.
  [[nodiscard]] virtual bool done(int direction) const = 0;
  /// The protocol handed the connection over to another one (an HTTP
  /// CONNECT answered 2xx): the session detects the next bytes afresh.
  [[nodiscard]] virtual bool tunnel_started() const { return false; }
};

struct StreamBufferBudget;

struct StreamHandlerLimits {
  std::uint32_t buffer_bytes = 64 * 1024;  ///< per direction, for messages parsed whole (TLS, SSH, DNS/TCP)
  StreamBufferBudget* budget = nullptr;    ///< shared by every buffer of one builder (null: none)
};

std::unique_ptr<StreamHandler> make_http_stream();
std::unique_ptr<StreamHandler> make_tls_stream(const StreamHandlerLimits& limits);
std::unique_ptr<StreamHandler> make_ssh_stream(const StreamHandlerLimits& limits);
std::unique_ptr<StreamHandler> make_dns_tcp_stream(const StreamHandlerLimits& limits);

}  // namespace opensoc::session
