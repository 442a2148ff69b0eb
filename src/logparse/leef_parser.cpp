// parse_leef: IBM QRadar's Log Event Extended Format, 1.0 and 2.0, into ECS
// fields; and parse_simple_date, the Java SimpleDateFormat subset that LEEF
// devTimeFormat (and CEF's rt) are written in.
//
// In: the message body starting at "LEEF:". Out: fields appended to a
// LogEvent. Pure function; runs on the ingest parser thread, reentrant.
#include "logparse/leef_parser.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "logparse/ascii_text.hpp"
#include "logparse/kv_parser.hpp"
#include "logparse/syslog_parser.hpp"

namespace opensoc::logparse {
namespace {

constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
constexpr bool is_alpha(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
/// Between `min` and `max` digits at t; advances t.
std::optional<int> read_digits(std::string_view s, std::size_t& t, std::size_t min, std::size_t max) noexcept {
  std::size_t n = 0;
  int v = 0;
  while (t + n < s.size() && n < max && is_digit(s[t + n])) {
    v = v * 10 + (s[t + n] - '0');
    ++n;
  }
  if (n < min) return std::nullopt;
  t += n;
  return v;
}

/// A zone designator at t ("Z", "UTC", "GMT+01:00", "+0200", "-05:00",
/// "EST"); seconds east of UTC. Advances t.
std::optional<int> read_zone(std::string_view s, std::size_t& t) noexcept {
  if (t >= s.size()) return std::nullopt;
  if (s[t] == 'Z') {
    ++t;
    return 0;
  }
  if (is_alpha(s[t])) {
    std::size_t n = 0;
    while (t + n < s.size() && is_alpha(s[t + n])) ++n;
    const std::string_view name = s.substr(t, n);
    struct Zone {
      std::string_view name;
      int offset;
    };
    constexpr std::array<Zone, 14> kZones = {{{"utc", 0},
                                              {"gmt", 0},
                                              {"ut", 0},
                                              {"est", -5 * 3600},
                                              {"edt", -4 * 3600},
                                              {"cst", -6 * 3600},
                                              {"cdt", -5 * 3600},
                                              {"mst", -7 * 3600},
                                              {"mdt", -6 * 3600},
                                              {"pst", -8 * 3600},
                                              {"pdt", -7 * 3600},
                                              {"cet", 3600},
                                              {"cest", 2 * 3600},
                                              {"wet", 0}}};
    const Zone* zone = nullptr;
    for (const auto& z : kZones)
      if (iequals(name, z.name)) zone = &z;
    if (zone == nullptr) return std::nullopt;
    t += n;
    // "GMT+01:00"
    if (zone->offset == 0 && t < s.size() && (s[t] == '+' || s[t] == '-')) return read_zone(s, t);
    return zone->offset;
  }
  if (s[t] != '+' && s[t] != '-') return std::nullopt;
  const int sign = s[t] == '-' ? -1 : 1;
  std::size_t p = t + 1;
  const auto hh = read_digits(s, p, 2, 2);
  if (!hh) return std::nullopt;
  int mm = 0;
  if (p < s.size() && s[p] == ':') ++p;
  if (p < s.size() && is_digit(s[p])) {
    const auto m = read_digits(s, p, 2, 2);
    if (!m) return std::nullopt;
    mm = *m;
  }
  if (*hh > 23 || mm > 59) return std::nullopt;
  t = p;
  return sign * (*hh * 3600 + mm * 60);
}

constexpr std::array<std::string_view, 12> kMonths = {"jan", "feb", "mar", "apr", "may", "jun",
                                                      "jul", "aug", "sep", "oct", "nov", "dec"};

enum class LeefKind : std::uint8_t { source_ip, destination_ip, source_port, destination_port, transport, text, integer, ip };

struct LeefMapping {
  std::string_view key;
  LeefKind kind;
  std::string_view ecs;
};

// LEEF 2.0 predefined attributes (IBM "Predefined LEEF event attributes").
constexpr std::array<LeefMapping, 22> kLeefMappings = {{
    {"src", LeefKind::source_ip, "source.ip"},
    {"dst", LeefKind::destination_ip, "destination.ip"},
    {"srcPort", LeefKind::source_port, "source.port"},
    {"dstPort", LeefKind::destination_port, "destination.port"},
    {"proto", LeefKind::transport, "network.transport"},
    {"usrName", LeefKind::text, "user.name"},
    {"sev", LeefKind::integer, "event.severity"},
    {"cat", LeefKind::text, "rule.category"},
    {"srcMAC", LeefKind::text, "source.mac"},
    {"dstMAC", LeefKind::text, "destination.mac"},
    {"srcBytes", LeefKind::integer, "source.bytes"},
    {"dstBytes", LeefKind::integer, "destination.bytes"},
    {"srcPackets", LeefKind::integer, "source.packets"},
    {"dstPackets", LeefKind::integer, "destination.packets"},
    {"totalPackets", LeefKind::integer, "network.packets"},
    {"action", LeefKind::text, "event.action"},
    {"url", LeefKind::text, "url.original"},
    {"domain", LeefKind::text, "user.domain"},
    {"identHostName", LeefKind::text, "host.hostname"},
    {"srcPostNAT", LeefKind::ip, "source.nat.ip"},
    {"dstPostNAT", LeefKind::ip, "destination.nat.ip"},
    {"policy", LeefKind::text, "rule.name"},
}};

std::string leef_name(std::string_view key) {
  std::string name;
  name.reserve(5 + key.size());
  name.append("leef.").append(key);
  return name;
}

void add_attribute(LogEvent& out, std::string_view key, std::string_view value) {
  const LeefMapping* m = nullptr;
  for (const auto& candidate : kLeefMappings)
    if (candidate.key == key) m = &candidate;
  if (m == nullptr) {
    out.add(leef_name(key), std::string(value));
    return;
  }
  bool added = true;
  switch (m->kind) {
    case LeefKind::source_ip: added = add_ip_field(out, m->ecs, value, &out.endpoints.source_ip); break;
    case LeefKind::destination_ip: added = add_ip_field(out, m->ecs, value, &out.endpoints.destination_ip); break;
    case LeefKind::ip: added = add_ip_field(out, m->ecs, value, nullptr); break;
    case LeefKind::source_port: added = add_port_field(out, m->ecs, value, &out.endpoints.source_port); break;
    case LeefKind::destination_port:
      added = add_port_field(out, m->ecs, value, &out.endpoints.destination_port);
      break;
    case LeefKind::transport: added = add_transport_field(out, value); break;
    case LeefKind::integer: added = add_integer_field(out, m->ecs, value); break;
    case LeefKind::text: out.add(std::string(m->ecs), std::string(value)); break;
  }
  if (!added) out.add(leef_name(key), std::string(value));
}

std::optional<TimestampNs> parse_dev_time(std::string_view value, std::string_view format) noexcept {
  if (!format.empty()) return parse_simple_date(value, format);
  // No devTimeFormat: epoch milliseconds, or the spec's default format
  // (with the milliseconds and zone many senders add).
  bool digits = !value.empty();
  for (const char c : value) digits = digits && is_digit(c);
  if (digits) {
    // Beyond 13 digits the nanoseconds would not fit TimestampNs.
    constexpr TimestampNs kMaxMs = 9'223'372'036'854;
    if (value.size() > 13) return std::nullopt;
    TimestampNs ms = 0;
    for (const char c : value) ms = ms * 10 + (c - '0');
    if (ms > kMaxMs) return std::nullopt;
    return ms * 1'000'000;
  }
  for (const std::string_view f : {std::string_view{"MMM dd yyyy HH:mm:ss"}, std::string_view{"MMM dd yyyy HH:mm:ss.SSS"},
                                   std::string_view{"MMM dd yyyy HH:mm:ss.SSS zzz"},
                                   std::string_view{"MMM dd yyyy HH:mm:ss zzz"}}) {
    if (auto t = parse_simple_date(value, f)) return t;
  }
  return parse_rfc3339_ns(value);
}

/// The delimiter a LEEF 2.0 header names: one character, or its code as
/// "xHH" / "0xHH". Empty view when `field` is none of these.
std::string_view leef2_delimiter(std::string_view field, char& storage) noexcept {
  if (field.size() == 1) {
    storage = field[0];
    return {&storage, 1};
  }
  std::string_view hex = field;
  if (hex.size() == 4 && hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X')) hex.remove_prefix(1);
  if (hex.size() != 3 || (hex[0] != 'x' && hex[0] != 'X')) return {};
  int v = 0;
  for (std::size_t i = 1; i < 3; ++i) {
    const char c = lower(hex[i]);
    const int d = is_digit(c) ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
    if (d < 0) return {};
    v = v * 16 + d;
  }
  if (v == 0) return {};
  storage = static_cast<char>(v);
  return {&storage, 1};
}

}  // namespace

std::optional<TimestampNs> parse_simple_date(std::string_view text, std::string_view pattern) noexcept {
  int year = -1;
  int month = 0;
  int day = 0;
  int hour = 0;
  int minute = 0;
  int second = 0;
  int pm = -1;
  int offset = 0;
  TimestampNs frac = 0;
  std::size_t t = 0;
  std::size_t p = 0;
  while (p < pattern.size()) {
    const char c = pattern[p];
    if (c == '\'') {
      ++p;
      if (p < pattern.size() && pattern[p] == '\'') {  // '' is a literal quote
        if (t >= text.size() || text[t] != '\'') return std::nullopt;
        ++t;
        ++p;
        continue;
      }
      while (p < pattern.size() && pattern[p] != '\'') {
        if (t >= text.size() || text[t] != pattern[p]) return std::nullopt;
        ++t;
        ++p;
      }
      ++p;
      continue;
    }
    if (!is_alpha(c)) {
      if (t >= text.size() || text[t] != c) return std::nullopt;
      ++t;
      ++p;
      continue;
    }
    std::size_t n = 0;
    while (p + n < pattern.size() && pattern[p + n] == c) ++n;
    p += n;
    // Numbers next to another field ("yyyyMMdd") have exactly the pattern's
    // width; otherwise SimpleDateFormat reads them leniently.
    const bool adjacent = p < pattern.size() && is_alpha(pattern[p]);
    auto number = [&](std::size_t lenient_max) {
      return adjacent ? read_digits(text, t, n, n) : read_digits(text, t, 1, lenient_max);
    };
    std::optional<int> v;
    switch (c) {
      case 'y':
        v = n == 2 ? read_digits(text, t, 2, 2) : number(4);
        if (!v) return std::nullopt;
        year = n == 2 ? 2000 + *v : *v;
        break;
      case 'M':
        if (n >= 3) {
          if (text.size() - t < 3) return std::nullopt;
          for (std::size_t i = 0; i < kMonths.size(); ++i)
            if (iequals(text.substr(t, 3), kMonths[i])) month = static_cast<int>(i) + 1;
          if (month == 0) return std::nullopt;
          t += 3;
          if (n >= 4)
            while (t < text.size() && is_alpha(text[t])) ++t;  // "November"
        } else {
          if (!(v = number(2))) return std::nullopt;
          month = *v;
        }
        break;
      case 'd':
        if (!(v = number(2))) return std::nullopt;
        day = *v;
        break;
      case 'H':
      case 'h':
      case 'k':
      case 'K':
        if (!(v = number(2))) return std::nullopt;
        hour = *v;
        if (c == 'k' && hour == 24) hour = 0;
        if (c == 'h' && hour == 12) hour = 0;
        break;
      case 'm':
        if (!(v = number(2))) return std::nullopt;
        minute = *v;
        break;
      case 's':
        if (!(v = number(2))) return std::nullopt;
        second = *v;
        break;
      case 'S': {
        const std::size_t start = t;
        if (!(v = number(9))) return std::nullopt;
        TimestampNs f = *v;
        for (std::size_t i = t - start; i < 9; ++i) f *= 10;
        frac = f;
        break;
      }
      case 'a':
        if (text.size() - t < 2) return std::nullopt;
        if (iequals(text.substr(t, 2), "am")) pm = 0;
        else if (iequals(text.substr(t, 2), "pm")) pm = 1;
        else return std::nullopt;
        t += 2;
        break;
      case 'z':
      case 'Z':
      case 'X': {
        const auto z = read_zone(text, t);
        if (!z) return std::nullopt;
        offset = *z;
        break;
      }
      case 'E':
        while (t < text.size() && is_alpha(text[t])) ++t;
        break;
      default: return std::nullopt;
    }
  }
  if (t != text.size() || year < 0) return std::nullopt;
  if (pm == 1 && hour < 12) hour += 12;
  if (!valid_civil_date(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) || hour > 23 ||
      minute > 59 || second > 60)
    return std::nullopt;
  return civil_to_ns(year, static_cast<unsigned>(month), static_cast<unsigned>(day), static_cast<unsigned>(hour),
                     static_cast<unsigned>(minute), static_cast<unsigned>(second)) -
         static_cast<TimestampNs>(offset) * kNsPerSecond + frac;
}

Result<void> parse_leef(std::string_view text, LogEvent& out) {
  if (!text.starts_with("LEEF:")) return Error{"leef: does not start with \"LEEF:\""};
  std::array<std::string_view, 5> header{};  // version vendor product version event-id
  std::size_t pos = 5;
  for (std::size_t i = 0; i < header.size(); ++i) {
    const std::size_t bar = text.find('|', pos);
    if (bar == std::string_view::npos) {
      return Error{"leef: header has " + std::to_string(i + 1) + " of 5 fields (byte " + std::to_string(pos) + ")"};
    }
    header[i] = text.substr(pos, bar - pos);
    pos = bar + 1;
  }
  // rsyslog relays "host LEEF:1.0|..." as "host LEEF: 1.0|..." (it takes
  // "LEEF:" for a TAG), so spaces around the version are allowed.
  std::string_view version = header[0];
  while (!version.empty() && version.front() == ' ') version.remove_prefix(1);
  while (!version.empty() && version.back() == ' ') version.remove_suffix(1);
  const bool v2 = version.starts_with("2");
  if (!v2 && !version.starts_with("1")) return Error{"leef: unknown version \"" + std::string(version) + "\" at byte 5"};

  // LEEF 1.0 attributes are tab separated; 2.0 may name another delimiter in
  // a sixth header field. Relays such as rsyslog escape a tab as "#011".
  std::string_view delimiter = "\t";
  char storage = 0;
  std::string_view attrs = text.substr(pos);
  if (v2) {
    const std::size_t bar = attrs.find('|');
    if (bar != std::string_view::npos) {
      const std::string_view field = attrs.substr(0, bar);
      const std::string_view named = leef2_delimiter(field, storage);
      if (!named.empty()) {
        delimiter = named;
        attrs.remove_prefix(bar + 1);
      } else if (field.empty()) {
        attrs.remove_prefix(bar + 1);
      }
    }
  }
  if (delimiter == "\t" && attrs.find('\t') == std::string_view::npos &&
      attrs.find("#011") != std::string_view::npos)
    delimiter = "#011";
  while (!attrs.empty() && (attrs.back() == '\n' || attrs.back() == '\r' || attrs.back() == '\0'))
    attrs.remove_suffix(1);

  out.fields.reserve(out.fields.size() + 16);
  out.add("leef.version", std::string(version));
  if (!header[1].empty()) out.add("observer.vendor", std::string(header[1]));
  if (!header[2].empty()) out.add("observer.product", std::string(header[2]));
  if (!header[3].empty()) out.add("observer.version", std::string(header[3]));
  if (!header[4].empty()) out.add("event.code", std::string(header[4]));

  std::string_view dev_time;
  std::string_view dev_time_format;
  while (!attrs.empty()) {
    const std::size_t d = attrs.find(delimiter);
    const std::string_view attr = attrs.substr(0, d);
    attrs = d == std::string_view::npos ? std::string_view{} : attrs.substr(d + delimiter.size());
    const std::size_t eq = attr.find('=');
    if (eq == std::string_view::npos || eq == 0) continue;  // not an attribute: ignored
    std::string_view key = attr.substr(0, eq);
    while (!key.empty() && key.front() == ' ') key.remove_prefix(1);
    while (!key.empty() && key.back() == ' ') key.remove_suffix(1);
    const std::string_view value = attr.substr(eq + 1);
    if (key.empty() || value.empty()) continue;
    if (key == "devTime") {
      dev_time = value;
    } else if (key == "devTimeFormat") {
      dev_time_format = value;
    } else {
      add_attribute(out, key, value);
    }
  }
  // devTimeFormat may follow devTime, so the time is read after the loop.
  if (!dev_time.empty()) {
    if (auto t = parse_dev_time(dev_time, dev_time_format)) {
      out.timestamp = *t;
    } else {
      out.add("leef.devTime", std::string(dev_time));
      if (!dev_time_format.empty()) out.add("leef.devTimeFormat", std::string(dev_time_format));
    }
  }
  out.dataset = "leef";
  out.parser = "leef";
  return ok();
}

}  // namespace opensoc::logparse
