// Query compiler: the analyst's query (a QueryNode tree from query_parser)
// becomes one Xapian::Query, using the term builders of index_terms so the
// compiled terms are exactly the ones fill_document wrote. What each form
// means is documented in query_compiler.hpp. Runs on the thread serving the
// search request; no shared state.
#include "search/query_compiler.hpp"

#include "opensoc/core/time.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include <xapian.h>

#include "opensoc/core/ip_address.hpp"
#include "opensoc/core/result.hpp"
#include "search/field_schema.hpp"
#include "search/index_terms.hpp"

namespace opensoc::search {
namespace {

using Compiled = Result<Xapian::Query, QueryError>;
using Fields = std::vector<const FieldSpec*>;

QueryError error_at(const QueryNode& n, const std::string& message) {
  return QueryError{n.position, message + " at " + std::to_string(n.position)};
}

std::string_view type_name(FieldType t) {
  switch (t) {
    case FieldType::keyword: return "keyword";
    case FieldType::text: return "text";
    case FieldType::domain: return "domain";
    case FieldType::ip: return "ip";
    case FieldType::number: return "number";
    case FieldType::time: return "time";
  }
  return "?";
}

Xapian::Query wildcard(const std::string& pattern) {
  return Xapian::Query(Xapian::Query::OP_WILDCARD, pattern, kMaxWildcardExpansion, Xapian::Query::WILDCARD_LIMIT_ERROR);
}

Xapian::Query combine(Xapian::Query::op op, const std::vector<Xapian::Query>& parts) {
  if (parts.size() == 1) return parts.front();
  return Xapian::Query(op, parts.begin(), parts.end());
}

// ---- suggestions ------------------------------------------------------------

// Edit cost from what was typed to a field name. Inserting is cheap, so an
// abbreviation ("dns.qname", "dst.ip") is near its full name; deleting and
// substituting cost more, so "dns.qname" is not taken for "dns.id".
std::size_t suggestion_cost(std::string_view typed, std::string_view name) {
  constexpr std::size_t kInsert = 1, kDelete = 2, kSubstitute = 3;
  std::vector<std::size_t> prev(name.size() + 1), cur(name.size() + 1);
  for (std::size_t j = 0; j <= name.size(); ++j) prev[j] = j * kInsert;
  for (std::size_t i = 1; i <= typed.size(); ++i) {
    cur[0] = i * kDelete;
    for (std::size_t j = 1; j <= name.size(); ++j) {
      const std::size_t sub = prev[j - 1] + (typed[i - 1] == name[j - 1] ? 0 : kSubstitute);
      cur[j] = std::min({sub, prev[j] + kDelete, cur[j - 1] + kInsert});
    }
    std::swap(prev, cur);
  }
  return prev[name.size()];
}

std::optional<std::string_view> closest_name(std::string_view typed) {
  std::optional<std::string_view> best;
  std::size_t best_cost = std::max<std::size_t>(typed.size(), 4) + 1;  // beyond this, no suggestion
  auto consider = [&](std::string_view name) {
    const std::size_t c = suggestion_cost(typed, name);
    if (c < best_cost) {
      best_cost = c;
      best = name;
    }
  };
  for (const FieldSpec& f : field_specs()) consider(f.name);
  for (const FieldAlias& a : field_aliases()) consider(a.alias);
  return best;
}

Result<Fields, QueryError> resolve_fields(const QueryNode& n) {
  const std::string name = lower_ascii(n.field);
  if (const FieldSpec* f = find_field(name)) return Fields{f};
  if (const FieldAlias* a = find_alias(name)) {
    Fields out;
    for (std::string_view member : a->fields) {
      if (member.empty()) continue;
      if (const FieldSpec* f = find_field(member)) out.push_back(f);
    }
    if (!out.empty()) return out;
  }
  std::string msg = "unknown field '" + n.field + "' at " + std::to_string(n.position);
  if (auto s = closest_name(name)) msg += "; did you mean " + std::string(*s) + "?";
  return QueryError{n.position, msg};
}

// ---- value parsing ----------------------------------------------------------

std::optional<double> parse_number(std::string_view s) {
  double v = 0;
  const char* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), end, v);
  if (ec != std::errc() || p != end || !std::isfinite(v)) return std::nullopt;
  return v;
}

