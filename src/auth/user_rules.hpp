#pragma once
/// The rules a user record's fields obey, shared by the users file reader
/// and UserStore's mutators so both refuse the same things with the same
/// words. Pure functions; any thread.
#include <string>
#include <string_view>
#include <vector>

#include "opensoc/core/result.hpp"

namespace opensoc::auth {

/// 1-64 of [A-Za-z0-9._@-].
[[nodiscard]] Result<void> check_user_name(std::string_view name);
/// 8-1024 bytes (the content is the user's business).
[[nodiscard]] Result<void> check_password_rules(std::string_view password);
/// A CIDR network or a bare address → normalised "network/len" text with the
/// host bits cleared ("10.1.2.3/8" → "10.0.0.0/8", "::1" → "::1/128").
[[nodiscard]] Result<std::string> normalise_scope_network(std::string_view text);
/// Each entry normalised, duplicates dropped, at most 256 entries.
[[nodiscard]] Result<std::vector<std::string>> normalise_scope(const std::vector<std::string>& networks);
/// An RFC 2253 subject (1-1024 printable bytes) or "sha256:<64 hex>" (hex
/// lower-cased).
[[nodiscard]] Result<std::string> normalise_cert_subject(std::string_view text);
[[nodiscard]] Result<std::vector<std::string>> normalise_cert_subjects(const std::vector<std::string>& subjects);
/// A token label: at most 128 bytes, no control characters.
[[nodiscard]] Result<void> check_token_label(std::string_view label);

}  // namespace opensoc::auth
