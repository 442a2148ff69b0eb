// Builds the listener's OpenSSL server context (see tls_context.hpp). Runs on
// the serving thread at start and at each SIGHUP reload.
//
// Policy, and why: TLS 1.0/1.1 are refused (RFC 8996); TLS 1.2 offers only
// ECDHE with AES-GCM or ChaCha20-Poly1305 (forward secrecy, AEAD), TLS 1.3
// keeps OpenSSL's defaults (all AEAD). Compression is off (CRIME) and
// client-initiated renegotiation is off (a cheap CPU-exhaustion lever).
#include "http/tls_context.hpp"

#include <array>
#include <cstdio>
#include <exception>

#include <boost/asio/ssl/context.hpp>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace opensoc::http {

namespace {

constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

// Drains OpenSSL's per-thread error queue into one line, so an error from
// one call never leaks into the message of the next.
std::string openssl_reason() {
  std::string out;
  while (const unsigned long e = ERR_get_error()) {
    std::array<char, 256> buf{};
    ERR_error_string_n(e, buf.data(), buf.size());
    if (!out.empty()) out += "; ";
    out += buf.data();
  }
  return out.empty() ? "unknown OpenSSL error" : out;
}

}  // namespace

Result<std::shared_ptr<boost::asio::ssl::context>> make_tls_context(const HttpTlsConfig& config) {
  if (config.cert_file.empty()) return Error{"http.tls.cert is not set"};
  if (config.key_file.empty()) return Error{"http.tls.key is not set"};
  ERR_clear_error();
  std::shared_ptr<boost::asio::ssl::context> ctx;
  try {
    ctx = std::make_shared<boost::asio::ssl::context>(boost::asio::ssl::context::tls_server);
  } catch (const std::exception& e) {
    return Error{std::string("cannot create a TLS context: ") + e.what()};
  }
  SSL_CTX* native = ctx->native_handle();
  if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1) {
    return Error{"cannot set TLS 1.2 as minimum: " + openssl_reason()};
  }
  SSL_CTX_set_options(native, SSL_OP_NO_SSLv2 | SSL_OP_NO_SSLv3 | SSL_OP_NO_TLSv1 | SSL_OP_NO_TLSv1_1 |
                                  SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                                  SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_SINGLE_ECDH_USE);
  if (SSL_CTX_set_cipher_list(native, kTls12Ciphers) != 1) {
    return Error{"cannot set the TLS 1.2 cipher list: " + openssl_reason()};
  }
  if (SSL_CTX_use_certificate_chain_file(native, config.cert_file.c_str()) != 1) {
    return Error{"TLS certificate " + config.cert_file + ": " + openssl_reason()};
  }
  if (SSL_CTX_use_PrivateKey_file(native, config.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    // OpenSSL checks the key against the loaded certificate here already.
    const bool mismatch = ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH;
    return Error{"TLS key " + config.key_file +
                 (mismatch ? " does not match certificate " + config.cert_file : std::string()) + ": " +
                 openssl_reason()};
  }
  if (SSL_CTX_check_private_key(native) != 1) {
    return Error{"TLS key " + config.key_file + " does not match certificate " + config.cert_file + ": " +
                 openssl_reason()};
  }
  if (!config.client_ca_file.empty()) {
    if (SSL_CTX_load_verify_locations(native, config.client_ca_file.c_str(), nullptr) != 1) {
      return Error{"TLS client CA " + config.client_ca_file + ": " + openssl_reason()};
    }
    // The CA names are sent in the CertificateRequest so clients with
    // several certificates pick the right one.
    STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(config.client_ca_file.c_str());
    if (names == nullptr) return Error{"TLS client CA " + config.client_ca_file + ": " + openssl_reason()};
    SSL_CTX_set_client_CA_list(native, names);
    int mode = SSL_VERIFY_PEER;
    if (config.require_client_cert) mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
    SSL_CTX_set_verify(native, mode, nullptr);
    // Without a session id context, OpenSSL refuses to resume sessions of
    // verified clients (the handshake fails outright).
    static constexpr unsigned char kSessionContext[] = "opensocd";
    SSL_CTX_set_session_id_context(native, kSessionContext, sizeof(kSessionContext) - 1);
  }
  ERR_clear_error();
  return ctx;
}

ClientCertificate verified_client_certificate(ssl_st* ssl) {
  ClientCertificate out;
  if (ssl == nullptr) return out;
  X509* cert = SSL_get1_peer_certificate(ssl);
  if (cert == nullptr) return out;
  // Without a client CA nothing was verified, and an unverified subject
  // must never reach the auth gate.
  if (SSL_get_verify_result(ssl) == X509_V_OK && (SSL_get_verify_mode(ssl) & SSL_VERIFY_PEER) != 0) {
    if (BIO* bio = BIO_new(BIO_s_mem())) {
      if (X509_NAME_print_ex(bio, X509_get_subject_name(cert), 0, XN_FLAG_RFC2253) >= 0) {
        char* data = nullptr;
        const long len = BIO_get_mem_data(bio, &data);
        if (len > 0 && data != nullptr) out.subject.assign(data, static_cast<std::size_t>(len));
      }
      BIO_free(bio);
    }
    std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
    unsigned int md_len = 0;
    if (X509_digest(cert, EVP_sha256(), md.data(), &md_len) == 1) {
      static constexpr char kHex[] = "0123456789abcdef";
      out.sha256.reserve(md_len * 2);
      for (unsigned int i = 0; i < md_len; ++i) {
        out.sha256.push_back(kHex[md[i] >> 4]);
        out.sha256.push_back(kHex[md[i] & 0xf]);
      }
    }
  }
  X509_free(cert);
  ERR_clear_error();
  return out;
}

}  // namespace opensoc::http
