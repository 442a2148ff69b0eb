#pragma once
// FlowIndex: the hash index from FlowKey to a FlowEntry slot. Open addressing
// with linear probing over {hash, slot} buckets, at most half full, and
// backward-shift deletion (no tombstones, so lookups stay short and correct
// however many flows come and go). Internal to the flow module.
#include <cstdint>
#include "flow/flow_entry.hpp"
#include "flow/zeroed_array.hpp"

namespace opensoc::flow {

class FlowIndex {
 public:
  /// Sizes the bucket array for `max_entries` (a power of two >= 2x).
  /// Allocates; construction time only.
  explicit FlowIndex(std::uint32_t max_entries);

  /// Slot of the entry whose key equals `key`, or kNoEntry.
  [[nodiscard]] std::uint32_t find(std::uint32_t hash, const FlowKey& key,
                                   const FlowEntry* entries) const noexcept {
    for (std::uint32_t i = hash & mask_;; i = (i + 1) & mask_) {
      const Bucket b = buckets_[i];
      if (b.slot_plus_one == 0) return kNoEntry;
      if (b.hash == hash && entries[b.slot_plus_one - 1].key == key) return b.slot_plus_one - 1;
    }
  }

  /// Adds `slot` under `hash`. The key must not be present already, and the
  /// index must hold fewer than max_entries (the table guarantees both).
  void insert(std::uint32_t hash, std::uint32_t slot) noexcept;

  /// Removes `slot`, which must have been inserted under `hash`.
  void erase(std::uint32_t hash, std::uint32_t slot) noexcept;

  [[nodiscard]] std::size_t bucket_count() const noexcept { return buckets_.size(); }

 private:
  // All-zero is an empty bucket, so the array needs no initialisation.
  struct Bucket {
    std::uint32_t hash;
    std::uint32_t slot_plus_one;
  };
  static std::size_t bucket_count_for(std::uint32_t max_entries);
  ZeroedArray<Bucket> buckets_;
  std::uint32_t mask_ = 0;
};

}  // namespace opensoc::flow