bool read_digits(std::string_view s, std::size_t pos, std::size_t count, std::int64_t& out) {
  if (pos + count > s.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

// Fraction digits (1..9) at `pos` as nanoseconds; advances `pos`.
bool read_fraction(std::string_view s, std::size_t& pos, std::int64_t& ns) {
  std::size_t n = 0;
  ns = 0;
  while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
    if (++n > 9) return false;
    ns = ns * 10 + (s[pos] - '0');
    ++pos;
  }
  if (n == 0) return false;
  for (std::size_t i = n; i < 9; ++i) ns *= 10;
  return true;
}

// Days from 1970-01-01 to y-m-d, proleptic Gregorian (H. Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t y, std::int64_t m, std::int64_t d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

std::optional<TimestampNs> seconds_to_ns(std::int64_t seconds, std::int64_t frac_ns) {
  constexpr std::int64_t kMax = std::numeric_limits<TimestampNs>::max();
  constexpr std::int64_t kMin = std::numeric_limits<TimestampNs>::min();
  if (seconds > (kMax - frac_ns) / kNsPerSecond || seconds < kMin / kNsPerSecond + 1) return std::nullopt;
  return seconds * kNsPerSecond + frac_ns;
}

// "now", or "<n><unit> ago" with unit s, m, h or d ("90m ago", "2d ago"),
// against the wall clock: what an analyst types for "the last hour".
std::optional<TimestampNs> parse_relative_time(std::string_view s) {
  const TimestampNs now = wall_clock_ns();
  if (s == "now") return now;
  if (!s.ends_with(" ago")) return std::nullopt;
  s.remove_suffix(4);
  std::size_t digits = 0;
  std::int64_t n = 0;
  while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9' && digits < 9) {
    n = n * 10 + (s[digits] - '0');
    ++digits;
  }
  if (digits == 0 || digits + 1 != s.size()) return std::nullopt;
  std::int64_t unit = 0;
  switch (s.back()) {
    case 's': unit = 1; break;
    case 'm': unit = 60; break;
    case 'h': unit = 3600; break;
    case 'd': unit = 86400; break;
    default: return std::nullopt;
  }
  return now - n * unit * kNsPerSecond;
}

