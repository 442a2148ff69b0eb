// Conversion of a feed's text fields into an Indicator (see the header).
// Runs on whichever thread loads a feed.
#include "intel/indicator_fields.hpp"

#include <limits>

#include "intel/feed_text.hpp"
#include "intel/indicator_normaliser.hpp"

namespace opensoc::intel {
namespace {

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

// Reads exactly `n` digits at s[pos]; advances pos.
bool read_digits(std::string_view s, std::size_t& pos, std::size_t n, int& out) noexcept {
  if (s.size() - pos < n) return false;
  int v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const char c = s[pos + i];
    if (!is_digit(c)) return false;
    v = v * 10 + (c - '0');
  }
  pos += n;
  out = v;
  return true;
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
std::int64_t days_from_civil(int y, int m, int d) noexcept {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = static_cast<int>(y - era * 400);
  const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

bool leap(int y) noexcept { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

std::optional<TimestampNs> parse_rfc3339(std::string_view s) noexcept {
  std::size_t pos = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!read_digits(s, pos, 4, year) || pos >= s.size() || s[pos++] != '-') return std::nullopt;
  if (!read_digits(s, pos, 2, month) || pos >= s.size() || s[pos++] != '-') return std::nullopt;
  if (!read_digits(s, pos, 2, day)) return std::nullopt;
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1) return std::nullopt;
  if (day > kDays[month - 1] + (month == 2 && leap(year) ? 1 : 0)) return std::nullopt;
  std::int64_t ns = 0;
  std::int64_t offset_s = 0;
  if (pos < s.size()) {
    const char t = s[pos++];
    if (t != 'T' && t != 't' && t != ' ') return std::nullopt;
    if (!read_digits(s, pos, 2, hour) || pos >= s.size() || s[pos++] != ':') return std::nullopt;
    if (!read_digits(s, pos, 2, minute) || pos >= s.size() || s[pos++] != ':') return std::nullopt;
    if (!read_digits(s, pos, 2, second)) return std::nullopt;
    if (hour > 23 || minute > 59 || second > 60) return std::nullopt;  // 60: a leap second
    if (pos < s.size() && s[pos] == '.') {
      ++pos;
      std::size_t digits = 0;
      std::int64_t scale = kNsPerSecond / 10;
      while (pos < s.size() && is_digit(s[pos])) {
        ns += (s[pos] - '0') * scale;
        scale /= 10;
        ++pos;
        ++digits;
      }
      if (digits == 0) return std::nullopt;
    }
    if (pos >= s.size()) return std::nullopt;  // RFC 3339 requires the offset
    const char z = s[pos++];
    if (z == '+' || z == '-') {
      int oh = 0, om = 0;
      if (!read_digits(s, pos, 2, oh) || pos >= s.size() || s[pos++] != ':' || !read_digits(s, pos, 2, om)) return std::nullopt;
      if (oh > 23 || om > 59) return std::nullopt;
      offset_s = (oh * 3600 + om * 60) * (z == '+' ? 1 : -1);
    } else if (z != 'Z' && z != 'z') {
      return std::nullopt;
    }
    if (pos != s.size()) return std::nullopt;
  }
  if (year < 1970 || year > 2262) return std::nullopt;  // TimestampNs range
  const std::int64_t secs = days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offset_s;
  if (secs < 0 || secs > std::numeric_limits<TimestampNs>::max() / kNsPerSecond - 1) return std::nullopt;
  return secs * kNsPerSecond + ns;
}

std::optional<unsigned> parse_small_uint(std::string_view s) noexcept {
  if (s.empty() || s.size() > 3) return std::nullopt;
  unsigned v = 0;
  for (char c : s) {
    if (!is_digit(c)) return std::nullopt;
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  return v;
}

}  // namespace

std::optional<TimestampNs> parse_intel_timestamp(std::string_view text) noexcept {
  text = trim_blanks(text);
  if (text.empty()) return std::nullopt;
  bool all_digits = true;
  for (char c : text) all_digits = all_digits && is_digit(c);
  if (all_digits) {
    if (text.size() > 11) return std::nullopt;
    std::int64_t v = 0;
    for (char c : text) v = v * 10 + (c - '0');
    if (v > std::numeric_limits<TimestampNs>::max() / kNsPerSecond) return std::nullopt;  // past 2262
    return v * kNsPerSecond;
  }
  return parse_rfc3339(text);
}

std::optional<std::uint8_t> parse_confidence(std::string_view text) noexcept {
  text = trim_blanks(text);
  if (equals_ignore_case(text, "high")) return 85;
  if (equals_ignore_case(text, "medium")) return 50;
  if (equals_ignore_case(text, "low")) return 15;
  const auto v = parse_small_uint(text);
  if (!v || *v > 100) return std::nullopt;
  return static_cast<std::uint8_t>(*v);
}

std::optional<std::uint8_t> parse_severity(std::string_view text) noexcept {
  text = trim_blanks(text);
  if (equals_ignore_case(text, "critical") || equals_ignore_case(text, "high")) return 1;
  if (equals_ignore_case(text, "medium")) return 2;
  if (equals_ignore_case(text, "low")) return 3;
  if (equals_ignore_case(text, "info") || equals_ignore_case(text, "informational")) return 4;
  const auto v = parse_small_uint(text);
  if (!v || *v < 1 || *v > 4) return std::nullopt;
  return static_cast<std::uint8_t>(*v);
}

Result<Indicator> indicator_from_fields(const IndicatorFields& f, const std::string& default_source) {
  const std::string_view type_word = trim_blanks(f.type);
  if (type_word.empty()) return Error{"missing type"};
  const auto type = parse_indicator_type(type_word);
  if (!type) return Error{"unknown indicator type '" + std::string(type_word.substr(0, 64)) + "'"};
  auto normalised = normalise_indicator(*type, f.value);
  if (!normalised) return normalised.error();
  Indicator ind;
  ind.type = normalised->type;
  ind.value = std::move(normalised->value);
  if (!trim_blanks(f.confidence).empty()) {
    const auto c = parse_confidence(f.confidence);
    if (!c) return Error{"confidence must be 0..100 or high/medium/low"};
    ind.confidence = *c;
  }
  if (!trim_blanks(f.severity).empty()) {
    const auto s = parse_severity(f.severity);
    if (!s) return Error{"severity must be 1..4 or critical/high/medium/low/info"};
    ind.severity = *s;
  }
  if (!trim_blanks(f.expires).empty()) {
    const auto e = parse_intel_timestamp(f.expires);
    if (!e) return Error{"expires must be RFC 3339 or epoch seconds"};
    ind.expires = *e;
  }
  ind.description = std::string(trim_blanks(f.description));
  const std::string_view src = trim_blanks(f.source);
  ind.source = src.empty() ? default_source : std::string(src);
  ind.id = std::string(trim_blanks(f.id));
  return ind;
}

}  // namespace opensoc::intel
