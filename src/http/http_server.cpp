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
//
// TLS: with http.tls.enabled the listener speaks only TLS. Session is a
// template over its stream (beast::tcp_stream, or an ssl_stream over one), so
// limits, deadlines and streaming are the same code for both; the TLS one
// first runs a handshake under the request deadline. New connections take
// the current context (a shared_ptr that reload_tls() swaps); open ones keep
// the context they started with.
//
// Deadlines: beast::tcp_stream's expires_after() arms one absolute deadline
// for every read started until it is set again. A request's header and body
// are read under one deadline set before the first byte, so a slowloris
// trickling a byte at a time is cut off request_timeout_s after it began,
// not after its last byte.
//
// Nothing may throw out of a completion handler: an exception escaping the
// io_context would end the daemon. Handlers and response building are
// wrapped; serve_until_signal() also catches and keeps serving.
#include "http/http_server.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <exception>
#include <iterator>
#include <optional>
#include <string_view>
#include <type_traits>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "http/tls_context.hpp"

namespace opensoc::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

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
  asio::steady_timer accept_retry{ioc};
  std::function<void()> on_hangup;
  int signal_received = 0;
  // Current TLS context (null: plain HTTP). Swapped by reload_tls() on the
  // serving thread; each session holds its own reference.
  std::shared_ptr<asio::ssl::context> tls;
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

// Limits beyond the configured ones. A target longer than this is no API
// call (414); a connection is closed after this many requests so one client
// cannot hold a connection slot forever with a pipelined stream.
constexpr std::size_t kMaxTargetBytes = 8192;
constexpr unsigned kMaxRequestsPerConnection = 1000;

