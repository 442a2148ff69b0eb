// Search executor: the read side of the time-sharded search index. For each
// request it lists the shard directories, opens the ones overlapping the time
// range as one combined Xapian database, narrows the compiled query by time
// and kind, and reads back one page of hits plus facet counts and a time
// histogram from match spies. Runs on the calling thread (HTTP handlers, the
// CLI); holds nothing between calls.
#include "search/search_executor.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <exception>
#include <map>
#include <memory>

#include "search/field_schema.hpp"
#include "search/search_shards.hpp"

namespace opensoc::search {
namespace {

// A writer commit or a retention drop racing a search makes Xapian throw
// DatabaseModifiedError or fail to open a table; the search is then simply
// run again on a fresh listing.
constexpr int kAttempts = 5;

std::string be64(TimestampNs ts) {
  const auto v = static_cast<std::uint64_t>(ts);
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[static_cast<std::size_t>(i)] = static_cast<char>(v >> (56 - 8 * i));
  return out;
}

// Slot 0 holds 8 big-endian bytes; anything else (a document written without
// a timestamp) reads as 0 rather than failing the search.
TimestampNs read_ts(const std::string& v) noexcept {
  if (v.size() != 8) return 0;
  std::uint64_t x = 0;
  for (unsigned char c : v) x = (x << 8) | c;
  return static_cast<TimestampNs>(x);
}

std::string format_number(double d) {
  char buf[32];
  // Counts, ports and status codes are integers: print them as such.
  if (std::isfinite(d) && d == std::trunc(d) && std::fabs(d) < 9007199254740992.0) {
    const auto [p, ec] = std::to_chars(buf, buf + sizeof buf, static_cast<long long>(d));
    return ec == std::errc{} ? std::string(buf, p) : std::string{};
  }
  const auto [p, ec] = std::to_chars(buf, buf + sizeof buf, d);
  return ec == std::errc{} ? std::string(buf, p) : std::string{};
}

// Counts matching documents per floor(@timestamp / interval).
class TimestampHistogramSpy final : public Xapian::MatchSpy {
 public:
  explicit TimestampHistogramSpy(std::int64_t interval_ns) : interval_(interval_ns) {}
  void operator()(const Xapian::Document& doc, double /*wt*/) override {
    const TimestampNs ts = read_ts(doc.get_value(kTimestampSlot));
    // Floor, not truncation: a slot with the top bit set reads as negative.
    std::int64_t bucket = ts / interval_;
    if (ts % interval_ < 0) --bucket;
    ++counts_[bucket];
  }
  [[nodiscard]] const std::map<std::int64_t, std::uint64_t>& counts() const { return counts_; }

 private:
  std::int64_t interval_;
  std::map<std::int64_t, std::uint64_t> counts_;
};

// Reads one number slot of every matching document.
class SlotValueSpy final : public Xapian::MatchSpy {
 public:
  explicit SlotValueSpy(Xapian::valueno slot) : slot_(slot) {}
  void operator()(const Xapian::Document& doc, double /*wt*/) override {
    const std::string v = doc.get_value(slot_);
    if (!v.empty()) values_.push_back(Xapian::sortable_unserialise(v));
  }
  [[nodiscard]] std::vector<double>& values() { return values_; }

