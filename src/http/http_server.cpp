// Boost.Beast HTTP server: listener, sessions, limits (see http_server.hpp).
//
// Every input here is hostile: header and body sizes are capped by the
// parser, each read and write has a deadline, the number of open connections
// is bounded, and any parse error gets a JSON 4xx before the connection is
// closed. Responses are built by the handler; this file only frames them.
//
// A response with a BodyStream is pulled, not pushed: the header goes out,
// then one piece at a time, the next piece requested only when the previous
// write has completed. So a slow client slows the producer down instead of
// growing a buffer, and each write gets its own deadline, so a client that
// stops reading is dropped after request_timeout_s (which frees the stream).
// HTTP/1.1 gets Transfer-Encoding: chunked with trailers; HTTP/1.0 has no
// chunking, so its body simply ends where the connection closes.
#include "http/http_server.hpp"

#include <atomic>
#include <chrono>
#include <csignal>
#include <exception>
#include <optional>
#include <string_view>

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
  asio::signal_set hangups{ioc};
  std::function<void()> on_hangup;
  int signal_received = 0;
};

namespace {

bool is_token_char(char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_field_name(std::string_view name) {
  if (name.empty()) return false;
  for (const char c : name) {
    if (!is_token_char(c)) return false;
  }
  return true;
}

// CR or LF would end the field early and let the rest pose as another field.
bool is_field_value(std::string_view value) {
  return value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

void set_common_fields(bhttp::response_header<>& h, const api::Response& resp) {
  h.version(11);
  h.result(static_cast<unsigned>(resp.status));
  h.set(bhttp::field::server, "opensocd");
  h.set(bhttp::field::content_type, resp.content_type);
  h.set(bhttp::field::cache_control, "no-store");
  h.set("X-Content-Type-Options", "nosniff");
  for (const auto& [k, v] : resp.headers) h.set(k, v);
}

// One streamed response in flight on a connection. The serializer refers to
// `header` and the last chunk to `trailer`, so all of them live here together
// until the response is finished.
struct StreamedResponse {
  bhttp::response<bhttp::empty_body> header;
  std::optional<bhttp::response_serializer<bhttp::empty_body>> serializer;
  std::shared_ptr<api::BodyStream> body;  // null for HEAD
  std::vector<std::string> trailer_names;
  std::string piece;  // the one piece being written: the per-connection buffer bound
  bhttp::fields trailer;
  std::optional<bhttp::chunk_last<bhttp::fields>> last_chunk;
  bool chunked = true;
  bool keep_alive = true;
  bool body_ended = false;
};

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
    const bool head = req.method() == bhttp::verb::head;
    if (resp.stream) return send_streamed(std::move(resp), req.keep_alive(), head, req.version() >= 11);
    send(std::move(resp), req.keep_alive(), head);
  }

  void reply_error(int status, const std::string& message) { send(api::error_response(status, message), false, false); }

  void send(api::Response resp, bool keep_alive, bool head) {
    auto res = std::make_shared<bhttp::response<bhttp::string_body>>();
    set_common_fields(*res, resp);
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

  // --- streamed responses -------------------------------------------------
  // Every step below either schedules exactly one write, or ends the
  // response. A failed write (client gone, deadline passed) schedules
  // nothing, so the last reference to the session, and with it the
  // BodyStream, goes away at once.

  void send_streamed(api::Response resp, bool keep_alive, bool head, bool http11) {
    auto st = std::make_unique<StreamedResponse>();
    st->chunked = http11;
    // HTTP/1.0 has no chunking: the body's end is the connection's end.
    st->keep_alive = http11 && keep_alive;
    set_common_fields(st->header, resp);
    st->header.keep_alive(st->keep_alive);
    if (st->chunked) {
      st->header.chunked(true);
      std::string announced;
      for (const auto& name : resp.trailer_names) {
        if (!is_field_name(name)) continue;
        if (!announced.empty()) announced += ", ";
        announced += name;
        st->trailer_names.push_back(name);
      }
      if (!announced.empty()) st->header.set(bhttp::field::trailer, announced);
    }
    if (!head) st->body = std::move(resp.stream);
    st->serializer.emplace(st->header);
    streamed_ = std::move(st);
    stream_.expires_after(std::chrono::seconds(server_.config.request_timeout_s));
    bhttp::async_write_header(stream_, *streamed_->serializer,
                              beast::bind_front_handler(&Session::on_streamed_write, shared_from_this()));
  }

  void on_streamed_write(beast::error_code ec, std::size_t) {
    if (ec) {
      streamed_.reset();
      return;
    }
    if (!streamed_->body) return finish_streamed();  // HEAD
    if (streamed_->body_ended) return write_last_chunk();
    pull_piece();
  }

  void pull_piece() {
    StreamedResponse& st = *streamed_;
    st.piece.clear();
    bool more = false;
    try {
      more = st.body->next(st.piece);
    } catch (...) {
      return abort_streamed();
    }
    st.body_ended = !more;
    if (st.piece.empty()) {
      if (st.body_ended) return write_last_chunk();
      // An empty piece is not an end (a zero-size chunk would be); ask again
      // later so a producer that has nothing yet does not starve the others.
      return asio::post(stream_.get_executor(), beast::bind_front_handler(&Session::pull_piece, shared_from_this()));
    }
    stream_.expires_after(std::chrono::seconds(server_.config.request_timeout_s));
    auto done = beast::bind_front_handler(&Session::on_streamed_write, shared_from_this());
    if (st.chunked) {
      asio::async_write(stream_, bhttp::make_chunk(asio::buffer(st.piece)), std::move(done));
    } else {
      asio::async_write(stream_, asio::buffer(st.piece), std::move(done));
    }
  }

  void write_last_chunk() {
    StreamedResponse& st = *streamed_;
    if (!st.chunked) {
      streamed_.reset();
      return close();
    }
    std::vector<std::pair<std::string, std::string>> fields;
    try {
      fields = st.body->trailers();
    } catch (...) {
      return abort_streamed();
    }
    st.body.reset();  // done with it: release files and cursors before the last write
    for (const auto& [name, value] : fields) {
      bool announced = false;
      for (const auto& n : st.trailer_names) announced = announced || iequals(n, name);
      if (announced && is_field_value(value)) st.trailer.insert(name, value);
    }
    st.last_chunk.emplace(bhttp::make_chunk_last(st.trailer));
    stream_.expires_after(std::chrono::seconds(server_.config.request_timeout_s));
    asio::async_write(stream_, *st.last_chunk,
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        if (ec) {
                          self->streamed_.reset();
                          return;
                        }
                        self->finish_streamed();
                      });
  }

  void finish_streamed() {
    const bool keep_alive = streamed_->keep_alive;
    streamed_.reset();
    if (!keep_alive) return close();
    read();
  }

  // The status line is gone already, so the only honest signal left is a
  // body that stops short of its last chunk: close without one.
  void abort_streamed() {
    streamed_.reset();
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.socket().close(ec);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;  // bounded: at most a header's worth of unparsed bytes
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::unique_ptr<StreamedResponse> streamed_;  // set while a streamed response is in flight
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

namespace {
void wait_hangup(HttpServer::Impl& impl) {
  impl.hangups.async_wait([&impl](beast::error_code ec, int) {
    if (ec) return;
    if (impl.on_hangup) impl.on_hangup();
    wait_hangup(impl);
  });
}
}  // namespace

void HttpServer::on_hangup(std::function<void()> on_hangup) {
  impl_->on_hangup = std::move(on_hangup);
  impl_->hangups.add(SIGHUP);
  wait_hangup(*impl_);
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

namespace opensoc::http {
Result<void> HttpServer::reload_tls() { return Error{"TLS not built yet"}; }
}  // namespace opensoc::http
