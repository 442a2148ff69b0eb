#pragma once
// REST handlers for alerts, as functions from api::Request to api::Response
// (the router maps paths to them):
//   GET   /api/v1/alerts        -> serve_alert_list
//   GET   /api/v1/alerts/{id}   -> serve_alert_get
//   PATCH /api/v1/alerts/{id}   -> serve_alert_patch
// Run on HTTP threads; they block only for the store's short LMDB reads and,
// for PATCH, one LMDB commit.
#include <string>
#include <string_view>

#include "alert/alert_store.hpp"
#include "api/http_types.hpp"
#include "opensoc/core/time.hpp"

namespace opensoc::alert {

/// Longest note a PATCH may carry, in bytes.
inline constexpr std::size_t kMaxNoteBytes = 4096;

/// 200 {"total","offset","limit","counts":{"total","status":{...},"severity":{"1".."4"}},"alerts":[...]}
/// for the query parameters (alert_query.hpp); 400 naming a bad parameter.
/// `ids`: only these alerts (what the request's `q=` matched in the search
/// index, resolved by the caller; ascending).
[[nodiscard]] api::Response serve_alert_list(const api::Request& req, const AlertStore& store,
                                             std::optional<std::vector<std::uint64_t>> ids = std::nullopt);

/// 200 with the alert (ECS JSON); 400 when `id` is not a decimal number; 404 when unknown.
[[nodiscard]] api::Response serve_alert_get(const api::Request& req, const AlertStore& store, std::string_view id);

/// Triage. Body: {"status":"new"|"acknowledged"|"escalated"|"closed", "note":"..."}
/// (either or both). 200 with the updated alert; 400 naming the bad field
/// (unknown field, wrong type, unknown status, note too long, not JSON);
/// 404 when unknown; 500 when the store cannot write.
[[nodiscard]] api::Response serve_alert_patch(const api::Request& req, AlertStore& store, std::string_view id,
                                              const std::string& user, TimestampNs wall_now);

}  // namespace opensoc::alert
