#pragma once
// StreamConnection: one accepted TCP or TLS connection of a syslog / JSON
// listener. Reads chunks, frames them (SyslogFramer) and pushes each read's
// frames to the queue in one batch. When the queue does not take the whole
// batch the connection keeps the rest, stops reading (the kernel's receive
// window then slows the sender) and retries on a short timer: a TCP frame is
// never dropped. Lives on the receive thread, kept alive by its pending
// handlers (shared_from_this); closed on framing errors, idleness, or EOF.
#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>

#include "ingest/listener_state.hpp"
#include "ingest/syslog_framer.hpp"

namespace opensoc::ingest {

using TcpStream = boost::asio::ip::tcp::socket;
using TlsStream = boost::asio::ssl::stream<boost::asio::ip::tcp::socket>;

template <class Stream>
class StreamConnection : public std::enable_shared_from_this<StreamConnection<Stream>> {
 public:
  /// Counts itself open; `state` must outlive it.
  StreamConnection(Stream stream, ListenerState& state, IpAddress peer, std::uint16_t peer_port);
  ~StreamConnection();  ///< counts itself closed
  StreamConnection(const StreamConnection&) = delete;
  StreamConnection& operator=(const StreamConnection&) = delete;

  /// TLS: handshake first. Then reads until EOF, error, or idle timeout.
  void start();

 private:
  void read();
  void on_read(const boost::system::error_code& ec, std::size_t n);
  /// Pushes pending_; pauses on a full queue; then reads on or closes.
  void deliver();
  void arm_idle_timer();
  void close();

  Stream stream_;
  ListenerState& state_;
  IpAddress peer_;
  std::uint16_t peer_port_;
  SyslogFramer framer_;
  boost::asio::steady_timer retry_timer_;
  boost::asio::steady_timer idle_timer_;
  std::vector<char> buffer_;
  std::vector<ReceivedMessage> pending_;  // framed, not yet in the queue
  std::chrono::steady_clock::time_point last_activity_;
  bool paused_ = false;
  bool close_after_delivery_ = false;
  bool closed_ = false;
};

extern template class StreamConnection<TcpStream>;
extern template class StreamConnection<TlsStream>;

}  // namespace opensoc::ingest
