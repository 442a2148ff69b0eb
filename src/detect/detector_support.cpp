#include "detect/detector_support.hpp"

// Shared helpers of the behavioural detectors; see the header. Runs on the
// indexer thread, called by each detector.

namespace opensoc::detect {

AlertEvidence session_evidence(const SessionRecord& r) {
  const FlowRecord& f = r.flow;
  AlertEvidence e;
  e.session_id = r.session_id;
  e.community_id = r.community_id;
  e.endpoints = Endpoints{f.src_ip, f.dst_ip, f.src_port, f.dst_port, f.ip_proto, f.vlan};
  e.first_ts = f.first_ts;
  e.last_ts = f.last_ts;
  e.bytes_out = f.src_bytes;
  e.bytes_in = f.dst_bytes;
  if (r.app_protocol != AppProtocol::unknown) e.app_protocol = std::string(app_protocol_name(r.app_protocol));
  return e;
}

DetectionHit behaviour_hit(std::string_view rule_id, std::uint32_t signature_id, std::string_view category,
                           std::uint8_t severity, std::uint8_t confidence, TimestampNs ts) {
  DetectionHit hit;
  hit.kind = DetectionKind::behaviour;
  hit.rule_id = std::string(rule_id);
  hit.signature_id = signature_id;
  hit.rev = 1;
  hit.category = std::string(category);
  hit.severity = severity;
  hit.confidence = confidence;
  hit.ts = ts;
  return hit;
}

}  // namespace opensoc::detect
