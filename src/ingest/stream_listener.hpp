#pragma once
// StreamListener: the TCP acceptor of a syslog / JSON listener over TCP or
// TLS. Accepts connections up to max_connections (refusing and counting the
// rest) and hands each to a StreamConnection. Runs on the receive thread;
// opened on the control thread before that thread starts.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "ingest/listener_state.hpp"
#include "opensoc/core/result.hpp"

namespace opensoc::ingest {

class StreamListener {
 public:
  StreamListener(boost::asio::io_context& io, ListenerState& state);
  StreamListener(const StreamListener&) = delete;
  StreamListener& operator=(const StreamListener&) = delete;

  /// Opens, binds and listens; sets state.bound_port. Error: "bind ADDR:PORT: reason".
  Result<void> open(const boost::asio::ip::tcp::endpoint& at);
  void start();

 private:
  void accept();
  void on_accept(const boost::system::error_code& ec, boost::asio::ip::tcp::socket socket);

  boost::asio::io_context& io_;
  ListenerState& state_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer backoff_;
};

}  // namespace opensoc::ingest