 private:
  Xapian::valueno slot_;
  std::vector<double> values_;
};

enum class ShardOpen : std::uint8_t { gone, damaged };

// Not found means dropped since the listing, or created by the writer and
// not yet committed: nothing to see either way, so not worth reporting. A
// commit racing the open (DatabaseModifiedError) escapes so run() retries
// the whole search; anything else gets one more try, then counts as damaged.
Result<Xapian::Database, ShardOpen> open_shard(const std::string& path) {
  for (int attempt = 0;; ++attempt) {
    try {
      return Xapian::Database(path, Xapian::DB_BACKEND_GLASS);
    } catch (const Xapian::DatabaseNotFoundError&) {
      return ShardOpen::gone;
    } catch (const Xapian::DatabaseModifiedError&) {
      throw;
    } catch (const Xapian::DatabaseError&) {
      if (attempt >= 1) return ShardOpen::damaged;
    }
  }
}

struct ValidatedRequest {
  unsigned sort_slot = 0;
  std::vector<const FieldSpec*> facets;
  const FieldSpec* collect = nullptr;
};

Result<ValidatedRequest> validate(const SearchRequest& r) {
  ValidatedRequest v;
  if (r.limit > SearchExecutor::kMaxLimit) {
    return Error{"limit " + std::to_string(r.limit) + " is above the maximum of " +
                 std::to_string(SearchExecutor::kMaxLimit)};
  }
  const FieldSpec* sort = find_field(r.sort_field);
  if (sort == nullptr) return Error{"sort field '" + r.sort_field + "' is not a field"};
  if (sort->slot == kNoSlot) return Error{"sort field '" + r.sort_field + "' is not sortable (no value slot)"};
  v.sort_slot = static_cast<unsigned>(sort->slot);
  for (const std::string& name : r.facets) {
    const FieldSpec* f = find_field(name);
    if (f == nullptr) return Error{"facet field '" + name + "' is not a field"};
    if (!f->facet || f->slot == kNoSlot) return Error{"field '" + name + "' does not support facets"};
    v.facets.push_back(f);
  }
  if (!r.collect_field.empty()) {
    v.collect = find_field(r.collect_field);
    if (v.collect == nullptr || v.collect->type != FieldType::number || v.collect->slot == kNoSlot) {
      return Error{"field '" + r.collect_field + "' cannot be collected (not a number field with a value slot)"};
    }
  }
  if (r.histogram_interval_ns < 0) {
    return Error{"histogram interval must not be negative, got " + std::to_string(r.histogram_interval_ns)};
  }
  return v;
}

std::vector<FacetValue> top_values(const Xapian::ValueCountMatchSpy& spy, const FieldSpec& field,
                                   std::uint32_t size) {
  std::vector<FacetValue> values;
  for (auto it = spy.values_begin(); it != spy.values_end(); ++it) {
    values.push_back(FacetValue{*it, it.get_termfreq()});
  }
  // Sort on the raw slot value for ties: for numbers it orders numerically.
  std::sort(values.begin(), values.end(), [](const FacetValue& a, const FacetValue& b) {
    return a.count != b.count ? a.count > b.count : a.value < b.value;
  });
  if (values.size() > size) values.resize(size);
  if (field.type == FieldType::number) {
    for (FacetValue& v : values) v.value = format_number(Xapian::sortable_unserialise(v.value));
  }
  return values;
}

// One attempt; Xapian exceptions escape to run() which retries or reports.
Result<SearchResult> run_once(const std::string& dir, const SearchRequest& r, const ValidatedRequest& v) {
  SearchResult result;
  const auto nothing_found = [&]() {
    SearchResult empty;
    empty.shards_skipped = result.shards_skipped;
    empty.total_exact = true;
    for (const FieldSpec* f : v.facets) empty.facets.emplace_back(std::string(f->name), std::vector<FacetValue>{});
    return empty;
  };
  const TimestampNs start = std::max<TimestampNs>(r.start, 0);
  const TimestampNs end = r.end;
  if (end <= start) return nothing_found();

  auto listed = list_shard_dirs(dir);
  if (!listed) return listed.error();
  Xapian::Database db;
  bool whole_shards = true;
  for (const ShardDir& shard : *listed) {
    if (shard.span.start >= end || shard.span.end <= start) continue;
    auto opened = open_shard(shard.path);
    if (!opened) {
      if (opened.error() == ShardOpen::damaged) ++result.shards_skipped;
      continue;
    }
    db.add_database(*opened);
    ++result.shards_searched;
    if (shard.span.start < start || shard.span.end > end) whole_shards = false;
  }
  // Xapian refuses to search a database made of no shards.
  if (result.shards_searched == 0) return nothing_found();

  // An empty compiled query can match nothing. It once meant "everything",
  // which made `x AND <punctuation>` (and a scoped user's `*`) match all.
  if (r.query.empty()) return nothing_found();
  Xapian::Query query = r.query;
  if (!whole_shards) {
    // Big-endian bytes compare like the numbers; Xapian's range is inclusive.
    query = Xapian::Query(Xapian::Query::OP_FILTER, query,
                          Xapian::Query(Xapian::Query::OP_VALUE_RANGE, kTimestampSlot, be64(start), be64(end - 1)));
  }
  if (!r.kind_term.empty()) {
    query = Xapian::Query(Xapian::Query::OP_FILTER, query, Xapian::Query(std::string(r.kind_term)));
  }

  Xapian::Enquire enquire(db);
  enquire.set_query(query);
  enquire.set_weighting_scheme(Xapian::BoolWeight());
  enquire.set_sort_by_value(v.sort_slot, r.descending);
  enquire.set_docid_order(Xapian::Enquire::ASCENDING);

  std::vector<std::unique_ptr<Xapian::ValueCountMatchSpy>> facet_spies;
  for (const FieldSpec* f : v.facets) {
    facet_spies.push_back(std::make_unique<Xapian::ValueCountMatchSpy>(static_cast<Xapian::valueno>(f->slot)));
    enquire.add_matchspy(facet_spies.back().get());
  }
  std::unique_ptr<TimestampHistogramSpy> histogram;
  if (r.histogram_interval_ns > 0) {
    histogram = std::make_unique<TimestampHistogramSpy>(r.histogram_interval_ns);
    enquire.add_matchspy(histogram.get());
  }

  std::unique_ptr<SlotValueSpy> collector;
  if (v.collect != nullptr) {
    collector = std::make_unique<SlotValueSpy>(static_cast<Xapian::valueno>(v.collect->slot));
    enquire.add_matchspy(collector.get());
  }

  // Spies only see the documents the matcher looks at: to make facets, the
  // histogram and the collected values exact, it must look at all of them.
  const bool spies = !facet_spies.empty() || histogram != nullptr || collector != nullptr;
  const Xapian::doccount check_at_least =
      spies ? db.get_doccount() : static_cast<Xapian::doccount>(std::min<std::uint64_t>(
                                      std::uint64_t{r.offset} + r.limit + 1000, UINT32_MAX));
  const Xapian::MSet mset = enquire.get_mset(r.offset, r.limit, check_at_least);

  result.total = mset.get_matches_estimated();
  result.total_exact = mset.get_matches_lower_bound() == mset.get_matches_upper_bound();
  if (result.total_exact) result.total = mset.get_matches_lower_bound();
  result.hits.reserve(mset.size());
  for (auto it = mset.begin(); it != mset.end(); ++it) {
    const Xapian::Document doc = it.get_document();
    result.hits.push_back(SearchHit{doc.get_data(), read_ts(doc.get_value(kTimestampSlot))});
  }
  for (std::size_t i = 0; i < v.facets.size(); ++i) {
    result.facets.emplace_back(std::string(v.facets[i]->name), top_values(*facet_spies[i], *v.facets[i], r.facet_size));
  }
  if (collector) result.collected = std::move(collector->values());
  if (histogram && !histogram->counts().empty()) {
    const auto& counts = histogram->counts();
    const std::int64_t first = counts.begin()->first;
    const std::int64_t last = counts.rbegin()->first;
    const auto buckets = static_cast<std::uint64_t>(last - first) + 1;
    if (buckets > SearchExecutor::kMaxHistogramBuckets) {
      return Error{"histogram interval " + std::to_string(r.histogram_interval_ns) + " ns gives " +
                   std::to_string(buckets) + " buckets, above the maximum of " +
                   std::to_string(SearchExecutor::kMaxHistogramBuckets)};
    }
    result.histogram.reserve(buckets);
    auto it = counts.begin();
    for (std::int64_t b = first; b <= last; ++b) {
      std::uint64_t n = 0;
      if (it != counts.end() && it->first == b) n = (it++)->second;
      result.histogram.emplace_back(b * r.histogram_interval_ns, n);
    }
  }
  return result;
}

}  // namespace

SearchExecutor::SearchExecutor(std::string dir) : dir_(std::move(dir)) {}

Result<SearchResult> SearchExecutor::run(const SearchRequest& request) const {
  auto validated = validate(request);
  if (!validated) return validated.error().context("search");
  std::string last_error;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    try {
      auto result = run_once(dir_, request, *validated);
      if (!result) return result.error().context("search");
      return result;
    } catch (const Xapian::DatabaseError& e) {
      // Modified or dropped underneath us: list and open again.
      last_error = std::string(e.get_type()) + ": " + e.get_msg();
    } catch (const Xapian::Error& e) {
      return Error{"search: " + std::string(e.get_type()) + ": " + e.get_msg()};
    } catch (const std::exception& e) {
      return Error{std::string("search: ") + e.what()};
    }
  }
  return Error{"search: gave up after " + std::to_string(kAttempts) + " attempts: " + last_error};
}

}  // namespace opensoc::search
