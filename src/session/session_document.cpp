// Search documents: every searchable field (search/field_schema.cpp) that a
// record has gets its values, in the same form the ECS rendering shows them
// (ecs_json.cpp provides the shared names), so that a query matches what the
// result displays. Runs on the indexer thread.
#include "session/session_document.hpp"

#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

#include "session/ecs_json.hpp"
#include "session/eve_json.hpp"

namespace opensoc::session {
namespace {

using search::SearchDocument;

constexpr std::uint8_t kProtoIcmp = 1;
constexpr std::uint8_t kProtoIcmpV6 = 58;

void add_endpoints(SearchDocument& doc, const Endpoints& e, AppProtocol app, const std::string& community_id) {
  doc.add("source.ip", e.src_ip.to_string());
  doc.add("destination.ip", e.dst_ip.to_string());
  // ICMP "ports" are type and code: not ports, not searchable as such.
  if (e.ip_proto != kProtoIcmp && e.ip_proto != kProtoIcmpV6) {
    doc.add_number("source.port", e.src_port);
    doc.add_number("destination.port", e.dst_port);
  }
  doc.add("network.transport", ecs_transport_name(e.ip_proto));
  if (app != AppProtocol::unknown && app != AppProtocol::failed) {
    doc.add("network.protocol", std::string(app_protocol_name(app)));
  }
  doc.add("network.community_id", community_id);
  if (e.vlan != 0) doc.add_number("network.vlan.id", e.vlan);
}

void add_dns(SearchDocument& doc, const DnsEvent& d) {
  doc.add_number("dns.id", d.id);
  doc.add("dns.type", d.response ? "answer" : "query");
  if (d.response) doc.add("dns.response_code", dns_rcode_name(d.rcode));
  for (const DnsQuestionEntry& q : d.queries) {
    doc.add("dns.question.name", q.name);
    doc.add("dns.question.type", dns_rrtype_name(q.type));
  }
  for (const DnsAnswerEntry& a : d.answers) {
    doc.add("dns.answers.name", a.name);
    if (a.type == 16 && !a.txt.empty()) {
      std::string joined;
      for (const std::string& s : a.txt) joined += s;
      doc.add("dns.answers.data", std::move(joined));
    } else {
      doc.add("dns.answers.data", a.data);
    }
  }
}

void add_http(SearchDocument& doc, const HttpEvent& h) {
  doc.add("http.request.method", h.method);
  doc.add("url.domain", h.host);
  doc.add("url.path", h.path);
  doc.add("url.query", h.query);
  doc.add("url.original", h.uri);
  doc.add("user_agent.original", h.user_agent);
  doc.add("http.request.referrer", h.referrer);
  doc.add("http.version", std::string(ecs_http_version(h.version)));
  doc.add_number("http.request.body.bytes", static_cast<double>(h.request_body_bytes));
  if (h.has_response) {
    if (h.status != 0) doc.add_number("http.response.status_code", h.status);
    doc.add("http.response.mime_type", h.response_content_type);
    doc.add_number("http.response.body.bytes", static_cast<double>(h.response_body_bytes));
  }
}

void add_tls(SearchDocument& doc, const TlsEvent& t) {
  doc.add("tls.version", ecs_tls_version(t.version));
  doc.add("tls.client.server_name", t.sni);
  doc.add("tls.client.ja3", t.ja3);
  doc.add("tls.client.ja4", t.ja4);
  doc.add("tls.server.ja3s", t.ja3s);
  if (t.has_server_hello) doc.add("tls.cipher", tls_cipher_name(t.cipher));
  doc.add("tls.next_protocol", t.alpn);
  if (t.has_certificate) {
    doc.add("tls.server.subject", t.subject);
    doc.add("tls.server.issuer", t.issuer);
    for (const std::string& san : t.sans) doc.add("tls.server.x509.alternative_names", san);
    if (t.not_after != 0) doc.add_time("tls.server.not_after", t.not_after);
  }
}

void add_ssh(SearchDocument& doc, const SshEvent& s) {
  doc.add("ssh.client.software", s.client_software);
  doc.add("ssh.client.hassh", s.client_hassh);
  doc.add("ssh.server.hassh", s.server_hassh);
  doc.add("ssh.server.software", s.server_software);
}

void add_dhcp(SearchDocument& doc, const DhcpEvent& d) {
  doc.add("dhcp.hostname", d.hostname);
  doc.add("dhcp.client_mac", d.client_mac);
  doc.add("dhcp.assigned_ip", d.assigned_ip);
}

void add_quic(SearchDocument& doc, const QuicEvent& q) {
  doc.add("quic.version", quic_version_name(q.version));
  doc.add("tls.client.server_name", q.sni);
  doc.add("tls.client.ja4", q.ja4);
}

void add_endpoint_enrichment(SearchDocument& doc, const EndpointEnrichment& e, std::string_view side) {
  const std::string p(side);
  doc.add(p + ".geo.country_iso_code", e.geo.country_iso);
  doc.add(p + ".geo.city_name", e.geo.city);
  if (e.geo.as_number != 0) doc.add_number(p + ".as.number", e.geo.as_number);
  doc.add(p + ".as.organization.name", e.geo.as_org);
  if (e.asset.known()) {
    doc.add(p + ".asset.name", e.asset.name);
    if (e.asset.criticality != Criticality::unknown) {
      doc.add(p + ".asset.criticality", criticality_name(e.asset.criticality));
    }
  }
}

// What enrichment adds, as ecs_json.cpp renders it. event.kind is here
// because every session and event document is of kind "event" (alerts are "alert").
void add_enrichment(SearchDocument& doc, const Enrichment& e) {
  doc.add("event.kind", "event");
  add_endpoint_enrichment(doc, e.source, "source");
  add_endpoint_enrichment(doc, e.destination, "destination");
  doc.add("network.direction", std::string(ecs_network_direction(e)));
  for (const ThreatMatch& t : e.threats) {
    doc.add("threat.indicator.type", indicator_type_name(t.indicator.type));
    doc.add("threat.indicator.provider", t.indicator.source);
    doc.add_number("threat.indicator.confidence", t.indicator.confidence);
    doc.add("threat.matched.field", t.field);
    doc.add("threat.indicator.value", t.indicator.value);
  }
}

}  // namespace

search::SearchDocument event_document(const ProtocolEvent& ev) {
  const AppProtocol app = event_protocol(ev.body);
  SearchDocument doc;
  doc.kind = search::DocumentKind::event;
  doc.ts = ev.ts;
  doc.unique_id = "e" + std::to_string(ev.session_id) + "-" + std::to_string(ev.sequence);
  doc.add("event.dataset", std::string(app_protocol_name(app)));
  doc.add("session.id", std::to_string(ev.session_id));
  add_endpoints(doc, ev.endpoints, app, ev.community_id);
  std::visit(
      [&](const auto& body) {
        using T = std::decay_t<decltype(body)>;
        if constexpr (std::is_same_v<T, DnsEvent>) add_dns(doc, body);
        else if constexpr (std::is_same_v<T, HttpEvent>) add_http(doc, body);
        else if constexpr (std::is_same_v<T, TlsEvent>) add_tls(doc, body);
        else if constexpr (std::is_same_v<T, SshEvent>) add_ssh(doc, body);
        else if constexpr (std::is_same_v<T, DhcpEvent>) add_dhcp(doc, body);
        else if constexpr (std::is_same_v<T, QuicEvent>) add_quic(doc, body);
      },
      ev.body);
  add_enrichment(doc, ev.enrichment);
  append_ecs_event(doc.json, ev);
  return doc;
}

search::SearchDocument session_document(const SessionRecord& s) {
  const FlowRecord& f = s.flow;
  SearchDocument doc;
  doc.kind = search::DocumentKind::session;
  doc.ts = f.first_ts;
  doc.unique_id = "s" + std::to_string(s.session_id);
  doc.add("event.dataset", "session");
  doc.add("session.id", std::to_string(s.session_id));
  add_endpoints(doc, Endpoints{f.src_ip, f.dst_ip, f.src_port, f.dst_port, f.ip_proto, f.vlan}, s.app_protocol,
                s.community_id);
  doc.add_number("source.bytes", static_cast<double>(f.src_bytes));
  doc.add_number("destination.bytes", static_cast<double>(f.dst_bytes));
  doc.add_number("network.bytes", static_cast<double>(f.src_bytes + f.dst_bytes));
  doc.add_number("source.packets", static_cast<double>(f.src_packets));
  doc.add_number("destination.packets", static_cast<double>(f.dst_packets));
  doc.add_number("network.packets", static_cast<double>(f.src_packets + f.dst_packets));
  doc.add_number("event.duration", static_cast<double>(f.last_ts - f.first_ts));
  doc.add("event.reason", std::string(end_reason_name(f.end_reason)));
  for (const std::string& name : s.dns_names) doc.add("dns.question.name", name);
  doc.add("url.domain", s.http_host);
  doc.add("user_agent.original", s.http_user_agent);
  doc.add("tls.client.server_name", s.tls_sni);
  doc.add("tls.client.ja3", s.tls_ja3);
  doc.add("tls.client.ja4", s.tls_ja4);
  doc.add("ssh.client.software", s.ssh_client);
  doc.add("ssh.server.software", s.ssh_server);
  add_enrichment(doc, s.enrichment);
  append_ecs_session(doc.json, s);
  return doc;
}

}  // namespace opensoc::session
