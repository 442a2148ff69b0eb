#pragma once
// Big-endian loads from packet bytes. Packet headers sit at arbitrary
// alignment inside a frame, so every load goes through memcpy (which the
// compiler turns into one unaligned load plus a byte swap) rather than a
// pointer cast, which would be undefined behaviour on a misaligned address.
// These helpers do not check bounds: DecodeState::has() is the bounds check,
// and every caller proves the bytes are there before loading them.
#include <bit>
#include <cstdint>
#include <cstring>

namespace opensoc::decode::detail {

[[nodiscard]] inline std::uint16_t load_be16(const std::uint8_t* p) noexcept {
  std::uint16_t v;
  std::memcpy(&v, p, sizeof v);
  if constexpr (std::endian::native == std::endian::little) v = __builtin_bswap16(v);
  return v;
}

[[nodiscard]] inline std::uint32_t load_be32(const std::uint8_t* p) noexcept {
  std::uint32_t v;
  std::memcpy(&v, p, sizeof v);
  if constexpr (std::endian::native == std::endian::little) v = __builtin_bswap32(v);
  return v;
}

[[nodiscard]] inline std::uint32_t load_le32(const std::uint8_t* p) noexcept {
  std::uint32_t v;
  std::memcpy(&v, p, sizeof v);
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap32(v);
  return v;
}

}  // namespace opensoc::decode::detail
