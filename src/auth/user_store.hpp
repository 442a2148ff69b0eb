#pragma once
/// UserStore: the users file — users, roles, password hashes, data scopes,
/// client-certificate mappings and API tokens (only their SHA-256 is kept).
/// A value type: load, change, save; the daemon's AuthService reloads it
/// when the file changes, the `user` command edits it in place.
///
/// File: JSON, mode 0600, written atomically (temp file, fsync, rename,
/// fsync of the directory), so a kill -9 mid-save leaves the old or the new
/// file, never a mix.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/role.hpp"
#include "opensoc/core/result.hpp"
#include "opensoc/core/time.hpp"

namespace opensoc::auth {

struct ApiToken {
  std::string id;           ///< public part, 12 hex chars; shown in lists and the audit log
  std::string label;
  std::string secret_sha256;  ///< lower hex of SHA-256 of the whole token text
  TimestampNs created = 0;
  TimestampNs expires = 0;  ///< 0: never
  bool revoked = false;
};

struct UserRecord {
  std::string name;
  Role role = Role::viewer;
  std::string password_hash;                 ///< password_hash.hpp encoding; "" = no password sign-in
  std::vector<std::string> scope_networks;   ///< CIDRs (normalised text); empty = all data
  std::vector<std::string> cert_subjects;    ///< RFC 2253 subjects or "sha256:<hex>" fingerprints
  std::vector<ApiToken> tokens;
  bool disabled = false;
  TimestampNs created = 0;
  TimestampNs password_changed = 0;
};

class UserStore {
 public:
  /// A missing file is an empty store; an unreadable or malformed one is an
  /// error naming the file and what is wrong.
  static Result<UserStore> load(const std::string& path);
  /// Atomic replace (see above). Creates the parent directory if missing.
  [[nodiscard]] Result<void> save() const;
  [[nodiscard]] const std::string& path() const noexcept { return path_; }

  [[nodiscard]] const std::vector<UserRecord>& users() const noexcept { return users_; }
  [[nodiscard]] const UserRecord* find(std::string_view name) const noexcept;

  /// Names: 1-64 of [A-Za-z0-9._@-]. Passwords: 8-1024 bytes. Scope entries
  /// must parse as CIDRs or addresses. Errors say which rule was broken.
  Result<void> add_user(std::string_view name, Role role, std::string_view password,
                        std::vector<std::string> scope_networks = {}, std::vector<std::string> cert_subjects = {},
                        TimestampNs now = wall_clock_ns());
  Result<void> set_password(std::string_view name, std::string_view password, TimestampNs now = wall_clock_ns());
  Result<void> set_role(std::string_view name, Role role);
  Result<void> set_scope(std::string_view name, std::vector<std::string> scope_networks);
  Result<void> remove_user(std::string_view name);
  /// A disabled user keeps its record but cannot sign in or use its tokens.
  Result<void> set_disabled(std::string_view name, bool disabled);
  Result<void> set_cert_subjects(std::string_view name, std::vector<std::string> cert_subjects);
  /// A new token for the user; the returned text ("ost_<id>_<secret>") is
  /// shown once and never stored. expires 0: never.
  Result<std::string> create_token(std::string_view user, std::string_view label, TimestampNs now,
                                   TimestampNs expires = 0);
  /// Marks the token revoked (kept for the audit trail). Error if unknown.
  Result<void> revoke_token(std::string_view token_id);

  /// The user whose password this is, or null (unknown user, disabled, no
  /// password, wrong password). Costs one KDF run even for an unknown user,
  /// so timing does not tell which names exist.
  [[nodiscard]] const UserRecord* check_password(std::string_view name, std::string_view password) const;
  struct TokenMatch {
    const UserRecord* user = nullptr;
    const ApiToken* token = nullptr;
  };
  /// A live token (not revoked, not expired, user enabled) or nullopt.
  [[nodiscard]] std::optional<TokenMatch> find_token(std::string_view token_text, TimestampNs now) const;
  /// The enabled user mapped to this client certificate (by subject or by
  /// "sha256:<hex>"), or null.
  [[nodiscard]] const UserRecord* find_by_certificate(std::string_view subject,
                                                       std::string_view sha256_hex) const noexcept;

 private:
  UserRecord* find_mutable(std::string_view name) noexcept;
  std::string path_;
  std::vector<UserRecord> users_;
};

}  // namespace opensoc::auth
