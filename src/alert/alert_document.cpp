// Alert search documents: the fields of field_schema.cpp's alert block plus
// the endpoint fields sessions share, filled from the values the ECS
// rendering shows. Runs on the alert stage's thread.
#include "alert/alert_document.hpp"

#include "alert/alert_json.hpp"
#include "opensoc/core/ip_protocol.hpp"
#include "session/ecs_json.hpp"

namespace opensoc::alert {

search::SearchDocument alert_document(const Alert& a) {
  const DetectionHit& h = a.hit;
  const Endpoints& e = h.endpoints;
  search::SearchDocument doc;
  doc.kind = search::DocumentKind::alert;
  doc.ts = a.first_seen;
  doc.unique_id = "alert:" + std::to_string(a.id);

  doc.add("event.kind", "alert");
  doc.add_number("alert.id", static_cast<double>(a.id));
  doc.add("rule.id", h.rule_id);
  doc.add("rule.name", h.signature);
  if (!h.category.empty()) doc.add("rule.category", h.category);
  doc.add_number("event.severity", h.severity);
  doc.add_number("alert.score", a.score);
  doc.add_number("alert.signature_id", h.signature_id);

  if (e.src_ip.version != 0) doc.add("source.ip", e.src_ip.to_string());
  if (e.dst_ip.version != 0) doc.add("destination.ip", e.dst_ip.to_string());
  if (e.ip_proto != 0 && !is_icmp_protocol(e.ip_proto)) {
    if (e.src_ip.version != 0) doc.add_number("source.port", e.src_port);
    if (e.dst_ip.version != 0) doc.add_number("destination.port", e.dst_port);
  }
  if (e.ip_proto != 0) doc.add("network.transport", session::ecs_transport_name(e.ip_proto));
  if (!h.evidence.empty()) {
    const AlertEvidence& first = h.evidence.front();
    if (!first.app_protocol.empty()) doc.add("network.protocol", first.app_protocol);
    if (!first.community_id.empty()) doc.add("network.community_id", first.community_id);
    doc.add("session.id", std::to_string(first.session_id));
  }
  for (const ThreatMatch& t : h.threats) {
    doc.add("threat.indicator.type", indicator_type_name(t.indicator.type));
    if (!t.indicator.source.empty()) doc.add("threat.indicator.provider", t.indicator.source);
    doc.add_number("threat.indicator.confidence", t.indicator.confidence);
    doc.add("threat.indicator.value", t.indicator.value);
    if (!t.field.empty()) doc.add("threat.matched.field", t.field);
  }
  append_alert_json(doc.json, a);
  return doc;
}

}  // namespace opensoc::alert
