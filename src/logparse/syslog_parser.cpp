// parse_syslog: the syslog header of RFC 5424 and RFC 3164 (BSD) messages.
//
// In: one message, framing already removed by the receiver (UDP datagram,
// octet-counted or newline-framed TCP record). Out: the header fields of a
// LogEvent and the MSG left in `message` for a body parser. Pure function of
// its arguments; runs on whichever parser thread the ingest pipeline gives
// it, and is reentrant.
//
// Speed is the point of the hand-written cursor: the pipeline parses and
// indexes 200k messages/s per core, so there is no regex, no iostream, no
// locale and no allocation other than each LogField's own strings. Times are
// converted with days-from-civil arithmetic, never mktime/timegm.
#include "logparse/syslog_parser.hpp"

#include "logparse/ascii_text.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace opensoc::logparse {
namespace {

constexpr std::string_view kNil = "-";

// RFC 5424 table 1 (facility) and table 2 (severity), with the keywords that
// syslog(3), rsyslog and ECS use for them.
constexpr std::array<std::string_view, 24> kFacilityNames = {
    "kern",  "user",   "mail",   "daemon", "auth",     "syslog",       "lpr",    "news",
    "uucp",  "cron",   "authpriv", "ftp",  "ntp",      "security",     "console", "solaris-cron",
    "local0", "local1", "local2", "local3", "local4",   "local5",       "local6", "local7"};
constexpr std::array<std::string_view, 8> kSeverityNames = {"emerg",   "alert",  "crit", "err",
                                                            "warning", "notice", "info", "debug"};
constexpr std::array<std::string_view, 12> kMonthNames = {"jan", "feb", "mar", "apr", "may", "jun",
                                                          "jul", "aug", "sep", "oct", "nov", "dec"};

Error fail(std::string_view format, std::string_view what, std::size_t offset) {
  std::string m;
  m.reserve(format.size() + what.size() + 24);
  m.append(format).append(": ").append(what).append(" at byte ").append(std::to_string(offset));
  return Error{std::move(m)};
}

constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
/// `n` decimal digits at s[pos..pos+n), or -1 when out of bounds or not digits.
int fixed_digits(std::string_view s, std::size_t pos, std::size_t n) noexcept {
  if (pos > s.size() || s.size() - pos < n) return -1;
  int v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const char c = s[pos + i];
    if (!is_digit(c)) return -1;
    v = v * 10 + (c - '0');
  }
  return v;
}

// TimestampNs (signed 64-bit ns) spans 1677-09-21 to 2262-04-11; a year
// outside this range would overflow it, so such a time is malformed.
constexpr std::int64_t kMinYear = 1900;
constexpr std::int64_t kMaxYear = 2261;
constexpr bool year_in_range(std::int64_t y) noexcept { return y >= kMinYear && y <= kMaxYear; }

