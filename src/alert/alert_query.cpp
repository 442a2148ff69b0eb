// Alert list queries: GET parameters to an AlertQuery (every rejection names
// its parameter, for a 400 the client can act on), and the filter and order
// AlertStore::query applies to its in-memory summaries. Runs on HTTP threads.
#include "alert/alert_query.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string_view>

#include "slice/time_value.hpp"

namespace opensoc::alert {
namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool contains_ignore_case(std::string_view haystack, std::string_view needle) {
  if (needle.empty()) return true;
  const auto it = std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                              [](char a, char b) { return lower(a) == lower(b); });
  return it != haystack.end();
}

template <typename T>
std::optional<T> parse_unsigned(std::string_view text) {
  T v{};
  const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || p != text.data() + text.size() || text.empty()) return std::nullopt;
  return v;
}

std::optional<double> parse_double(std::string_view text) {
  double v = 0;
  const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || p != text.data() + text.size() || text.empty() || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::optional<AlertSortField> parse_sort_field(std::string_view s) {
  if (s == "last_seen") return AlertSortField::last_seen;
  if (s == "first_seen") return AlertSortField::first_seen;
  if (s == "score") return AlertSortField::score;
  if (s == "severity") return AlertSortField::severity;
  if (s == "id") return AlertSortField::id;
  if (s == "count") return AlertSortField::count;
  return std::nullopt;
}

// -1, 0, 1 comparing a and b on the sort field alone.
int compare_field(AlertSortField f, const AlertSummary& a, const AlertSummary& b) {
  auto cmp = [](auto x, auto y) { return x < y ? -1 : (y < x ? 1 : 0); };
  switch (f) {
    case AlertSortField::last_seen: return cmp(a.last_seen, b.last_seen);
    case AlertSortField::first_seen: return cmp(a.first_seen, b.first_seen);
    case AlertSortField::score: return cmp(a.score, b.score);
    case AlertSortField::severity: return cmp(a.severity, b.severity);
    case AlertSortField::id: return 0;
    case AlertSortField::count: return cmp(a.count, b.count);
  }
  return 0;
}

const std::string_view kKnownParams[] = {"status", "min_severity", "max_severity", "min_score", "kind",
                                         "rule_id", "signature_id", "ip", "start", "end", "q", "text", "sort",
                                         "order", "limit", "offset"};

}  // namespace

AlertSummary summarize(const Alert& a) {
  AlertSummary s;
  s.id = a.id;
  s.first_seen = a.first_seen;
  s.last_seen = a.last_seen;
  s.created_at = a.created_at;
  s.severity = a.hit.severity;
  s.score = a.score;
  s.status = a.status;
  s.kind = a.hit.kind;
  s.count = a.count;
  s.signature_id = a.hit.signature_id;
  s.rule_id = a.hit.rule_id;
  s.signature = a.hit.signature;
  s.src_ip = a.hit.endpoints.src_ip;
  s.dst_ip = a.hit.endpoints.dst_ip;
  return s;
}

bool matches(const AlertQuery& q, const AlertSummary& s) {
  if (q.ids && !std::binary_search(q.ids->begin(), q.ids->end(), s.id)) return false;
  if (!q.statuses.empty() && std::find(q.statuses.begin(), q.statuses.end(), s.status) == q.statuses.end()) {
    return false;
  }
  if (q.min_severity && s.severity < *q.min_severity) return false;
  if (q.max_severity && s.severity > *q.max_severity) return false;
  if (q.min_score && s.score < *q.min_score) return false;
  if (q.kind && s.kind != *q.kind) return false;
  if (q.rule_id && s.rule_id != *q.rule_id) return false;
  if (q.signature_id && s.signature_id != *q.signature_id) return false;
  if (q.ip && s.src_ip != *q.ip && s.dst_ip != *q.ip) return false;
  if (q.start && s.last_seen < *q.start) return false;
  if (q.end && s.last_seen >= *q.end) return false;
  return contains_ignore_case(s.signature, q.text);
}

bool sorts_before(const AlertQuery& q, const AlertSummary& a, const AlertSummary& b) {
  int c = compare_field(q.sort, a, b);
  if (c == 0) c = a.id < b.id ? -1 : (b.id < a.id ? 1 : 0);
  return q.descending ? c > 0 : c < 0;
}

