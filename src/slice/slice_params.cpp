// GET parameters of a PCAP slice request -> SliceQuery (slice_params.hpp).
// Runs on the API thread once per request. Every failure names the parameter
// so the API can answer 400 with {"error", "parameter"}.
#include "slice/slice_params.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <string_view>
#include <vector>

#include "slice/steno_query.hpp"
#include "slice/time_value.hpp"
#include "slice/query_text.hpp"

namespace opensoc::slice {
namespace {

using Op = FilterExpr::Node::Op;

constexpr std::array<std::string_view, 14> kKnown = {
    "host", "src",  "dst",          "port",  "sport", "dport", "proto",
    "vlan", "community_id", "start", "end",   "limit", "limit_bytes", "query",
};

// Plain decimal (no sign, no spaces) within [min, max].
std::optional<std::uint64_t> decimal(std::string_view s, std::uint64_t min, std::uint64_t max) {
  if (s.empty() || s.size() > 20) return std::nullopt;
  std::uint64_t v = 0;
  for (const char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    if (__builtin_mul_overflow(v, std::uint64_t{10}, &v) ||
        __builtin_add_overflow(v, static_cast<std::uint64_t>(c - '0'), &v)) {
      return std::nullopt;
    }
  }
  if (v < min || v > max) return std::nullopt;
  return v;
}

QueryError bad(std::string_view name, std::string what) { return QueryError{std::string(name), std::move(what)}; }

std::optional<Predicate> proto_predicate(std::string_view v) {
  Predicate p;
  p.kind = Predicate::Kind::proto;
  if (const auto named = protocol_by_name(v)) {
    p.proto = named->proto;
    p.icmp_any = named->icmp_any;
  } else if (const auto n = decimal(v, 0, 255)) {
    p.proto = static_cast<std::uint8_t>(*n);
  } else {
    return std::nullopt;
  }
  return p;
}

}  // namespace

QueryResult<SliceQuery> parse_slice_params(const std::multimap<std::string, std::string>& params, TimestampNs now) {
  for (const auto& [name, value] : params) {
    if (std::find(kKnown.begin(), kKnown.end(), name) == kKnown.end()) {
      return bad(name, "unknown parameter " + quote(name));
    }
    if (value.empty()) return bad(name, "empty value for " + name);
  }

  SliceQuery q;
  std::vector<FilterExpr> parts;
  const auto each = [&params](std::string_view name, auto&& fn) -> std::optional<QueryError> {
    const auto [b, e] = params.equal_range(std::string(name));
    for (auto it = b; it != e; ++it) {
      if (auto err = fn(it->second)) return err;
    }
    return std::nullopt;
  };

  // Addresses, in the fixed order the filter lists them.
  for (const auto& [name, dir] : {std::pair<std::string_view, Direction>{"host", Direction::either},
                                  {"src", Direction::src},
                                  {"dst", Direction::dst}}) {
    auto err = each(name, [&, n = name, d = dir](const std::string& v) -> std::optional<QueryError> {
      const auto prefix = parse_ip_prefix(v);
      if (!prefix) return bad(n, "invalid address or CIDR " + quote(v));
      Predicate p;
      p.kind = Predicate::Kind::host;
      p.dir = d;
      p.net = *prefix;
      parts.push_back(FilterExpr::leaf(p));
      return std::nullopt;
    });
    if (err) return *err;
  }
  for (const auto& [name, dir] : {std::pair<std::string_view, Direction>{"port", Direction::either},
                                  {"sport", Direction::src},
                                  {"dport", Direction::dst}}) {
    auto err = each(name, [&, n = name, d = dir](const std::string& v) -> std::optional<QueryError> {
      const auto port = decimal(v, 1, 65535);
      if (!port) return bad(n, "invalid port " + quote(v) + " (1..65535)");
      Predicate p;
      p.kind = Predicate::Kind::port;
      p.dir = d;
      p.port = static_cast<std::uint16_t>(*port);
      parts.push_back(FilterExpr::leaf(p));
      return std::nullopt;
    });
    if (err) return *err;
  }
  if (auto err = each("proto", [&](const std::string& v) -> std::optional<QueryError> {
        const auto p = proto_predicate(v);
        if (!p) return bad("proto", "invalid protocol " + quote(v) + " (tcp, udp, icmp, sctp or 0..255)");
        parts.push_back(FilterExpr::leaf(*p));
        return std::nullopt;
      })) {
    return *err;
  }
  if (auto err = each("vlan", [&](const std::string& v) -> std::optional<QueryError> {
        const auto id = decimal(v, 0, 4095);
        if (!id) return bad("vlan", "invalid vlan " + quote(v) + " (0..4095)");
        Predicate p;
        p.kind = Predicate::Kind::vlan;
        p.vlan = static_cast<std::uint16_t>(*id);
        parts.push_back(FilterExpr::leaf(p));
        return std::nullopt;
      })) {
    return *err;
  }
  if (auto err = each("community_id", [&](const std::string& v) -> std::optional<QueryError> {
        const auto digest = parse_community_id(v);
        if (!digest) return bad("community_id", "invalid community id " + quote(v) + " (1:<base64>)");
        Predicate p;
        p.kind = Predicate::Kind::community_id;
        p.community_id = *digest;
        parts.push_back(FilterExpr::leaf(p));
        return std::nullopt;
      })) {
    return *err;
  }

  // Times: repeated bounds intersect.
  if (auto err = each("start", [&](const std::string& v) -> std::optional<QueryError> {
        const auto t = parse_time_value(v, now);
        if (!t) return bad("start", "invalid time " + quote(v) + " (RFC 3339, Unix seconds, or N[smhd] ago)");
        q.start = q.start ? std::max(*q.start, *t) : *t;
        return std::nullopt;
      })) {
    return *err;
  }
  if (auto err = each("end", [&](const std::string& v) -> std::optional<QueryError> {
        const auto t = parse_time_value(v, now);
        if (!t) return bad("end", "invalid time " + quote(v) + " (RFC 3339, Unix seconds, or N[smhd] ago)");
        q.end = q.end ? std::min(*q.end, *t) : *t;
        return std::nullopt;
      })) {
    return *err;
  }
  for (const auto& [name, limit] : {std::pair<std::string_view, std::optional<std::uint64_t>*>{"limit", &q.limit_packets},
                                    {"limit_bytes", &q.limit_bytes}}) {
    auto err = each(name, [n = name, l = limit](const std::string& v) -> std::optional<QueryError> {
      const auto x = decimal(v, 1, UINT64_MAX);
      if (!x) return bad(n, "invalid " + std::string(n) + " " + quote(v) + " (a whole number >= 1)");
      *l = *l ? std::min(**l, *x) : *x;
      return std::nullopt;
    });
    if (err) return *err;
  }

  if (auto err = each("query", [&](const std::string& v) -> std::optional<QueryError> {
        auto steno = parse_steno_query(v, now);
        if (!steno) return steno.error();
        parts.push_back(std::move(steno->filter));
        if (steno->start) q.start = q.start ? std::max(*q.start, *steno->start) : *steno->start;
        if (steno->end) q.end = q.end ? std::min(*q.end, *steno->end) : *steno->end;
        return std::nullopt;
      })) {
    return *err;
  }

  if (q.start && q.end && *q.start > *q.end) {
    const char* name = params.count("end") != 0 ? "end" : params.count("start") != 0 ? "start" : "query";
    return bad(name, "empty time range: start is later than end");
  }
  q.filter = FilterExpr::combine_all(Op::all_of, std::move(parts));
  if (q.filter.depth() > kMaxParsedFilterDepth) {
    return bad(params.count("query") != 0 ? "query" : "host", "too many filter parameters");
  }
  return q;
}

}  // namespace opensoc::slice
