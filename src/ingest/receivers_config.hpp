#pragma once
/// Telemetry receiver settings (syslog, JSON lines, NetFlow/IPFIX), filled by
/// src/config from the `receivers:` section. Plain values only.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace opensoc::ingest {

enum class ListenerProtocol : std::uint8_t { syslog, json, netflow };
enum class ListenerTransport : std::uint8_t { udp, tcp, tls };
/// TCP/TLS framing. `automatic` decides per message: a frame starting with a
/// digit run and a space is octet-counted (RFC 6587 3.4.1), anything else
/// ends at LF (3.4.2).
enum class TcpFraming : std::uint8_t { automatic, octet_counting, newline };

/// Names as the config, stats and records write them.
constexpr const char* listener_protocol_name(ListenerProtocol p) noexcept {
  switch (p) {
    case ListenerProtocol::syslog: return "syslog";
    case ListenerProtocol::json: return "json";
    case ListenerProtocol::netflow: return "netflow";
  }
  return "?";
}

constexpr const char* listener_transport_name(ListenerTransport t) noexcept {
  switch (t) {
    case ListenerTransport::udp: return "udp";
    case ListenerTransport::tcp: return "tcp";
    case ListenerTransport::tls: return "tls";
  }
  return "?";
}

struct ListenerConfig {
  std::string name;                      ///< unique; event.module-like label in records and stats
  ListenerProtocol protocol = ListenerProtocol::syslog;
  ListenerTransport transport = ListenerTransport::udp;
  std::string address = "127.0.0.1";     ///< nothing listens beyond loopback unless configured
  std::uint16_t port = 0;                ///< 0: an ephemeral port (tests); the bound port is reported
  TcpFraming framing = TcpFraming::automatic;
  std::uint32_t max_message_bytes = 65536;   ///< longer frames are cut and counted (truncated)
  std::uint32_t socket_buffer_bytes = 8u << 20;  ///< SO_RCVBUF asked for (UDP)
  std::uint32_t max_connections = 256;   ///< TCP/TLS
  std::uint32_t idle_timeout_s = 600;    ///< TCP/TLS connections silent this long are closed
  std::string tls_certificate;           ///< PEM; required for transport tls
  std::string tls_key;                   ///< PEM
  std::string tls_client_ca;             ///< PEM; when set, clients must present a certificate it signed
  std::vector<std::string> parsers{"auto"};  ///< MessageParserConfig::chain (syslog/json listeners)
};

struct ReceiversConfig {
  std::vector<ListenerConfig> listeners;  ///< empty: no receivers
  /// Named grok patterns the parsers may use ("pattern:<name>" or auto).
  std::map<std::string, std::string> patterns;
  std::vector<std::string> pattern_order;
  std::uint32_t queue_messages = 65536;   ///< bounded queue between receivers and the log pipeline
  bool api_ingest = true;                 ///< POST /api/v1/ingest
  std::uint32_t retention_days = 30;      ///< log documents older than this (by @timestamp) are dropped
  std::int64_t netflow_template_timeout_s = 1800;
};

}  // namespace opensoc::ingest
