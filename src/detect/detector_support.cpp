#include "detect/detector_support.hpp"

#include <algorithm>
#include <cstring>

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

CompactEvidence compact_session_evidence(const SessionRecord& r) noexcept {
  const FlowRecord& f = r.flow;
  CompactEvidence c;
  c.session_id = r.session_id;
  c.first_ts = f.first_ts;
  c.last_ts = f.last_ts;
  c.bytes_out = f.src_bytes;
  c.bytes_in = f.dst_bytes;
  c.endpoints = Endpoints{f.src_ip, f.dst_ip, f.src_port, f.dst_port, f.ip_proto, f.vlan};
  c.app = r.app_protocol;
  const std::size_t n = std::min(r.community_id.size(), c.community_id.size());
  std::memcpy(c.community_id.data(), r.community_id.data(), n);
  c.community_id_len = static_cast<std::uint8_t>(n);
  return c;
}

AlertEvidence expand_evidence(const CompactEvidence& c) {
  AlertEvidence e;
  e.session_id = c.session_id;
  e.community_id.assign(c.community_id.data(), c.community_id_len);
  e.endpoints = c.endpoints;
  e.first_ts = c.first_ts;
  e.last_ts = c.last_ts;
  e.bytes_out = c.bytes_out;
  e.bytes_in = c.bytes_in;
  if (c.app != AppProtocol::unknown) e.app_protocol = std::string(app_protocol_name(c.app));
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
