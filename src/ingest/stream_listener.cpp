// StreamListener: accepting TCP/TLS connections for the receivers. Runs on
// the receive thread ("opensoc-recv").
#include "ingest/stream_listener.hpp"

#include <chrono>
#include <memory>

#include <boost/asio/ssl/context.hpp>

#include "ingest/socket_endpoint.hpp"
#include "ingest/stream_connection.hpp"

namespace opensoc::ingest {
namespace {

namespace asio = boost::asio;

// Out of descriptors or similar: let connections close before trying again
// instead of spinning on the same error.
constexpr auto kAcceptBackoff = std::chrono::milliseconds(100);

}  // namespace

StreamListener::StreamListener(asio::io_context& io, ListenerState& state)
    : io_(io), state_(state), acceptor_(io), backoff_(io) {}

Result<void> StreamListener::open(const asio::ip::tcp::endpoint& at) {
  const std::string where = "bind " + endpoint_text(at.address().to_string(), at.port());
  boost::system::error_code ec;
  acceptor_.open(at.protocol(), ec);
  if (ec) return Error{where + ": socket: " + ec.message()};
  // A restarted daemon can rebind while old connections sit in TIME_WAIT;
  // on Linux this does not let a second listener share the port.
  acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  acceptor_.bind(at, ec);
  if (ec) return Error{where + ": " + ec.message()};
  acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Error{where + ": listen: " + ec.message()};
  state_.bound_port = acceptor_.local_endpoint(ec).port();
  return ok();
}

void StreamListener::start() { accept(); }

void StreamListener::accept() {
  acceptor_.async_accept(io_, [this](const boost::system::error_code& ec, asio::ip::tcp::socket socket) {
    on_accept(ec, std::move(socket));
  });
}

void StreamListener::on_accept(const boost::system::error_code& ec, asio::ip::tcp::socket socket) {
  if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
  if (ec) {
    backoff_.expires_after(kAcceptBackoff);
    backoff_.async_wait([this](const boost::system::error_code& e) {
      if (!e) accept();
    });
    return;
  }
  if (state_.counters.connections_open.load(std::memory_order_relaxed) >= state_.config.max_connections) {
    count(state_.counters.connections_refused);
    boost::system::error_code ignored;
    socket.close(ignored);
    accept();
    return;
  }
  boost::system::error_code peer_ec;
  const auto peer = socket.remote_endpoint(peer_ec);
  if (peer_ec) {  // reset before we got to it
    accept();
    return;
  }
  const IpAddress address = to_ip_address(peer.address());
  if (state_.tls) {
    std::make_shared<StreamConnection<TlsStream>>(TlsStream(std::move(socket), *state_.tls), state_, address,
                                                  peer.port())
        ->start();
  } else {
    std::make_shared<StreamConnection<TcpStream>>(std::move(socket), state_, address, peer.port())->start();
  }
  accept();
}

}  // namespace opensoc::ingest
