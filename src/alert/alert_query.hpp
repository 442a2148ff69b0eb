#pragma once
// AlertQuery: the filters, sort and page of an alert list request, parsed from
// GET parameters, and the summary row each stored alert keeps in memory so a
// query filters and sorts without reading LMDB. Plain values and pure
// functions; any thread.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "opensoc/core/alert.hpp"
#include "opensoc/core/ip_address.hpp"
#include "opensoc/core/time.hpp"

namespace opensoc::alert {

enum class AlertSortField : std::uint8_t { last_seen, first_seen, score, severity, id, count };

/// The fields of an alert a query filters and sorts on (AlertStore keeps one
/// per alert, in memory).
struct AlertSummary {
  std::uint64_t id = 0;
  TimestampNs first_seen = 0;
  TimestampNs last_seen = 0;
  TimestampNs created_at = 0;  ///< wall clock (retention)
  std::uint8_t severity = 2;
  double score = 0;
  AlertStatus status = AlertStatus::new_;
  DetectionKind kind = DetectionKind::signature;
  std::uint32_t count = 1;
  std::uint32_t signature_id = 0;
  std::string rule_id;
  std::string signature;
  IpAddress src_ip;
  IpAddress dst_ip;
};

[[nodiscard]] AlertSummary summarize(const Alert& a);

struct AlertQuery {
  static constexpr std::size_t kDefaultLimit = 50;
  static constexpr std::size_t kMaxLimit = 1000;

  // Filters; an unset filter matches everything.
  std::vector<AlertStatus> statuses;      ///< any of these; empty = all
  std::optional<std::uint8_t> min_severity;  ///< numerically: 1 (high) .. 4 (info), inclusive
  std::optional<std::uint8_t> max_severity;
  std::optional<double> min_score;
  std::optional<DetectionKind> kind;
  std::optional<std::string> rule_id;     ///< exact
  std::optional<std::uint32_t> signature_id;
  std::optional<IpAddress> ip;            ///< source or destination
  std::optional<TimestampNs> start;       ///< last_seen >= start
  std::optional<TimestampNs> end;         ///< last_seen < end
  std::string text;                       ///< case-insensitive substring of the signature; "" = any
  /// Only these ids (ascending): the alert documents a search-language
  /// query (`q=`) matched, found by the caller in the search index.
  std::optional<std::vector<std::uint64_t>> ids;

  AlertSortField sort = AlertSortField::last_seen;
  bool descending = true;
  std::size_t limit = kDefaultLimit;
  std::size_t offset = 0;
};

/// One page of a query's answer.
struct AlertPage {
  std::uint64_t total = 0;  ///< alerts matching the filters (all pages)
  std::size_t offset = 0;
  std::size_t limit = 0;
  std::vector<Alert> alerts;
};

/// Whether `s` passes every filter of `q`.
[[nodiscard]] bool matches(const AlertQuery& q, const AlertSummary& s);

/// Strict weak order of the query's sort (ties broken by id in the same
/// direction, so pages are stable).
[[nodiscard]] bool sorts_before(const AlertQuery& q, const AlertSummary& a, const AlertSummary& b);

/// A rejected parameter: what is wrong, and the parameter's name.
using AlertQueryError = std::pair<std::string, std::string>;

/// Parses GET parameters: status (comma list, repeatable: new, acknowledged,
/// escalated, closed), min_severity, max_severity (1..4), min_score (0..100),
/// kind (signature|intel|behaviour), rule_id, signature_id, ip, start, end
/// (RFC 3339, Unix seconds with fraction, or "5m ago"; relative to `now`),
/// q (text in the signature), sort (last_seen|first_seen|score|severity|id|count),
/// order (asc|desc; default desc), limit (1..1000, default 50), offset.
/// Unknown or repeated single-valued parameters are errors, so a typo never
/// silently widens a query.
[[nodiscard]] std::variant<AlertQuery, AlertQueryError> parse_alert_query(
    const std::multimap<std::string, std::string>& params, TimestampNs now = wall_clock_ns());

/// "new" -> AlertStatus::new_ etc.; nullopt for anything else.
[[nodiscard]] std::optional<AlertStatus> parse_alert_status(std::string_view name);
/// "signature" / "intel" / "behaviour" (also "behavior").
[[nodiscard]] std::optional<DetectionKind> parse_detection_kind(std::string_view name);

}  // namespace opensoc::alert
