#pragma once
// parse_cef: ArcSight Common Event Format ("CEF:0|vendor|product|version|
// signature id|name|severity|ext"), header and extension, into ECS fields.
#include <string_view>

#include "opensoc/core/log_event.hpp"
#include "opensoc/core/result.hpp"

namespace opensoc::logparse {

/// `text` starts at "CEF:" (a syslog header, if any, already removed).
/// Header -> observer.vendor, observer.product, observer.version, event.code
/// (signature id), message and rule.name (name), event.severity (integer
/// 0-10; "Low"/"Medium"/"High"/"Very-High" mapped to 3/6/8/10). Extension
/// keys with an ECS home (src, dst, spt, dpt, proto, act, suser, duser, shost,
/// dhost, smac, dmac, request, requestMethod, app, in, out, cs1..cs6 with their
/// labels, rt/start/end, msg, outcome, fname, fileHash, ...) are mapped, with
/// addresses also put in out.endpoints; every other key becomes
/// "cef.extensions.<key>". Escapes (\| \\ \= \n \r) are undone.
/// Sets dataset "cef", parser "cef". Error: not CEF (says why).
Result<void> parse_cef(std::string_view text, LogEvent& out);

}  // namespace opensoc::logparse
