#pragma once
// DnsTunnelDetector (dns_tunnel, 9000003): data carried in DNS names shows up
// as many distinct, long, random-looking names under one registered domain,
// or as a stream of TXT/NULL queries. Counts DNS queries (not responses, so
// a transaction counts once) per registered domain over a tumbling window.
// Runs on the indexer thread (inside BehaviourDetectors).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "detect/behaviour_config.hpp"
#include "opensoc/core/alert.hpp"
#include "opensoc/core/protocol_event.hpp"
#include "opensoc/core/time.hpp"

namespace opensoc::detect {

/// The registrable part of a lower-case DNS name: its last two labels, or
/// three when the second-level label is a public one such as co.uk or
/// com.au (small built-in list). Returns `name` itself when it has fewer
/// labels. A view into `name`.
[[nodiscard]] std::string_view registered_domain(std::string_view name) noexcept;

/// Shannon entropy of the byte distribution of `label`, in bits per byte.
[[nodiscard]] double shannon_entropy(std::string_view label) noexcept;

/// Not thread-safe: every method must be called from one thread. Never
/// blocks. At most 4096 domains are tracked (the stalest is evicted, and
/// counted); each domain keeps at most `unique_subdomains` name hashes and
/// the last 32 sessions as evidence.
class DnsTunnelDetector {
 public:
  explicit DnsTunnelDetector(const DnsTunnelConfig& config);
  ~DnsTunnelDetector();
  DnsTunnelDetector(DnsTunnelDetector&&) noexcept;
  DnsTunnelDetector& operator=(DnsTunnelDetector&&) noexcept;

  /// Looks at DNS queries only; other events are ignored. Appends at most
  /// one hit per domain per window.
  void on_event(const ProtocolEvent& event, std::vector<DetectionHit>& out);
  /// Forgets domains whose window has closed by `now` (packet time).
  void advance(TimestampNs now);
  void reconfigure(const DnsTunnelConfig& config);

  [[nodiscard]] std::uint64_t evictions() const noexcept;
  [[nodiscard]] std::size_t tracked_domains() const noexcept;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace opensoc::detect
