#pragma once
/// The users file's JSON form (version 1), read with simdjson and written
/// with JsonWriter:
///   {"version":1,"users":[{"name","role","password","scope":[..],"cert_subjects":[..],
///     "disabled","created","password_changed",
///     "tokens":[{"id","label","sha256","created","expires","revoked"}]}]}
/// Times are RFC 3339 UTC; "expires" is null for a token that never expires.
/// Pure functions; any thread.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/user_store.hpp"
#include "opensoc/core/result.hpp"

#include "opensoc/core/json_writer.hpp"

namespace opensoc::auth {

/// Every record checked against user_rules.hpp; an Error names the element
/// and the rule ("users[2].role: 'boss' is not viewer, analyst or admin").
/// Unknown keys are errors too: a misspelt "disabled" must not pass silently.
[[nodiscard]] Result<std::vector<UserRecord>> parse_users_file(std::string_view text);
[[nodiscard]] std::string render_users_file(const std::vector<UserRecord>& users);

/// "2026-11-28T08:10:20Z" or with a fraction of up to 9 digits; UTC ("Z") only.
[[nodiscard]] std::optional<TimestampNs> parse_rfc3339_utc(std::string_view text) noexcept;
/// `"key": "<RFC 3339>"`, or `"key": null` for 0 (never / not set): how the
/// users file and the users and tokens API write optional times.
void write_time_or_null(JsonWriter& w, std::string_view key, TimestampNs t);

}  // namespace opensoc::auth