// Methods the API answers; anything else is refused before a handler runs.
bool is_served_method(bhttp::verb v) {
  switch (v) {
    case bhttp::verb::get:
    case bhttp::verb::head:
    case bhttp::verb::post:
    case bhttp::verb::put:
    case bhttp::verb::patch:
    case bhttp::verb::delete_:
    case bhttp::verb::options:
      return true;
    default:
      return false;
  }
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

template <typename Stream>
constexpr bool kIsTls = std::is_same_v<Stream, TlsStream>;

template <typename Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  // Plain HTTP.
  Session(tcp::socket&& socket, HttpServer::Impl& server)
    requires(!kIsTls<Stream>)
      : stream_(std::move(socket)), buffer_(server.config.max_header_bytes + 4096), server_(server) {
    init();
  }
  // TLS: keeps the context it was accepted with alive for its whole life.
  Session(tcp::socket&& socket, HttpServer::Impl& server, std::shared_ptr<asio::ssl::context> tls)
    requires(kIsTls<Stream>)
      : tls_(std::move(tls)),
        stream_(std::move(socket), *tls_),
        buffer_(server.config.max_header_bytes + 4096),
        server_(server) {
    init();
  }
  ~Session() { server_.connections.fetch_sub(1, std::memory_order_relaxed); }

  void start() {
    asio::dispatch(lowest().get_executor(), beast::bind_front_handler(&Session::begin, this->shared_from_this()));
  }

 private:
  void init() {
    server_.connections.fetch_add(1, std::memory_order_relaxed);
    beast::error_code ec;
    const auto ep = lowest().socket().remote_endpoint(ec);
    if (!ec) remote_ = ep.address().to_string();
  }

  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }

  void arm_deadline() { lowest().expires_after(std::chrono::seconds(server_.config.request_timeout_s)); }

  void begin() {
    if constexpr (kIsTls<Stream>) {
      arm_deadline();
      stream_.async_handshake(asio::ssl::stream_base::server,
                              beast::bind_front_handler(&Session::on_handshake, this->shared_from_this()));
    } else {
      read();
    }
  }

  void on_handshake(beast::error_code ec) {
    if (ec) return;  // refused protocol, bad or missing client certificate, deadline: just drop
    if constexpr (kIsTls<Stream>) {
      const ClientCertificate cert = verified_client_certificate(stream_.native_handle());
      client_subject_ = cert.subject;
      client_sha256_ = cert.sha256;
    }
    read();
  }

  void read() {
    parser_.emplace();
    parser_->header_limit(server_.config.max_header_bytes);
    parser_->body_limit(server_.config.max_body_bytes);
    // One deadline for the header and body together (see the top of file).
    arm_deadline();
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             beast::bind_front_handler(&Session::on_header, this->shared_from_this()));
  }

  // Returns true when the read ended the connection (error or peer gone).
  bool handle_read_error(beast::error_code ec) {
    if (!ec) return false;
    if (ec == bhttp::error::end_of_stream || ec == asio::error::connection_reset || ec == asio::error::eof ||
        ec == asio::ssl::error::stream_truncated) {
      close();
      return true;
    }
    if (ec == beast::error::timeout) return true;  // stream already closed by its deadline
    if (ec.category() == asio::error::get_ssl_category()) return true;  // TLS record errors: nothing to answer
    int status = 400;
    // The read buffer is sized to the header limit, so an oversized header
    // can surface as either error.
    if (ec == bhttp::error::header_limit || ec == bhttp::error::buffer_overflow) status = 431;
    if (ec == bhttp::error::body_limit) status = 413;
    reply_error(status, "malformed request: " + ec.message());
    return true;
  }

  // Everything that can be refused from the header alone is refused here,
  // before the body is read or a handler runs.
  void on_header(beast::error_code ec, std::size_t) {
    if (handle_read_error(ec)) return;
    const auto& req = parser_->get();
    // Beast already refuses anything but HTTP/1.0 and 1.1 (bad_version,
    // 400); this guards a future parser that is more lenient.
    if (req.version() != 10 && req.version() != 11) return reply_error(505, "HTTP version not supported");
    if (req.method() == bhttp::verb::unknown) return reply_error(501, "method not implemented");
    if (!is_served_method(req.method())) {
      api::Response r = api::error_response(405, "method not allowed");
      r.headers.emplace_back("Allow", "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
      return send(std::move(r), false, false);
    }
    if (req.target().size() > kMaxTargetBytes) return reply_error(414, "request target too long");
    // RFC 9112 §6.3: a request whose Transfer-Encoding does not end in
    // chunked has no reliable length (a smuggling vector): refuse and close.
    if (req.find(bhttp::field::transfer_encoding) != req.end() && !parser_->chunked()) {
      return reply_error(400, "unsupported transfer coding");
    }
    // Beast unfolds obsolete line folding to a space (RFC 9112 §5.2); this
    // guards that no CR or LF ever reaches handlers or logs.
    for (const auto& field : req) {
      if (!is_field_value(field.value())) return reply_error(400, "CR or LF in a header field");
    }
    if (parser_->is_done()) return on_read({}, 0);
    bhttp::async_read(stream_, buffer_, *parser_,
                      beast::bind_front_handler(&Session::on_read, this->shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (handle_read_error(ec)) return;
    ++requests_;
    const auto& req = parser_->get();
    api::Response resp;
    bool keep_alive = req.keep_alive() && requests_ < kMaxRequestsPerConnection;
    const bool head = req.method() == bhttp::verb::head;
    try {
      api::Request r;
      r.method = std::string(req.method_string());
      r.target = std::string(req.target());
      r.body = req.body();
      r.remote_address = remote_;
      r.headers.reserve(static_cast<std::size_t>(std::distance(req.begin(), req.end())));
      for (const auto& field : req) r.headers.emplace_back(lower(field.name_string()), std::string(field.value()));
      r.tls = kIsTls<Stream>;
      r.client_cert_subject = client_subject_;
      r.client_cert_sha256 = client_sha256_;
      std::string error;
      if (!api::parse_target(r.target, r, error)) return reply_error(400, error);
      resp = server_.handler(r);
    } catch (...) {
      // A handler bug costs this request, not the daemon; its message stays
      // out of the answer (it may name internals).
      resp = api::error_response(500, "internal error");
      keep_alive = false;
    }
    if (resp.stream) return send_streamed(std::move(resp), keep_alive, head, req.version() >= 11);
    send(std::move(resp), keep_alive, head);
  }

  void reply_error(int status, const std::string& message) { send(api::error_response(status, message), false, false); }

  void send(api::Response resp, bool keep_alive, bool head) {
    auto res = std::make_shared<bhttp::response<bhttp::string_body>>();
    try {
      set_common_fields(*res, resp);
    } catch (...) {
      // A handler-supplied field Beast cannot hold: answer without it.
      res = std::make_shared<bhttp::response<bhttp::string_body>>();
      resp = api::error_response(500, "internal error");
      set_common_fields(*res, resp);
      keep_alive = false;
    }
    res->keep_alive(keep_alive);
    const std::size_t length = resp.body.size();
    if (!head) res->body() = std::move(resp.body);
    // A 304 (or 204) has no body and, per RFC 9110 §8.6, no Content-Length of its own.
    if (resp.status != 304 && resp.status != 204) res->content_length(length);
    arm_deadline();
    bhttp::async_write(stream_, *res,
                       [self = this->shared_from_this(), res, keep_alive](beast::error_code ec, std::size_t) {
                         if (ec) return;
                         if (!keep_alive) return self->close();
                         self->read();
                       });
  }

  void close() {
    if constexpr (kIsTls<Stream>) {
      // close_notify, under a short deadline: a peer that never answers it
      // must not hold the slot. The session ends when this completes.
      lowest().expires_after(std::chrono::seconds(std::min<std::uint32_t>(server_.config.request_timeout_s, 5)));
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {
        beast::error_code ignored;
        self->lowest().socket().close(ignored);
      });
    } else {
      beast::error_code ec;
      lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
    }
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
    try {
      set_common_fields(st->header, resp);
    } catch (...) {
      return send(api::error_response(500, "internal error"), false, head);
    }
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
    arm_deadline();
    bhttp::async_write_header(stream_, *streamed_->serializer,
                              beast::bind_front_handler(&Session::on_streamed_write, this->shared_from_this()));
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
      return asio::post(lowest().get_executor(),
                        beast::bind_front_handler(&Session::pull_piece, this->shared_from_this()));
    }
    arm_deadline();
    auto done = beast::bind_front_handler(&Session::on_streamed_write, this->shared_from_this());
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
    arm_deadline();
    asio::async_write(stream_, *st.last_chunk,
                      [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
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
    lowest().socket().shutdown(tcp::socket::shutdown_both, ec);
    lowest().socket().close(ec);
  }

  std::shared_ptr<asio::ssl::context> tls_;  // before stream_: the stream refers to it
  Stream stream_;
  beast::flat_buffer buffer_;  // bounded: at most a header's worth of unparsed bytes
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::unique_ptr<StreamedResponse> streamed_;  // set while a streamed response is in flight
  HttpServer::Impl& server_;
  std::string remote_;
  std::string client_subject_;  // verified client certificate (TLS with a client CA)
  std::string client_sha256_;
  unsigned requests_ = 0;
};

// Over the limit: refuse at once, never queue. Plain HTTP gets a 503 if it
// fits the socket buffer without blocking (the serving thread must not
// wait on a client); a TLS client just sees the connection close.
void refuse_busy(tcp::socket& socket, bool tls) {
  static const std::string kBody = "{\"error\":{\"status\":503,\"message\":\"too many connections\"}}\n";
  static const std::string kBusy =
      "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nConnection: close\r\n"
      "Content-Length: " + std::to_string(kBody.size()) + "\r\n\r\n" + kBody;
  beast::error_code ec;
  if (!tls) {
    socket.non_blocking(true, ec);
    if (!ec) socket.write_some(asio::buffer(kBusy), ec);
  }
  socket.close(ec);
}

void accept(HttpServer::Impl& s) {
  s.acceptor.async_accept(asio::make_strand(s.ioc), [&s](beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted) return;
    if (ec) {
      // Out of descriptors or similar: back off instead of spinning on an
      // accept that fails at once.
      s.accept_retry.expires_after(std::chrono::milliseconds(100));
      s.accept_retry.async_wait([&s](beast::error_code wec) {
        if (!wec) accept(s);
      });
      return;
    }
    try {
      if (s.connections.load(std::memory_order_relaxed) >= s.config.max_connections) {
        refuse_busy(socket, s.tls != nullptr);
      } else if (s.tls) {
        std::make_shared<Session<TlsStream>>(std::move(socket), s, s.tls)->start();
      } else {
        std::make_shared<Session<beast::tcp_stream>>(std::move(socket), s)->start();
      }
    } catch (...) {
      // Allocation failure for one connection: drop it, keep accepting.
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
  if (config.tls.enabled) {
    auto tls = make_tls_context(config.tls);
    if (!tls) return tls.error().context("http.tls");
    impl->tls = std::move(*tls);
  }
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
    try {
      if (impl.on_hangup) impl.on_hangup();
    } catch (...) {
      // A failed reload must not end serving; the callback reports its own errors.
    }
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
  // A throw from a completion handler unwinds out of run(); the loop is
  // still intact, so keep serving rather than let it end the daemon.
  for (;;) {
    try {
      impl_->ioc.run();
      break;
    } catch (...) {
    }
  }
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

Result<void> HttpServer::reload_tls() {
  if (!impl_->config.tls.enabled) return Error{"TLS is not enabled (http.tls.enabled: false)"};
  auto tls = make_tls_context(impl_->config.tls);
  if (!tls) return tls.error().context("TLS reload failed, keeping the previous certificate");
  impl_->tls = std::move(*tls);
  return ok();
}

}  // namespace opensoc::http
