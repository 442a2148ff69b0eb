#pragma once
/// Detection results. A DetectionHit is what one detector says once (an intel
/// match, a signature rule that fired, a behavioural detector's finding); the
/// alert manager turns hits into Alerts: scored, deduplicated over a window,
/// stored, indexed, exported, and triaged by analysts (status and notes).
/// Plain values; hits are made on the indexer thread.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "opensoc/core/enrichment.hpp"
#include "opensoc/core/ip_address.hpp"
#include "opensoc/core/protocol_event.hpp"
#include "opensoc/core/time.hpp"

namespace opensoc {

enum class DetectionKind : std::uint8_t { signature, intel, behaviour };

constexpr std::string_view detection_kind_name(DetectionKind k) noexcept {
  switch (k) {
    case DetectionKind::signature: return "signature";
    case DetectionKind::intel: return "intel";
    case DetectionKind::behaviour: return "behaviour";
  }
  return "unknown";
}

/// A session (or one of its packets/events) behind an alert: enough to find
/// its search record (session_id) and to cut its packets (5-tuple + times).
struct AlertEvidence {
  std::uint64_t session_id = 0;
  std::string community_id;
  Endpoints endpoints;          ///< the session's orientation
  TimestampNs first_ts = 0;     ///< session start (packet time)
  TimestampNs last_ts = 0;      ///< last packet seen when the hit was made
  std::uint64_t bytes_out = 0;  ///< source -> destination bytes
  std::uint64_t bytes_in = 0;
  std::string app_protocol;     ///< "dns", "http", ... or ""
};

struct DetectionHit {
  DetectionKind kind = DetectionKind::signature;
  /// Stable rule name: "sid:2100498", "intel", "dns_tunnel", "beacon", ...
  std::string rule_id;
  std::uint32_t signature_id = 0;  ///< Suricata sid; detectors have fixed ids in 9000000+ (see detect/)
  std::uint32_t rev = 0;
  std::string signature;           ///< human title (rule msg, or the detector's sentence)
  std::string category;            ///< classtype / detector category ("exfiltration", "command-and-control", ...)
  std::uint8_t severity = 2;       ///< 1 = high, 2 = medium, 3 = low, 4 = info (Suricata priority scale)
  std::uint8_t confidence = 50;    ///< 0..100: intel confidence, or the detector's own
  TimestampNs ts = 0;              ///< packet time of the hit
  Endpoints endpoints;             ///< the host pair the hit is about (dst may be empty for e.g. a scan source)
  std::vector<AlertEvidence> evidence;  ///< sessions behind it (bounded by the detector, e.g. <= 32)
  std::vector<ThreatMatch> threats;     ///< intel matches (kind == intel)
  /// Hits with the same key within the dedup window fold into one alert.
  /// Empty: rule_id + source ip + destination ip.
  std::string dedup_key;
  /// Extra facts as a JSON object text ("{\"bytes_out\":123,...}"), or "".
  std::string details_json;
  /// Set by the alert stage from enrichment before scoring.
  Criticality asset_criticality = Criticality::unknown;
  bool from_packet = false;  ///< a packet-level signature match (EVE alert with packet fields)
  std::uint64_t pcap_cnt = 0;  ///< the packet that made the hit, 1-based in its worker's stream (EVE pcap_cnt); 0 unknown
  std::int64_t tx_id = -1;     ///< the protocol transaction an event hit is about (EVE tx_id); -1 none
};

enum class AlertStatus : std::uint8_t { new_, acknowledged, escalated, closed };

constexpr std::string_view alert_status_name(AlertStatus s) noexcept {
  switch (s) {
    case AlertStatus::new_: return "new";
    case AlertStatus::acknowledged: return "acknowledged";
    case AlertStatus::escalated: return "escalated";
    case AlertStatus::closed: return "closed";
  }
  return "new";
}

/// One triage action: who changed what, when, and why.
struct AlertChange {
  TimestampNs at = 0;  ///< wall clock
  std::string user;    ///< "anonymous" until auth exists
  AlertStatus from = AlertStatus::new_;
  AlertStatus to = AlertStatus::new_;
  std::string note;
};

struct Alert {
  std::uint64_t id = 0;          ///< unique, increasing, never reused
  DetectionHit hit;              ///< the first hit (evidence grows as hits fold in, bounded)
  double score = 0;              ///< triage score 0..100
  TimestampNs first_seen = 0;    ///< packet time of the first hit
  TimestampNs last_seen = 0;     ///< packet time of the latest folded hit
  TimestampNs created_at = 0;    ///< wall clock
  std::uint32_t count = 1;       ///< hits folded in by deduplication
  AlertStatus status = AlertStatus::new_;
  std::vector<AlertChange> history;
};

}  // namespace opensoc
