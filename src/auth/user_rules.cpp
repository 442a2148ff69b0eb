// Field rules for user records (see user_rules.hpp). Pure functions.
#include "auth/user_rules.hpp"

#include <algorithm>

#include "auth/secret_text.hpp"
#include "opensoc/core/ip_address.hpp"

namespace opensoc::auth {
namespace {

constexpr std::size_t kMaxScopeEntries = 256;
constexpr std::size_t kMaxCertSubjects = 64;

bool has_control(std::string_view s) noexcept {
  return std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

// Shown back in error messages: cut and stripped of control bytes so a
// hostile value cannot forge log lines.
std::string quoted(std::string_view s) {
  std::string out = "'";
  for (const char c : s.substr(0, 80)) out.push_back(static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? '?' : c);
  if (s.size() > 80) out += "...";
  return out + "'";
}

}  // namespace

Result<void> check_user_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return Error{"user name must be 1-64 characters"};
  for (const char c : name) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == '@' || c == '-';
    if (!ok) return Error{"user name " + quoted(name) + " may only contain letters, digits and . _ @ -"};
  }
  return ok();
}

Result<void> check_password_rules(std::string_view password) {
  if (password.size() < 8) return Error{"password must be at least 8 bytes"};
  if (password.size() > 1024) return Error{"password must be at most 1024 bytes"};
  return ok();
}

Result<std::string> normalise_scope_network(std::string_view text) {
  const auto bad = [&] { return Error{"scope " + quoted(text) + " is not an address or CIDR network"}; };
  const auto slash = text.find('/');
  const std::string_view address_text = slash == std::string_view::npos ? text : text.substr(0, slash);
  auto address = IpAddress::parse(address_text);
  if (!address || (address->version != 4 && address->version != 6)) return bad();
  const unsigned max_len = address->version == 6 ? 128 : 32;
  unsigned len = max_len;
  if (slash != std::string_view::npos) {
    const std::string_view digits = text.substr(slash + 1);
    if (digits.empty() || digits.size() > 3) return bad();
    len = 0;
    for (const char c : digits) {
      if (c < '0' || c > '9') return bad();
      len = len * 10 + static_cast<unsigned>(c - '0');
    }
    if (len > max_len) return bad();
  }
  for (unsigned i = len; i < max_len; ++i) address->bytes[i / 8] &= static_cast<std::uint8_t>(~(0x80U >> (i % 8)));
  return address->to_string() + "/" + std::to_string(len);
}

Result<std::vector<std::string>> normalise_scope(const std::vector<std::string>& networks) {
  if (networks.size() > kMaxScopeEntries) return Error{"at most 256 scope networks"};
  std::vector<std::string> out;
  for (const auto& n : networks) {
    auto norm = normalise_scope_network(n);
    if (!norm) return norm.error();
    if (std::find(out.begin(), out.end(), *norm) == out.end()) out.push_back(std::move(*norm));
  }
  return out;
}

Result<std::string> normalise_cert_subject(std::string_view text) {
  if (text.substr(0, 7) == "sha256:") {
    std::string hex(text.substr(7));
    for (auto& c : hex) {
      if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
    }
    if (!is_lower_hex(hex, 64)) return Error{"certificate fingerprint must be sha256: and 64 hex digits"};
    return "sha256:" + hex;
  }
  if (text.empty() || text.size() > 1024) return Error{"certificate subject must be 1-1024 bytes"};
  if (has_control(text)) return Error{"certificate subject " + quoted(text) + " contains control characters"};
  return std::string(text);
}

Result<std::vector<std::string>> normalise_cert_subjects(const std::vector<std::string>& subjects) {
  if (subjects.size() > kMaxCertSubjects) return Error{"at most 64 certificate subjects"};
  std::vector<std::string> out;
  for (const auto& s : subjects) {
    auto norm = normalise_cert_subject(s);
    if (!norm) return norm.error();
    if (std::find(out.begin(), out.end(), *norm) == out.end()) out.push_back(std::move(*norm));
  }
  return out;
}

Result<void> check_token_label(std::string_view label) {
  if (label.size() > 128) return Error{"token label must be at most 128 bytes"};
  if (has_control(label)) return Error{"token label contains control characters"};
  return ok();
}

}  // namespace opensoc::auth
