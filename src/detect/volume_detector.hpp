#pragma once
// VolumeDetector: two byte-volume detectors on session records.
//   large_upload    (9000002): one internal -> external session that sent at
//                   least VolumeConfig::session_bytes_out and far more than it
//                   received. Acts on interim, provisional and final records;
//                   one hit per session_id.
//   volume_baseline (9000001): per internal host, bytes sent to external hosts
//                   per clock hour against an EWMA baseline per hour of day.
//                   Final records only, so bytes are counted once.
// Runs on the indexer thread (inside BehaviourDetectors).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "detect/behaviour_config.hpp"
#include "opensoc/core/alert.hpp"
#include "opensoc/core/protocol_event.hpp"
#include "opensoc/core/time.hpp"

namespace opensoc::detect {

/// Not thread-safe: every method must be called from one thread. Never
/// blocks. State is bounded (65536 hosts, 4096 remembered upload sessions);
/// the stalest hosts are evicted when full, and evictions are counted.
class VolumeDetector {
 public:
  explicit VolumeDetector(const VolumeConfig& config);
  ~VolumeDetector();
  VolumeDetector(VolumeDetector&&) noexcept;
  VolumeDetector& operator=(VolumeDetector&&) noexcept;

  /// Appends 0..2 hits to `out`. Time is the record's packet time.
  void on_session(const SessionRecord& record, std::vector<DetectionHit>& out);
  /// Thresholds change; learned baselines are kept.
  void reconfigure(const VolumeConfig& config);

  [[nodiscard]] std::uint64_t evictions() const noexcept;
  [[nodiscard]] std::size_t tracked_hosts() const noexcept;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace opensoc::detect
