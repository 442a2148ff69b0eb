#pragma once
// The flow table's key hash: seeded (so an attacker cannot precompute
// colliding keys for a given sensor) and cheap for the fixed 40-byte FlowKey.
#include <bit>
#include <cstdint>
#include <cstring>

#include "opensoc/core/flow_key.hpp"

namespace opensoc::flow {

namespace detail {
__extension__ using u128 = unsigned __int128;
/// Folded 64x64->128 multiply (the "mum" of wyhash): one multiply mixes two
/// words completely.
[[nodiscard]] inline std::uint64_t mum(std::uint64_t a, std::uint64_t b) noexcept {
  const u128 r = static_cast<u128>(a) * b;
  return static_cast<std::uint64_t>(r) ^ static_cast<std::uint64_t>(r >> 64);
}
}  // namespace detail

/// wyhash-style over the key's five 8-byte words: two independent folded
/// multiplies (which the CPU runs in parallel) and a final one, each word
/// first mixed with a seed-derived secret, so colliding keys cannot be
/// precomputed without the per-table seed. Pure; any thread.
[[nodiscard]] inline std::uint64_t hash_flow_key(const FlowKey& k, std::uint64_t seed) noexcept {
  static_assert(sizeof(FlowKey) == 40);
  std::uint64_t w[5];
  std::memcpy(w, &k, sizeof w);
  const std::uint64_t a = detail::mum(w[0] ^ seed ^ 0xa0761d6478bd642fULL, w[1] ^ 0xe7037ed1a0b428dbULL);
  const std::uint64_t b = detail::mum(w[2] ^ seed ^ 0x8ebc6af09c88c6e3ULL, w[3] ^ 0x589965cc75374cc3ULL);
  return detail::mum(a ^ w[4] ^ 0x1d8e4e27c47d124fULL, b ^ seed);
}

}  // namespace opensoc::flow