constexpr bool is_leap(std::int64_t y) noexcept { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

constexpr unsigned days_in_month(std::int64_t y, unsigned m) noexcept {
  constexpr std::array<unsigned, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return (m == 2 && is_leap(y)) ? 29 : kDays[m - 1];
}

// Howard Hinnant's days_from_civil: proleptic Gregorian date -> days since
// 1970-01-01, exact for every year, no tables, no locale.
constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<std::int64_t>(y - era * 400);
  const std::int64_t mp = m > 2 ? m - 3 : m + 9;
  const std::int64_t doy = (153 * mp + 2) / 5 + d - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

// The civil year of a day count (inverse of the above, year part only).
constexpr std::int64_t year_from_days(std::int64_t z) noexcept {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t m = mp < 10 ? mp + 3 : mp - 9;
  return yoe + era * 400 + (m <= 2 ? 1 : 0);
}

constexpr std::int64_t floor_div(std::int64_t a, std::int64_t b) noexcept {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

/// hh:mm:ss at pos (checked ranges; 60 allowed for a leap second). Returns
/// seconds of day, or -1.
int parse_clock(std::string_view s, std::size_t pos) noexcept {
  const int hh = fixed_digits(s, pos, 2);
  const int mm = fixed_digits(s, pos + 3, 2);
  const int ss = fixed_digits(s, pos + 6, 2);
  if (hh < 0 || mm < 0 || ss < 0 || s[pos + 2] != ':' || s[pos + 5] != ':') return -1;
  if (hh > 23 || mm > 59 || ss > 60) return -1;
  return hh * 3600 + mm * 60 + ss;
}

/// Optional ".d{1,9}" at pos: adds its nanoseconds, advances pos.
/// More than 9 digits are accepted and truncated (some senders print 12).
void parse_fraction(std::string_view s, std::size_t& pos, TimestampNs& ns) noexcept {
  if (pos >= s.size() || s[pos] != '.' || pos + 1 >= s.size() || !is_digit(s[pos + 1])) return;
  ++pos;
  TimestampNs frac = 0;
  int n = 0;
  while (pos < s.size() && is_digit(s[pos])) {
    if (n < 9) {
      frac = frac * 10 + (s[pos] - '0');
      ++n;
    }
    ++pos;
  }
  for (; n < 9; ++n) frac *= 10;
  ns += frac;
}

/// RFC 3339 timestamp starting at pos; on success advances pos past it.
std::optional<TimestampNs> parse_rfc3339_at(std::string_view s, std::size_t& pos) noexcept {
  const int year = fixed_digits(s, pos, 4);
  const int month = fixed_digits(s, pos + 5, 2);
  const int day = fixed_digits(s, pos + 8, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || s[pos + 4] != '-' || s[pos + 7] != '-') return std::nullopt;
  if (!year_in_range(year)) return std::nullopt;
  if (static_cast<unsigned>(day) > days_in_month(year, static_cast<unsigned>(month))) return std::nullopt;
  if (pos + 10 >= s.size() || (s[pos + 10] != 'T' && s[pos + 10] != 't')) return std::nullopt;
  const int secs = parse_clock(s, pos + 11);
  if (secs < 0) return std::nullopt;
  std::size_t p = pos + 19;
  TimestampNs ns = 0;
  parse_fraction(s, p, ns);
  if (p >= s.size()) return std::nullopt;
  std::int64_t offset_s = 0;
  if (s[p] == 'Z' || s[p] == 'z') {
    ++p;
  } else if (s[p] == '+' || s[p] == '-') {
    const int oh = fixed_digits(s, p + 1, 2);
    int om = -1;
    std::size_t end = 0;
    if (p + 3 < s.size() && s[p + 3] == ':') {
      om = fixed_digits(s, p + 4, 2);
      end = p + 6;
    } else {  // "+hhmm": not RFC 3339, but some senders write it
      om = fixed_digits(s, p + 3, 2);
      end = p + 5;
    }
    if (oh < 0 || om < 0 || oh > 23 || om > 59) return std::nullopt;
    offset_s = (oh * 3600 + om * 60) * (s[p] == '-' ? -1 : 1);
    p = end;
  } else {
    return std::nullopt;
  }
  const std::int64_t days = days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  pos = p;
  // Local time minus its offset is UTC.
  return (days * 86400 + secs - offset_s) * kNsPerSecond + ns;
}

/// A header field of RFC 5424: 1*PRINTUSASCII up to the next SP.
struct Token {
  std::string_view text;
  bool ok = false;
};

Token header_token(std::string_view s, std::size_t& pos) noexcept {
  const std::size_t start = pos;
  while (pos < s.size() && s[pos] != ' ') {
    const auto c = static_cast<unsigned char>(s[pos]);
    if (c < 33 || c > 126) return {};
    ++pos;
  }
  if (pos == start) return {};
  return {s.substr(start, pos - start), true};
}

std::string_view trim_trailing(std::string_view s) noexcept {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == '\0')) s.remove_suffix(1);
  return s;
}

// MSG as the body parsers want it: without the BOM, and without leading
// spaces. rsyslog re-sends a 3164 message's MSG with the space that followed
// its TAG ("... kernel - - -  [UFW BLOCK] ..."); a body parser that looks for
// "CEF:" or '{' at the start must not depend on the relay.
std::string_view clean_msg(std::string_view s) noexcept {
  if (s.size() >= 3 && s[0] == '\xEF' && s[1] == '\xBB' && s[2] == '\xBF') s.remove_prefix(3);
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  return s;
}

