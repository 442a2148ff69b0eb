#include "flow/flow_index.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <random>
#include <vector>

namespace opensoc::flow {
namespace {

FlowKey key_n(std::uint32_t n) {
  FlowKey k{};
  k.lo_addr[0] = 10;
  k.lo_addr[1] = static_cast<std::uint8_t>(n >> 16);
  k.lo_addr[2] = static_cast<std::uint8_t>(n >> 8);
  k.lo_addr[3] = static_cast<std::uint8_t>(n);
  k.ip_proto = 17;
  k.ip_version = 4;
  return k;
}

TEST_CASE("FlowIndex finds every remaining key after deletions in a collision run", "[flow][index]") {
  // 8 entries in a 16-bucket index; hashes chosen so that probe runs overlap
  // and wrap around the end of the bucket array.
  FlowIndex index(8);
  REQUIRE(index.bucket_count() == 16);
  std::vector<FlowEntry> entries(8);
  const std::uint32_t hashes[8] = {14, 14, 15, 14, 0, 1, 14, 3};
  for (std::uint32_t i = 0; i < 8; ++i) {
    entries[i].key = key_n(i);
    index.insert(hashes[i], i);
  }
  for (std::uint32_t i = 0; i < 8; ++i) REQUIRE(index.find(hashes[i], entries[i].key, entries.data()) == i);

  const std::uint32_t erase_order[] = {0, 4, 2, 6};
  std::vector<bool> present(8, true);
  for (const std::uint32_t gone : erase_order) {
    index.erase(hashes[gone], gone);
    present[gone] = false;
    for (std::uint32_t i = 0; i < 8; ++i) {
      CHECK(index.find(hashes[i], entries[i].key, entries.data()) == (present[i] ? i : kNoEntry));
    }
  }
}

TEST_CASE("FlowIndex agrees with a reference map under random churn", "[flow][index]") {
  constexpr std::uint32_t kSlots = 512;
  FlowIndex index(kSlots);
  std::vector<FlowEntry> entries(kSlots);
  std::map<std::uint32_t, std::uint32_t> live;  // slot -> hash
  std::vector<std::uint32_t> free_slots;
  for (std::uint32_t i = 0; i < kSlots; ++i) free_slots.push_back(i);
  std::mt19937 rng(7);
  std::uint32_t next_key = 0;
  for (int step = 0; step < 200000; ++step) {
    const bool add = !free_slots.empty() && (live.empty() || rng() % 2 == 0);
    if (add) {
      const std::uint32_t slot = free_slots.back();
      free_slots.pop_back();
      entries[slot].key = key_n(next_key++);
      const std::uint32_t h = rng() % 64;  // few distinct hashes: long runs
      index.insert(h, slot);
      live[slot] = h;
    } else {
      auto it = live.begin();
      std::advance(it, static_cast<long>(rng() % live.size()));
      index.erase(it->second, it->first);
      free_slots.push_back(it->first);
      live.erase(it);
    }
    if (step % 997 == 0) {
      for (const auto& [slot, h] : live) REQUIRE(index.find(h, entries[slot].key, entries.data()) == slot);
    }
  }
  for (const auto& [slot, h] : live) CHECK(index.find(h, entries[slot].key, entries.data()) == slot);
  CHECK(index.find(5, key_n(next_key + 1), entries.data()) == kNoEntry);
}

}  // namespace
}  // namespace opensoc::flow
