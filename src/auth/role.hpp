#pragma once
/// Role: what a user may do. Each role includes the ones below it:
/// viewer (search metadata, alerts, stats) < analyst (+ PCAP, alert triage)
/// < admin (+ intel, rules, reload, ingest, users, audit).
#include <optional>
#include <string_view>

namespace opensoc::auth {

enum class Role : unsigned char { viewer = 0, analyst = 1, admin = 2 };

[[nodiscard]] std::string_view role_name(Role r) noexcept;
[[nodiscard]] std::optional<Role> parse_role(std::string_view text) noexcept;
[[nodiscard]] inline bool role_allows(Role have, Role need) noexcept { return have >= need; }

}  // namespace opensoc::auth
