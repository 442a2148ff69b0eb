#pragma once
/// HttpServer: the daemon's HTTP/1.1 listener (Boost.Beast on Asio). It owns
/// sockets, parsing, limits and timeouts, and hands each well-formed request
/// to a handler function as a plain api::Request; it never sees what the API
/// does. Malformed requests are answered 4xx here and the connection closed.
///
/// Threading: start() binds and listens on the calling thread;
/// serve_until_signal() runs the event loop on the calling thread until
/// SIGINT/SIGTERM or stop(). The handler runs on that thread, and so does a
/// response's BodyStream (pulled one piece per completed socket write).
#include <cstdint>
#include <functional>
#include <memory>

#include "api/http_types.hpp"
#include "http/http_config.hpp"
#include "opensoc/core/result.hpp"

namespace opensoc::http {

class HttpServer {
 public:
  using Handler = std::function<api::Response(const api::Request&)>;

  /// Binds config.listen_address:listen_port (port 0 picks a free one).
  static Result<std::unique_ptr<HttpServer>> start(const HttpConfig& config, Handler handler);
  ~HttpServer();

  /// Serves until a SIGINT or SIGTERM arrives (returns its number) or stop()
  /// is called (returns 0).
  int serve_until_signal();
  /// Runs `on_hangup` on the serving thread at each SIGHUP (reload), until
  /// serving stops. Call before serve_until_signal().
  void on_hangup(std::function<void()> on_hangup);
  /// Any thread.
  void stop();
  /// Loads config.tls's certificate, key and client CA again (SIGHUP). New
  /// connections use the new ones; open connections keep theirs. On error
  /// the old context stays and the error says which file failed. Call on the
  /// serving thread (e.g. from on_hangup) or before serving.
  Result<void> reload_tls();
  /// The port actually bound.
  [[nodiscard]] std::uint16_t port() const;

  struct Impl;

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace opensoc::http