// RFC 3339 ("2026-11-28T10:00:00.5Z", "+hh:mm" offsets), Unix seconds with
// an optional fraction ("1764324000.5"), "now" or "1h ago".
std::optional<TimestampNs> parse_time(std::string_view s) {
  if (s.empty()) return std::nullopt;
  if (s == "now" || s.ends_with(" ago")) return parse_relative_time(s);
  if (s.find_first_of("-:tT") == std::string_view::npos) {
    const std::size_t dot = s.find('.');
    const std::string_view whole = s.substr(0, dot);
    if (whole.empty() || whole.size() > 11) return std::nullopt;
    std::int64_t secs = 0;
    if (!read_digits(whole, 0, whole.size(), secs)) return std::nullopt;
    std::int64_t frac = 0;
    if (dot != std::string_view::npos) {
      std::size_t pos = dot + 1;
      if (!read_fraction(s, pos, frac) || pos != s.size()) return std::nullopt;
    }
    return seconds_to_ns(secs, frac);
  }
  std::int64_t y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (s.size() < 20 || !read_digits(s, 0, 4, y) || s[4] != '-' || !read_digits(s, 5, 2, mo) || s[7] != '-' ||
      !read_digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != 't') || !read_digits(s, 11, 2, h) || s[13] != ':' ||
      !read_digits(s, 14, 2, mi) || s[16] != ':' || !read_digits(s, 17, 2, sec)) {
    return std::nullopt;
  }
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (mo < 1 || mo > 12) return std::nullopt;
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  const std::int64_t month_days = kDays[mo - 1] + (mo == 2 && leap ? 1 : 0);
  if (d < 1 || d > month_days || h > 23 || mi > 59 || sec > 59) return std::nullopt;
  std::size_t pos = 19;
  std::int64_t frac = 0;
  if (s[pos] == '.') {
    ++pos;
    if (!read_fraction(s, pos, frac)) return std::nullopt;
  }
  std::int64_t offset = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    std::int64_t oh = 0, om = 0;
    if (!read_digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' || !read_digits(s, pos + 4, 2, om) ||
        oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset = (oh * 3600 + om * 60) * (s[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  const std::int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset;
  return seconds_to_ns(secs, frac);
}

// ---- ip ---------------------------------------------------------------------

struct Cidr {
  IpAddress network;
  unsigned bits = 0;
};

void set_bit(IpAddress& a, unsigned index, bool on) {
  const auto mask = static_cast<std::uint8_t>(0x80u >> (index % 8));
  if (on) {
    a.bytes[index / 8] = static_cast<std::uint8_t>(a.bytes[index / 8] | mask);
  } else {
    a.bytes[index / 8] = static_cast<std::uint8_t>(a.bytes[index / 8] & ~mask);
  }
}

std::optional<Cidr> parse_cidr(std::string_view s) {
  const std::size_t slash = s.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto addr = IpAddress::parse(s.substr(0, slash));
  const std::string_view len = s.substr(slash + 1);
  std::int64_t bits = 0;
  if (!addr || len.empty() || len.size() > 3 || !read_digits(len, 0, len.size(), bits)) return std::nullopt;
  const unsigned max_bits = addr->version == 6 ? 128 : 32;
  if (bits > max_bits) return std::nullopt;
  Cidr c{*addr, static_cast<unsigned>(bits)};
  for (unsigned i = c.bits; i < max_bits; ++i) set_bit(c.network, i, false);
  return c;
}

bool looks_like_address(std::string_view s) { return IpAddress::parse(s).has_value() || parse_cidr(s).has_value(); }

// A CIDR is one term at an indexed length; otherwise the OR of the terms of
// the next longer indexed length that it covers (at most 256).
Compiled cidr_query(const FieldSpec& f, const Cidr& c, const QueryNode& n) {
  const unsigned max_bits = c.network.version == 6 ? 128 : 32;
  const auto lengths = ip_indexed_prefix_lengths(c.network.version);
  const unsigned target = *std::find_if(lengths.begin(), lengths.end(), [&](unsigned l) { return l >= c.bits; });
  const unsigned extra = target - c.bits;
  constexpr unsigned kMaxExtraBits = 8;  // 256 terms
  if (extra > kMaxExtraBits) {
    return error_at(n, "CIDR '" + n.value + "' for " + std::string(f.name) + " needs " + "more than 256 terms; IPv6 " +
                           "supports /0, /8 to /64 and /120 to /128");
  }
  auto term_of = [&](const IpAddress& a) {
    return target == max_bits ? field_term(f, a.to_string()) : ip_network_term(f, a, target);
  };
  std::vector<Xapian::Query> terms;
  const unsigned count = 1u << extra;
  terms.reserve(count);
  for (unsigned i = 0; i < count; ++i) {
    IpAddress a = c.network;
    for (unsigned k = 0; k < extra; ++k) set_bit(a, c.bits + k, ((i >> (extra - 1 - k)) & 1u) != 0);
    terms.emplace_back(term_of(a));
  }
  return combine(Xapian::Query::OP_OR, terms);
}

// ---- field:value ------------------------------------------------------------

Compiled wildcard_query(const FieldSpec& f, const QueryNode& n) {
  const std::string& v = n.value;
  if (v == "*") return Xapian::Query(field_exists_term(f));  // the field is present
  if (f.type == FieldType::number || f.type == FieldType::time) {
    return error_at(n, "wildcard (other than field:*) on " + std::string(type_name(f.type)) + " field '" + std::string(f.name) + "'");
  }
  const std::size_t stars = static_cast<std::size_t>(std::count(v.begin(), v.end(), '*'));
  const bool leading = v.front() == '*';
  const bool trailing = v.back() == '*';
  if (stars != 1 || v.size() < 2 || (!leading && !trailing)) {
    return error_at(n, "wildcard '" + v + "': one '*', at the start or the end of the value");
  }
  if (trailing) return wildcard(field_term(f, lower_ascii(std::string_view(v).substr(0, v.size() - 1))));
  if (f.type != FieldType::domain) {
    return error_at(n, "leading wildcard '" + v + "' on " + std::string(type_name(f.type)) + " field '" +
                           std::string(f.name) + "'; only domain fields support it");
  }
  std::string rest = lower_ascii(std::string_view(v).substr(1));
  if (rest.size() > 1 && rest.back() == '.') rest.pop_back();
  if (rest.size() > 1 && rest.front() == '.') return Xapian::Query(domain_suffix_term(f, rest));
  return wildcard(domain_reversed_term(f, std::string(rest.rbegin(), rest.rend())));
}

Compiled value_query(const FieldSpec& f, const QueryNode& n) {
  if (!n.quoted && n.value.find('*') != std::string::npos) return wildcard_query(f, n);
  switch (f.type) {
    case FieldType::keyword:
    case FieldType::text:
    case FieldType::domain:
      return Xapian::Query(field_term(f, normalize_value(f, n.value)));
    case FieldType::ip: {
      if (n.value.find('/') != std::string::npos) {
        auto c = parse_cidr(n.value);
        if (!c) return error_at(n, "bad CIDR '" + n.value + "' for " + std::string(f.name));
        return cidr_query(f, *c, n);
      }
      auto a = IpAddress::parse(n.value);
      if (!a) return error_at(n, "bad address '" + n.value + "' for " + std::string(f.name));
      return Xapian::Query(field_term(f, a->to_string()));
    }
    case FieldType::number: {
      auto v = parse_number(n.value);
      if (!v) return error_at(n, "bad number '" + n.value + "' for " + std::string(f.name));
      if (auto t = number_term(f, *v)) return Xapian::Query(*t);
      if (f.slot == kNoSlot) return Xapian::Query();  // fractional values are only in slots
      const std::string s = Xapian::sortable_serialise(*v);
      return Xapian::Query(Xapian::Query::OP_VALUE_RANGE, static_cast<Xapian::valueno>(f.slot), s, s);
    }
    case FieldType::time: {
      auto t = parse_time(n.value);
      if (!t) return error_at(n, "bad time '" + n.value + "' for " + std::string(f.name) + " (RFC 3339, Unix seconds, now or e.g. \"1h ago\")");
      if (f.slot == kNoSlot) return Xapian::Query();
      const std::string s = timestamp_slot_value(*t);
      return Xapian::Query(Xapian::Query::OP_VALUE_RANGE, static_cast<Xapian::valueno>(f.slot), s, s);
    }
  }
  return Xapian::Query();
}

// A parser-made field outside the schema: keyword terms "XF:name=value".
Compiled dynamic_query(const std::string& name, const QueryNode& n) {
  const std::string& v = n.value;
  if (!n.quoted && v == "*") return Xapian::Query(dynamic_exists_term(name));
  if (!n.quoted && v.find('*') != std::string::npos) {
    if (v.back() != '*' || std::count(v.begin(), v.end(), '*') != 1) {
      return error_at(n, "wildcard '" + v + "' on field '" + n.field + "': one '*', at the end of the value");
    }
    return wildcard(dynamic_field_term(name, std::string_view(v).substr(0, v.size() - 1)));
  }
  return Xapian::Query(dynamic_field_term(name, v));
}

// True when every character of `typed` occurs in `name` in order: an
// abbreviation ("dns.qname" for dns.question.name), however much is left out.
bool is_abbreviation(std::string_view typed, std::string_view name) {
  std::size_t j = 0;
  for (const char c : typed) {
    j = name.find(c, j);
    if (j == std::string_view::npos) return false;
    ++j;
  }
  return true;
}

// Unknown dotted names are a parser's own fields unless they look like a
// typo or an abbreviation of a schema field (then the error with its
// suggestion stands).
bool is_dynamic_name(const std::string& name) {
  if (has_dynamic_root(name)) return true;
  if (name.find('.') == std::string::npos) return false;
  constexpr std::size_t kTypoCost = 6;  // two substituted letters, or six left out
  for (const FieldSpec& f : field_specs()) {
    if (suggestion_cost(name, f.name) <= kTypoCost || is_abbreviation(name, f.name)) return false;
  }
  return true;
}

Compiled field_query(const QueryNode& n) {
  auto fields = resolve_fields(n);
  if (!fields) {
    const std::string name = lower_ascii(n.field);
    if (is_dynamic_name(name)) return dynamic_query(name, n);
    return fields.error();
  }
  // Analysts type host:1.2.3.4 meaning "this machine": add the address fields.
  if (lower_ascii(n.field) == "host" && looks_like_address(n.value)) {
    fields->push_back(find_field("source.ip"));
    fields->push_back(find_field("destination.ip"));
  }
  std::vector<Xapian::Query> parts;
  for (const FieldSpec* f : *fields) {
    auto q = value_query(*f, n);
    if (!q) return q.error();
    parts.push_back(std::move(*q));
  }
  return combine(Xapian::Query::OP_OR, parts);
}

// ---- ranges -----------------------------------------------------------------

Xapian::Query slot_range(unsigned slot, const std::optional<std::string>& lo, const std::optional<std::string>& hi) {
  if (lo && hi) return Xapian::Query(Xapian::Query::OP_VALUE_RANGE, slot, *lo, *hi);
  if (lo) return Xapian::Query(Xapian::Query::OP_VALUE_GE, slot, *lo);
  return Xapian::Query(Xapian::Query::OP_VALUE_LE, slot, *hi);
}

Compiled number_range(const FieldSpec& f, const QueryNode& n) {
  std::optional<std::string> lo, hi;
  if (n.has_low) {
    auto v = parse_number(n.low);
    if (!v) return error_at(n, "bad number '" + n.low + "' for " + std::string(f.name));
    lo = Xapian::sortable_serialise(n.low_inclusive ? *v : std::nextafter(*v, HUGE_VAL));
  }
  if (n.has_high) {
    auto v = parse_number(n.high);
    if (!v) return error_at(n, "bad number '" + n.high + "' for " + std::string(f.name));
    hi = Xapian::sortable_serialise(n.high_inclusive ? *v : std::nextafter(*v, -HUGE_VAL));
  }
  return slot_range(static_cast<unsigned>(f.slot), lo, hi);
}

Compiled time_range(const FieldSpec& f, const QueryNode& n) {
  constexpr TimestampNs kMax = std::numeric_limits<TimestampNs>::max();
  std::optional<std::string> lo, hi;
  if (n.has_low) {
    auto t = parse_time(n.low);
    if (!t) return error_at(n, "bad time '" + n.low + "' for " + std::string(f.name) + " (RFC 3339, Unix seconds, now or e.g. \"1h ago\")");
    if (!n.low_inclusive) {
      if (*t == kMax) return Xapian::Query();
      ++*t;
    }
    lo = timestamp_slot_value(*t);  // stored times are >= 0, so clamping the bound to 0 is exact
  }
  if (n.has_high) {
    auto t = parse_time(n.high);
    if (!t) return error_at(n, "bad time '" + n.high + "' for " + std::string(f.name) + " (RFC 3339, Unix seconds, now or e.g. \"1h ago\")");
    if (!n.high_inclusive) --*t;
    if (*t < 0) return Xapian::Query();
    hi = timestamp_slot_value(*t);
  }
  return slot_range(static_cast<unsigned>(f.slot), lo, hi);
}

Compiled range_query(const QueryNode& n) {
  auto fields = resolve_fields(n);
  if (!fields) return fields.error();
  if (!n.has_low && !n.has_high) return error_at(n, "range on '" + n.field + "' without bounds");
  std::vector<Xapian::Query> parts;
  for (const FieldSpec* f : *fields) {
    if ((f->type != FieldType::number && f->type != FieldType::time) || f->slot == kNoSlot) {
      return error_at(n, "range on " + std::string(type_name(f->type)) + " field '" + std::string(f->name) +
                             "'; ranges need a number or time field");
    }
    auto q = f->type == FieldType::number ? number_range(*f, n) : time_range(*f, n);
    if (!q) return q.error();
    parts.push_back(std::move(*q));
  }
  return combine(Xapian::Query::OP_OR, parts);
}

// ---- free text --------------------------------------------------------------

Compiled text_query(const QueryNode& n) {
  const std::string& v = n.value;
  if (!n.quoted && v == "*") return Xapian::Query::MatchAll;  // "*" alone: everything
  if (!n.quoted && looks_like_address(v)) {
    QueryNode as_ip = n;
    as_ip.field = "ip";
    return field_query(as_ip);
  }
  if (!n.quoted && v.size() > 1 && v.back() == '*') {
    const std::string stem = lower_ascii(std::string_view(v).substr(0, v.size() - 1));
    auto words = text_words(stem);
    if (words.size() == 1 && words.front() == stem) return wildcard(stem);
    return error_at(n, "wildcard '" + v + "': free text wildcards take one word");
  }
  const auto words = text_words(v);
  std::vector<Xapian::Query> parts;
  for (const std::string& w : words) parts.emplace_back(w);
  if (parts.empty()) return Xapian::Query();  // nothing indexable: nothing can match
  return combine(Xapian::Query::OP_AND, parts);
}

// ---- boolean structure ------------------------------------------------------

Compiled compile(const QueryNode& n);

Compiled negated_operand(const QueryNode& n) {
  if (n.children.size() != 1) return error_at(n, "NOT needs exactly one operand");
  return compile(n.children.front());
}

Compiled and_query(const QueryNode& n) {
  std::vector<Xapian::Query> positives, negatives;
  for (const QueryNode& c : n.children) {
    auto q = c.kind == QueryNodeKind::not_ ? negated_operand(c) : compile(c);
    if (!q) return q.error();
    (c.kind == QueryNodeKind::not_ ? negatives : positives).push_back(std::move(*q));
  }
  Xapian::Query pos = positives.empty() ? Xapian::Query::MatchAll : combine(Xapian::Query::OP_AND, positives);
  if (negatives.empty()) return pos;
  return Xapian::Query(Xapian::Query::OP_AND_NOT, pos, combine(Xapian::Query::OP_OR, negatives));
}

Compiled compile(const QueryNode& n) {
  switch (n.kind) {
    case QueryNodeKind::match_all:
      return Xapian::Query::MatchAll;
    case QueryNodeKind::and_:
      return and_query(n);
    case QueryNodeKind::or_: {
      std::vector<Xapian::Query> parts;
      for (const QueryNode& c : n.children) {
        auto q = compile(c);
        if (!q) return q.error();
        parts.push_back(std::move(*q));
      }
      if (parts.empty()) return Xapian::Query();
      return combine(Xapian::Query::OP_OR, parts);
    }
    case QueryNodeKind::not_: {
      auto q = negated_operand(n);
      if (!q) return q.error();
      return Xapian::Query(Xapian::Query::OP_AND_NOT, Xapian::Query::MatchAll, *q);
    }
    case QueryNodeKind::field:
      return field_query(n);
    case QueryNodeKind::range:
      return range_query(n);
    case QueryNodeKind::text:
      return text_query(n);
  }
  return error_at(n, "unknown query node");
}

}  // namespace

std::variant<Xapian::Query, QueryError> compile_query(const QueryNode& root) {
  auto q = compile(root);
  if (!q) return q.error();
  return std::move(*q);
}

}  // namespace opensoc::search
