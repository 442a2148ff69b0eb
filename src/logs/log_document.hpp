#pragma once
// The search document of a log event (kind `log`) or of a NetFlow/IPFIX flow
// record (kind `session`, so flow exports sit beside the packet sessions):
// the same names the JSON shows, each indexed by the field schema's type,
// names outside the schema as dynamic keywords. Pure; any thread.
#include "opensoc/core/log_event.hpp"
#include "search/search_document.hpp"

namespace opensoc::logs {

class LogFieldList;

/// `list` was built from `event`; `json` is the rendered record
/// (append_log_event_json), moved into the document.
search::SearchDocument log_document(const LogEvent& event, const LogFieldList& list, std::string json);

/// True for flow records (dataset "netflow"): indexed as sessions.
bool is_flow_record(const LogEvent& event) noexcept;

}  // namespace opensoc::logs
