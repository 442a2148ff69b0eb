// TLS on one TCP session: the ClientHello (SNI, ALPN, JA3, JA4), the
// ServerHello (version, cipher, ALPN, JA3S) and, before TLS 1.3, the server
// certificate; one TlsEvent per session when the handshake has shown what it
// will show, or at flow end. Only the handshake's first bytes are kept.
#include <string>
#include <vector>

#include "proto/tls_certificate.hpp"
#include "proto/tls_handshake.hpp"
#include "session/stream_buffer.hpp"
#include "session/stream_handler.hpp"

namespace opensoc::session {
namespace {

class TlsStream final : public StreamHandler {
 public:
  explicit TlsStream(const StreamHandlerLimits& limits)
      : client_(limits.buffer_bytes, limits.budget), server_(limits.buffer_bytes, limits.budget), scratch_(proto::kTlsScratchBytes) {}
  // The certificate message is gathered into a larger scratch, allocated only
  // for sessions that get that far.

  void on_data(int direction, std::span<const std::uint8_t> data, EventEmitter& out) override {
    if (direction == kToServer) {
      if (client_done_) return;
      client_.append(data);
      parse_client();
    } else {
      if (server_done_) return;
      server_.append(data);
      parse_server();
    }
    if (client_done_ && server_done_) emit(out);
  }

  void on_gap(int direction, std::uint64_t, EventEmitter& out) override {
    // The handshake bytes after a hole cannot be framed: that side is over.
    if (direction == kToServer) {
      client_done_ = true;
      client_.release();
    } else {
      server_done_ = true;
      server_.release();
    }
    if (client_done_ && server_done_) emit(out);
  }

  void on_end(EventEmitter& out) override { emit(out); }

  [[nodiscard]] bool done(int direction) const override {
    return emitted_ || (direction == kToServer ? client_done_ : server_done_);
  }

 private:
  void parse_client() {
    proto::TlsClientHello hello;
    const auto st = proto::parse_tls_client_hello(client_.view(), scratch_, hello);
    if (st == proto::TlsParseStatus::truncated && !client_.overflowed()) return;
    client_done_ = true;
    if (st == proto::TlsParseStatus::ok) {
      ev_.has_client_hello = true;
      ev_.client_version = hello.legacy_version;
      ev_.sni.assign(hello.server_name);
      for (const std::string_view p : hello.alpn.view()) ev_.alpn_offered.emplace_back(p);
      const proto::Ja3Fingerprint ja3 = proto::compute_ja3(hello);
      ev_.ja3.assign(ja3.md5());
      ev_.ja3_string.assign(ja3.text());
      ev_.ja4.assign(proto::compute_ja4(hello).text());
    }
    client_.release();
  }

  void parse_server() {
    if (!server_hello_done_) {
      proto::TlsServerHello hello;
      const auto st = proto::parse_tls_server_hello(server_.view(), scratch_, hello);
      if (st == proto::TlsParseStatus::truncated && !server_.overflowed()) return;
      server_hello_done_ = true;
      if (st != proto::TlsParseStatus::ok) {
        server_done_ = true;
        server_.release();
        return;
      }
      ev_.has_server_hello = true;
      ev_.version = hello.selected_version != 0 ? hello.selected_version : hello.legacy_version;
      ev_.cipher = hello.cipher_suite;
      ev_.alpn.assign(hello.alpn);
      const proto::Ja3Fingerprint ja3s = proto::compute_ja3s(hello);
      ev_.ja3s.assign(ja3s.md5());
      ev_.ja3s_string.assign(ja3s.text());
      if (ev_.version >= 0x0304 && ev_.version != 0x7f00) {  // TLS 1.3: the certificate is encrypted
        server_done_ = true;
        server_.release();
        return;
      }
    }
    std::span<const std::uint8_t> der;
    if (scratch_.size() < proto::kTlsCertificateScratchBytes) scratch_.resize(proto::kTlsCertificateScratchBytes);
    const auto st = proto::find_tls_certificate_message(server_.view(), scratch_, der);
    if (st == proto::TlsCertificateStatus::truncated && !server_.overflowed()) return;
    if (st == proto::TlsCertificateStatus::ok) {
      if (auto cert = proto::summarize_certificate(der)) {
        ev_.has_certificate = true;
        ev_.subject = std::move(cert->subject);
        ev_.issuer = std::move(cert->issuer);
        ev_.serial = std::move(cert->serial);
        ev_.fingerprint_sha1 = std::move(cert->fingerprint_sha1);
        ev_.not_before = cert->not_before;
        ev_.not_after = cert->not_after;
        ev_.sans = std::move(cert->sans);
      }
    }
    server_done_ = true;
    server_.release();
  }

  void emit(EventEmitter& out) {
    if (emitted_ || (!ev_.has_client_hello && !ev_.has_server_hello)) return;
    emitted_ = true;
    scratch_ = {};
    out.emit(std::move(ev_), true, 0);
  }

  StreamBuffer client_;
  StreamBuffer server_;
  std::vector<std::uint8_t> scratch_;
  TlsEvent ev_;
  bool client_done_ = false;
  bool server_done_ = false;
  bool server_hello_done_ = false;
  bool emitted_ = false;
};

}  // namespace

std::unique_ptr<StreamHandler> make_tls_stream(const StreamHandlerLimits& limits) {
  return std::make_unique<TlsStream>(limits);
}

}  // namespace opensoc::session
