#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <vector>

#include "auth/auth_service.hpp"

using opensoc::auth::AuthConfig;
using opensoc::auth::required_role;
using opensoc::auth::Role;
using opensoc::auth::role_allows;

namespace {

struct Row {
  const char* method;
  const char* path;
  std::optional<Role> need;
};

// Every route of src/api/router.cpp and of AuthService::serve, with each
// method the router accepts and a few it refuses.
const std::vector<Row> kTable = {
    {"GET", "/api/v1/health", std::nullopt},
    {"HEAD", "/api/v1/health", std::nullopt},
    {"POST", "/api/v1/health", std::nullopt},
    {"GET", "/api/v1/stats", Role::viewer},
    {"HEAD", "/api/v1/stats", Role::viewer},
    {"POST", "/api/v1/stats", Role::admin},
    {"GET", "/metrics", Role::viewer},
    {"GET", "/api/v1/pcap", Role::analyst},
    {"POST", "/api/v1/pcap", Role::analyst},
    {"HEAD", "/api/v1/pcap", Role::analyst},
    {"GET", "/api/v1/sessions", Role::viewer},
    {"GET", "/api/v1/events", Role::viewer},
    {"DELETE", "/api/v1/events", Role::admin},
    {"GET", "/api/v1/alerts", Role::viewer},
    {"GET", "/api/v1/alerts/42", Role::viewer},
    {"PATCH", "/api/v1/alerts/42", Role::analyst},
    {"PATCH", "/api/v1/alerts", Role::analyst},
    {"DELETE", "/api/v1/alerts/42", Role::admin},
    {"GET", "/api/v1/intel", Role::viewer},
    {"POST", "/api/v1/intel", Role::admin},
    {"GET", "/api/v1/rules", Role::viewer},
    {"POST", "/api/v1/rules", Role::admin},
    {"POST", "/api/v1/reload", Role::admin},
    {"GET", "/api/v1/logs", Role::viewer},
    {"POST", "/api/v1/ingest", Role::admin},
    {"GET", "/api/v1/audit", Role::admin},
    {"POST", "/api/v1/auth/login", std::nullopt},
    {"GET", "/api/v1/auth/login", Role::viewer},
    {"POST", "/api/v1/auth/logout", Role::viewer},
    {"GET", "/api/v1/auth/me", Role::viewer},
    {"GET", "/api/v1/users", Role::admin},
    {"POST", "/api/v1/users", Role::admin},
    {"PATCH", "/api/v1/users/alice", Role::admin},
    {"DELETE", "/api/v1/users/alice", Role::admin},
    {"GET", "/api/v1/tokens", Role::viewer},
    {"POST", "/api/v1/tokens", Role::viewer},
    {"DELETE", "/api/v1/tokens/0123456789ab", Role::viewer},
    // Unknown paths: viewer for reads (then 404), admin for writes.
    {"GET", "/api/v1/nothing", Role::viewer},
    {"POST", "/api/v1/nothing", Role::admin},
    // The console's pages and assets are public files; the API calls they make are not.
    {"GET", "/", std::nullopt},
    {"HEAD", "/console", std::nullopt},
    {"GET", "/console/", std::nullopt},
    {"GET", "/console/hunt", std::nullopt},
    {"GET", "/console/assets/app.js", std::nullopt},
    {"POST", "/console/hunt", Role::admin},
    {"GET", "/consolex", Role::viewer},
    {"GET", "/api/v1/pcap/estimate", Role::analyst},
    {"GET", "/api/v1/config", Role::admin},
    {"GET", "/api/v1/fields", Role::viewer},
    {"GET", "/api/v1/stats/history", Role::viewer},
    // Near misses of the public paths are not public.
    {"GET", "/api/v1/health/", Role::viewer},
    {"GET", "/api/v1/healthz", Role::viewer},
    {"GET", "/api/v1/usersx", Role::viewer},
    {"POST", "/api/v1/auth/login/", Role::viewer},
};

}  // namespace

TEST_CASE("route policy gives each route its role", "[auth][policy]") {
  const AuthConfig config;
  for (const auto& row : kTable) {
    INFO(row.method << " " << row.path);
    CHECK(required_role(row.method, row.path, config) == row.need);
  }
}

TEST_CASE("route policy admits exactly the roles at or above the need", "[auth][policy]") {
  const AuthConfig config;
  for (const auto& row : kTable) {
    for (const Role have : {Role::viewer, Role::analyst, Role::admin}) {
      INFO(row.method << " " << row.path << " as " << opensoc::auth::role_name(have));
      const auto need = required_role(row.method, row.path, config);
      const bool allowed = !need || role_allows(have, *need);
      const bool expected = !row.need || static_cast<int>(have) >= static_cast<int>(*row.need);
      CHECK(allowed == expected);
    }
  }
  CHECK_FALSE(role_allows(Role::viewer, Role::analyst));
  CHECK_FALSE(role_allows(Role::analyst, Role::admin));
  CHECK(role_allows(Role::admin, Role::viewer));
}

TEST_CASE("route policy opens /metrics reads only when metrics_public", "[auth][policy]") {
  AuthConfig config;
  config.metrics_public = true;
  CHECK(required_role("GET", "/metrics", config) == std::nullopt);
  CHECK(required_role("HEAD", "/metrics", config) == std::nullopt);
  CHECK(required_role("POST", "/metrics", config) == Role::admin);
  CHECK(required_role("GET", "/api/v1/stats", config) == Role::viewer);
}

TEST_CASE("role names round-trip", "[auth][policy]") {
  for (const Role r : {Role::viewer, Role::analyst, Role::admin}) {
    CHECK(opensoc::auth::parse_role(opensoc::auth::role_name(r)) == r);
  }
  CHECK_FALSE(opensoc::auth::parse_role("Admin").has_value());
  CHECK_FALSE(opensoc::auth::parse_role("").has_value());
}
