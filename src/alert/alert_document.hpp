#pragma once
// The search document of an alert: its fields in the same names and value
// forms as its ECS rendering (alert_json.hpp), so a search finds the alerts
// that show a value. Pure function; the alert stage (indexer thread) calls it
// after an insert, a fold or a status change (same unique_id: it replaces).
#include "opensoc/core/alert.hpp"
#include "search/search_document.hpp"

namespace opensoc::alert {

/// kind alert, ts = first_seen, unique_id "alert:<id>", json = append_alert_json.
[[nodiscard]] search::SearchDocument alert_document(const Alert& a);

}  // namespace opensoc::alert
