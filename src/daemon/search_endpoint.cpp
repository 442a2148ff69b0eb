// Search request handling (see search_endpoint.hpp).
#include "daemon/search_endpoint.hpp"

#include <algorithm>
#include <chrono>
#include <charconv>
#include <cstddef>

#include <sys/resource.h>
#include <xapian.h>

#include "opensoc/core/json_writer.hpp"
#include "search/field_schema.hpp"
#include "search/query_compiler.hpp"
#include "search/query_parser.hpp"
#include "search/search_executor.hpp"
#include "slice/time_value.hpp"

namespace opensoc::daemon {
namespace {

constexpr std::uint32_t kMaxLimit = 10000;

std::optional<std::uint64_t> read_count(std::string_view s, std::uint64_t max) {
  std::uint64_t v = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v > max) return std::nullopt;
  return v;
}

/// "30s", "1m", "1h", "1d", "500ms": a histogram interval.
std::optional<std::int64_t> read_interval(std::string_view s) {
  std::size_t digits = 0;
  while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9') ++digits;
  const auto n = read_count(s.substr(0, digits), 1'000'000'000);
  if (!n || *n == 0) return std::nullopt;
  const std::string_view unit = s.substr(digits);
  std::int64_t mult = 0;
  if (unit == "ms") mult = 1'000'000;
  else if (unit == "s" || unit.empty()) mult = kNsPerSecond;
  else if (unit == "m") mult = 60 * kNsPerSecond;
  else if (unit == "h") mult = 3600 * kNsPerSecond;
  else if (unit == "d") mult = 86400 * kNsPerSecond;
  else return std::nullopt;
  const std::int64_t v = static_cast<std::int64_t>(*n) * mult;
  if (v < 1'000'000 || v > 366 * 86400 * kNsPerSecond) return std::nullopt;
  return v;
}

SearchFailure bad(std::string parameter, std::string message) {
  SearchFailure f;
  f.status = 400;
  f.parameter = std::move(parameter);
  f.message = std::move(message);
  return f;
}

std::string_view kind_term(SearchKind k) {
  switch (k) {
    case SearchKind::sessions: return search::kSessionKindTerm;
    case SearchKind::events: return search::kEventKindTerm;
    case SearchKind::alerts: return search::kAlertKindTerm;
    case SearchKind::logs: return search::kLogKindTerm;
    case SearchKind::all: return {};
  }
  return {};
}

}  // namespace

std::variant<SearchParams, SearchFailure> parse_search_params(const std::multimap<std::string, std::string>& query,
                                                              SearchKind kind, TimestampNs now) {
  SearchParams p;
  p.kind = kind;
  for (const auto& [key, value] : query) {
    if (key == "q") {
      p.q = value;
    } else if (key == "start" || key == "end") {
      const auto t = slice::parse_time_value(value, now);
      if (!t) return bad(key, key + ": expected RFC 3339, Unix seconds or e.g. '1h ago', got '" + value + "'");
      (key == "start" ? p.start : p.end) = key == "end" ? *t + 1 : *t;  // end is inclusive for the user
    } else if (key == "limit") {
      const auto n = read_count(value, kMaxLimit);
      if (!n) return bad(key, "limit: expected 0.." + std::to_string(kMaxLimit) + ", got '" + value + "'");
      p.limit = static_cast<std::uint32_t>(*n);
    } else if (key == "offset") {
      const auto n = read_count(value, 100'000'000);
      if (!n) return bad(key, "offset: expected a count, got '" + value + "'");
      p.offset = static_cast<std::uint32_t>(*n);
    } else if (key == "sort") {
      std::string_view f = value;
      bool desc = true;
      if (!f.empty() && f.front() == '-') {
        f.remove_prefix(1);
      } else if (f.ends_with(":asc")) {
        f.remove_suffix(4);
        desc = false;
      } else if (f.ends_with(":desc")) {
        f.remove_suffix(5);
      } else if (!f.empty() && f.front() == '+') {
        f.remove_prefix(1);
        desc = false;
      }
      const search::FieldSpec* spec = search::find_field(f);
      if (spec == nullptr || spec->slot == search::kNoSlot)
        return bad(key, "sort: '" + std::string(f) + "' is not a sortable field");
      p.sort_field = std::string(f);
      p.descending = desc;
    } else if (key == "facets") {
      std::string_view rest = value;
      while (!rest.empty()) {
        const auto comma = rest.find(',');
        const std::string_view name = rest.substr(0, comma);
        if (!name.empty()) {
          const search::FieldSpec* spec = search::find_field(name);
          if (spec == nullptr || !spec->facet)
            return bad(key, "facets: '" + std::string(name) + "' has no facets (a field with a value slot)");
          p.facets.emplace_back(name);
        }
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
      }
    } else if (key == "facet_size") {
      const auto n = read_count(value, 1000);
      if (!n || *n == 0) return bad(key, "facet_size: expected 1..1000, got '" + value + "'");
      p.facet_size = static_cast<std::uint32_t>(*n);
    } else if (key == "histogram") {
      const auto v = read_interval(value);
      if (!v) return bad(key, "histogram: expected an interval such as 30s, 1m, 1h, got '" + value + "'");
      p.histogram_ns = *v;
      p.histogram_text = value;
    } else {
      return bad(key, "unknown parameter '" + key +
                          "' (q, start, end, limit, offset, sort, facets, facet_size, histogram)");
    }
  }
  if (p.start >= p.end) return bad("start", "start must be before end");
  if (p.histogram_ns != 0 && p.end != INT64_MAX && p.start != 0 &&
      (p.end - p.start) / p.histogram_ns > 100000)
    return bad("histogram", "histogram: more than 100000 buckets; choose a larger interval");
  return p;
}

namespace {

// q -> Xapian query, or the 400 naming the byte where q went wrong.
std::variant<Xapian::Query, SearchFailure> compile_q(const std::string& q) {
  auto parsed = search::parse_search_query(q);
  if (const auto* e = std::get_if<search::QueryError>(&parsed)) {
    SearchFailure f = bad("q", "q: " + e->message);
    f.position = e->position;
    return f;
  }
  auto compiled = search::compile_query(std::get<search::QueryNode>(parsed));
  if (const auto* e = std::get_if<search::QueryError>(&compiled)) {
    SearchFailure f = bad("q", "q: " + e->message);
    f.position = e->position;
    return f;
  }
  return std::get<Xapian::Query>(std::move(compiled));
}

}  // namespace

std::variant<std::string, SearchFailure> run_search(const std::string& search_dir, const SearchParams& params,
                                                    bool records_only) {
  const auto t0 = std::chrono::steady_clock::now();
  auto compiled = compile_q(params.q);
  if (const auto* f = std::get_if<SearchFailure>(&compiled)) return *f;
  search::SearchRequest req;
  req.query = std::get<Xapian::Query>(compiled);
  req.start = params.start;
  req.end = params.end;
  req.kind_term = kind_term(params.kind);
  req.offset = params.offset;
  req.limit = params.limit;
  req.sort_field = params.sort_field;
  req.descending = params.descending;
  req.facets = params.facets;
  req.facet_size = params.facet_size;
  req.histogram_interval_ns = params.histogram_ns;
  search::SearchExecutor executor(search_dir);
  auto result = executor.run(req);
  if (!result) {
    SearchFailure f;
    f.status = 500;
    f.message = result.error().message;
    return f;
  }
  std::string out;
  if (records_only) {
    for (const auto& hit : result->hits) {
      out += hit.json;
      out += '\n';
    }
    return out;
  }
  const double took_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  JsonWriter w(out);
  w.begin_object();
  w.field("total", result->total).field("total_exact", result->total_exact);
  w.field("offset", params.offset).field("limit", params.limit);
  w.field("took_ms", took_ms).field("shards", result->shards_searched);
  w.key("records").begin_array();
  for (const auto& hit : result->hits) w.raw(hit.json);
  w.end_array();
  if (!params.facets.empty()) {
    w.key("facets").begin_object();
    for (const auto& [field, values] : result->facets) {
      w.key(field).begin_array();
      for (const auto& v : values) w.begin_object().field("value", v.value).field("count", v.count).end_object();
      w.end_array();
    }
    w.end_object();
  }
  if (params.histogram_ns != 0) {
    w.key("histogram").begin_object();
    w.field("interval", params.histogram_text).field("interval_ns", static_cast<std::int64_t>(params.histogram_ns));
    w.key("buckets").begin_array();
    for (const auto& [start, count] : result->histogram) {
      w.begin_object().field("start", format_rfc3339_ns(start)).field("start_ns", static_cast<std::int64_t>(start));
      w.field("count", count).end_object();
    }
    w.end_array();
    w.end_object();
  }
  w.end_object();
  return out;
}

std::variant<std::vector<std::uint64_t>, SearchFailure> search_alert_ids(const std::string& search_dir,
                                                                        const SearchParams& params,
                                                                        std::size_t max_ids) {
  auto compiled = compile_q(params.q);
  if (const auto* f = std::get_if<SearchFailure>(&compiled)) return *f;
  search::SearchRequest req;
  req.query = std::get<Xapian::Query>(compiled);
  req.start = params.start;
  req.end = params.end;
  req.kind_term = kind_term(SearchKind::alerts);
  req.limit = 0;
  req.collect_field = "alert.id";
  auto result = search::SearchExecutor(search_dir).run(req);
  if (!result) {
    SearchFailure f;
    f.status = 500;
    f.message = result.error().message;
    return f;
  }
  std::vector<std::uint64_t> ids;
  ids.reserve(result->collected.size());
  for (const double v : result->collected) {
    // Ids are integers below 2^53 (the slot is a double); anything else is not an id we wrote.
    if (v >= 0 && v < 9007199254740992.0 && v == static_cast<double>(static_cast<std::uint64_t>(v))) {
      ids.push_back(static_cast<std::uint64_t>(v));
    }
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  if (ids.size() > max_ids) ids.erase(ids.begin(), ids.end() - static_cast<std::ptrdiff_t>(max_ids));
  return ids;
}

void raise_open_file_limit() {
  rlimit l{};
  if (::getrlimit(RLIMIT_NOFILE, &l) == 0 && l.rlim_cur < l.rlim_max) {
    l.rlim_cur = l.rlim_max;
    (void)::setrlimit(RLIMIT_NOFILE, &l);
  }
}

api::Response serve_search_request(const api::Request& request, SearchKind kind, const std::string& search_dir) {
  api::Response r;
  auto fail = [&](const SearchFailure& f) {
    r.status = f.status;
    std::string body;
    JsonWriter w(body);
    w.begin_object().field("error", f.message);
    if (!f.parameter.empty()) w.field("parameter", f.parameter);
    if (f.position) w.field("position", static_cast<std::uint64_t>(*f.position));
    w.end_object();
    r.body = std::move(body);
    return r;
  };
  if (request.method != "GET") {
    r.status = 405;
    r.headers.emplace_back("Allow", "GET");
    r.body = R"({"error":"use GET"})";
    return r;
  }
  auto params = parse_search_params(request.query, kind, wall_clock_ns());
  if (const auto* f = std::get_if<SearchFailure>(&params)) return fail(*f);
  auto answer = run_search(search_dir, std::get<SearchParams>(params), false);
  if (const auto* f = std::get_if<SearchFailure>(&answer)) return fail(*f);
  r.body = std::move(std::get<std::string>(answer));
  return r;
}

}  // namespace opensoc::daemon
