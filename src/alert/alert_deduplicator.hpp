#pragma once
// AlertDeduplicator: which open alert a new hit folds into. Hits with the same
// key (the detector's dedup_key, else rule|source|destination) within a window
// of packet time of the alert's latest hit become one alert with a count.
// Owned and used by one thread (the alert stage on the indexer thread); not
// thread-safe. Memory is bounded: beyond `capacity` keys the least recently
// remembered key is forgotten (its next hit starts a new alert).
#include <cstddef>
#include <cstdint>
#include <list>
#include <optional>
#include <string>
#include <unordered_map>

#include "opensoc/core/alert.hpp"
#include "opensoc/core/time.hpp"

namespace opensoc::alert {

/// The key hits fold on: `hit.dedup_key` when set, else
/// "<rule_id>|<source ip>|<destination ip>" (an absent address is empty).
[[nodiscard]] std::string alert_dedup_key(const DetectionHit& hit);

class AlertDeduplicator {
 public:
  static constexpr std::size_t kDefaultCapacity = 65536;

  /// `window`: how long (packet time, ns) after a key's latest hit another
  /// hit still folds into the same alert; the window slides with each hit.
  explicit AlertDeduplicator(TimestampNs window, std::size_t capacity = kDefaultCapacity);

  /// The alert a hit with `key` at packet time `ts` folds into, or nullopt
  /// when the key is unknown or its latest hit is more than the window away
  /// (either side: packet times from several workers interleave).
  [[nodiscard]] std::optional<std::uint64_t> find(const std::string& key, TimestampNs ts) const;

  /// Records that `key`'s latest hit (at `ts`) went to `alert_id`. Call it
  /// after both a new alert and a fold. Evicts the least recently remembered
  /// key when full.
  void remember(const std::string& key, std::uint64_t alert_id, TimestampNs ts);

  /// Forgets a key (e.g. its alert was closed or dropped by retention).
  void forget(const std::string& key);

  [[nodiscard]] std::size_t size() const noexcept { return entries_.size(); }
  [[nodiscard]] std::uint64_t evictions() const noexcept { return evictions_; }

 private:
  struct Entry {
    std::uint64_t alert_id = 0;
    TimestampNs last_ts = 0;
    std::list<std::string>::iterator order;  // position in order_
  };

  TimestampNs window_;
  std::size_t capacity_;
  std::unordered_map<std::string, Entry> entries_;
  std::list<std::string> order_;  // least recently remembered first
  std::uint64_t evictions_ = 0;
};

}  // namespace opensoc::alert
