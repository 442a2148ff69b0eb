#pragma once
/// AuthConfig: users, sessions and sign-in limits, filled by src/config from
/// the `auth:` section.
#include <cstdint>
#include <string>

namespace opensoc::auth {

struct AuthConfig {
  /// On by default: every endpoint but /api/v1/health needs a user.
  bool enabled = true;
  /// The users file (JSON, written by `opensocd user ...` and by the token
  /// API). A relative path is under data_dir.
  std::string users_file = "users.json";
  std::uint32_t session_ttl_s = 8 * 3600;    ///< a console session's absolute lifetime
  std::uint32_t session_idle_s = 30 * 60;    ///< ... and how long it lives unused
  std::uint32_t max_sessions = 10000;        ///< the oldest goes when a new one would exceed this
  std::uint32_t login_max_failures = 5;      ///< failed sign-ins per source address ...
  std::uint32_t login_window_s = 300;        ///< ... within this window, then 429 until it passes
  bool metrics_public = false;               ///< /metrics without a user (for a Prometheus scraper)
  std::string cookie_name = "opensoc_session";
};

}  // namespace opensoc::auth
