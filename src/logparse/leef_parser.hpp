#pragma once
// parse_leef: IBM QRadar Log Event Extended Format 1.0 and 2.0 ("LEEF:2.0|
// vendor|product|version|event id|delimiter|attrs"), into ECS fields.
#include <optional>
#include <string_view>

#include "opensoc/core/log_event.hpp"
#include "opensoc/core/result.hpp"
#include "opensoc/core/time.hpp"

namespace opensoc::logparse {

/// `text` starts at "LEEF:". LEEF 1.0 attributes are tab separated; 2.0 names
/// its delimiter (a character or "xHH" / "0xHH"). Header -> observer.vendor,
/// observer.product, observer.version, event.code. Attributes with an ECS
/// home (src, dst, srcPort, dstPort, proto, usrName, sev, cat, devTime with
/// devTimeFormat, srcMAC, dstMAC, srcBytes, dstBytes, action, url, ...) are
/// mapped (addresses also into out.endpoints); others become "leef.<key>".
/// Sets dataset "leef", parser "leef". Error: not LEEF (says why).
Result<void> parse_leef(std::string_view text, LogEvent& out);

/// A time written by a Java SimpleDateFormat `pattern`, the way LEEF's
/// devTimeFormat and CEF's rt describe them ("MMM dd yyyy HH:mm:ss.SSS zzz",
/// "yyyy-MM-dd'T'HH:mm:ssXXX", ...), as UTC ns. Supports y M(M, MMM) d H h a
/// m s S z Z X and quoted literals; zones UTC/GMT/Z, +hh[:]mm and the North
/// American/Central European abbreviations. nullopt when the text does not
/// match or the pattern has no year. Pure, allocation-free.
[[nodiscard]] std::optional<TimestampNs> parse_simple_date(std::string_view text, std::string_view pattern) noexcept;

}  // namespace opensoc::logparse
