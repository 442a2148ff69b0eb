#pragma once
/// HTTP server settings, filled by src/config from the `http:` section.
#include <cstdint>
#include <string>

namespace opensoc::http {

struct HttpConfig {
  std::string listen_address = "127.0.0.1";  ///< nothing listens beyond loopback unless configured
  std::uint16_t listen_port = 8080;
  std::uint32_t max_connections = 256;
  std::uint32_t request_timeout_s = 30;
  std::uint32_t max_header_bytes = 16384;
  std::uint32_t max_body_bytes = 1u << 20;
};

}  // namespace opensoc::http
