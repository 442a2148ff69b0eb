// ECS JSON: session records and protocol events as Elastic Common Schema
// documents, nested objects rather than dotted keys. The search index stores
// this rendering as each document's body, and the field values it indexes
// (session_document.cpp) use the same names and value forms, so what a
// search matches is what the analyst sees. Runs on the indexer and exporter
// threads; stateless.
//
// Orientation: source is the flow's initiator for every record (the ECS
// convention); which way an event's message went shows in its own fields
// (dns.type "query" or "answer").
//
// Enrichment (filled by the detection stage before rendering) shows only
// where something is known: source/destination geo, as and asset (asset is
// our own field set, not ECS), network.direction always (the internal flags
// are always computed), and ECS 8 threat.enrichments for intel matches.
#include "session/ecs_json.hpp"

#include <iterator>
#include <type_traits>
#include <vector>
#include <variant>

#include <fmt/format.h>

#include "opensoc/core/ip_protocol.hpp"
#include "opensoc/core/json_writer.hpp"
#include "session/json_fields.hpp"
#include "session/eve_json.hpp"

namespace opensoc::session {
namespace {

// "1473941283.925424000": seconds with nine decimals, for the slice URL.
std::string decimal_seconds(TimestampNs ts) {
  const bool negative = ts < 0;
  const std::uint64_t abs = negative ? 0 - static_cast<std::uint64_t>(ts) : static_cast<std::uint64_t>(ts);
  const auto ns = static_cast<std::uint64_t>(kNsPerSecond);
  return fmt::format("{}{}.{:09}", negative ? "-" : "", abs / ns, abs % ns);
}

void write_endpoint(JsonWriter& w, std::string_view key, const IpAddress& ip, std::uint16_t port, std::uint8_t proto) {
  w.key(key).begin_object();
  w.field("ip", ip.to_string());
  if (!is_icmp_protocol(proto)) w.field("port", port);
}

// geo, as and asset of one endpoint, each only when something is known.
// `asset` is ours (not ECS): the inventory's view of the host.
void write_endpoint_enrichment(JsonWriter& w, const EndpointEnrichment& e) {
  const GeoInfo& g = e.geo;
  if (!g.country_iso.empty() || !g.country_name.empty() || !g.city.empty() || g.has_location) {
    w.key("geo").begin_object();
    field_if(w, "country_iso_code", g.country_iso);
    field_if(w, "country_name", g.country_name);
    field_if(w, "city_name", g.city);
    if (g.has_location) w.key("location").begin_object().field("lat", g.latitude).field("lon", g.longitude).end_object();
    w.end_object();
  }
  if (g.as_number != 0 || !g.as_org.empty()) {
    w.key("as").begin_object();
    if (g.as_number != 0) w.field("number", g.as_number);
    if (!g.as_org.empty()) w.key("organization").begin_object().field("name", g.as_org).end_object();
    w.end_object();
  }
  const AssetInfo& a = e.asset;
  if (a.known()) {
    w.key("asset").begin_object();
    w.field("name", a.name);
    field_if(w, "owner", a.owner);
    field_if(w, "role", a.role);
    if (a.criticality != Criticality::unknown) w.field("criticality", criticality_name(a.criticality));
    w.end_object();
  }
}

void write_network_common(JsonWriter& w, const Endpoints& e, AppProtocol app, std::string_view community_id,
                          const Enrichment& enrichment) {
  w.field("transport", ecs_transport_name(e.ip_proto));
  if (app != AppProtocol::unknown && app != AppProtocol::failed) w.field("protocol", app_protocol_name(app));
  w.field("iana_number", std::to_string(e.ip_proto));
  field_if(w, "community_id", community_id);
  w.field("direction", ecs_network_direction(enrichment));
}

// The indicator's value under the ECS field for its type; types ECS has no
// field for (CIDR, JA3/JA4, certificate hashes) use our own `value`.
void write_indicator_value(JsonWriter& w, const Indicator& ind) {
  switch (ind.type) {
    case IndicatorType::ipv4:
    case IndicatorType::ipv6: w.field("ip", ind.value); return;
    case IndicatorType::domain: w.key("url").begin_object().field("domain", ind.value).end_object(); return;
    case IndicatorType::url: w.key("url").begin_object().field("original", ind.value).end_object(); return;
    case IndicatorType::cidr:
    case IndicatorType::ja3:
    case IndicatorType::ja4:
    case IndicatorType::cert_sha1:
    case IndicatorType::cert_sha256: w.field("value", ind.value); return;
  }
  w.field("value", ind.value);
}

// ECS 8 threat.enrichments (one per match), plus threat.indicator with the
// first match's type, provider and confidence for simple searches.
void write_threats(JsonWriter& w, const std::vector<ThreatMatch>& threats) {
  if (threats.empty()) return;
  w.key("threat").begin_object();
  w.key("enrichments").begin_array();
  for (const ThreatMatch& t : threats) {
    const Indicator& ind = t.indicator;
    w.begin_object();
    w.key("indicator").begin_object();
    w.field("type", indicator_type_name(ind.type));
    write_indicator_value(w, ind);
    field_if(w, "provider", ind.source);
    w.field("confidence", ind.confidence);
    field_if(w, "description", ind.description);
    w.end_object();
    if (!t.field.empty() || !t.matched_value.empty() || !ind.id.empty()) {
      w.key("matched").begin_object();
      field_if(w, "field", t.field);
      field_if(w, "atomic", t.matched_value);
      field_if(w, "id", ind.id);
      w.end_object();
    }
    w.end_object();
  }
  w.end_array();
  const Indicator& first = threats.front().indicator;
  w.key("indicator").begin_object();
  w.field("type", indicator_type_name(first.type));
  field_if(w, "provider", first.source);
  w.field("confidence", first.confidence);
  w.end_object();
  w.end_object();
}

void write_vlan(JsonWriter& w, std::uint16_t vlan) {
  if (vlan != 0) w.key("vlan").begin_object().field("id", std::to_string(vlan)).end_object();
}

std::string_view dns_class_name(std::uint16_t klass) {
  switch (klass) {
    case 1: return "IN";
    case 3: return "CH";
    case 4: return "HS";
    case 254: return "NONE";
    case 255: return "ANY";
    default: return "";
  }
}

std::string dns_class(std::uint16_t klass) {
  const auto name = dns_class_name(klass);
  return name.empty() ? fmt::format("CLASS{}", klass) : std::string(name);
}

std::string dns_op_code(std::uint8_t opcode) {
  switch (opcode) {
    case 0: return "QUERY";
    case 1: return "IQUERY";
    case 2: return "STATUS";
    case 4: return "NOTIFY";
    case 5: return "UPDATE";
    default: return std::to_string(opcode);
  }
}

std::string dns_data(const DnsAnswerEntry& a) {
  if (a.type == 16 && !a.txt.empty()) {
    std::string joined;
    for (const std::string& s : a.txt) joined += s;
    return joined;
  }
  return a.data;
}

void write_dns(JsonWriter& w, const DnsEvent& d) {
  w.key("dns").begin_object();
  w.field("id", std::to_string(d.id));
  w.field("type", d.response ? "answer" : "query");
  w.field("op_code", dns_op_code(d.opcode));
  if (d.aa || d.tc || d.rd || d.ra || d.ad || d.cd) {
    w.key("header_flags").begin_array();
    if (d.aa) w.value("AA");
    if (d.tc) w.value("TC");
    if (d.rd) w.value("RD");
    if (d.ra) w.value("RA");
    if (d.ad) w.value("AD");
    if (d.cd) w.value("CD");
    w.end_array();
  }
  if (d.response) w.field("response_code", dns_rcode_name(d.rcode));
  if (!d.queries.empty()) {
    // ECS has one question; DNS in practice sends one.
    const DnsQuestionEntry& q = d.queries.front();
    w.key("question").begin_object();
    w.field("name", q.name);
    w.field("type", dns_rrtype_name(q.type));
    w.field("class", dns_class(q.klass));
    w.end_object();
  }
  if (!d.answers.empty()) {
    w.key("answers").begin_array();
    for (const DnsAnswerEntry& a : d.answers) {
      w.begin_object();
      w.field("name", a.name);
      w.field("type", dns_rrtype_name(a.type));
      w.field("class", dns_class(a.klass));
      w.field("ttl", a.ttl);
      if (std::string data = dns_data(a); !data.empty()) w.field("data", data);
      w.end_object();
    }
    w.end_array();
    bool any_ip = false;
    for (const DnsAnswerEntry& a : d.answers) any_ip = any_ip || ((a.type == 1 || a.type == 28) && !a.data.empty());
    if (any_ip) {
      w.key("resolved_ip").begin_array();
      for (const DnsAnswerEntry& a : d.answers) {
        if ((a.type == 1 || a.type == 28) && !a.data.empty()) w.value(a.data);
      }
      w.end_array();
    }
  }
  if (d.malformed) w.field("malformed", true);
  w.end_object();
}

void write_http(JsonWriter& w, const HttpEvent& h, std::uint16_t server_port) {
  w.key("http").begin_object();
  field_if(w, "version", ecs_http_version(h.version));
  w.key("request").begin_object();
  field_if(w, "method", h.method);
  field_if(w, "referrer", h.referrer);
  field_if(w, "mime_type", h.request_content_type);
  w.key("body").begin_object().field("bytes", h.request_body_bytes).end_object();
  w.end_object();
  if (h.has_response) {
    w.key("response").begin_object();
    if (h.status != 0) w.field("status_code", h.status);
    field_if(w, "mime_type", h.response_content_type);
    w.key("body").begin_object().field("bytes", h.response_body_bytes).end_object();
    w.end_object();
  }
  w.end_object();
  w.key("url").begin_object();
  field_if(w, "original", h.uri);
  field_if(w, "domain", h.host);
  field_if(w, "path", h.path);
  field_if(w, "query", h.query);
  w.field("port", h.host_port != 0 ? h.host_port : server_port);
  w.end_object();
  if (!h.user_agent.empty()) w.key("user_agent").begin_object().field("original", h.user_agent).end_object();
}


void write_tls(JsonWriter& w, const TlsEvent& t) {
  w.key("tls").begin_object();
  field_if(w, "version", ecs_tls_version(t.version));
  w.field("version_protocol", t.version == 0x0300 || t.version == 0x0200 ? "ssl" : "tls");
  if (t.has_server_hello) w.field("cipher", tls_cipher_name(t.cipher));
  field_if(w, "next_protocol", t.alpn);
  w.key("client").begin_object();
  field_if(w, "server_name", t.sni);
  field_if(w, "ja3", t.ja3);
  field_if(w, "ja4", t.ja4);
  write_string_array(w, "supported_alpn", t.alpn_offered);
  w.end_object();
  w.key("server").begin_object();
  field_if(w, "ja3s", t.ja3s);
  if (t.has_certificate) {
    field_if(w, "subject", t.subject);
    field_if(w, "issuer", t.issuer);
    if (t.not_before != 0) w.field("not_before", format_rfc3339_ns(t.not_before));
    if (t.not_after != 0) w.field("not_after", format_rfc3339_ns(t.not_after));
    if (!t.fingerprint_sha1.empty()) {
      w.key("hash").begin_object().field("sha1", ecs_hex(t.fingerprint_sha1)).end_object();
    }
    w.key("x509").begin_object();
    write_string_array(w, "alternative_names", t.sans);
    field_if(w, "serial_number", ecs_hex(t.serial));
    w.end_object();
  }
  w.end_object();
  w.end_object();
}


void write_ssh(JsonWriter& w, const SshEvent& s) {
  w.key("ssh").begin_object();
  write_ssh_side(w, "client", "software", s.client_proto, s.client_software, s.client_hassh,
                 s.client_hassh_string);
  write_ssh_side(w, "server", "software", s.server_proto, s.server_software, s.server_hassh,
                 s.server_hassh_string);
  w.end_object();
}

void write_dhcp(JsonWriter& w, const DhcpEvent& d) {
  w.key("dhcp").begin_object();
  w.field("message_type", dhcp_message_type_name(d.message_type));
  w.field("transaction_id", d.transaction_id);
  field_if(w, "client_mac", d.client_mac);
  field_if(w, "hostname", d.hostname);
  field_if(w, "assigned_ip", d.assigned_ip);
  field_if(w, "requested_ip", d.requested_ip);
  field_if(w, "client_ip", d.client_ip);
  w.end_object();
}

void write_quic(JsonWriter& w, const QuicEvent& q) {
  w.key("quic").begin_object().field("version", quic_version_name(q.version)).end_object();
  // The QUIC handshake is TLS 1.3: its SNI and JA4 belong under tls.client,
  // where host and fingerprint searches look.
  if (!q.sni.empty() || !q.ja4.empty() || !q.alpn_offered.empty()) {
    w.key("tls").begin_object().key("client").begin_object();
    field_if(w, "server_name", q.sni);
    field_if(w, "ja4", q.ja4);
    write_string_array(w, "supported_alpn", q.alpn_offered);
    w.end_object().end_object();
  }
}

}  // namespace

std::string pcap_host_slice_url(const IpAddress& host, TimestampNs begin, TimestampNs end) {
  // Address text needs no escaping: digits, hex letters, '.' and ':'.
  return "/api/v1/pcap?host=" + host.to_string() + "&start=" + decimal_seconds(begin) + "&end=" + decimal_seconds(end);
}

std::string pcap_slice_url(std::string_view community_id, TimestampNs begin, TimestampNs end) {
  std::string url = "/api/v1/pcap?community_id=";
  for (const char c : community_id) {
    const auto u = static_cast<unsigned char>(c);
    const bool unreserved = (u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || u == '-' ||
                            u == '.' || u == '_' || u == '~';
    if (unreserved) {
      url.push_back(c);
    } else {
      fmt::format_to(std::back_inserter(url), "%{:02X}", u);
    }
  }
  url += "&start=";
  url += decimal_seconds(begin);
  url += "&end=";
  url += decimal_seconds(end);
  return url;
}

std::string ecs_transport_name(std::uint8_t ip_proto) { return transport_keyword(ip_proto); }

std::string_view ecs_network_direction(const Enrichment& e) noexcept {
  if (e.source.internal) return e.destination.internal ? "internal" : "outbound";
  return e.destination.internal ? "inbound" : "external";
}

std::string ecs_tls_version(std::uint16_t version) {
  switch (version) {
    case 0x0200: return "2.0";
    case 0x0300: return "3.0";
    case 0x0301: return "1.0";
    case 0x0302: return "1.1";
    case 0x0303: return "1.2";
    case 0x0304: return "1.3";
    default: return "";
  }
}

std::string tls_cipher_name(std::uint16_t cipher) {
  switch (cipher) {
    case 0x1301: return "TLS_AES_128_GCM_SHA256";
    case 0x1302: return "TLS_AES_256_GCM_SHA384";
    case 0x1303: return "TLS_CHACHA20_POLY1305_SHA256";
    case 0xc02b: return "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";
    case 0xc02c: return "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384";
    case 0xc02f: return "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256";
    case 0xc030: return "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384";
    case 0xcca8: return "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256";
    case 0xcca9: return "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256";
    case 0xc009: return "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA";
    case 0xc00a: return "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA";
    case 0xc013: return "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA";
    case 0xc014: return "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA";
    case 0xc027: return "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256";
    case 0xc028: return "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384";
    case 0x009c: return "TLS_RSA_WITH_AES_128_GCM_SHA256";
    case 0x009d: return "TLS_RSA_WITH_AES_256_GCM_SHA384";
    case 0x002f: return "TLS_RSA_WITH_AES_128_CBC_SHA";
    case 0x0035: return "TLS_RSA_WITH_AES_256_CBC_SHA";
    case 0x003c: return "TLS_RSA_WITH_AES_128_CBC_SHA256";
    case 0x000a: return "TLS_RSA_WITH_3DES_EDE_CBC_SHA";
    case 0x0005: return "TLS_RSA_WITH_RC4_128_SHA";
    case 0x0004: return "TLS_RSA_WITH_RC4_128_MD5";
    default: return fmt::format("0x{:04x}", cipher);
  }
}

std::string_view ecs_http_version(std::string_view version) {
  constexpr std::string_view kPrefix = "HTTP/";
  if (version.substr(0, kPrefix.size()) == kPrefix) return version.substr(kPrefix.size());
  return version;
}

std::string ecs_hex(std::string_view colon_hex) {
  std::string out;
  out.reserve(colon_hex.size());
  for (const char c : colon_hex) {
    if (c == ':') continue;
    out.push_back((c >= 'a' && c <= 'f') ? static_cast<char>(c - 'a' + 'A') : c);
  }
  return out;
}

void append_ecs_event(std::string& out, const ProtocolEvent& ev) {
  const AppProtocol app = event_protocol(ev.body);
  const Endpoints& e = ev.endpoints;
  JsonWriter w(out);
  w.begin_object();
  w.field("@timestamp", format_rfc3339_ns(ev.ts));
  w.key("event").begin_object();
  w.field("kind", "event");
  w.key("category").begin_array().value("network").end_array();
  w.key("type").begin_array().value("protocol").end_array();
  w.field("dataset", app_protocol_name(app));
  w.field("sequence", ev.sequence);
  w.end_object();
  w.key("session").begin_object().field("id", std::to_string(ev.session_id)).end_object();
  write_endpoint(w, "source", e.src_ip, e.src_port, e.ip_proto);
  write_endpoint_enrichment(w, ev.enrichment.source);
  w.end_object();
  write_endpoint(w, "destination", e.dst_ip, e.dst_port, e.ip_proto);
  write_endpoint_enrichment(w, ev.enrichment.destination);
  w.end_object();
  w.key("network").begin_object();
  write_network_common(w, e, app, ev.community_id, ev.enrichment);
  write_vlan(w, e.vlan);
  w.end_object();
  std::visit(
      [&](const auto& body) {
        using T = std::decay_t<decltype(body)>;
        if constexpr (std::is_same_v<T, DnsEvent>) write_dns(w, body);
        else if constexpr (std::is_same_v<T, HttpEvent>) write_http(w, body, e.dst_port);
        else if constexpr (std::is_same_v<T, TlsEvent>) write_tls(w, body);
        else if constexpr (std::is_same_v<T, SshEvent>) write_ssh(w, body);
        else if constexpr (std::is_same_v<T, DhcpEvent>) write_dhcp(w, body);
        else if constexpr (std::is_same_v<T, QuicEvent>) write_quic(w, body);
      },
      ev.body);
  write_threats(w, ev.enrichment.threats);
  // The packets of the session up to this event: the slice an analyst opens from it.
  w.field("pcap", pcap_slice_url(ev.community_id, ev.session_start, ev.ts + 1));
  w.end_object();
}

void append_ecs_session(std::string& out, const SessionRecord& s) {
  const FlowRecord& f = s.flow;
  const Endpoints e{f.src_ip, f.dst_ip, f.src_port, f.dst_port, f.ip_proto, f.vlan};
  JsonWriter w(out);
  w.begin_object();
  w.field("@timestamp", format_rfc3339_ns(f.first_ts));
  w.key("event").begin_object();
  w.field("kind", "event");
  w.key("category").begin_array().value("network").end_array();
  w.key("type").begin_array().value("connection").value(f.end_reason == FlowEndReason::active ? "info" : "end").end_array();
  w.field("dataset", "session");
  w.field("start", format_rfc3339_ns(f.first_ts));
  w.field("end", format_rfc3339_ns(f.last_ts));
  w.field("duration", f.last_ts - f.first_ts);
  w.field("reason", end_reason_name(f.end_reason));
  w.end_object();
  w.key("session").begin_object();
  w.field("id", std::to_string(s.session_id));
  w.field("event_count", s.event_count);
  w.key("stream").begin_object();
  w.field("gaps", s.stream.gaps);
  w.field("truncated", s.stream.truncated);
  w.end_object();
  if (f.ip_proto == 6) {
    w.key("tcp").begin_object();
    w.field("state", tcp_state_name(f.tcp_state));
    w.field("source_flags", fmt::format("{:02x}", f.src_tcp_flags));
    w.field("destination_flags", fmt::format("{:02x}", f.dst_tcp_flags));
    w.end_object();
  }
  w.end_object();
  write_endpoint(w, "source", f.src_ip, f.src_port, f.ip_proto);
  w.field("bytes", f.src_bytes).field("packets", f.src_packets);
  write_endpoint_enrichment(w, s.enrichment.source);
  w.end_object();
  write_endpoint(w, "destination", f.dst_ip, f.dst_port, f.ip_proto);
  w.field("bytes", f.dst_bytes).field("packets", f.dst_packets);
  write_endpoint_enrichment(w, s.enrichment.destination);
  w.end_object();
  if (is_icmp_protocol(f.ip_proto)) {
    w.key("icmp").begin_object().field("type", f.src_port).field("code", f.dst_port).end_object();
  }
  w.key("network").begin_object();
  write_network_common(w, e, s.app_protocol, s.community_id, s.enrichment);
  w.field("bytes", f.src_bytes + f.dst_bytes);
  w.field("packets", f.src_packets + f.dst_packets);
  write_vlan(w, f.vlan);
  if (f.inner_vlan != 0) {
    w.key("inner").begin_object();
    write_vlan(w, f.inner_vlan);
    w.end_object();
  }
  w.end_object();
  // Summary of what the payload said: the first value of each.
  if (!s.dns_names.empty()) {
    w.key("dns").begin_object().key("question").begin_object();
    w.key("name").begin_array();
    for (const std::string& n : s.dns_names) w.value(n);
    w.end_array().end_object().end_object();
  }
  if (!s.http_host.empty()) w.key("url").begin_object().field("domain", s.http_host).end_object();
  if (!s.http_user_agent.empty()) w.key("user_agent").begin_object().field("original", s.http_user_agent).end_object();
  if (!s.tls_sni.empty() || !s.tls_ja3.empty() || !s.tls_ja4.empty()) {
    w.key("tls").begin_object().key("client").begin_object();
    field_if(w, "server_name", s.tls_sni);
    field_if(w, "ja3", s.tls_ja3);
    field_if(w, "ja4", s.tls_ja4);
    w.end_object().end_object();
  }
  if (!s.ssh_client.empty() || !s.ssh_server.empty()) {
    w.key("ssh").begin_object();
    if (!s.ssh_client.empty()) w.key("client").begin_object().field("software", s.ssh_client).end_object();
    if (!s.ssh_server.empty()) w.key("server").begin_object().field("software", s.ssh_server).end_object();
    w.end_object();
  }
  write_threats(w, s.enrichment.threats);
  w.field("pcap", pcap_slice_url(s.community_id, f.first_ts, f.last_ts + 1));
  w.end_object();
}

void write_ecs_threats(JsonWriter& w, const std::vector<ThreatMatch>& threats) { write_threats(w, threats); }

}  // namespace opensoc::session
