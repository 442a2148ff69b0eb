#include "session/app_detector.hpp"

#include <array>
#include <string_view>

namespace opensoc::session {
namespace {

std::string_view as_text(std::span<const std::uint8_t> b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

// 0 = no, 1 = yes, 2 = could become yes with more bytes.
int starts_with(std::span<const std::uint8_t> b, std::string_view prefix) {
  const std::string_view t = as_text(b);
  if (t.size() >= prefix.size()) return t.substr(0, prefix.size()) == prefix ? 1 : 0;
  return prefix.substr(0, t.size()) == t ? 2 : 0;
}

constexpr std::array<std::string_view, 10> kMethods = {"GET ",     "POST ",  "HEAD ",    "PUT ",   "DELETE ",
                                                       "OPTIONS ", "PATCH ", "CONNECT ", "TRACE ", "PROPFIND "};

int looks_http_request(std::span<const std::uint8_t> b) {
  int best = 0;
  for (const std::string_view m : kMethods) {
    const int r = starts_with(b, m);
    if (r == 1) return 1;
    if (r == 2) best = 2;
  }
  return best;
}

int looks_tls(std::span<const std::uint8_t> b) {
  // Handshake record, major version 3, minor 0..4; or an SSLv2-format
  // ClientHello (2-byte header with the top bit set, message type 1), which
  // old clients still send to open a TLS handshake.
  if (b.empty()) return 2;
  if ((b[0] & 0x80) != 0) {
    if (b.size() < 4) return 2;
    return b[2] == 0x01 && (b[3] == 0x03 || b[3] == 0x02) ? 1 : 0;
  }
  if (b[0] != 0x16) return 0;
  if (b.size() < 2) return 2;
  if (b[1] != 0x03) return 0;
  if (b.size() < 3) return 2;
  return b[2] <= 0x04 ? 1 : 0;
}

bool is_dns_port(std::uint16_t p) { return p == 53 || p == 5353 || p == 5355; }

int looks_dns_tcp(std::span<const std::uint8_t> b) {
  if (b.size() < 2 + 12) return 2;
  const std::uint32_t len = (std::uint32_t{b[0]} << 8) | b[1];
  const std::uint32_t qdcount = (std::uint32_t{b[6]} << 8) | b[7];
  const std::uint8_t opcode = (b[4] >> 3) & 0xf;
  return len >= 12 && qdcount <= 16 && opcode <= 6 ? 1 : 0;
}

}  // namespace

AppProtocol detect_tcp_protocol(std::span<const std::uint8_t> client, std::span<const std::uint8_t> server,
                                std::uint16_t server_port, std::uint16_t client_port) noexcept {
  bool pending = false;  // some protocol could still match with more bytes
  auto check = [&](int r) {
    if (r == 2) pending = true;
    return r == 1;
  };
  if (!client.empty()) {
    if (check(looks_tls(client))) return AppProtocol::tls;
    if (check(looks_http_request(client))) return AppProtocol::http;
    if (check(starts_with(client, "SSH-"))) return AppProtocol::ssh;
    if (is_dns_port(server_port) || is_dns_port(client_port)) {
      if (check(looks_dns_tcp(client))) return AppProtocol::dns;
    }
  }
  if (!server.empty()) {
    // Server-first protocols, or a session picked up after the client spoke.
    if (check(starts_with(server, "SSH-"))) return AppProtocol::ssh;
    if (check(starts_with(server, "HTTP/1."))) return AppProtocol::http;
    if (check(looks_tls(server))) return AppProtocol::tls;
  }
  if (client.empty() && server.empty()) return AppProtocol::unknown;
  // Both sides spoke (or one spoke a lot) and nothing matched.
  const bool both = !client.empty() && !server.empty();
  if (!pending && (both || client.size() + server.size() >= 64)) return AppProtocol::failed;
  if (client.size() + server.size() >= kDetectGiveUpBytes) return AppProtocol::failed;
  return AppProtocol::unknown;
}

AppProtocol detect_udp_protocol(std::span<const std::uint8_t> payload, std::uint16_t src_port,
                                std::uint16_t dst_port) noexcept {
  if (is_dns_port(src_port) || is_dns_port(dst_port)) return AppProtocol::dns;
  if ((src_port == 67 || src_port == 68) && (dst_port == 67 || dst_port == 68)) return AppProtocol::dhcp;
  // QUIC long header: form bit and fixed bit set, a non-zero version.
  if (payload.size() >= 1200 && (payload[0] & 0xc0) == 0xc0) {
    const std::uint32_t version = (std::uint32_t{payload[1]} << 24) | (std::uint32_t{payload[2]} << 16) |
                                  (std::uint32_t{payload[3]} << 8) | payload[4];
    if (version != 0) return AppProtocol::quic;
  }
  return AppProtocol::unknown;
}

}  // namespace opensoc::session
