#pragma once
// Small text helpers shared by the query parsers (GET parameters,
// Stenographer text, time values): ASCII case folding and echoing user text
// into error messages safely. Pure functions, any thread.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace opensoc::slice {

[[nodiscard]] constexpr char ascii_lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

/// ASCII case-insensitive equality (keywords, units, protocol names).
[[nodiscard]] constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

/// User text for an error message: quoted, at most 40 bytes ("..." after),
/// non-printable bytes as '?', so the message is safe in JSON and logs.
[[nodiscard]] std::string quote(std::string_view s);

/// A transport named in a query: "tcp", "udp", "sctp" or "icmp" (any case);
/// icmp means ICMP for either IP version (the analyst means "ping traffic").
struct NamedProtocol {
  std::uint8_t proto = 0;
  bool icmp_any = false;
};
[[nodiscard]] std::optional<NamedProtocol> protocol_by_name(std::string_view name) noexcept;

}  // namespace opensoc::slice
