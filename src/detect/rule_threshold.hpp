#pragma once
// ThresholdTable: the per-thread state behind a rule's `threshold:` keyword,
// one counter per (sid, tracked address), kept in a fixed-capacity
// open-addressing table sized at construction. Owned by one RuleScratch and
// used only by the thread that owns that scratch; never allocates after
// construction (a full neighbourhood evicts its stalest entry).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "detect/rule.hpp"
#include "opensoc/core/ip_address.hpp"
#include "opensoc/core/time.hpp"

namespace opensoc::detect {

class ThresholdTable {
 public:
  static constexpr std::size_t kDefaultCapacity = 65536;

  /// `capacity` is rounded up to a power of two (at least 16).
  explicit ThresholdTable(std::size_t capacity = kDefaultCapacity);

  /// Counts one match of rule `sid` for `tracked` (the source or destination
  /// the spec tracks) at packet time `ts`, and says whether it alerts, with
  /// Suricata's semantics: limit alerts on the first `count` per window;
  /// threshold on every `count`th within a window; both once per window,
  /// when the count reaches `count`. A window opens at the first match and
  /// lasts `seconds`.
  [[nodiscard]] bool allow(std::uint32_t sid, const ThresholdSpec& spec, const IpAddress& tracked,
                           TimestampNs ts) noexcept;

  /// Entries evicted to make room since construction.
  [[nodiscard]] std::uint64_t evictions() const noexcept { return evictions_; }
  [[nodiscard]] std::size_t capacity() const noexcept { return slots_.size(); }

 private:
  struct Slot {
    IpAddress address;
    std::uint32_t sid = 0;
    std::uint32_t count = 0;
    TimestampNs window_start = 0;
    TimestampNs last_seen = 0;
    bool used = false;
  };
  Slot& find_or_claim(std::uint32_t sid, const IpAddress& a, TimestampNs ts, bool& fresh) noexcept;

  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
  std::uint64_t evictions_ = 0;
};

}  // namespace opensoc::detect
