// Alert renderings: ECS for the API, search and exporters; EVE for
// Suricata-shaped pipelines (docs/ALERTS.md, "The alert record"). The ECS
// form uses the names search documents index (alert_document.cpp), so a
// search for a value finds the alerts that show it. Stateless; any thread.
#include "alert/alert_json.hpp"

#include <iterator>

#include <fmt/format.h>
#include <simdjson.h>

#include "opensoc/core/ip_protocol.hpp"
#include "opensoc/core/json_writer.hpp"
#include "session/ecs_json.hpp"
#include "session/eve_json.hpp"

namespace opensoc::alert {
namespace {

bool has_ip(const IpAddress& ip) { return ip.version == 4 || ip.version == 6; }

void field_if(JsonWriter& w, std::string_view key, std::string_view value) {
  if (!value.empty()) w.field(key, value);
}

void write_endpoint(JsonWriter& w, std::string_view key, const IpAddress& ip, std::uint16_t port,
                    std::uint8_t proto) {
  if (!has_ip(ip)) return;
  w.key(key).begin_object();
  w.field("ip", ip.to_string());
  // ICMP "ports" are type and code; without a protocol there are no ports.
  if (proto != 0 && !is_icmp_protocol(proto)) w.field("port", port);
  w.end_object();
}

std::string evidence_pcap(const AlertEvidence& e) {
  return session::pcap_slice_url(e.community_id, e.first_ts, e.last_ts + 1);
}

void write_indicator(JsonWriter& w, const Indicator& i) {
  w.begin_object();
  w.field("type", indicator_type_name(i.type));
  w.field("name", i.value);
  switch (i.type) {
    case IndicatorType::ipv4:
    case IndicatorType::ipv6: w.field("ip", i.value); break;
    case IndicatorType::domain: w.key("url").begin_object().field("domain", i.value).end_object(); break;
    case IndicatorType::url: w.key("url").begin_object().field("original", i.value).end_object(); break;
    default: break;
  }
  field_if(w, "description", i.description);
  w.field("confidence", i.confidence);
  field_if(w, "provider", i.source);
  field_if(w, "reference", i.id);
  w.end_object();
}

void write_threat(JsonWriter& w, const std::vector<ThreatMatch>& threats) {
  if (threats.empty()) return;
  w.key("threat").begin_object();
  w.key("indicator");
  write_indicator(w, threats.front().indicator);
  w.key("enrichments").begin_array();
  for (const ThreatMatch& t : threats) {
    w.begin_object();
    w.key("indicator");
    write_indicator(w, t.indicator);
    w.key("matched").begin_object();
    field_if(w, "atomic", t.matched_value);
    field_if(w, "field", t.field);
    w.field("type", "indicator_match_rule");
    w.end_object();
    w.end_object();
  }
  w.end_array();
  w.end_object();
}

void write_evidence(JsonWriter& w, const std::vector<AlertEvidence>& evidence) {
  if (evidence.empty()) return;
  w.key("evidence").begin_array();
  for (const AlertEvidence& e : evidence) {
    w.begin_object();
    w.field("session_id", std::to_string(e.session_id));
    field_if(w, "community_id", e.community_id);
    write_endpoint(w, "source", e.endpoints.src_ip, e.endpoints.src_port, e.endpoints.ip_proto);
    write_endpoint(w, "destination", e.endpoints.dst_ip, e.endpoints.dst_port, e.endpoints.ip_proto);
    if (e.endpoints.ip_proto != 0) w.field("transport", session::ecs_transport_name(e.endpoints.ip_proto));
    field_if(w, "protocol", e.app_protocol);
    w.field("start", format_rfc3339_ns(e.first_ts));
    w.field("end", format_rfc3339_ns(e.last_ts));
    w.field("bytes_out", e.bytes_out);
    w.field("bytes_in", e.bytes_in);
    w.field("pcap", evidence_pcap(e));
    w.end_object();
  }
  w.end_array();
}

// Detector details go in as they are when they are a JSON object; anything
// else (a detector bug) is kept as a string rather than breaking the record.
void write_details(JsonWriter& w, const std::string& details) {
  if (details.empty()) return;
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(details).get(root) == simdjson::SUCCESS && root.is_object()) {
    w.key("details").raw(details);
  } else {
    w.key("details").begin_object().field("text", details).end_object();
  }
}

// Suricata writes IPv6 addresses in full, zero-padded form.
std::string eve_address(const IpAddress& ip) {
  if (ip.version != 6) return ip.to_string();
  std::string out;
  out.reserve(39);
  for (std::size_t i = 0; i < 8; ++i) {
    if (i > 0) out.push_back(':');
    fmt::format_to(std::back_inserter(out), "{:02x}{:02x}", ip.bytes[2 * i], ip.bytes[2 * i + 1]);
  }
  return out;
}

}  // namespace