std::optional<AlertStatus> parse_alert_status(std::string_view name) {
  for (const AlertStatus s : {AlertStatus::new_, AlertStatus::acknowledged, AlertStatus::escalated, AlertStatus::closed}) {
    if (name == alert_status_name(s)) return s;
  }
  return std::nullopt;
}

std::optional<DetectionKind> parse_detection_kind(std::string_view name) {
  if (name == "signature") return DetectionKind::signature;
  if (name == "intel") return DetectionKind::intel;
  if (name == "behaviour" || name == "behavior") return DetectionKind::behaviour;
  return std::nullopt;
}

std::variant<AlertQuery, AlertQueryError> parse_alert_query(const std::multimap<std::string, std::string>& params,
                                                            TimestampNs now) {
  AlertQuery q;
  for (const auto& [name, value] : params) {
    if (std::find(std::begin(kKnownParams), std::end(kKnownParams), name) == std::end(kKnownParams)) {
      return AlertQueryError{"unknown parameter", name};
    }
    if (name != "status" && params.count(name) > 1) return AlertQueryError{"parameter given more than once", name};
    auto bad = [&name = name](const std::string& what) { return AlertQueryError{what, name}; };

    if (name == "status") {
      std::string_view rest = value;
      while (true) {
        const auto comma = rest.find(',');
        const std::string_view word = rest.substr(0, comma);
        const auto s = parse_alert_status(word);
        if (!s) return bad("status must be new, acknowledged, escalated or closed");
        if (std::find(q.statuses.begin(), q.statuses.end(), *s) == q.statuses.end()) q.statuses.push_back(*s);
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
      }
    } else if (name == "min_severity" || name == "max_severity") {
      const auto v = parse_unsigned<unsigned>(value);
      if (!v || *v < 1 || *v > 4) return bad(name + " must be 1 (high) .. 4 (info)");
      (name == "min_severity" ? q.min_severity : q.max_severity) = static_cast<std::uint8_t>(*v);
    } else if (name == "min_score") {
      const auto v = parse_double(value);
      if (!v || *v < 0 || *v > 100) return bad("min_score must be a number 0..100");
      q.min_score = *v;
    } else if (name == "kind") {
      const auto k = parse_detection_kind(value);
      if (!k) return bad("kind must be signature, intel or behaviour");
      q.kind = *k;
    } else if (name == "rule_id") {
      if (value.empty()) return bad("rule_id must not be empty");
      q.rule_id = value;
    } else if (name == "signature_id") {
      const auto v = parse_unsigned<std::uint32_t>(value);
      if (!v) return bad("signature_id must be an unsigned 32-bit number");
      q.signature_id = *v;
    } else if (name == "ip") {
      const auto ip = IpAddress::parse(value);
      if (!ip) return bad("ip must be an IPv4 or IPv6 address");
      q.ip = *ip;
    } else if (name == "start" || name == "end") {
      const auto t = slice::parse_time_value(value, now);
      if (!t) return bad(name + " must be RFC 3339, Unix seconds or a relative time such as \"1h ago\"");
      (name == "start" ? q.start : q.end) = *t;
    } else if (name == "text") {
      q.text = value;
    } else if (name == "q") {
      // The search-language query: the caller resolves it to ids (AlertQuery::ids).
    } else if (name == "sort") {
      const auto f = parse_sort_field(value);
      if (!f) return bad("sort must be last_seen, first_seen, score, severity, id or count");
      q.sort = *f;
    } else if (name == "order") {
      if (value != "asc" && value != "desc") return bad("order must be asc or desc");
      q.descending = value == "desc";
    } else if (name == "limit") {
      const auto v = parse_unsigned<std::size_t>(value);
      if (!v || *v < 1 || *v > AlertQuery::kMaxLimit) return bad("limit must be 1..1000");
      q.limit = *v;
    } else if (name == "offset") {
      const auto v = parse_unsigned<std::size_t>(value);
      if (!v) return bad("offset must be a non-negative integer");
      q.offset = *v;
    }
  }
  if (q.min_severity && q.max_severity && *q.min_severity > *q.max_severity) {
    return AlertQueryError{"min_severity is greater than max_severity", "min_severity"};
  }
  if (q.start && q.end && *q.start >= *q.end) return AlertQueryError{"start must be before end", "start"};
  return q;
}

}  // namespace opensoc::alert
