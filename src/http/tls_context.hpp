#pragma once
/// TlsContext: the server-side OpenSSL context of the HTTP listener, built
/// from HttpTlsConfig's files (TLS 1.2 minimum, AEAD ciphers only, no
/// compression or renegotiation), and what a finished handshake says about
/// the client's certificate.
///
/// Threading: make_tls_context() runs on the serving thread (start, SIGHUP)
/// and reads files, so it blocks briefly. A built context is shared,
/// read-only, by every connection accepted while it is current; each
/// connection keeps the context it started with alive (shared_ptr).
#include <memory>
#include <string>

#include "http/http_config.hpp"
#include "opensoc/core/result.hpp"

namespace boost::asio::ssl {
class context;
}  // namespace boost::asio::ssl

struct ssl_st;

namespace opensoc::http {

/// Builds a context from config's cert chain, key and optional client CA.
/// Errors name the file and give OpenSSL's reason (bad PEM, key that does
/// not match the certificate, unreadable file).
Result<std::shared_ptr<boost::asio::ssl::context>> make_tls_context(const HttpTlsConfig& config);

/// The verified client certificate of a finished handshake.
struct ClientCertificate {
  std::string subject;  ///< RFC 2253, e.g. "CN=alice,O=Example"
  std::string sha256;   ///< SHA-256 of the DER, lower hex
};

/// The peer's certificate when the client presented one and it verified
/// against the client CA; empty fields otherwise.
ClientCertificate verified_client_certificate(ssl_st* ssl);

}  // namespace opensoc::http
