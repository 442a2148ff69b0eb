#pragma once
/// IpAddress: an IPv4 or IPv6 address as a plain value. IPv4 is kept in the
/// first four bytes (the rest zero), so comparison and hashing are on bytes.
#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace opensoc {

struct IpAddress {
  std::array<std::uint8_t, 16> bytes{};
  std::uint8_t version = 0;  ///< 4 or 6; 0 = none

  static IpAddress v4(const std::uint8_t* p) noexcept {
    IpAddress a;
    std::memcpy(a.bytes.data(), p, 4);
    a.version = 4;
    return a;
  }
  static IpAddress v6(const std::uint8_t* p) noexcept {
    IpAddress a;
    std::memcpy(a.bytes.data(), p, 16);
    a.version = 6;
    return a;
  }
  [[nodiscard]] std::size_t size() const noexcept { return version == 6 ? 16 : 4; }

  /// Text form: dotted quad, or RFC 5952 for IPv6.
  [[nodiscard]] std::string to_string() const;
  /// Parses either family; nullopt when `text` is not an address.
  static std::optional<IpAddress> parse(std::string_view text);

  friend bool operator==(const IpAddress&, const IpAddress&) = default;
  friend auto operator<=>(const IpAddress& a, const IpAddress& b) {
    if (a.version != b.version) return a.version <=> b.version;
    return std::memcmp(a.bytes.data(), b.bytes.data(), 16) <=> 0;
  }
};

}  // namespace opensoc
