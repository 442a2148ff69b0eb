// TLS server contexts for the receivers (control thread, at start()).
#include "ingest/tls_server_context.hpp"

#include <string>

#include <openssl/ssl.h>

#include <boost/asio/ssl/context.hpp>

namespace opensoc::ingest {

namespace ssl = boost::asio::ssl;

Result<std::unique_ptr<ssl::context>> make_tls_server_context(const ListenerConfig& config) {
  if (config.tls_certificate.empty() || config.tls_key.empty()) {
    return Error{"transport tls needs tls_certificate and tls_key"};
  }
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
  boost::system::error_code ec;
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                       ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use,
                   ec);
  // The option bits above are deprecated in OpenSSL 3; the floor is what counts.
  if (ec || SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION) != 1) {
    return Error{"cannot restrict TLS to 1.2 and later"};
  }
  ctx->use_certificate_chain_file(config.tls_certificate, ec);
  if (ec) return Error{"certificate " + config.tls_certificate + ": " + ec.message()};
  ctx->use_private_key_file(config.tls_key, ssl::context::pem, ec);
  if (ec) return Error{"key " + config.tls_key + ": " + ec.message()};
  if (SSL_CTX_check_private_key(ctx->native_handle()) != 1) {
    return Error{"key " + config.tls_key + " does not match certificate " + config.tls_certificate};
  }
  if (!config.tls_client_ca.empty()) {
    ctx->load_verify_file(config.tls_client_ca, ec);
    if (ec) return Error{"client CA " + config.tls_client_ca + ": " + ec.message()};
    ctx->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert, ec);
    if (ec) return Error{"client CA " + config.tls_client_ca + ": " + ec.message()};
  }
  return ctx;
}

}  // namespace opensoc::ingest