/// "<PRI>" at the start; returns the PRI value and advances pos, or an error.
Result<int> parse_pri(std::string_view s, std::size_t& pos, std::string_view format) {
  if (s.empty() || s[0] != '<') return fail(format, "no <PRI>", 0);
  std::size_t p = 1;
  int v = 0;
  while (p < s.size() && is_digit(s[p]) && p <= 3) {
    v = v * 10 + (s[p] - '0');
    ++p;
  }
  if (p == 1) return fail(format, "PRI is not a number", 1);
  if (p >= s.size() || s[p] != '>') return fail(format, "PRI not closed by '>'", p);
  if (v > 191) return fail(format, "PRI greater than 191", 1);
  pos = p + 1;
  return v;
}

void add_priority_fields(int pri, LogEvent& out) {
  const int facility = pri >> 3;
  const int severity = pri & 7;
  out.add("log.syslog.priority", std::to_string(pri), LogValueType::integer);
  out.add("log.syslog.facility.code", std::to_string(facility), LogValueType::integer);
  out.add("log.syslog.facility.name", std::string(kFacilityNames[static_cast<std::size_t>(facility)]));
  out.add("log.syslog.severity.code", std::to_string(severity), LogValueType::integer);
  out.add("log.syslog.severity.name", std::string(kSeverityNames[static_cast<std::size_t>(severity)]));
}

bool all_digits(std::string_view s) noexcept {
  if (s.empty() || s.size() > 18) return false;
  for (const char c : s)
    if (!is_digit(c)) return false;
  return true;
}

// ECS process.pid is a number: a PROCID that is not one (RFC 5424 allows any
// token, e.g. a thread name) goes to log.syslog.procid instead.
void add_procid(std::string_view procid, LogEvent& out) {
  if (all_digits(procid)) {
    // Leading zeros would make the same pid two different keywords.
    std::size_t i = 0;
    while (i + 1 < procid.size() && procid[i] == '0') ++i;
    out.add("process.pid", std::string(procid.substr(i)), LogValueType::integer);
  } else {
    out.add("log.syslog.procid", std::string(procid));
  }
}

/// STRUCTURED-DATA elements starting at '['; one field per SD-PARAM.
Result<void> parse_structured_data(std::string_view s, std::size_t& pos, LogEvent& out) {
  constexpr std::string_view kFmt = "rfc5424";
  constexpr std::string_view kPrefix = "log.syslog.structured_data.";
  auto name_char = [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u >= 33 && u <= 126 && c != '=' && c != ']' && c != '"';
  };
  while (pos < s.size() && s[pos] == '[') {
    ++pos;
    const std::size_t id_start = pos;
    while (pos < s.size() && name_char(s[pos])) ++pos;
    if (pos == id_start) return fail(kFmt, "empty SD-ID", pos);
    const std::string_view id = s.substr(id_start, pos - id_start);
    for (;;) {
      if (pos >= s.size()) return fail(kFmt, "truncated STRUCTURED-DATA", pos);
      if (s[pos] == ']') {
        ++pos;
        break;
      }
      if (s[pos] != ' ') return fail(kFmt, "expected SP or ']' in SD-ELEMENT", pos);
      ++pos;
      const std::size_t name_start = pos;
      while (pos < s.size() && name_char(s[pos])) ++pos;
      if (pos == name_start) return fail(kFmt, "empty PARAM-NAME", pos);
      const std::string_view name = s.substr(name_start, pos - name_start);
      if (pos >= s.size() || s[pos] != '=') return fail(kFmt, "expected '=' after PARAM-NAME", pos);
      ++pos;
      if (pos >= s.size() || s[pos] != '"') return fail(kFmt, "expected '\"' to open PARAM-VALUE", pos);
      const std::size_t value_start = ++pos;
      std::string value;
      // Only \" \\ \] are escapes (RFC 5424 6.3.3); any other backslash is
      // kept as written.
      bool closed = false;
      std::size_t run = pos;
      while (pos < s.size()) {
        const char c = s[pos];
        if (c == '\\' && pos + 1 < s.size() && (s[pos + 1] == '"' || s[pos + 1] == '\\' || s[pos + 1] == ']')) {
          if (value.empty() && run == value_start) value.reserve(64);
          value.append(s.substr(run, pos - run)).push_back(s[pos + 1]);
          pos += 2;
          run = pos;
          continue;
        }
        if (c == '"') {
          closed = true;
          break;
        }
        ++pos;
      }
      if (!closed) return fail(kFmt, "unterminated PARAM-VALUE", value_start - 1);
      value.append(s.substr(run, pos - run));
      ++pos;
      std::string field;
      field.reserve(kPrefix.size() + id.size() + 1 + name.size());
      field.append(kPrefix).append(id).push_back('.');
      field.append(name);
      out.add(std::move(field), std::move(value));
    }
  }
  return ok();
}

