#pragma once
// ECS JSON of a log event or flow record: what search answers and exports
// show. Dotted field names become nested objects; repeated names become
// arrays; typed values render as JSON numbers/booleans/RFC 3339 times.
// Pure function; any thread.
#include <string>

#include "opensoc/core/log_event.hpp"

namespace opensoc::logs {

class LogFieldList;

/// Appends one JSON object (no newline) to `out`.
void append_log_event_json(std::string& out, const LogEvent& event);
/// The same from a list already built from `event` (the pipeline builds it
/// once for the JSON and the search document).
void append_log_event_json(std::string& out, const LogEvent& event, const LogFieldList& list);

/// network.community_id of the event's 5-tuple, or "" when it has no full
/// tuple (both addresses of one family, a protocol, and ports for TCP/UDP/SCTP).
std::string log_community_id(const LogEndpoints& ep);

}  // namespace opensoc::logs
