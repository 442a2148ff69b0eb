#pragma once
// SearchExecutor: runs one compiled query over the time shards that overlap
// the requested range and returns a page of hits, the exact or estimated
// total, facet counts and a time histogram. Read-only: used by HTTP handler
// threads and by the `opensocd search` CLI while the daemon writes the same
// directory.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <xapian.h>

#include "opensoc/core/result.hpp"
#include "opensoc/core/time.hpp"

namespace opensoc::search {

struct SearchRequest {
  /// From the query compiler. An empty Query() matches nothing (the compiler
  /// gives it for text with nothing indexable); the default matches everything.
  Xapian::Query query = Xapian::Query::MatchAll;
  TimestampNs start = 0;        ///< [start, end) on @timestamp
  TimestampNs end = INT64_MAX;
  std::string_view kind_term;   ///< kSessionKindTerm / kEventKindTerm; empty = both
  std::uint32_t offset = 0;
  std::uint32_t limit = 50;     ///< at most SearchExecutor::kMaxLimit
  std::string sort_field = "@timestamp";  ///< any field with a value slot
  bool descending = true;
  std::vector<std::string> facets;        ///< fields with facet = true
  std::uint32_t facet_size = 10;          ///< top values per facet, by count then value
  std::int64_t histogram_interval_ns = 0;  ///< 0 = no histogram
  /// A number field with a value slot, or empty: the first value of that
  /// field of EVERY match (not just the page) goes to SearchResult::collected,
  /// e.g. the alert.id of each matching alert. Documents without it add nothing.
  std::string collect_field;
};

struct SearchHit {
  std::string json;  ///< the document data (the record's ECS JSON)
  TimestampNs ts = 0;
};

struct FacetValue {
  std::string value;  ///< display string; number facets as integers when integral
  std::uint64_t count = 0;
};

struct SearchResult {
  std::uint64_t total = 0;  ///< matches (exact when total_exact, else Xapian's estimate)
  bool total_exact = false;
  std::vector<SearchHit> hits;
  /// One entry per requested facet, in request order.
  std::vector<std::pair<std::string, std::vector<FacetValue>>> facets;
  /// (bucket start, count) for every bucket from the first to the last
  /// matching document, empty buckets included; empty when nothing matched.
  std::vector<std::pair<TimestampNs, std::uint64_t>> histogram;
  /// SearchRequest::collect_field of every match, in no particular order
  /// (duplicates possible when a record is in two shards).
  std::vector<double> collected;
  std::uint32_t shards_searched = 0;
  /// Shards that exist but could not be opened (damaged): searched around,
  /// reported so a caller can say so. Shards dropped since the listing or
  /// not yet committed are silently empty, not skipped.
  std::uint32_t shards_skipped = 0;
};

/// Stateless apart from the directory: run() lists and opens the shards
/// afresh on every call, so it sees the writer's latest commits and new or
/// dropped shards. Thread-safe (run() is const and shares nothing). Blocks on
/// disk I/O; opens one set of file descriptors per overlapping shard for the
/// duration of the call, so callers should bound the time range.
class SearchExecutor {
 public:
  static constexpr std::uint32_t kMaxLimit = 10000;
  /// A histogram with more buckets than this is refused (interval too small).
  static constexpr std::uint64_t kMaxHistogramBuckets = 100000;

  explicit SearchExecutor(std::string dir);

  /// Errors: invalid request (limit, unknown field, field without a slot or
  /// facet, bad interval) with a message naming it; Xapian failures.
  [[nodiscard]] Result<SearchResult> run(const SearchRequest& request) const;

 private:
  std::string dir_;
};

}  // namespace opensoc::search
