// Indicator normalisation (see the header for the canonical forms). Runs on
// whichever thread loads a feed; normalise_url_into also on the indexer thread.
#include "intel/indicator_normaliser.hpp"

#include <array>
#include <cstdint>
#include <cstring>

#include "enrich/ip_prefix_trie.hpp"
#include "intel/feed_text.hpp"
#include "opensoc/core/ip_address.hpp"

namespace opensoc::intel {
namespace {

bool is_hex(char c) noexcept { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool is_alpha(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

Result<NormalisedIndicator> normalise_address(std::string_view v) {
  const std::size_t slash = v.find('/');
  if (slash == std::string_view::npos) {
    // ::ffff:a.b.c.d is a.b.c.d, as the matcher sees observed addresses.
    auto a = IpAddress::parse(v);
    if (!a) return Error{"not an IP address"};
    a = enrich::unmap_ipv4(*a);
    return NormalisedIndicator{a->version == 4 ? IndicatorType::ipv4 : IndicatorType::ipv6, a->to_string()};
  }
  auto a = IpAddress::parse(v.substr(0, slash));
  if (!a) return Error{"not an IP network (address part)"};
  const std::string_view len_text = v.substr(slash + 1);
  if (len_text.empty() || len_text.size() > 3) return Error{"not an IP network (prefix length)"};
  unsigned len = 0;
  for (char c : len_text) {
    if (!is_digit(c)) return Error{"not an IP network (prefix length)"};
    len = len * 10 + static_cast<unsigned>(c - '0');
  }
  if (len > (a->version == 4 ? 32U : 128U)) return Error{"prefix length longer than the address"};
  if (a->version == 6 && len >= 96) {
    // ::ffff:a.b.c.d/n is the IPv4 network a.b.c.d/(n-96): observed addresses are matched unmapped.
    const IpAddress unmapped = enrich::unmap_ipv4(*a);
    if (unmapped.version == 4) {
      *a = unmapped;
      len -= 96;
    }
  }
  const unsigned bits = a->version == 4 ? 32 : 128;
  if (len == bits) return NormalisedIndicator{a->version == 4 ? IndicatorType::ipv4 : IndicatorType::ipv6, a->to_string()};
  // Mask the host bits: feeds write "10.1.2.3/8" and mean 10.0.0.0/8.
  for (unsigned i = 0; i < 16; ++i) {
    const unsigned first_bit = i * 8;
    if (first_bit >= len) {
      a->bytes[i] = 0;
    } else if (first_bit + 8 > len) {
      a->bytes[i] = static_cast<std::uint8_t>(a->bytes[i] & static_cast<std::uint8_t>(0xFFu << (8 - (len - first_bit))));
    }
  }
  return NormalisedIndicator{IndicatorType::cidr, a->to_string() + "/" + std::to_string(len)};
}

Result<NormalisedIndicator> normalise_domain(std::string_view v) {
  if (v.size() >= 2 && v[0] == '*' && v[1] == '.') v.remove_prefix(2);
  if (!v.empty() && v.back() == '.') v.remove_suffix(1);
  if (v.empty()) return Error{"empty domain"};
  if (v.size() > kMaxDomainLength) return Error{"domain longer than 253 characters"};
  if (IpAddress::parse(v)) return normalise_address(v);
  std::string out;
  out.reserve(v.size());
  std::size_t label = 0;
  for (char c : v) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '.') {
      if (label == 0) return Error{"empty label in domain"};
      label = 0;
    } else if (u >= 0x80 || is_alpha(c) || is_digit(c) || c == '-' || c == '_') {
      if (++label > 63) return Error{"domain label longer than 63 characters"};
    } else {
      return Error{"character not allowed in a domain"};
    }
    out.push_back(ascii_lower(c));
  }
  if (label == 0) return Error{"empty label in domain"};  // "a.example.." keeps one dot after the strip
  return NormalisedIndicator{IndicatorType::domain, std::move(out)};
}

Result<NormalisedIndicator> normalise_hex(IndicatorType type, std::string_view v, std::size_t digits, const char* what) {
  std::string out;
  out.reserve(digits);
  for (char c : v) {
    if (c == ':' || c == ' ') continue;  // "AB:CD:..." as certificate viewers print it
    if (!is_hex(c) || out.size() == digits) return Error{std::string(what) + " must be " + std::to_string(digits) + " hex digits"};
    out.push_back(ascii_lower(c));
  }
  if (out.size() != digits) return Error{std::string(what) + " must be " + std::to_string(digits) + " hex digits"};
  return NormalisedIndicator{type, std::move(out)};
}

Result<NormalisedIndicator> normalise_ja4(std::string_view v) {
  if (v.empty() || v.size() > kMaxJa4Length) return Error{"ja4 must be 1 to 512 characters"};
  if (v.find('_') == std::string_view::npos) return Error{"ja4 must have '_'-separated parts"};
  for (char c : v)
    if (c <= ' ' || c > '~' || c == ',' || c == '"') return Error{"character not allowed in a ja4"};
  return NormalisedIndicator{IndicatorType::ja4, std::string(v)};
}

// Appends to a bounded buffer; `ok` turns false once anything did not fit.
struct BoundedWriter {
  char* out;
  std::size_t capacity;
  std::size_t size = 0;
  bool ok = true;
  void put(char c) noexcept {
    if (size < capacity) out[size++] = c;
    else ok = false;
  }
  void put(std::string_view s) noexcept {
    if (s.size() > capacity - size) {
      ok = false;
      return;
    }
    if (!s.empty()) std::memcpy(out + size, s.data(), s.size());
    size += s.size();
  }
};

bool is_default_port(std::string_view scheme_lower, std::string_view port) noexcept {
  while (port.size() > 1 && port.front() == '0') port.remove_prefix(1);
  if (port == "80") return scheme_lower == "http" || scheme_lower == "ws";
  if (port == "443") return scheme_lower == "https" || scheme_lower == "wss";
  if (port == "21") return scheme_lower == "ftp";
  return false;
}

}  // namespace

std::optional<IndicatorType> parse_indicator_type(std::string_view word) noexcept {
  word = trim_whitespace(word);
  struct Word {
    std::string_view text;
    IndicatorType type;
  };
  static constexpr std::array<Word, 21> kWords{{
      {"ip", IndicatorType::ipv4},          {"ipv4", IndicatorType::ipv4},
      {"ipv4-addr", IndicatorType::ipv4},   {"ipv6", IndicatorType::ipv6},
      {"ipv6-addr", IndicatorType::ipv6},   {"cidr", IndicatorType::cidr},
      {"network", IndicatorType::cidr},     {"domain", IndicatorType::domain},
      {"domain-name", IndicatorType::domain}, {"hostname", IndicatorType::domain},
      {"fqdn", IndicatorType::domain},      {"url", IndicatorType::url},
      {"uri", IndicatorType::url},          {"ja3", IndicatorType::ja3},
      {"ja3-md5", IndicatorType::ja3},      {"ja4", IndicatorType::ja4},
      {"x509-sha1", IndicatorType::cert_sha1}, {"cert-sha1", IndicatorType::cert_sha1},
      {"sha1-cert", IndicatorType::cert_sha1}, {"x509-sha256", IndicatorType::cert_sha256},
      {"cert-sha256", IndicatorType::cert_sha256},
  }};
  for (const Word& w : kWords)
    if (equals_ignore_case(word, w.text)) return w.type;
  return std::nullopt;
}

Result<NormalisedIndicator> normalise_indicator(IndicatorType type, std::string_view value) {
  value = trim_whitespace(value);
  if (value.empty()) return Error{"empty value"};
  switch (type) {
    case IndicatorType::ipv4:
    case IndicatorType::ipv6:
    case IndicatorType::cidr: return normalise_address(value);
    case IndicatorType::domain: return normalise_domain(value);
    case IndicatorType::url: {
      std::string out(kMaxUrlLength, '\0');
      const std::size_t n = normalise_url_into(value, out.data(), out.size());
      if (n == 0) return Error{"not a URL (or longer than 4096 bytes)"};
      out.resize(n);
      return NormalisedIndicator{IndicatorType::url, std::move(out)};
    }
    case IndicatorType::ja3: return normalise_hex(type, value, 32, "ja3");
    case IndicatorType::ja4: return normalise_ja4(value);
    case IndicatorType::cert_sha1: return normalise_hex(type, value, 40, "x509-sha1");
    case IndicatorType::cert_sha256: return normalise_hex(type, value, 64, "x509-sha256");
  }
  return Error{"unknown indicator type"};
}

std::size_t normalise_url_into(std::string_view url, char* out, std::size_t capacity) noexcept {
  url = trim_whitespace(url);
  if (url.empty() || capacity == 0) return 0;
  for (char c : url)
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7F) return 0;  // a URL has no spaces or controls

