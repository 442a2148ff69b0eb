#pragma once
/// Standard base64 (RFC 4648, with padding), the alphabet Community IDs are
/// written in: the flow module writes them, the slice query reads them back.
#include <cstddef>
#include <cstdint>
#include <string>

namespace opensoc {

inline constexpr char kBase64Alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// The 6-bit value of an alphabet character; -1 for anything else ('=' too).
[[nodiscard]] constexpr int base64_value(char c) noexcept {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

/// Appends the base64 of [p, p + n) to `out`.
void append_base64(std::string& out, const std::uint8_t* p, std::size_t n);

}  // namespace opensoc
