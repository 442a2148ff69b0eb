// Role names as they appear in the users file, the API and the audit log.
// Pure functions; any thread.
#include "auth/role.hpp"

namespace opensoc::auth {

std::string_view role_name(Role r) noexcept {
  switch (r) {
    case Role::viewer: return "viewer";
    case Role::analyst: return "analyst";
    case Role::admin: return "admin";
  }
  return "viewer";
}

std::optional<Role> parse_role(std::string_view text) noexcept {
  if (text == "viewer") return Role::viewer;
  if (text == "analyst") return Role::analyst;
  if (text == "admin") return Role::admin;
  return std::nullopt;
}

}  // namespace opensoc::auth