void append_alert_json(std::string& out, const Alert& a) {
  const DetectionHit& h = a.hit;
  const Endpoints& e = h.endpoints;
  const AlertEvidence* first = h.evidence.empty() ? nullptr : &h.evidence.front();
  JsonWriter w(out);
  w.begin_object();
  w.field("id", a.id);
  w.field("@timestamp", format_rfc3339_ns(a.first_seen));

  w.key("event").begin_object();
  w.field("kind", "alert");
  w.key("category").begin_array().value(h.kind == DetectionKind::intel ? "threat" : "intrusion_detection").end_array();
  w.field("severity", h.severity);
  w.field("risk_score", a.score);
  w.field("created", format_rfc3339_ns(a.created_at));
  w.field("start", format_rfc3339_ns(a.first_seen));
  w.field("end", format_rfc3339_ns(a.last_seen));
  w.field("count", a.count);
  w.end_object();

  w.key("rule").begin_object();
  w.field("id", h.rule_id);
  w.field("name", h.signature);
  field_if(w, "category", h.category);
  if (h.rev != 0) w.field("version", std::to_string(h.rev));
  w.end_object();

  w.key("alert").begin_object();
  w.field("kind", detection_kind_name(h.kind));
  w.field("signature_id", h.signature_id);
  w.field("rev", h.rev);
  w.field("signature", h.signature);
  field_if(w, "category", h.category);
  w.field("severity", h.severity);
  w.field("confidence", h.confidence);
  w.field("score", a.score);
  w.field("status", alert_status_name(a.status));
  w.field("count", a.count);
  w.field("first_seen", format_rfc3339_ns(a.first_seen));
  w.field("last_seen", format_rfc3339_ns(a.last_seen));
  if (h.asset_criticality != Criticality::unknown) w.field("asset_criticality", criticality_name(h.asset_criticality));
  w.key("history").begin_array();
  for (const AlertChange& c : a.history) {
    w.begin_object();
    w.field("at", format_rfc3339_ns(c.at));
    w.field("user", c.user);
    w.field("from", alert_status_name(c.from));
    w.field("to", alert_status_name(c.to));
    field_if(w, "note", c.note);
    w.end_object();
  }
  w.end_array();
  w.end_object();

  write_endpoint(w, "source", e.src_ip, e.src_port, e.ip_proto);
  write_endpoint(w, "destination", e.dst_ip, e.dst_port, e.ip_proto);
  const bool has_protocol = first != nullptr && !first->app_protocol.empty();
  const bool has_community = first != nullptr && !first->community_id.empty();
  if (e.ip_proto != 0 || has_protocol || has_community) {
    w.key("network").begin_object();
    if (e.ip_proto != 0) w.field("transport", session::ecs_transport_name(e.ip_proto));
    if (has_protocol) w.field("protocol", first->app_protocol);
    if (has_community) w.field("community_id", first->community_id);
    w.end_object();
  }
  if (first != nullptr) w.key("session").begin_object().field("id", std::to_string(first->session_id)).end_object();
  write_threat(w, h.threats);
  write_evidence(w, h.evidence);
  if (first != nullptr) w.field("pcap", evidence_pcap(*first));
  write_details(w, h.details_json);
  w.end_object();
}

void append_eve_alert(std::string& out, const Alert& a) {
  const DetectionHit& h = a.hit;
  const Endpoints& e = h.endpoints;
  const AlertEvidence* first = h.evidence.empty() ? nullptr : &h.evidence.front();
  const bool icmp = is_icmp_protocol(e.ip_proto);
  JsonWriter w(out);
  w.begin_object();
  w.field("timestamp", session::eve_timestamp(a.first_seen));
  if (first != nullptr) w.field("flow_id", first->session_id);
  w.field("event_type", "alert");
  if (h.pcap_cnt != 0) w.field("pcap_cnt", h.pcap_cnt);
  if (h.tx_id >= 0) w.field("tx_id", h.tx_id);
  if (has_ip(e.src_ip)) {
    w.field("src_ip", eve_address(e.src_ip));
    if (!icmp) w.field("src_port", e.src_port);
  }
  if (has_ip(e.dst_ip)) {
    w.field("dest_ip", eve_address(e.dst_ip));
    if (!icmp) w.field("dest_port", e.dst_port);
  }
  if (e.ip_proto != 0) w.field("proto", session::eve_proto_name(e.ip_proto));
  if (icmp) {
    w.field("icmp_type", e.src_port);
    w.field("icmp_code", e.dst_port);
  }
  if (first != nullptr) {
    field_if(w, "community_id", first->community_id);
    field_if(w, "app_proto", first->app_protocol);
  }
  w.key("alert").begin_object();
  w.field("action", "allowed");
  w.field("gid", std::uint32_t{1});
  w.field("signature_id", h.signature_id);
  w.field("rev", h.rev);
  w.field("signature", h.signature);
  w.field("category", h.category);
  w.field("severity", h.severity);
  w.end_object();
  w.end_object();
}

}  // namespace opensoc::alert
