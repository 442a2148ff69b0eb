#pragma once
// Indicator normalisation: one canonical text per indicator type, so that a
// feed's "EVIL.com." and a packet's "evil.com" meet in one hash set. Pure
// functions of their arguments: no state, safe from any thread. The loaders
// (control plane, any thread) call normalise_indicator on every value; the
// indexer thread calls normalise_url_into on observed URLs, which writes into
// the caller's buffer and never allocates.
//
// Canonical forms:
//   ipv4/ipv6   inet_ntop text ("192.0.2.1", RFC 5952 for IPv6)
//   cidr        masked network "10.0.0.0/8" ("/32" and "/128" become ipv4/ipv6)
//   domain      lower-case ASCII, no trailing dot, one leading "*." removed;
//               UTF-8 (IDNA U-labels) and "xn--" labels are kept as they are
//   url         lower-case scheme and host, default port removed, fragment
//               removed, "/" when the path is empty; path and query keep case
//   ja3         32 lower-case hex digits; x509-sha1 40; x509-sha256 64
//               (colons and spaces between bytes are removed)
//   ja4         kept as given: its letters carry meaning, so it is not folded
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "opensoc/core/enrichment.hpp"
#include "opensoc/core/result.hpp"

namespace opensoc::intel {

/// Longest domain indicator accepted (RFC 1035 presentation form, no trailing dot).
inline constexpr std::size_t kMaxDomainLength = 253;
/// Longest URL indicator accepted, normalised; longer observed URLs cannot match.
inline constexpr std::size_t kMaxUrlLength = 4096;
/// Longest JA4 (or JA4_r) fingerprint accepted.
inline constexpr std::size_t kMaxJa4Length = 512;

/// Maps a feed's type word to a type, case-insensitively: ip, ipv4, ipv4-addr,
/// ipv6, ipv6-addr, cidr, network, domain, domain-name, hostname, fqdn, url,
/// uri, ja3, ja3-md5, ja4, x509-sha1, cert-sha1, sha1-cert, x509-sha256,
/// cert-sha256. The address words all map to an address type; the value then
/// decides between ipv4, ipv6 and cidr (see normalise_indicator).
std::optional<IndicatorType> parse_indicator_type(std::string_view word) noexcept;

/// A value in canonical form, with the type the value turned out to be.
struct NormalisedIndicator {
  IndicatorType type = IndicatorType::ipv4;
  std::string value;
};

/// Canonicalises `value` (surrounding whitespace ignored) for `type`. For the
/// address types (ipv4, ipv6, cidr) the value decides the result: an address
/// is ipv4 or ipv6 by its family, "a/n" is cidr unless n is the full length.
/// A domain that is an IP address becomes ipv4/ipv6. Returns an Error whose
/// message is the reason ("not an IP address", "ja3 must be 32 hex digits")
/// for a value that is not one of its type. Allocates the result.
Result<NormalisedIndicator> normalise_indicator(IndicatorType type, std::string_view value);

/// Writes the canonical form of `url` (see above; no scheme means "http") into
/// out[0, capacity) and returns its length, or 0 when `url` is malformed or
/// the result does not fit. Never allocates: the matcher's per-event path.
std::size_t normalise_url_into(std::string_view url, char* out, std::size_t capacity) noexcept;

}  // namespace opensoc::intel