Result<void> parse_5424(std::string_view s, std::size_t pos, LogEvent& out) {
  constexpr std::string_view kFmt = "rfc5424";
  // VERSION: NONZERO-DIGIT 0*2DIGIT
  const std::size_t vstart = pos;
  while (pos < s.size() && is_digit(s[pos]) && pos - vstart < 3) ++pos;
  if (pos == vstart || s[vstart] == '0') return fail(kFmt, "expected VERSION", vstart);
  if (pos >= s.size() || s[pos] != ' ') return fail(kFmt, "expected SP after VERSION", pos);
  const std::string_view version = s.substr(vstart, pos - vstart);
  ++pos;

  if (pos < s.size() && s[pos] == '-') {
    out.timestamp = 0;
    ++pos;
  } else {
    const std::size_t ts_start = pos;
    const auto ts = parse_rfc3339_at(s, pos);
    if (!ts) return fail(kFmt, "bad TIMESTAMP", ts_start);
    out.timestamp = *ts;
  }
  if (pos >= s.size() || s[pos] != ' ') return fail(kFmt, "expected SP after TIMESTAMP", pos);
  ++pos;

  std::array<std::string_view, 4> header{};
  constexpr std::array<std::string_view, 4> kWhat = {"bad HOSTNAME", "bad APP-NAME", "bad PROCID", "bad MSGID"};
  for (std::size_t i = 0; i < header.size(); ++i) {
    const std::size_t start = pos;
    const Token t = header_token(s, pos);
    if (!t.ok) return fail(kFmt, kWhat[i], start);
    if (pos >= s.size() || s[pos] != ' ') return fail(kFmt, "truncated header", pos);
    ++pos;
    header[i] = t.text;
  }

  // rsyslog, relaying a 3164 "host CEF:0|..." message as RFC 5424, takes
  // "CEF:" for the TAG: APP-NAME "CEF", MSG "0|...". Put the body back
  // together so that the CEF/LEEF parsers see it.
  const bool split_body = (header[1] == "CEF" || header[1] == "LEEF") && header[2] == kNil &&
                          header[3] == kNil && pos < s.size() && s[pos] == '-' && pos + 2 < s.size() &&
                          is_digit(s[pos + 2]);
  out.add("log.syslog.version", std::string(version));
  if (header[0] != kNil) out.add("host.hostname", std::string(header[0]));
  if (header[1] != kNil && !split_body) out.add("process.name", std::string(header[1]));
  if (header[2] != kNil) add_procid(header[2], out);
  if (header[3] != kNil) out.add("log.syslog.msgid", std::string(header[3]));

  if (pos >= s.size()) return fail(kFmt, "missing STRUCTURED-DATA", pos);
  if (s[pos] == '-') {
    ++pos;
  } else if (s[pos] == '[') {
    auto sd = parse_structured_data(s, pos, out);
    if (!sd) return sd;
  } else {
    return fail(kFmt, "expected STRUCTURED-DATA", pos);
  }
  if (pos < s.size()) {
    if (s[pos] != ' ') return fail(kFmt, "expected SP after STRUCTURED-DATA", pos);
    out.message.assign(clean_msg(s.substr(pos + 1)));
    if (split_body) out.message.insert(0, std::string(header[1]) + ":");
  } else {
    out.message.clear();
  }
  out.parser = "rfc5424";
  return ok();
}

