#include "flow/flow_index.hpp"

#include <bit>

namespace opensoc::flow {

std::size_t FlowIndex::bucket_count_for(std::uint32_t max_entries) {
  // At most half full: linear probes stay short and always reach an empty
  // bucket, which is what ends an unsuccessful lookup.
  const std::uint64_t want = std::uint64_t{max_entries} * 2;
  return static_cast<std::size_t>(std::bit_ceil(want < 8 ? std::uint64_t{8} : want));
}

FlowIndex::FlowIndex(std::uint32_t max_entries)
    : buckets_(bucket_count_for(max_entries)), mask_(static_cast<std::uint32_t>(buckets_.size() - 1)) {}

void FlowIndex::insert(std::uint32_t hash, std::uint32_t slot) noexcept {
  std::uint32_t i = hash & mask_;
  while (buckets_[i].slot_plus_one != 0) i = (i + 1) & mask_;
  buckets_[i] = Bucket{hash, slot + 1};
}

void FlowIndex::erase(std::uint32_t hash, std::uint32_t slot) noexcept {
  std::uint32_t i = hash & mask_;
  while (buckets_[i].slot_plus_one != slot + 1) {
    if (buckets_[i].slot_plus_one == 0) return;  // not present: nothing to do
    i = (i + 1) & mask_;
  }
  // Backward shift: pull later members of the probe run into the hole unless
  // their home bucket lies cyclically in (hole, j], where moving them would
  // put them before their home and make them unreachable.
  std::uint32_t hole = i;
  for (std::uint32_t j = (hole + 1) & mask_; buckets_[j].slot_plus_one != 0; j = (j + 1) & mask_) {
    const std::uint32_t home = buckets_[j].hash & mask_;
    const std::uint32_t dist_home = (j - home) & mask_;
    const std::uint32_t dist_hole = (j - hole) & mask_;
    if (dist_home >= dist_hole) {
      buckets_[hole] = buckets_[j];
      hole = j;
    }
  }
  buckets_[hole] = Bucket{0, 0};
}

}  // namespace opensoc::flow
