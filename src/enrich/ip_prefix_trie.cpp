// The non-template helpers of ip_prefix_trie.hpp: CIDR text and the IPv4-mapped
// form. Control-plane (parse_cidr at load) and any thread (unmap_ipv4).
#include "enrich/ip_prefix_trie.hpp"

#include <array>
#include <cstring>

namespace opensoc::enrich {
namespace {

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<std::pair<IpAddress, std::uint8_t>> parse_cidr(std::string_view text) {
  text = trim(text);
  const auto slash = text.find('/');
  const std::string_view address_text = slash == std::string_view::npos ? text : text.substr(0, slash);
  auto address = IpAddress::parse(address_text);
  if (!address) return std::nullopt;
  const unsigned max_len = address->version == 6 ? 128 : 32;
  unsigned len = max_len;
  if (slash != std::string_view::npos) {
    const std::string_view digits = text.substr(slash + 1);
    // At most three digits: "/0032" or a 20-digit overflow is not a prefix.
    if (digits.empty() || digits.size() > 3) return std::nullopt;
    len = 0;
    for (const char c : digits) {
      if (c < '0' || c > '9') return std::nullopt;
      len = len * 10 + static_cast<unsigned>(c - '0');
    }
    if (len > max_len) return std::nullopt;
  }
  for (unsigned i = len; i < max_len; ++i) address->bytes[i / 8] &= static_cast<std::uint8_t>(~(0x80U >> (i % 8)));
  return std::pair{*address, static_cast<std::uint8_t>(len)};
}

IpAddress unmap_ipv4(const IpAddress& address) noexcept {
  static constexpr std::array<std::uint8_t, 12> kMappedPrefix{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (address.version != 6 || std::memcmp(address.bytes.data(), kMappedPrefix.data(), kMappedPrefix.size()) != 0) {
    return address;
  }
  return IpAddress::v4(address.bytes.data() + 12);
}

}  // namespace opensoc::enrich
