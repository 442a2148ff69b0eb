// Fuzzes the address texts every request and log carries: IpAddress::parse
// (REST parameters, log fields, config), the slice prefix parser ("A/N")
// and Community IDs ("1:<base64>", REST and query text). Checks the round
// trips the headers promise: an accepted address, prefix or Community ID
// prints (RFC 5952 for IPv6, canonical base64) to text that parses back to
// the same value, and a prefix has no host bits set.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "opensoc/core/ip_address.hpp"
#include "slice/slice_query.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace opensoc;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (const auto a = IpAddress::parse(text)) {
    if (a->version != 4 && a->version != 6) __builtin_trap();
    const std::string s = a->to_string();
    const auto b = IpAddress::parse(s);
    if (!b || !(*b == *a) || b->to_string() != s) __builtin_trap();
  }
  if (const auto p = slice::parse_ip_prefix(text)) {
    const unsigned width = p->version == 6 ? 128 : 32;
    if ((p->version != 4 && p->version != 6) || p->prefix_len > width) __builtin_trap();
    for (unsigned bit = p->prefix_len; bit < width; ++bit) {
      if ((p->addr[bit / 8] >> (7 - bit % 8)) & 1) __builtin_trap();
    }
    const std::string s = slice::format_ip_prefix(*p);
    const auto q = slice::parse_ip_prefix(s);
    if (!q || !(*q == *p) || slice::format_ip_prefix(*q) != s) __builtin_trap();
  }
  if (const auto c = slice::parse_community_id(text)) {
    if (slice::format_community_id(*c) != text) __builtin_trap();
  }
  return 0;
}
