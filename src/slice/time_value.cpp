// Time text of slice requests (time_value.hpp): RFC 3339, Unix seconds,
// "N<unit> ago". Runs on the API thread while a request is parsed. All
// arithmetic is overflow-checked: an out-of-range instant is "not a time",
// never undefined behaviour.
#include "slice/time_value.hpp"
#include "slice/query_text.hpp"

#include <cstdint>
#include <cstdio>

namespace opensoc::slice {
namespace {

constexpr std::int64_t kSecondsPerDay = 86'400;

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

// Fixed-width decimal field; false unless every character is a digit.
bool fixed_digits(std::string_view s, std::size_t pos, std::size_t n, int& out) noexcept {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (!is_digit(s[i])) return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
// days_from_civil): exact for every year we accept.
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct Civil {
  std::int64_t year;
  unsigned month, day;
};

Civil civil_from_days(std::int64_t z) noexcept {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0), m, d};
}

bool is_leap(int y) noexcept { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int y, int m) noexcept {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

// seconds * 1e9 + frac_ns, or nullopt when that leaves int64.
std::optional<TimestampNs> to_ns(std::int64_t seconds, std::int64_t frac_ns) noexcept {
  // Before 1970 borrow a second first: the earliest representable instant,
  // -9223372036.854775808 s, is -9223372037 s + a fraction, and that whole
  // second alone would not fit.
  if (seconds < 0 && frac_ns > 0) {
    ++seconds;
    frac_ns -= kNsPerSecond;
  }
  std::int64_t ns = 0;
  if (__builtin_mul_overflow(seconds, kNsPerSecond, &ns)) return std::nullopt;
  if (__builtin_add_overflow(ns, frac_ns, &ns)) return std::nullopt;
  return ns;
}

// ".d{1,9}" at pos; advances pos. Absent fraction is zero.
bool parse_fraction(std::string_view s, std::size_t& pos, std::int64_t& frac_ns) noexcept {
  frac_ns = 0;
  if (pos >= s.size() || s[pos] != '.') return true;
  ++pos;
  std::size_t n = 0;
  while (pos < s.size() && is_digit(s[pos])) {
    if (++n > 9) return false;
    frac_ns = frac_ns * 10 + (s[pos] - '0');
    ++pos;
  }
  if (n == 0) return false;
  for (std::size_t i = n; i < 9; ++i) frac_ns *= 10;
  return true;
}

std::optional<TimestampNs> parse_rfc3339(std::string_view s) noexcept {
  // YYYY-MM-DDTHH:MM:SS
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (s.size() < 20) return std::nullopt;
  if (!fixed_digits(s, 0, 4, year) || s[4] != '-' || !fixed_digits(s, 5, 2, month) || s[7] != '-' ||
      !fixed_digits(s, 8, 2, day) || (s[10] != 'T' && s[10] != 't') || !fixed_digits(s, 11, 2, hour) ||
      s[13] != ':' || !fixed_digits(s, 14, 2, minute) || s[16] != ':' || !fixed_digits(s, 17, 2, second)) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month)) return std::nullopt;
  if (hour > 23 || minute > 59 || second > 59) return std::nullopt;
  std::size_t pos = 19;
  std::int64_t frac_ns = 0;
  if (!parse_fraction(s, pos, frac_ns)) return std::nullopt;
  if (pos >= s.size()) return std::nullopt;  // RFC 3339 requires an offset
  std::int64_t offset_s = 0;
  if (s[pos] == 'Z' || s[pos] == 'z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    int oh = 0, om = 0;
    if (!fixed_digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !fixed_digits(s, pos + 4, 2, om) || oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset_s = (oh * 3600 + om * 60) * (s[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  // Local time minus offset = UTC. Fits easily in int64 seconds for years
  // 0000..9999; the nanosecond conversion is what can overflow.
  const std::int64_t seconds = days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) *
                                   kSecondsPerDay +
                               hour * 3600 + minute * 60 + second - offset_s;
  return to_ns(seconds, frac_ns);
}

std::optional<TimestampNs> parse_unix_seconds(std::string_view s) noexcept {
  std::size_t pos = 0;
  std::int64_t seconds = 0;
  while (pos < s.size() && is_digit(s[pos])) {
    if (__builtin_mul_overflow(seconds, std::int64_t{10}, &seconds) ||
        __builtin_add_overflow(seconds, std::int64_t{s[pos] - '0'}, &seconds)) {
      return std::nullopt;
    }
    ++pos;
  }
  if (pos == 0) return std::nullopt;
  std::int64_t frac_ns = 0;
  if (!parse_fraction(s, pos, frac_ns) || pos != s.size()) return std::nullopt;
  return to_ns(seconds, frac_ns);
}

// "<digits><unit>..." as nanoseconds; Go's time.ParseDuration units plus "d",
// without fractions or signs.
std::optional<std::int64_t> parse_duration_ns(std::string_view s) noexcept {
  if (s.empty()) return std::nullopt;
  std::int64_t total = 0;
  std::size_t pos = 0;
  while (pos < s.size()) {
    const std::size_t begin = pos;
    std::int64_t v = 0;
    while (pos < s.size() && is_digit(s[pos])) {
      if (__builtin_mul_overflow(v, std::int64_t{10}, &v) ||
          __builtin_add_overflow(v, std::int64_t{s[pos] - '0'}, &v)) {
        return std::nullopt;
      }
      ++pos;
    }
    if (pos == begin || pos >= s.size()) return std::nullopt;
    std::int64_t unit = 0;
    const std::string_view rest = s.substr(pos);
    if (rest.substr(0, 2) == "ns") {
      unit = 1, pos += 2;
    } else if (rest.substr(0, 2) == "us") {
      unit = kNsPerMicro, pos += 2;
    } else if (rest.substr(0, 2) == "ms") {
      unit = 1'000'000, pos += 2;
    } else if (rest[0] == 's') {
      unit = kNsPerSecond, pos += 1;
    } else if (rest[0] == 'm') {
      unit = 60 * kNsPerSecond, pos += 1;
    } else if (rest[0] == 'h') {
      unit = 3600 * kNsPerSecond, pos += 1;
    } else if (rest[0] == 'd') {
      unit = kSecondsPerDay * kNsPerSecond, pos += 1;
    } else {
      return std::nullopt;
    }
    if (__builtin_mul_overflow(v, unit, &v) || __builtin_add_overflow(total, v, &total)) return std::nullopt;
  }
  return total;
}

std::optional<TimestampNs> parse_relative(std::string_view s, TimestampNs now) noexcept {
  constexpr std::string_view kAgo = "ago";
  if (s.size() < kAgo.size() + 2 || !iequals(s.substr(s.size() - kAgo.size()), kAgo)) return std::nullopt;
  std::string_view dur = s.substr(0, s.size() - kAgo.size());
  if (dur.back() != ' ' && dur.back() != '\t') return std::nullopt;
  while (!dur.empty() && (dur.back() == ' ' || dur.back() == '\t')) dur.remove_suffix(1);
  const auto ns = parse_duration_ns(dur);
  if (!ns) return std::nullopt;
  TimestampNs t = 0;
  if (__builtin_sub_overflow(now, *ns, &t)) return std::nullopt;
  return t;
}

}  // namespace

std::optional<TimestampNs> parse_time_value(std::string_view text, TimestampNs now) {
  if (text.empty()) return std::nullopt;
  if (iequals(text, "now")) return now;
  if (text.size() > 4 && text[4] == '-') return parse_rfc3339(text);
  if (is_digit(text.back()) || text.back() == '.') return parse_unix_seconds(text);
  return parse_relative(text, now);
}

std::string format_time_value(TimestampNs t) {
  // Floor division, so that instants before 1970 keep a non-negative fraction.
  std::int64_t seconds = t / kNsPerSecond;
  std::int64_t frac = t % kNsPerSecond;
  if (frac < 0) {
    frac += kNsPerSecond;
    --seconds;
  }
  std::int64_t days = seconds / kSecondsPerDay;
  std::int64_t sod = seconds % kSecondsPerDay;
  if (sod < 0) {
    sod += kSecondsPerDay;
    --days;
  }
  const Civil c = civil_from_days(days);
  char buf[48];
  int n = std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld", static_cast<long long>(c.year),
                        c.month, c.day, static_cast<long long>(sod / 3600), static_cast<long long>(sod / 60 % 60),
                        static_cast<long long>(sod % 60));
  std::string out(buf, static_cast<std::size_t>(n));
  if (frac != 0) {
    n = std::snprintf(buf, sizeof buf, ".%09lld", static_cast<long long>(frac));
    std::string_view f(buf, static_cast<std::size_t>(n));
    while (f.back() == '0') f.remove_suffix(1);
    out += f;
  }
  out += 'Z';
  return out;
}

}  // namespace opensoc::slice
