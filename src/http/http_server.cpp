// Boost.Beast HTTP server: listener, sessions, limits (see http_server.hpp).
//
// Every input here is hostile: header and body sizes are capped by the
// parser, each read and write has a deadline, the number of open connections
// is bounded, and any parse error gets a JSON 4xx before the connection is
// closed. Responses are built by the handler; this file only frames them.
#include "http/http_server.hpp"

#include <atomic>
#include <chrono>
#include <csignal>
#include <optional>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace opensoc::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

struct HttpServer::Impl {
  // Declared before the io_context: sessions still queued in it when it is
  // destroyed decrement this counter on their way out.
  std::atomic<std::uint32_t> connections{0};
  HttpConfig config;
  Handler handler;
  asio::io_context ioc{1};
  tcp::acceptor acceptor{ioc};
  asio::signal_set signals{ioc, SIGINT, SIGTERM};
  int signal_received = 0;
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, HttpServer::Impl& server)
      : stream_(std::move(socket)), buffer_(server.config.max_header_bytes + 4096), server_(server) {
    server_.connections.fetch_add(1, std::memory_order_relaxed);
    beast::error_code ec;
    const auto ep = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ = ep.address().to_string();
  }
  ~Session() { server_.connections.fetch_sub(1, std::memory_order_relaxed); }

  void start() {
    asio::dispatch(stream_.get_executor(), beast::bind_front_handler(&Session::read, shared_from_this()));
  }

 private:
  void read() {
    parser_.emplace();
    parser_->header_limit(server_.config.max_header_bytes);
    parser_->body_limit(server_.config.max_body_bytes);
    stream_.expires_after(std::chrono::seconds(server_.config.request_timeout_s));
    bhttp::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&Session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == bhttp::error::end_of_stream || ec == asio::error::connection_reset || ec == asio::error::eof) {
      return close();
    }
    if (ec == beast::error::timeout) return;  // stream already closed by its deadline
    if (ec) {
      int status = 400;
      // The read buffer is sized to the header limit, so an oversized header
      // can surface as either error.
      if (ec == bhttp::error::header_limit || ec == bhttp::error::buffer_overflow) status = 431;
      if (ec == bhttp::error::body_limit) status = 413;
      return reply_error(status, "malformed request: " + ec.message());
    }
    const auto& req = parser_->get();
    api::Request r;
    r.method = std::string(req.method_string());
    r.target = std::string(req.target());
    r.body = req.body();
    r.remote_address = remote_;
    std::string error;
    if (!api::parse_target(r.target, r, error)) return reply_error(400, error);
    api::Response resp = server_.handler(r);
    send(std::move(resp), req.keep_alive(), req.method() == bhttp::verb::head);
  }

  void reply_error(int status, const std::string& message) { send(api::error_response(status, message), false, false); }

  void send(api::Response resp, bool keep_alive, bool head) {
    auto res = std::make_shared<bhttp::response<bhttp::string_body>>();
    res->version(11);
    res->result(static_cast<unsigned>(resp.status));
    res->set(bhttp::field::server, "opensocd");
    res->set(bhttp::field::content_type, resp.content_type);
    res->set(bhttp::field::cache_control, "no-store");
    res->set("X-Content-Type-Options", "nosniff");
    for (auto& [k, v] : resp.headers) res->set(k, v);
    res->keep_alive(keep_alive);
    const std::size_t length = resp.body.size();
    if (!head) res->body() = std::move(resp.body);
    res->content_length(length);
    stream_.expires_after(std::chrono::seconds(server_.config.request_timeout_s));
    bhttp::async_write(stream_, *res,
                       [self = shared_from_this(), res, keep_alive](beast::error_code ec, std::size_t) {
                         if (ec) return;
                         if (!keep_alive) return self->close();
                         self->read();
                       });
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;  // bounded: at most a header's worth of unparsed bytes
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  HttpServer::Impl& server_;
  std::string remote_;
};

void accept(HttpServer::Impl& s) {
  s.acceptor.async_accept(asio::make_strand(s.ioc), [&s](beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted) return;
    if (!ec) {
      if (s.connections.load(std::memory_order_relaxed) >= s.config.max_connections) {
        // Over the limit: refuse politely and at once, do not queue.
        static const std::string kBody = "{\"error\":{\"status\":503,\"message\":\"too many connections\"}}\n";
        static const std::string kBusy =
            "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nConnection: close\r\n"
            "Content-Length: " + std::to_string(kBody.size()) + "\r\n\r\n" + kBody;
        beast::error_code wec;
        asio::write(socket, asio::buffer(kBusy), wec);
        socket.close(wec);
      } else {
        std::make_shared<Session>(std::move(socket), s)->start();
      }
    }
    accept(s);
  });
}

}  // namespace

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpServer::~HttpServer() = default;

Result<std::unique_ptr<HttpServer>> HttpServer::start(const HttpConfig& config, Handler handler) {
  auto impl = std::make_unique<Impl>();
  impl->config = config;
  impl->handler = std::move(handler);
  beast::error_code ec;
  const auto address = asio::ip::make_address(config.listen_address, ec);
  if (ec) return Error{"bad listen address '" + config.listen_address + "': " + ec.message()};
  const tcp::endpoint ep(address, config.listen_port);
  const std::string where = config.listen_address + ":" + std::to_string(config.listen_port);
  impl->acceptor.open(ep.protocol(), ec);
  if (!ec) impl->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(ep, ec);
  if (!ec) impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Error{"cannot listen on " + where + ": " + ec.message()};
  accept(*impl);
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

int HttpServer::serve_until_signal() {
  impl_->signals.async_wait([this](beast::error_code ec, int sig) {
    if (ec) return;
    impl_->signal_received = sig;
    impl_->ioc.stop();
  });
  impl_->ioc.run();
  return impl_->signal_received;
}

void HttpServer::stop() {
  asio::post(impl_->ioc, [this] { impl_->ioc.stop(); });
}

std::uint16_t HttpServer::port() const {
  beast::error_code ec;
  return impl_->acceptor.local_endpoint(ec).port();
}

}  // namespace opensoc::http
