#pragma once
// parse_leef: IBM QRadar Log Event Extended Format 1.0 and 2.0 ("LEEF:2.0|
// vendor|product|version|event id|delimiter|attrs"), into ECS fields.
#include <string_view>

#include "opensoc/core/log_event.hpp"
#include "opensoc/core/result.hpp"

namespace opensoc::logparse {

/// `text` starts at "LEEF:". LEEF 1.0 attributes are tab separated; 2.0 names
/// its delimiter (a character or "xHH" / "0xHH"). Header -> observer.vendor,
/// observer.product, observer.version, event.code. Attributes with an ECS
/// home (src, dst, srcPort, dstPort, proto, usrName, sev, cat, devTime with
/// devTimeFormat, srcMAC, dstMAC, srcBytes, dstBytes, action, url, ...) are
/// mapped (addresses also into out.endpoints); others become "leef.<key>".
/// Sets dataset "leef", parser "leef". Error: not LEEF (says why).
Result<void> parse_leef(std::string_view text, LogEvent& out);

}  // namespace opensoc::logparse
