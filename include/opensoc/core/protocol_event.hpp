#pragma once
/// Protocol metadata records: what the session stage learns from a flow's
/// payload (one ProtocolEvent per DNS message, HTTP transaction, TLS
/// handshake, ...) and the SessionRecord written per flow when it ends, or
/// periodically for long flows. Plain value types (strings owned), produced
/// on the indexer thread and handed to the search index and the exporters.
///
/// Orientation: `source` is the flow's initiator, as in FlowRecord and ECS;
/// an event's `to_server` says which way its message went.
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "opensoc/core/enrichment.hpp"
#include "opensoc/core/flow_record.hpp"
#include "opensoc/core/ip_address.hpp"
#include "opensoc/core/time.hpp"

namespace opensoc {

/// Application protocol of a session, found by content (port only as a hint).
enum class AppProtocol : std::uint8_t { unknown = 0, dns, http, tls, ssh, dhcp, quic, failed };

constexpr std::string_view app_protocol_name(AppProtocol p) noexcept {
  switch (p) {
    case AppProtocol::unknown: return "unknown";
    case AppProtocol::dns: return "dns";
    case AppProtocol::http: return "http";
    case AppProtocol::tls: return "tls";
    case AppProtocol::ssh: return "ssh";
    case AppProtocol::dhcp: return "dhcp";
    case AppProtocol::quic: return "quic";
    case AppProtocol::failed: return "failed";
  }
  return "unknown";
}

/// The oriented 5-tuple every record carries.
struct Endpoints {
  IpAddress src_ip;
  IpAddress dst_ip;
  std::uint16_t src_port = 0;
  std::uint16_t dst_port = 0;
  std::uint8_t ip_proto = 0;
  std::uint16_t vlan = 0;
};

struct DnsQuestionEntry {
  std::string name;  ///< presentation form without the trailing dot ("" = root)
  std::uint16_t type = 0;
  std::uint16_t klass = 0;
};

struct DnsAnswerEntry {
  std::string name;
  std::uint16_t type = 0;
  std::uint16_t klass = 0;
  std::uint32_t ttl = 0;
  std::string data;  ///< A/AAAA address, CNAME/NS/PTR target, MX "pref exchange", TXT text, SOA mname; "" if opaque
  std::vector<std::string> txt;  ///< TXT: each character-string
};

/// One DNS message (query or response), over UDP or TCP.
struct DnsEvent {
  std::uint16_t id = 0;
  bool response = false;
  std::uint8_t opcode = 0;
  bool aa = false, tc = false, rd = false, ra = false, z = false, ad = false, cd = false;
  std::uint8_t rcode = 0;
  std::uint16_t flags_raw = 0;  ///< header bytes 2-3 as sent
  std::vector<DnsQuestionEntry> queries;
  std::vector<DnsAnswerEntry> answers;
  std::vector<DnsAnswerEntry> authorities;
  std::vector<DnsAnswerEntry> additionals;  ///< OPT pseudo-records excluded
  bool malformed = false;                   ///< the message did not fully parse; fields are what was read
};

/// One HTTP/1.x transaction: a request and, when seen, its response.
struct HttpEvent {
  std::string method;
  std::string uri;  ///< request-target as sent
  std::string path;
  std::string query;
  std::string host;  ///< Host header without port
  std::uint16_t host_port = 0;  ///< port from the Host header, 0 if none
  std::string version;  ///< "HTTP/1.1"
  std::string user_agent;
  std::string referrer;
  std::string request_content_type;
  std::uint64_t request_body_bytes = 0;
  bool has_response = false;
  std::uint16_t status = 0;
  std::string response_content_type;
  std::uint64_t response_body_bytes = 0;
  std::string response_version;
};

/// One TLS handshake as far as it was visible.
struct TlsEvent {
  std::uint16_t client_version = 0;   ///< legacy_version of the ClientHello
  std::uint16_t version = 0;          ///< negotiated: ServerHello supported_versions, else its legacy_version; 0 if no ServerHello
  std::string sni;
  std::vector<std::string> alpn_offered;
  std::string alpn;                   ///< chosen by the server
  std::uint16_t cipher = 0;           ///< chosen by the server
  bool has_client_hello = false;
  bool has_server_hello = false;
  std::string ja3;                    ///< MD5 hex
  std::string ja3_string;
  std::string ja3s;
  std::string ja3s_string;
  std::string ja4;
  // Server certificate (TLS <= 1.2, where it is sent in clear).
  bool has_certificate = false;
  std::string subject;                ///< RFC 4514-like "CN=..., O=..." in the order tshark/OpenSSL print
  std::string issuer;
  std::string serial;                 ///< hex, colon separated
  std::string fingerprint_sha1;       ///< hex, colon separated, of the DER leaf
  TimestampNs not_before = 0;
  TimestampNs not_after = 0;
  std::vector<std::string> sans;      ///< DNS names and IP addresses
};

struct SshEvent {
  std::string client_proto;     ///< "2.0"
  std::string client_software;  ///< "OpenSSH_9.2p1"
  std::string server_proto;
  std::string server_software;
  std::string client_hassh;         ///< HASSH: MD5 of the client's KEXINIT lists (hex)
  std::string client_hassh_string;  ///< "kex;ciphers;macs;compression"
  std::string server_hassh;         ///< HASSHServer
  std::string server_hassh_string;
};

struct DhcpEvent {
  std::uint8_t message_type = 0;  ///< option 53
  std::uint32_t transaction_id = 0;
  std::string client_mac;         ///< "aa:bb:cc:dd:ee:ff"
  std::string hostname;           ///< option 12
  std::string assigned_ip;        ///< yiaddr when non-zero
  std::string requested_ip;       ///< option 50
  std::string client_ip;          ///< ciaddr when non-zero
};

struct QuicEvent {
  std::uint32_t version = 0;
  std::string sni;
  std::vector<std::string> alpn_offered;
  std::string ja4;
};

using ProtocolEventBody = std::variant<DnsEvent, HttpEvent, TlsEvent, SshEvent, DhcpEvent, QuicEvent>;

struct ProtocolEvent {
  std::uint64_t session_id = 0;   ///< the SessionRecord::session_id it belongs to
  std::uint32_t sequence = 0;     ///< 0,1,2... within the session: unique per event
  std::uint32_t tx_id = 0;        ///< transaction: a DNS query and its response share one (EVE tx_id)
  TimestampNs ts = 0;             ///< time of the packet that completed it
  TimestampNs session_start = 0;  ///< first packet of its session (for the event's pcap link)
  Endpoints endpoints;            ///< the session's orientation
  bool to_server = true;          ///< the (first) message went source -> destination
  std::string community_id;
  std::uint64_t pcap_cnt = 0;     ///< 1-based packet ordinal in its worker's stream (0: unknown)
  ProtocolEventBody body;
  Enrichment enrichment;          ///< filled by the detection stage before the event is indexed/exported
};

[[nodiscard]] constexpr AppProtocol event_protocol(const ProtocolEventBody& b) noexcept {
  switch (b.index()) {
    case 0: return AppProtocol::dns;
    case 1: return AppProtocol::http;
    case 2: return AppProtocol::tls;
    case 3: return AppProtocol::ssh;
    case 4: return AppProtocol::dhcp;
    case 5: return AppProtocol::quic;
  }
  return AppProtocol::unknown;
}

/// Per-session stream accounting (TCP reassembly).
struct StreamSummary {
  std::uint64_t bytes_to_parsers[2] = {0, 0};  ///< [0] to server, [1] to client
  std::uint32_t gaps = 0;                      ///< holes the reassembler skipped
  bool truncated = false;                      ///< hit the per-flow or global bound: parsers stopped
};

/// One session: the flow record plus what its payload said.
struct SessionRecord {
  std::uint64_t session_id = 0;  ///< unique in the store (EVE flow_id)
  /// The flow closed (FIN/FIN or RST) but lingers in the flow table: this
  /// record shows the session at once; the final one replaces it later.
  bool provisional = false;
  FlowRecord flow;               ///< oriented counters, flags, state, end reason
  std::string community_id;
  AppProtocol app_protocol = AppProtocol::unknown;
  std::uint32_t event_count = 0;
  StreamSummary stream;
  // The first value of each, for search and the session list.
  std::vector<std::string> dns_names;  ///< distinct query names, up to 16
  std::string http_host;
  std::string http_user_agent;
  std::string tls_sni;
  std::string tls_ja3;
  std::string tls_ja4;
  std::string ssh_client;
  std::string ssh_server;
  Enrichment enrichment;  ///< filled by the detection stage before the record is indexed/exported
};

}  // namespace opensoc
