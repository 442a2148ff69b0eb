#pragma once
/// Loads and stores of fixed-endian integers at any alignment: network
/// headers (big-endian), pcap records (little-endian), index keys
/// (big-endian, so integers sort as their bytes). memcpy, which the compiler
/// turns into one unaligned load or store plus a byte swap, never a pointer
/// cast (undefined behaviour on a misaligned address). No bounds checks: the
/// caller proves the bytes are there.
#include <bit>
#include <cstdint>
#include <cstring>

namespace opensoc {

namespace byte_order_detail {
template <typename T>
[[nodiscard]] constexpr T swap(T v) noexcept {
  if constexpr (sizeof(T) == 2) return __builtin_bswap16(v);
  else if constexpr (sizeof(T) == 4) return __builtin_bswap32(v);
  else return __builtin_bswap64(v);
}
template <typename T>
[[nodiscard]] inline T load(const std::uint8_t* p, std::endian order) noexcept {
  T v;
  std::memcpy(&v, p, sizeof v);
  return order == std::endian::native ? v : swap(v);
}
template <typename T>
inline void store(std::uint8_t* p, T v, std::endian order) noexcept {
  if (order != std::endian::native) v = swap(v);
  std::memcpy(p, &v, sizeof v);
}
}  // namespace byte_order_detail

[[nodiscard]] inline std::uint16_t load_be16(const std::uint8_t* p) noexcept {
  return byte_order_detail::load<std::uint16_t>(p, std::endian::big);
}
[[nodiscard]] inline std::uint32_t load_be32(const std::uint8_t* p) noexcept {
  return byte_order_detail::load<std::uint32_t>(p, std::endian::big);
}
[[nodiscard]] inline std::uint64_t load_be64(const std::uint8_t* p) noexcept {
  return byte_order_detail::load<std::uint64_t>(p, std::endian::big);
}
[[nodiscard]] inline std::uint16_t load_le16(const std::uint8_t* p) noexcept {
  return byte_order_detail::load<std::uint16_t>(p, std::endian::little);
}
[[nodiscard]] inline std::uint32_t load_le32(const std::uint8_t* p) noexcept {
  return byte_order_detail::load<std::uint32_t>(p, std::endian::little);
}
inline void store_be16(std::uint8_t* p, std::uint16_t v) noexcept { byte_order_detail::store(p, v, std::endian::big); }
inline void store_be32(std::uint8_t* p, std::uint32_t v) noexcept { byte_order_detail::store(p, v, std::endian::big); }
inline void store_be64(std::uint8_t* p, std::uint64_t v) noexcept { byte_order_detail::store(p, v, std::endian::big); }
inline void store_le16(std::uint8_t* p, std::uint16_t v) noexcept { byte_order_detail::store(p, v, std::endian::little); }
inline void store_le32(std::uint8_t* p, std::uint32_t v) noexcept { byte_order_detail::store(p, v, std::endian::little); }

}  // namespace opensoc
