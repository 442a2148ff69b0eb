#pragma once
// The flow table's key hash: seeded (so an attacker cannot precompute
// colliding keys for a given sensor) and cheap for the fixed 40-byte FlowKey.
#include <bit>
#include <cstdint>
#include <cstring>

#include "opensoc/core/flow_key.hpp"

namespace opensoc::flow {

/// Multiply-xorshift over the key's five 8-byte words, finished with the
/// murmur3 fmix64 avalanche so the low bits (the bucket) depend on every
/// input bit. Pure; any thread.
[[nodiscard]] inline std::uint64_t hash_flow_key(const FlowKey& k, std::uint64_t seed) noexcept {
  static_assert(sizeof(FlowKey) == 40);
  std::uint64_t w[5];
  std::memcpy(w, &k, sizeof w);
  std::uint64_t h = seed ^ 0x9e3779b97f4a7c15ULL;
  for (const std::uint64_t x : w) {
    std::uint64_t m = x * 0xbf58476d1ce4e5b9ULL;
    m ^= m >> 31;
    h = std::rotl((h ^ m) * 0x94d049bb133111ebULL, 29);
  }
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

}  // namespace opensoc::flow
