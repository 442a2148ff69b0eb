#pragma once
// parse_syslog: the syslog header of RFC 5424 and RFC 3164 (BSD) messages,
// structured data included, into a LogEvent. The MSG part is left in
// `out.message` for a body parser (CEF, LEEF, key=value, JSON, patterns).
#include <optional>
#include <string_view>

#include "opensoc/core/log_event.hpp"
#include "opensoc/core/result.hpp"
#include "opensoc/core/time.hpp"

namespace opensoc::logparse {

enum class SyslogFormat : std::uint8_t { automatic, rfc5424, rfc3164 };

/// Sets on success: timestamp (0 when the message has none), message (MSG,
/// UTF-8 BOM removed, trailing CR/LF/NUL trimmed), parser ("rfc5424" /
/// "rfc3164"), dataset "syslog", and the fields log.syslog.priority,
/// log.syslog.facility.code/.name, log.syslog.severity.code/.name,
/// log.syslog.version (5424), host.hostname, process.name, process.pid
/// (integer when numeric), log.syslog.msgid (5424), and one field
/// "log.syslog.structured_data.<SD-ID>.<PARAM-NAME>" per SD-PARAM (values
/// unescaped). "-" (NILVALUE) fields are absent.
/// RFC 3164 times carry no year or zone: the year is the one that puts the
/// time nearest `received` (a December message read in January is last
/// year's), and the zone is UTC.
/// Error: not a syslog message of `format` (message says why, with the byte
/// offset); `out` may then hold partial fields and the caller discards them.
Result<void> parse_syslog(std::string_view line, SyslogFormat format, TimestampNs received, LogEvent& out);

/// Time helpers shared by the text parsers (CEF rt, LEEF devTime). Pure,
/// allocation-free, no locale or time zone database.
/// UTC civil time -> ns since the epoch; the date is not validated.
[[nodiscard]] TimestampNs civil_to_ns(int year, unsigned month, unsigned day, unsigned hour, unsigned minute,
                                      unsigned second) noexcept;
/// True when the year is 1900-2261 (what TimestampNs can hold), month 1-12
/// and day exists in that month of that year.
[[nodiscard]] bool valid_civil_date(int year, unsigned month, unsigned day) noexcept;
/// An RFC 3339 / RFC 5424 TIMESTAMP ("2003-10-11T22:14:15.003Z",
/// "2003-08-24T05:14:15.000003-07:00"; "+hhmm" also accepted) as UTC ns;
/// nullopt unless the whole text is one.
[[nodiscard]] std::optional<TimestampNs> parse_rfc3339_ns(std::string_view text) noexcept;

}  // namespace opensoc::logparse
