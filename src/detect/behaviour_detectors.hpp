#pragma once
// BehaviourDetectors: the behavioural detectors as one unit for the detection
// stage: volume (large_upload, volume_baseline), DNS tunnel, beacon, scans
// (horizontal, vertical) and new external destination. Inputs are enriched
// SessionRecords and ProtocolEvents; outputs are DetectionHits of kind
// behaviour. All time is packet time, so replays give the same hits.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "detect/beacon_detector.hpp"
#include "detect/behaviour_config.hpp"
#include "detect/detector_support.hpp"
#include "detect/dns_tunnel_detector.hpp"
#include "detect/new_destination_detector.hpp"
#include "detect/scan_detector.hpp"
#include "detect/volume_detector.hpp"
#include "opensoc/core/alert.hpp"
#include "opensoc/core/protocol_event.hpp"
#include "opensoc/core/time.hpp"

namespace opensoc::detect {

/// Owns one of each detector. Threading: one thread (the indexer thread)
/// calls every method; stats() too (copy the result to publish it). Never
/// blocks. Memory is bounded by the per-detector caps in their headers.
class BehaviourDetectors {
 public:
  explicit BehaviourDetectors(const BehaviourConfig& config);

  /// One session record (interim, provisional or final; each detector picks
  /// the kinds it counts). Appends hits to `out`.
  void on_session(const SessionRecord& record, std::vector<DetectionHit>& out);
  /// One protocol event (DNS queries feed the tunnel detector). Appends hits to `out`.
  void on_event(const ProtocolEvent& event, std::vector<DetectionHit>& out);
  /// Packet time moved to `now` without input for some keys: windows that
  /// closed are dropped. Call every second or so of packet time. Currently
  /// no detector raises on a closing window (all raise when a threshold is
  /// crossed), so `out` is left as is; it is kept for detectors that will.
  void advance(TimestampNs now, std::vector<DetectionHit>& out);

  struct Stats {
    /// Hits raised, indexed by signature_id - 9000001.
    std::uint64_t hits[7];
    /// Entries evicted from any full table (state lost early).
    std::uint64_t evictions;
    /// Entries held now: volume hosts + new-destination hosts + scan
    /// sources + beacon keys + DNS domains.
    std::size_t tracked_hosts;
  };
  [[nodiscard]] Stats stats() const;

  /// Thresholds change on reload; learned state (baselines, histories,
  /// learned destinations, open windows) is kept.
  void reconfigure(const BehaviourConfig& config);

 private:
  void count(const std::vector<DetectionHit>& out, std::size_t from);

  VolumeDetector volume_;
  DnsTunnelDetector dns_tunnel_;
  BeaconDetector beacon_;
  ScanDetector scan_;
  NewDestinationDetector new_destination_;
  std::uint64_t hits_[7] = {};
};

}  // namespace opensoc::detect
