#pragma once
// NewDestinationDetector (new_external_destination, 9000007): a critical
// server (asset criticality at or above the configured minimum) talks to a
// small, stable set of outside hosts. Each such host first learns its
// external destinations for learning_s of packet time; afterwards a
// destination outside that set raises once and joins the set.
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
/// blocks. At most 65536 hosts (the stalest are evicted, and counted; an
/// evicted host starts learning again) and 4096 destinations per host (a
/// host whose set is full is no longer judged, and is counted as saturated).
class NewDestinationDetector {
 public:
  explicit NewDestinationDetector(const NewDestinationConfig& config);
  ~NewDestinationDetector();
  NewDestinationDetector(NewDestinationDetector&&) noexcept;
  NewDestinationDetector& operator=(NewDestinationDetector&&) noexcept;

  /// Any record kind (the destination set makes a session raise once).
  void on_session(const SessionRecord& record, std::vector<DetectionHit>& out);
  /// Thresholds change; learned destinations are kept.
  void reconfigure(const NewDestinationConfig& config);

  [[nodiscard]] std::uint64_t evictions() const noexcept;
  [[nodiscard]] std::uint64_t saturated() const noexcept;  ///< destinations not judged because a set was full
  [[nodiscard]] std::size_t tracked_hosts() const noexcept;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace opensoc::detect
