#pragma once
// Hits and alerts for the alert module's tests: one realistic signature hit
// (an HTTP session with evidence) whose renderings the tests pin exactly.
#include <string_view>

#include "opensoc/core/alert.hpp"
#include "opensoc/core/ip_address.hpp"

namespace opensoc::alert::fixture {

/// 2025-11-27T10:00:00Z.
inline constexpr TimestampNs kT0 = 1764237600LL * kNsPerSecond;

inline IpAddress ip(std::string_view text) { return *IpAddress::parse(text); }

inline AlertEvidence make_evidence(std::uint64_t session_id, TimestampNs last_ts) {
  AlertEvidence e;
  e.session_id = session_id;
  e.community_id = "1:wCb3OG7yAFWelaUydu0D+125CLM=";
  e.endpoints = Endpoints{ip("10.0.0.5"), ip("203.0.113.9"), 51000, 80, 6, 0};
  e.first_ts = last_ts - kNsPerSecond;
  e.last_ts = last_ts;
  e.bytes_out = 100;
  e.bytes_in = 2000;
  e.app_protocol = "http";
  return e;
}

inline DetectionHit make_hit(TimestampNs ts = kT0) {
  DetectionHit h;
  h.kind = DetectionKind::signature;
  h.rule_id = "sid:2100498";
  h.signature_id = 2100498;
  h.rev = 7;
  h.signature = "GPL ATTACK_RESPONSE id check returned root";
  h.category = "Potentially Bad Traffic";
  h.severity = 2;
  h.confidence = 80;
  h.ts = ts;
  h.endpoints = Endpoints{ip("10.0.0.5"), ip("203.0.113.9"), 51000, 80, 6, 0};
  h.evidence.push_back(make_evidence(42, ts));
  return h;
}

/// An alert as the store would hand it out after insert.
inline Alert make_alert(std::uint64_t id = 7) {
  Alert a;
  a.id = id;
  a.hit = make_hit();
  a.score = 59.1;
  a.first_seen = kT0;
  a.last_seen = kT0 + 500'000'000;
  a.created_at = kT0 + 2 * kNsPerSecond;
  a.count = 3;
  return a;
}

}  // namespace opensoc::alert::fixture
