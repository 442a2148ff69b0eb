#pragma once
// Search documents for sessions and protocol events: the field values the
// search index takes for a record (names from search/field_schema.cpp) and,
// as its body, the record's ECS JSON. Built on the indexer thread; pure
// functions of their input.
#include "opensoc/core/protocol_event.hpp"
#include "search/search_document.hpp"

namespace opensoc::session {

/// Kind event, @timestamp = ev.ts, unique id "e<session_id>-<sequence>".
search::SearchDocument event_document(const ProtocolEvent& ev);
/// Kind session, @timestamp = flow.first_ts, unique id "s<session_id>": a later
/// (interim or final) record of the same session replaces the earlier one.
search::SearchDocument session_document(const SessionRecord& s);

}  // namespace opensoc::session