/// Cheap test for the start of a body a parser would recognise: such a token
/// is neither a HOSTNAME nor a TAG.
bool starts_body(std::string_view tok) noexcept { return tok.starts_with("CEF:") || tok.starts_with("LEEF:"); }

/// The RFC 3164 TAG "name[pid]:" or "name:" of a token; false when it is none.
bool split_tag(std::string_view tok, std::string_view& name, std::string_view& pid) noexcept {
  if (tok.size() < 2 || starts_body(tok)) return false;
  std::string_view t = tok;
  if (t.back() == ':') {
    t.remove_suffix(1);
  } else if (t.back() != ']') {
    return false;
  }
  pid = {};
  if (!t.empty() && t.back() == ']') {
    const std::size_t open = t.rfind('[');
    if (open == std::string_view::npos || open == 0) return false;
    pid = t.substr(open + 1, t.size() - open - 2);
    t = t.substr(0, open);
  }
  if (t.empty() || t.find_first_of("[]=|") != std::string_view::npos) return false;
  name = t;
  return true;
}

/// "Mmm dd hh:mm:ss" (day space-padded or not), optionally with a year before
/// the clock ("Mmm dd yyyy hh:mm:ss", Cisco) and a fraction after it.
/// Year rule: without a year, the one that puts the time nearest `received`.
std::optional<TimestampNs> parse_bsd_time(std::string_view s, std::size_t& pos, TimestampNs received) noexcept {
  if (s.size() - pos < 15) return std::nullopt;
  unsigned month = 0;
  for (unsigned i = 0; i < kMonthNames.size(); ++i) {
    if (lower(s[pos]) == kMonthNames[i][0] && lower(s[pos + 1]) == kMonthNames[i][1] &&
        lower(s[pos + 2]) == kMonthNames[i][2]) {
      month = i + 1;
      break;
    }
  }
  if (month == 0 || s[pos + 3] != ' ') return std::nullopt;
  std::size_t p = pos + 4;
  if (s[p] == ' ') ++p;  // "Nov  8": space-padded day
  unsigned day = 0;
  if (p < s.size() && is_digit(s[p])) day = static_cast<unsigned>(s[p++] - '0');
  else return std::nullopt;
  if (p < s.size() && is_digit(s[p])) day = day * 10 + static_cast<unsigned>(s[p++] - '0');
  if (day < 1 || day > 31 || p >= s.size() || s[p] != ' ') return std::nullopt;
  ++p;
  int year = -1;
  if (p + 4 < s.size() && s[p + 4] == ' ') {
    year = fixed_digits(s, p, 4);
    if (year < 0) return std::nullopt;
    p += 5;
  }
  if (p + 8 > s.size()) return std::nullopt;
  const int secs = parse_clock(s, p);
  if (secs < 0) return std::nullopt;
  p += 8;
  TimestampNs frac = 0;
  parse_fraction(s, p, frac);
  if (p < s.size() && s[p] != ' ' && s[p] != ':') return std::nullopt;

  if (year >= 0) {
    if (!year_in_range(year) || day > days_in_month(year, month)) return std::nullopt;
    pos = p;
    return (days_from_civil(year, month, day) * 86400 + secs) * kNsPerSecond + frac;
  }
  const std::int64_t ref_year = year_from_days(floor_div(received, kNsPerSecond * 86400));
  std::optional<TimestampNs> best;
  TimestampNs best_distance = 0;
  for (std::int64_t y = ref_year - 1; y <= ref_year + 1; ++y) {
    if (!year_in_range(y) || day > days_in_month(y, month)) continue;  // Feb 29 outside a leap year
    const TimestampNs t = (days_from_civil(y, month, day) * 86400 + secs) * kNsPerSecond + frac;
    const TimestampNs distance = t > received ? t - received : received - t;
    if (!best || distance < best_distance) {
      best = t;
      best_distance = distance;
    }
  }
  if (best) pos = p;
  return best;
}

std::string_view next_token(std::string_view s, std::size_t pos) noexcept {
  const std::size_t end = s.find(' ', pos);
  return s.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
}

