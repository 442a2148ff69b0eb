#pragma once
/// AuthService: the daemon's auth gate. It owns the users file (reloaded when
/// it changes on disk), console sessions, CSRF tokens, the failed-login limiter
/// and the route policy (which role each endpoint needs), and serves the
/// /api/v1/auth/*, /api/v1/users and /api/v1/tokens routes.
///
/// Threading: one thread — the HTTP server's — calls everything.
///
/// Route policy (required_role): /api/v1/health and POST /api/v1/auth/login
/// need nobody; /metrics needs nobody when metrics_public; every other GET
/// (stats, metrics, sessions, events, logs, alerts, rules, intel, auth/me,
/// own tokens) needs viewer; /api/v1/pcap and PATCH /api/v1/alerts[/id]
/// need analyst; POST intel, reload, ingest, users, audit need admin.
/// Unknown paths need viewer (then 404), so they reveal nothing to strangers.
///
/// Credentials, in order: `Authorization: Bearer <token>`; the session
/// cookie (state-changing methods also need `X-CSRF-Token` equal to the
/// session's token, else 403); a verified client certificate mapped to a user.
/// None or a bad one: 401 with `WWW-Authenticate: Bearer realm="opensoc"`.
/// A role too low: 403. Disabled auth: every request is an admin "none".
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "api/http_types.hpp"
#include "auth/auth_config.hpp"
#include "auth/role.hpp"
#include "opensoc/core/audit_entry.hpp"
#include "opensoc/core/result.hpp"
#include "opensoc/core/time.hpp"

namespace opensoc::auth {

/// The role an endpoint needs, or nullopt for none (public).
[[nodiscard]] std::optional<Role> required_role(std::string_view method, std::string_view path,
                                                const AuthConfig& config) noexcept;

struct AuthCounters {
  std::uint64_t logins_ok = 0;
  std::uint64_t logins_failed = 0;
  std::uint64_t logins_throttled = 0;
  std::uint64_t denied_401 = 0;
  std::uint64_t denied_403 = 0;
  std::uint64_t sessions_active = 0;
  std::uint64_t users = 0;
  std::uint64_t users_file_reloads = 0;
  std::uint64_t users_file_errors = 0;
};

class AuthService {
 public:
  using AuditSink = std::function<void(const AuditEntry&)>;

  /// users_path: already resolved against data_dir. A missing file is fine
  /// (no users yet: nobody can sign in; `opensocd user add` creates it).
  static Result<std::unique_ptr<AuthService>> open(const AuthConfig& config, std::string users_path,
                                                   AuditSink audit);
  ~AuthService();

  struct Decision {
    std::optional<api::Principal> principal;  ///< set: let it through
    std::optional<api::Response> refusal;     ///< set: answer this (401/403/429)
  };
  /// For every request the routes below do not serve. Audits token use
  /// ("token.use") and refusals ("access", outcome "denied").
  [[nodiscard]] Decision authorize(const api::Request& request, TimestampNs now);

  /// True for the paths serve() answers: /api/v1/auth/*, /api/v1/users*,
  /// /api/v1/tokens*.
  [[nodiscard]] static bool serves(std::string_view path) noexcept;
  /// Serves them, authorizing internally:
  ///   POST /api/v1/auth/login  {"user","password"} → 200 {"user","role","csrf_token","expires"}
  ///        + Set-Cookie (Secure; HttpOnly; SameSite=Strict; Path=/; Max-Age); 401; 429 + Retry-After
  ///   POST /api/v1/auth/logout → 204, cookie cleared, session gone
  ///   GET  /api/v1/auth/me     → {"user","role","method","scope":[...],"csrf_token"(session only),"expires"}
  ///   GET|POST /api/v1/users, PATCH|DELETE /api/v1/users/{name}   (admin)
  ///   GET|POST /api/v1/tokens, DELETE /api/v1/tokens/{id}  (own tokens; admin: any, ?user=)
  [[nodiscard]] api::Response serve(const api::Request& request, TimestampNs now);

  /// Re-reads the users file now (SIGHUP); also done lazily when its mtime changes.
  Result<void> reload_users();
  [[nodiscard]] AuthCounters counters() const;

 private:
  struct Impl;
  explicit AuthService(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace opensoc::auth
