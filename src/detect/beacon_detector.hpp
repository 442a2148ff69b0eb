#pragma once
// BeaconDetector (beacon, 9000004): malware implants call home on a timer, so
// their sessions to one destination start at nearly regular intervals. Keeps
// the start times of the last 32 final sessions per (internal source,
// destination address, destination port) and judges their regularity.
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
/// blocks. At most 32768 keys are tracked (the stalest are evicted, and
/// counted), 32 sessions each.
class BeaconDetector {
 public:
  explicit BeaconDetector(const BeaconConfig& config);
  ~BeaconDetector();
  BeaconDetector(BeaconDetector&&) noexcept;
  BeaconDetector& operator=(BeaconDetector&&) noexcept;

  /// Final records only (interim and provisional ones are ignored, so a
  /// session counts once). Appends at most one hit per key per day.
  void on_session(const SessionRecord& record, std::vector<DetectionHit>& out);
  void reconfigure(const BeaconConfig& config);

  [[nodiscard]] std::uint64_t evictions() const noexcept;
  [[nodiscard]] std::size_t tracked_keys() const noexcept;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace opensoc::detect
