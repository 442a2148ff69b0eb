#pragma once
// ServingTestServer: an HttpServer on 127.0.0.1 with a free port, served on a
// thread of its own for the life of the object (the plain-HTTP tests share it).
#include <cstdint>
#include <memory>
#include <thread>
#include <utility>

#include <catch2/catch.hpp>

#include "http/http_server.hpp"

namespace opensoc::test {

class ServingTestServer {
 public:
  explicit ServingTestServer(http::HttpServer::Handler handler, std::uint32_t timeout_s = 10) {
    http::HttpConfig config;
    config.listen_address = "127.0.0.1";
    config.listen_port = 0;
    config.request_timeout_s = timeout_s;
    auto started = http::HttpServer::start(config, std::move(handler));
    REQUIRE(started.has_value());
    server_ = std::move(*started);
    thread_ = std::thread([this] { server_->serve_until_signal(); });
  }
  ~ServingTestServer() {
    server_->stop();
    thread_.join();
  }
  ServingTestServer(const ServingTestServer&) = delete;
  ServingTestServer& operator=(const ServingTestServer&) = delete;
  [[nodiscard]] std::uint16_t port() const { return server_->port(); }

 private:
  std::unique_ptr<http::HttpServer> server_;
  std::thread thread_;
};

}  // namespace opensoc::test
