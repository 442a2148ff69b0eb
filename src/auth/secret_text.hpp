#pragma once
/// Random secrets and their digests as text: session ids, CSRF tokens, API
/// token secrets (base64url, RFC 4648 §5, no padding), token ids (hex) and the
/// SHA-256 hex under which the users file keeps a token. Control plane only
/// (the HTTP thread or the `user` command); each call allocates.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace opensoc::auth {

/// `n` bytes from OpenSSL's CSPRNG as base64url. Throws std::runtime_error
/// only if RAND_bytes fails (an unseeded or broken OpenSSL).
[[nodiscard]] std::string random_base64url(std::size_t n);
/// `n` random bytes as 2n lower-case hex characters (throws as above).
[[nodiscard]] std::string random_hex(std::size_t n);
/// Lower hex of SHA-256 of `text` (64 characters).
[[nodiscard]] std::string sha256_hex(std::string_view text);
/// base64url without padding of [p, p + n).
[[nodiscard]] std::string base64url(const std::uint8_t* p, std::size_t n);
/// Equal length and equal bytes, in time that depends only on the length
/// (CRYPTO_memcmp), so a guess learns nothing from how fast it failed.
[[nodiscard]] bool constant_time_equal(std::string_view a, std::string_view b) noexcept;
/// True when `text` is exactly `n` characters of [0-9a-f].
[[nodiscard]] bool is_lower_hex(std::string_view text, std::size_t n) noexcept;

}  // namespace opensoc::auth
