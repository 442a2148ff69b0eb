#pragma once
// parse_syslog: the syslog header of RFC 5424 and RFC 3164 (BSD) messages,
// structured data included, into a LogEvent. The MSG part is left in
// `out.message` for a body parser (CEF, LEEF, key=value, JSON, patterns).
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

}  // namespace opensoc::logparse
