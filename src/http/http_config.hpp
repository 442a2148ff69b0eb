#pragma once
/// HTTP server settings, filled by src/config from the `http:` section.
#include <cstdint>
#include <string>

namespace opensoc::http {

/// TLS for the API and console (Beast over OpenSSL): TLS 1.2 and 1.3 only.
struct HttpTlsConfig {
  bool enabled = false;
  std::string cert_file;       ///< PEM chain, leaf first
  std::string key_file;        ///< PEM private key
  /// When set, clients may present a certificate signed by this CA; the
  /// verified subject and fingerprint reach the handler (auth maps them to
  /// a user). require_client_cert: a client without one fails the handshake.
  std::string client_ca_file;
  bool require_client_cert = false;
};

struct HttpConfig {
  std::string listen_address = "127.0.0.1";  ///< nothing listens beyond loopback unless configured
  std::uint16_t listen_port = 8080;
  std::uint32_t max_connections = 256;
  std::uint32_t request_timeout_s = 30;
  std::uint32_t max_header_bytes = 16384;
  std::uint32_t max_body_bytes = 1u << 20;
  HttpTlsConfig tls;
};

}  // namespace opensoc::http
