#pragma once
// Syslog renderings of an alert for SIEM forwarding: RFC 5424 with the alert
// as structured data, and ArcSight CEF (bare, or as the message of an RFC
// 5424 record). Pure functions; any thread. No framing, no trailing newline
// (the sender frames).
#include <string>
#include <string_view>

#include "opensoc/core/alert.hpp"

namespace opensoc::alert {

/// Private enterprise number in our structured-data id "opensoc@32473"
/// (32473 is the number RFC 5612 reserves for documentation and examples).
inline constexpr std::string_view kSyslogSdId = "opensoc@32473";

/// Syslog severity (RFC 5424) of an alert severity: 1 -> 2 (critical),
/// 2 -> 4 (warning), 3 -> 5 (notice), else 6 (informational). Facility is
/// 4 (security/authorization), so PRI = 32 + that.
[[nodiscard]] int syslog_severity(std::uint8_t alert_severity) noexcept;
/// CEF severity 0..10: 1 -> 10, 2 -> 7, 3 -> 5, else 2.
[[nodiscard]] int cef_severity(std::uint8_t alert_severity) noexcept;

/// "<PRI>1 TIMESTAMP HOSTNAME opensocd - alert [opensoc@32473 id=... ...] signature":
/// TIMESTAMP is last_seen in UTC with microseconds; HOSTNAME "-" when empty.
[[nodiscard]] std::string alert_syslog_rfc5424(const Alert& a, std::string_view hostname);

/// "CEF:0|OpenSOC|opensocd|<version>|<sid or rule id>|<signature>|<severity>|<extension>",
/// with CEF escaping (header: \ and |; extension values: \ = and line breaks).
[[nodiscard]] std::string alert_cef(const Alert& a);

/// The CEF line as the MSG of an RFC 5424 record without structured data,
/// the form syslog collectors route and SIEMs parse.
[[nodiscard]] std::string alert_syslog_cef(const Alert& a, std::string_view hostname);

}  // namespace opensoc::alert
