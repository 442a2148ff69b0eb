#pragma once
// ScanDetector (horizontal_scan 9000005, vertical_scan 9000006): a source
// probing many hosts on one port, or many ports on one host, within a
// window. Only sessions that look like probes count: TCP that never carried
// data (SYN unanswered, SYN answered by RST, or a handshake the initiator
// reset at once) and UDP that got no reply.
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

/// True when a final session record looks like a probe rather than a
/// conversation (see the file comment). Exposed for tests and docs.
[[nodiscard]] bool is_probe_session(const FlowRecord& flow) noexcept;

/// Not thread-safe: every method must be called from one thread. Never
/// blocks. At most 1024 sources (the stalest are evicted, and counted), each
/// with at most 4096 distinct (host, port) pairs per window.
class ScanDetector {
 public:
  explicit ScanDetector(const ScanConfig& config);
  ~ScanDetector();
  ScanDetector(ScanDetector&&) noexcept;
  ScanDetector& operator=(ScanDetector&&) noexcept;

  /// Final records only. Appends at most one hit per (source, port) and per
  /// (source, host) per window.
  void on_session(const SessionRecord& record, std::vector<DetectionHit>& out);
  /// Forgets sources whose window has closed by `now` (packet time).
  void advance(TimestampNs now);
  void reconfigure(const ScanConfig& config);

  [[nodiscard]] std::uint64_t evictions() const noexcept;
  [[nodiscard]] std::size_t tracked_sources() const noexcept;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace opensoc::detect
