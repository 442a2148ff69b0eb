#pragma once
/// Password hashing with OpenSSL's scrypt (RFC 7914). The encoded form names
/// its own parameters, so they can be raised later without breaking old
/// hashes: "$scrypt$ln=15,r=8,p=1$<salt b64>$<hash b64>".
#include <string>
#include <string_view>

namespace opensoc::auth {

struct ScryptParams {
  unsigned log2_n = 15;  ///< N = 32768: ~32 MiB and ~0.1 s per hash
  unsigned r = 8;
  unsigned p = 1;
};

/// A fresh random salt each call. Throws std::runtime_error only if OpenSSL fails.
[[nodiscard]] std::string hash_password(std::string_view password, ScryptParams params = {});
/// Constant-time comparison; false for a malformed or unsupported encoding
/// (never throws, never trusts the encoded parameters beyond sane bounds).
[[nodiscard]] bool verify_password(std::string_view password, std::string_view encoded) noexcept;
/// True when `encoded` is an encoding verify_password would try (format and
/// parameter bounds), so a users file with a damaged hash is refused at load
/// with a message instead of silently never matching.
[[nodiscard]] bool password_hash_well_formed(std::string_view encoded) noexcept;

}  // namespace opensoc::auth