Result<void> parse_3164(std::string_view s, std::size_t pos, TimestampNs received, LogEvent& out) {
  constexpr std::string_view kFmt = "rfc3164";
  if (received == 0) received = wall_clock_ns();
  const std::size_t ts_start = pos;
  std::optional<TimestampNs> ts;
  if (pos < s.size() && is_digit(s[pos])) {
    ts = parse_rfc3339_at(s, pos);  // rsyslog's high-precision 3164 variant
  } else if (pos < s.size()) {
    ts = parse_bsd_time(s, pos, received);
  }
  if (!ts) return fail(kFmt, "bad TIMESTAMP", ts_start);
  out.timestamp = *ts;
  if (pos < s.size() && s[pos] == ':') ++pos;  // Cisco "...:00.123: msg"
  if (pos < s.size() && s[pos] != ' ') return fail(kFmt, "expected SP after TIMESTAMP", pos);
  if (pos < s.size()) ++pos;

  std::string_view hostname;
  std::string_view tag_name;
  std::string_view tag_pid;
  std::string_view tok = next_token(s, pos);
  if (!tok.empty() && !starts_body(tok) && !split_tag(tok, tag_name, tag_pid)) {
    // Not a TAG, so it is the HOSTNAME; senders that leave the hostname out
    // (RFC 3164 4.3.3 relays, some daemons) start straight with the TAG.
    hostname = tok;
    pos += tok.size();
    if (pos < s.size()) ++pos;
    tok = next_token(s, pos);
    if (split_tag(tok, tag_name, tag_pid)) {
      pos += tok.size();
      if (pos < s.size()) ++pos;
    }
  } else if (!tag_name.empty()) {
    pos += tok.size();
    if (pos < s.size()) ++pos;
  }

  if (!hostname.empty()) out.add("host.hostname", std::string(hostname));
  if (!tag_name.empty()) out.add("process.name", std::string(tag_name));
  if (!tag_pid.empty()) add_procid(tag_pid, out);
  out.message.assign(clean_msg(pos < s.size() ? s.substr(pos) : std::string_view{}));
  out.parser = "rfc3164";
  return ok();
}

}  // namespace

TimestampNs civil_to_ns(int year, unsigned month, unsigned day, unsigned hour, unsigned minute,
                        unsigned second) noexcept {
  return (days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second) * kNsPerSecond;
}

bool valid_civil_date(int year, unsigned month, unsigned day) noexcept {
  return year_in_range(year) && month >= 1 && month <= 12 && day >= 1 && day <= days_in_month(year, month);
}

std::optional<TimestampNs> parse_rfc3339_ns(std::string_view text) noexcept {
  std::size_t pos = 0;
  auto t = parse_rfc3339_at(text, pos);
  if (!t || pos != text.size()) return std::nullopt;
  return t;
}

Result<void> parse_syslog(std::string_view line, SyslogFormat format, TimestampNs received, LogEvent& out) {
  const std::string_view s = trim_trailing(line);
  const std::string_view fmt_name = format == SyslogFormat::rfc3164   ? "rfc3164"
                                    : format == SyslogFormat::rfc5424 ? "rfc5424"
                                                                      : "syslog";
  std::size_t pos = 0;
  auto pri = parse_pri(s, pos, fmt_name);
  if (!pri) return pri.error();
  out.fields.reserve(out.fields.size() + 16);
  out.dataset = "syslog";
  add_priority_fields(*pri, out);

  // RFC 5424 puts "VERSION SP" right after PRI; a 3164 timestamp starts with
  // a month name, or with a 4-digit year followed by '-' (never SP).
  bool is_5424 = false;
  if (format == SyslogFormat::automatic) {
    std::size_t p = pos;
    while (p < s.size() && p - pos < 3 && is_digit(s[p])) ++p;
    is_5424 = p > pos && p < s.size() && s[p] == ' ';
  } else {
    is_5424 = format == SyslogFormat::rfc5424;
  }
  Result<void> r = is_5424 ? parse_5424(s, pos, out) : parse_3164(s, pos, received, out);
  if (!r) return r;
  return ok();
}

}  // namespace opensoc::logparse
