// required_role: which role each endpoint needs (the table in
// auth_service.hpp). Pure; any thread.
//
// Reads are viewer unless they hand out packets (pcap: analyst) or other
// users' business (users, audit: admin). A state-changing method on a path
// not listed here needs admin: a route added later without a policy line is
// closed, not open.
#include "auth/auth_service.hpp"

namespace opensoc::auth {
namespace {

bool starts_with(std::string_view s, std::string_view prefix) noexcept {
  return s.size() >= prefix.size() && s.substr(0, prefix.size()) == prefix;
}

bool under(std::string_view path, std::string_view base) noexcept {
  return path == base || (starts_with(path, base) && path.size() > base.size() && path[base.size()] == '/');
}

}  // namespace

std::optional<Role> required_role(std::string_view method, std::string_view path, const AuthConfig& config) noexcept {
  const bool read = method == "GET" || method == "HEAD";
  if (path == "/api/v1/health") return std::nullopt;
  // The console's pages and assets are public files (no data in them): the
  // sign-in page must load before anyone is signed in. Every API call the
  // pages make is checked below like any other.
  if (read && (path == "/" || under(path, "/console"))) return std::nullopt;
  if (path == "/api/v1/auth/login" && method == "POST") return std::nullopt;
  if (path == "/metrics") {
    if (config.metrics_public && read) return std::nullopt;
    return read ? std::optional<Role>(Role::viewer) : std::optional<Role>(Role::admin);
  }
  if (path == "/api/v1/pcap" || path == "/api/v1/pcap/estimate") return Role::analyst;
  if (path == "/api/v1/config") return Role::admin;
  if (under(path, "/api/v1/users") || under(path, "/api/v1/audit")) return Role::admin;
  // Own session and own tokens: every signed-in user; serve() enforces "own".
  if (under(path, "/api/v1/auth") || under(path, "/api/v1/tokens")) return Role::viewer;
  if (under(path, "/api/v1/alerts")) {
    if (read) return Role::viewer;
    if (method == "PATCH") return Role::analyst;
    return Role::admin;
  }
  if (read) return Role::viewer;
  return Role::admin;
}

}  // namespace opensoc::auth
