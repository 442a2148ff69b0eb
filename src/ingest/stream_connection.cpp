// StreamConnection: framing and back-pressure for one TCP/TLS connection.
// Runs on the receive thread ("opensoc-recv").
#include "ingest/stream_connection.hpp"

#include <utility>

#include <boost/asio/ssl.hpp>

#include "opensoc/core/time.hpp"

namespace opensoc::ingest {
namespace {

namespace asio = boost::asio;

constexpr std::size_t kReadChunk = 64 * 1024;
// The queue drains in well under a millisecond when its consumer runs; a
// short retry keeps a paused sender's latency low without spinning.
constexpr auto kRetryDelay = std::chrono::milliseconds(1);

asio::ip::tcp::socket& tcp_of(TcpStream& s) { return s; }
asio::ip::tcp::socket& tcp_of(TlsStream& s) { return s.next_layer(); }

}  // namespace

template <class Stream>
StreamConnection<Stream>::StreamConnection(Stream stream, ListenerState& state, IpAddress peer, std::uint16_t peer_port)
    : stream_(std::move(stream)),
      state_(state),
      peer_(peer),
      peer_port_(peer_port),
      framer_(state.framing, state.config.max_message_bytes),
      retry_timer_(tcp_of(stream_).get_executor()),
      idle_timer_(tcp_of(stream_).get_executor()),
      buffer_(kReadChunk),
      last_activity_(std::chrono::steady_clock::now()) {
  count(state_.counters.connections);
  count(state_.counters.connections_open);
}

template <class Stream>
StreamConnection<Stream>::~StreamConnection() {
  state_.counters.connections_open.fetch_sub(1, std::memory_order_relaxed);
}

template <class Stream>
void StreamConnection<Stream>::start() {
  arm_idle_timer();
  if constexpr (std::is_same_v<Stream, TlsStream>) {
    stream_.async_handshake(asio::ssl::stream_base::server,
                            [self = this->shared_from_this()](const boost::system::error_code& ec) {
                              if (self->closed_) return;
                              if (ec) {
                                count(self->state_.counters.tls_failures);
                                self->close();
                                return;
                              }
                              self->last_activity_ = std::chrono::steady_clock::now();
                              self->read();
                            });
  } else {
    read();
  }
}

template <class Stream>
void StreamConnection<Stream>::read() {
  if (closed_) return;
  stream_.async_read_some(asio::buffer(buffer_),
                          [self = this->shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
                            self->on_read(ec, n);
                          });
}

template <class Stream>
void StreamConnection<Stream>::on_read(const boost::system::error_code& ec, std::size_t n) {
  if (closed_) return;
  last_activity_ = std::chrono::steady_clock::now();
  const std::size_t first_new = pending_.size();
  if (n > 0 && framer_.feed(std::string_view(buffer_.data(), n), pending_) == FramingStatus::error) {
    // The stream cannot be split any more: deliver what came before, then close.
    count(state_.counters.framing_errors);
    close_after_delivery_ = true;
  }
  if (ec) {
    // EOF, a reset, or a TLS peer that closed without close_notify: the
    // frame in progress is all the sender will ever send of it.
    if (ec != asio::error::operation_aborted) framer_.finish(pending_);
    close_after_delivery_ = true;
  }
  const TimestampNs now = wall_clock_ns();
  std::uint64_t truncated = 0;
  for (std::size_t i = first_new; i < pending_.size(); ++i) {
    ReceivedMessage& m = pending_[i];
    m.listener = state_.index;
    m.received = now;
    m.sender = peer_;
    m.sender_port = peer_port_;
    truncated += m.truncated ? 1 : 0;
  }
  count(state_.counters.truncated, truncated);
  deliver();
}

template <class Stream>
void StreamConnection<Stream>::deliver() {
  if (closed_) return;
  if (!pending_.empty()) {
    std::uint64_t offered = 0;
    for (const auto& m : pending_) offered += m.bytes.size();
    const std::size_t taken = state_.queue.try_push(pending_);
    std::uint64_t left = 0;
    for (const auto& m : pending_) left += m.bytes.size();
    count(state_.counters.messages, taken);
    count(state_.counters.bytes, offered - left);
  }
  if (!pending_.empty()) {
    if (!paused_) {
      paused_ = true;
      count(state_.counters.paused);
    }
    retry_timer_.expires_after(kRetryDelay);
    retry_timer_.async_wait([self = this->shared_from_this()](const boost::system::error_code& ec) {
      if (!ec) self->deliver();
    });
    return;
  }
  paused_ = false;
  if (close_after_delivery_) {
    close();
  } else {
    read();
  }
}

template <class Stream>
void StreamConnection<Stream>::arm_idle_timer() {
  const auto idle = std::chrono::seconds(state_.config.idle_timeout_s);
  idle_timer_.expires_at(last_activity_ + idle);
  idle_timer_.async_wait([self = this->shared_from_this(), idle](const boost::system::error_code& ec) {
    if (ec || self->closed_) return;
    // A paused connection is waiting for us, not silent.
    if (!self->paused_ && std::chrono::steady_clock::now() - self->last_activity_ >= idle) {
      self->close();
      return;
    }
    if (self->paused_) self->last_activity_ = std::chrono::steady_clock::now();
    self->arm_idle_timer();
  });
}

template <class Stream>
void StreamConnection<Stream>::close() {
  if (closed_) return;
  closed_ = true;
  retry_timer_.cancel();
  idle_timer_.cancel();
  boost::system::error_code ignored;
  // No TLS close_notify: the peer is done or misbehaving, and waiting for its
  // answer would keep the connection alive for nothing.
  tcp_of(stream_).shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  tcp_of(stream_).close(ignored);
}

template class StreamConnection<TcpStream>;
template class StreamConnection<TlsStream>;

}  // namespace opensoc::ingest
