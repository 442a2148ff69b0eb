#pragma once
// The search endpoints (GET /api/v1/sessions, GET /api/v1/events; alerts'
// `q=` through search_alert_ids) and the same search for `opensocd search`: parameters -> query AST -> Xapian query
// -> SearchExecutor over the time shards -> JSON. One home for the
// parameter rules, so the REST and command-line forms cannot drift apart.
#include <cstdint>
#include <map>
#include <optional>
#include <variant>
#include <string>
#include <vector>

#include "api/http_types.hpp"
#include "opensoc/core/result.hpp"
#include "opensoc/core/time.hpp"

namespace opensoc::daemon {

/// Which documents a search covers: each is one kind term; `all` is every kind.
enum class SearchKind { sessions, events, alerts, logs, all };

struct SearchParams {
  SearchKind kind = SearchKind::sessions;
  std::string q;
  TimestampNs start = 0;
  TimestampNs end = INT64_MAX;  ///< exclusive
  std::uint32_t limit = 50;
  std::uint32_t offset = 0;
  std::string sort_field = "@timestamp";
  bool descending = true;
  std::vector<std::string> facets;
  std::uint32_t facet_size = 10;
  std::int64_t histogram_ns = 0;
  std::string histogram_text;
};

/// A request that cannot run: HTTP status, message, and for a query error
/// the byte position in `q`.
struct SearchFailure {
  int status = 400;
  std::string message;
  std::optional<std::size_t> position;
  std::string parameter;
};

/// Reads q, start, end, limit, offset, sort (field or -field / field:asc),
/// facets (comma separated), facet_size, histogram (e.g. 1m, 30s, 1h).
std::variant<SearchParams, SearchFailure> parse_search_params(const std::multimap<std::string, std::string>& query,
                                                              SearchKind kind, TimestampNs now);

/// Runs the search over the shards in `search_dir`; on success the JSON
/// answer: {"total", "total_exact", "offset", "limit", "took_ms", "records",
/// "facets", "histogram"}. `records_only` gives each record as a JSON line
/// instead (for the command line).
std::variant<std::string, SearchFailure> run_search(const std::string& search_dir, const SearchParams& params,
                                                    bool records_only);

/// The alert.id of every alert document matching `params` (q, start, end;
/// the kind is taken as alerts whatever `params.kind` says; paging, sort,
/// facets and histogram are ignored): ascending, without duplicates, at most
/// `max_ids` (the highest, i.e. newest, when more match). For the alert list's
/// `q=`. Blocks on shard I/O like run_search; any thread.
std::variant<std::vector<std::uint64_t>, SearchFailure> search_alert_ids(const std::string& search_dir,
                                                                        const SearchParams& params,
                                                                        std::size_t max_ids = 100000);

/// A search holds a few descriptors per shard it reads (a month of hourly
/// shards: ~2200): lift the soft open-file limit to the hard one. Once per
/// process, before serving searches.
void raise_open_file_limit();

/// GET /api/v1/sessions, /api/v1/events and /api/v1/logs.
api::Response serve_search_request(const api::Request& request, SearchKind kind, const std::string& search_dir);

}  // namespace opensoc::daemon
