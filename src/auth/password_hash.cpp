// Password hashing with OpenSSL's scrypt (see password_hash.hpp). Runs on the
// HTTP thread (sign-in) and in the `user` command; one hash costs ~0.1 s and
// ~32 MiB at the default parameters, by design.
//
// verify_password reads its parameters from the users file, which an
// attacker who can write there could inflate; the bounds below keep one
// verify under a few seconds and well under 1 GiB whatever the file says.
#include "auth/password_hash.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <vector>

#include "opensoc/core/base64.hpp"

namespace opensoc::auth {
namespace {

constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kHashBytes = 32;
constexpr unsigned kMinLog2N = 10, kMaxLog2N = 20;
constexpr unsigned kMaxR = 32, kMaxP = 16;
// N·r·p bounds the work (the default is 2^18); 128·r·N the memory.
constexpr std::uint64_t kMaxWork = std::uint64_t{1} << 22;
constexpr std::string_view kPrefix = "$scrypt$";

struct Decoded {
  ScryptParams params;
  std::vector<std::uint8_t> salt;
  std::vector<std::uint8_t> hash;
};

bool params_in_bounds(const ScryptParams& p) noexcept {
  if (p.log2_n < kMinLog2N || p.log2_n > kMaxLog2N) return false;
  if (p.r < 1 || p.r > kMaxR || p.p < 1 || p.p > kMaxP) return false;
  return (std::uint64_t{1} << p.log2_n) * p.r * p.p <= kMaxWork;
}

// Strict base64 with padding: only canonical encodings decode, so one hash
// has exactly one text form.
std::optional<std::vector<std::uint8_t>> decode_base64(std::string_view text) {
  if (text.empty() || text.size() % 4 != 0) return std::nullopt;
  std::size_t pad = 0;
  if (text.back() == '=') pad = text[text.size() - 2] == '=' ? 2 : 1;
  std::vector<std::uint8_t> out;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    int v[4];
    for (std::size_t j = 0; j < 4; ++j) {
      const bool is_pad = last && j >= 4 - pad;
      if (is_pad) {
        if (text[i + j] != '=') return std::nullopt;
        v[j] = 0;
      } else {
        v[j] = base64_value(text[i + j]);
        if (v[j] < 0) return std::nullopt;
      }
    }
    const std::uint32_t bits = (std::uint32_t(v[0]) << 18) | (std::uint32_t(v[1]) << 12) |
                               (std::uint32_t(v[2]) << 6) | std::uint32_t(v[3]);
    const std::size_t keep = last ? 3 - pad : 3;
    // Non-canonical: bits under the padding must be zero.
    if (last && pad == 1 && (bits & 0xff) != 0) return std::nullopt;
    if (last && pad == 2 && (bits & 0xffff) != 0) return std::nullopt;
    if (keep >= 1) out.push_back(static_cast<std::uint8_t>(bits >> 16));
    if (keep >= 2) out.push_back(static_cast<std::uint8_t>(bits >> 8));
    if (keep >= 3) out.push_back(static_cast<std::uint8_t>(bits));
  }
  return out;
}

// "ln=15" etc.: 1-2 decimal digits, no sign, no leading zero.
std::optional<unsigned> parse_param(std::string_view text, std::string_view name) {
  if (text.size() < name.size() + 2 || text.substr(0, name.size()) != name || text[name.size()] != '=') {
    return std::nullopt;
  }
  const std::string_view digits = text.substr(name.size() + 1);
  if (digits.empty() || digits.size() > 2 || (digits.size() > 1 && digits[0] == '0')) return std::nullopt;
  unsigned v = 0;
  for (const char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  return v;
}

std::optional<Decoded> decode(std::string_view encoded) {
  if (encoded.size() > 512 || encoded.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  std::string_view rest = encoded.substr(kPrefix.size());
  std::array<std::string_view, 3> parts;
  for (std::size_t i = 0; i < 3; ++i) {
    const auto dollar = rest.find('$');
    if (i < 2) {
      if (dollar == std::string_view::npos) return std::nullopt;
      parts[i] = rest.substr(0, dollar);
      rest.remove_prefix(dollar + 1);
    } else {
      if (dollar != std::string_view::npos) return std::nullopt;
      parts[i] = rest;
    }
  }
  std::array<std::string_view, 3> fields;
  std::string_view list = parts[0];
  for (std::size_t i = 0; i < 3; ++i) {
    const auto comma = list.find(',');
    if (i < 2) {
      if (comma == std::string_view::npos) return std::nullopt;
      fields[i] = list.substr(0, comma);
      list.remove_prefix(comma + 1);
    } else {
      if (comma != std::string_view::npos) return std::nullopt;
      fields[i] = list;
    }
  }
  const auto ln = parse_param(fields[0], "ln");
  const auto r = parse_param(fields[1], "r");
  const auto p = parse_param(fields[2], "p");
  if (!ln || !r || !p) return std::nullopt;
  Decoded d;
  d.params = ScryptParams{*ln, *r, *p};
  if (!params_in_bounds(d.params)) return std::nullopt;
  auto salt = decode_base64(parts[1]);
  auto hash = decode_base64(parts[2]);
  if (!salt || salt->size() < 8 || salt->size() > 64) return std::nullopt;
  if (!hash || hash->size() != kHashBytes) return std::nullopt;
  d.salt = std::move(*salt);
  d.hash = std::move(*hash);
  return d;
}

bool scrypt(std::string_view password, const std::vector<std::uint8_t>& salt, const ScryptParams& params,
            std::uint8_t* out, std::size_t out_len) {
  const std::uint64_t n = std::uint64_t{1} << params.log2_n;
  // OpenSSL's default limit (32 MiB) is just below what N=2^15, r=8 needs.
  const std::uint64_t maxmem = 128 * std::uint64_t{params.r} * (n + 2) + 128 * std::uint64_t{params.r} * params.p +
                               (std::uint64_t{1} << 20);
  return EVP_PBE_scrypt(password.data(), password.size(), salt.data(), salt.size(), n, params.r, params.p, maxmem,
                        out, out_len) == 1;
}

}  // namespace

std::string hash_password(std::string_view password, ScryptParams params) {
  std::vector<std::uint8_t> salt(kSaltBytes);
  if (RAND_bytes(salt.data(), static_cast<int>(salt.size())) != 1) throw std::runtime_error("OpenSSL RAND_bytes failed");
  std::array<std::uint8_t, kHashBytes> hash{};
  if (!scrypt(password, salt, params, hash.data(), hash.size())) throw std::runtime_error("OpenSSL scrypt failed");
  std::string out(kPrefix);
  out += "ln=" + std::to_string(params.log2_n) + ",r=" + std::to_string(params.r) + ",p=" + std::to_string(params.p);
  out += '$';
  append_base64(out, salt.data(), salt.size());
  out += '$';
  append_base64(out, hash.data(), hash.size());
  OPENSSL_cleanse(hash.data(), hash.size());
  return out;
}

bool verify_password(std::string_view password, std::string_view encoded) noexcept {
  try {
    const auto d = decode(encoded);
    if (!d) return false;
    std::array<std::uint8_t, kHashBytes> hash{};
    if (!scrypt(password, d->salt, d->params, hash.data(), hash.size())) return false;
    const bool same = CRYPTO_memcmp(hash.data(), d->hash.data(), kHashBytes) == 0;
    OPENSSL_cleanse(hash.data(), hash.size());
    return same;
  } catch (...) {
    return false;
  }
}

bool password_hash_well_formed(std::string_view encoded) noexcept {
  try {
    return decode(encoded).has_value();
  } catch (...) {
    return false;
  }
}

}  // namespace opensoc::auth