  // Scheme: letters, digits, '+', '-', '.', starting with a letter (RFC 3986 3.1).
  std::string_view scheme = "http";
  std::string_view rest = url;
  // "://" names a scheme only before the path: "evil.example/r?u=http://x" has none.
  if (const std::size_t sep = url.find("://"); sep != std::string_view::npos && sep < url.find_first_of("/?#")) {
    scheme = url.substr(0, sep);
    if (scheme.empty() || !is_alpha(scheme[0])) return 0;
    for (char c : scheme)
      if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-' && c != '.') return 0;
    rest = url.substr(sep + 3);
  }
  std::array<char, 16> scheme_lower{};
  if (scheme.size() > scheme_lower.size()) return 0;
  for (std::size_t i = 0; i < scheme.size(); ++i) scheme_lower[i] = ascii_lower(scheme[i]);
  const std::string_view scheme_l(scheme_lower.data(), scheme.size());

  std::size_t authority_end = rest.find_first_of("/?#");
  if (authority_end == std::string_view::npos) authority_end = rest.size();
  std::string_view authority = rest.substr(0, authority_end);
  std::string_view tail = rest.substr(authority_end);
  if (const std::size_t hash = tail.find('#'); hash != std::string_view::npos) tail = tail.substr(0, hash);

  std::string_view userinfo;
  if (const std::size_t at = authority.rfind('@'); at != std::string_view::npos) {
    userinfo = authority.substr(0, at + 1);  // keeps the '@'
    authority = authority.substr(at + 1);
  }
  std::string_view host;
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return 0;
    host = authority.substr(0, close + 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return 0;
      port = after.substr(1);
    }
  } else {
    const std::size_t colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);  // a second ':' fails the digit check
  }
  while (!host.empty() && host.back() == '.') host.remove_suffix(1);
  if (host.empty()) return 0;
  for (char c : port)
    if (!is_digit(c)) return 0;

  BoundedWriter w{out, capacity};
  w.put(scheme_l);
  w.put("://");
  w.put(userinfo);
  for (char c : host) w.put(ascii_lower(c));
  if (!port.empty() && !is_default_port(scheme_l, port)) {
    w.put(':');
    w.put(port);
  }
  if (tail.empty() || tail.front() == '?') w.put('/');
  w.put(tail);
  return w.ok ? w.size : 0;
}

}  // namespace opensoc::intel
