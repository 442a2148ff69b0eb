// GrokPattern: grok-style patterns ("%{IP:source.ip} %{INT:destination.port:int}")
// expanded once into one PCRE2 regular expression and JIT-compiled.
//
// PCRE2 group names cannot hold '.', so every %{NAME:field} becomes a group
// named "_g<N>" and a table maps N to the ECS field name, its type and what
// else the field feeds (endpoints, the event's time or message). Named groups
// the user wrote directly, "(?<user_name>...)", become fields of that name.
//
// compile() runs once at configuration time (any thread). match() runs on the
// one thread that owns the instance: it reuses the instance's match data and
// JIT stack, so a match allocates nothing but the field strings it adds.
#include "logparse/grok_pattern.hpp"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <optional>
#include <string>

#include "logparse/json_log_parser.hpp"
#include "opensoc/core/ip_protocol.hpp"

namespace opensoc::logparse {

namespace {

struct BuiltIn {
  std::string_view name;
  std::string_view regex;
};

// After Logstash's grok-patterns, with PCRE2 syntax and no capturing groups of
// their own (a built-in must not shift the numbering of the user's groups).
constexpr BuiltIn kBuiltIns[] = {
    {"USERNAME", R"([a-zA-Z0-9._-]+)"},
    {"USER", R"(%{USERNAME})"},
    {"EMAILLOCALPART", R"([a-zA-Z0-9!#$%&'*+/=?^_`{|}~-]{1,64}(?:\.[a-zA-Z0-9!#$%&'*+/=?^_`{|}~-]{1,62}){0,63})"},
    {"EMAILADDRESS", R"(%{EMAILLOCALPART}@%{HOSTNAME})"},
    {"INT", R"((?:[+-]?(?:[0-9]+)))"},
    {"BASE10NUM", R"((?<![0-9.+-])(?>[+-]?(?:(?:[0-9]+(?:\.[0-9]+)?)|(?:\.[0-9]+))))"},
    {"NUMBER", R"((?:%{BASE10NUM}))"},
    {"POSINT", R"(\b(?:[1-9][0-9]*)\b)"},
    {"NONNEGINT", R"(\b(?:[0-9]+)\b)"},
    {"WORD", R"(\b\w+\b)"},
    {"NOTSPACE", R"(\S+)"},
    {"SPACE", R"(\s*)"},
    {"DATA", R"(.*?)"},
    {"GREEDYDATA", R"(.*)"},
    {"QUOTEDSTRING",
     R"((?>(?<!\\)(?>"(?>\\.|[^\\"]+)+"|""|(?>'(?>\\.|[^\\']+)+')|''|(?>`(?>\\.|[^\\`]+)+`)|``)))"},
    {"QS", R"(%{QUOTEDSTRING})"},
    {"MAC", R"((?:[A-Fa-f0-9]{2}(?:[:-][A-Fa-f0-9]{2}){5}|[A-Fa-f0-9]{4}\.[A-Fa-f0-9]{4}\.[A-Fa-f0-9]{4}))"},
    {"IPV4",
     R"((?<![0-9])(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(?![0-9]))"},
    // Longest forms first: PCRE2 takes the first alternative that lets the
    // rest of the pattern match, so a shorter prefix must not win.
    {"IPV6",
     R"((?<![0-9A-Fa-f:])(?:(?:[0-9A-Fa-f]{1,4}:){6}%{IPV4}|::(?:[fF]{4}:)?%{IPV4}|)"
     R"((?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}|)"
     R"((?:[0-9A-Fa-f]{1,4}:){1,6}:[0-9A-Fa-f]{1,4}(?!:)|)"
     R"((?:[0-9A-Fa-f]{1,4}:){1,5}(?::[0-9A-Fa-f]{1,4}){1,2}(?!:)|)"
     R"((?:[0-9A-Fa-f]{1,4}:){1,4}(?::[0-9A-Fa-f]{1,4}){1,3}(?!:)|)"
     R"((?:[0-9A-Fa-f]{1,4}:){1,3}(?::[0-9A-Fa-f]{1,4}){1,4}(?!:)|)"
     R"((?:[0-9A-Fa-f]{1,4}:){1,2}(?::[0-9A-Fa-f]{1,4}){1,5}(?!:)|)"
     R"([0-9A-Fa-f]{1,4}:(?::[0-9A-Fa-f]{1,4}){1,6}(?!:)|)"
     R"(:(?::[0-9A-Fa-f]{1,4}){1,7}(?!:)|)"
     R"((?:[0-9A-Fa-f]{1,4}:){1,7}:|::)(?![0-9A-Fa-f:]))"},
    {"IP", R"((?:%{IPV6}|%{IPV4}))"},
    {"HOSTNAME", R"(\b(?:[0-9A-Za-z][0-9A-Za-z-]{0,62})(?:\.(?:[0-9A-Za-z][0-9A-Za-z-]{0,62}))*(?:\.?|\b))"},
    {"IPORHOST", R"((?:%{IP}|%{HOSTNAME}))"},
    {"HOSTPORT", R"(%{IPORHOST}:%{POSINT})"},
    {"URIPROTO", R"([A-Za-z][A-Za-z0-9+.-]+)"},
    {"URIHOST", R"(%{IPORHOST}(?::%{POSINT})?)"},
    {"URIPATH", R"((?:/[A-Za-z0-9$.+!*'(){},~:;=@#%&_-]*)+)"},
    {"URIPARAM", R"(\?[A-Za-z0-9$.+!*'|(){},~@#%&/=:;_?\[\]<>-]*)"},
    {"URIPATHPARAM", R"(%{URIPATH}(?:%{URIPARAM})?)"},
    {"URI", R"(%{URIPROTO}://(?:%{USER}(?::[^@]*)?@)?(?:%{URIHOST})?(?:%{URIPATHPARAM})?)"},
    {"UNIXPATH", R"((?:/[^/\s]*)+)"},
    {"WINPATH", R"((?>[A-Za-z]+:|\\)(?:\\[^\\?*\s]*)+)"},
    {"PATH", R"((?:%{UNIXPATH}|%{WINPATH}))"},
    {"LOGLEVEL",
     R"((?:[Aa]lert|ALERT|[Tt]race|TRACE|[Dd]ebug|DEBUG|[Nn]otice|NOTICE|[Ii]nfo?(?:rmation)?|INFO?(?:RMATION)?|)"
     R"([Ww]arn?(?:ing)?|WARN?(?:ING)?|[Ee]rr?(?:or)?|ERR?(?:OR)?|[Cc]rit?(?:ical)?|CRIT?(?:ICAL)?|[Ff]atal|FATAL|)"
     R"([Ss]evere|SEVERE|EMERG(?:ENCY)?|[Ee]merg(?:ency)?))"},
    {"MONTH",
     R"(\b(?:[Jj]an(?:uary)?|[Ff]eb(?:ruary)?|[Mm]ar(?:ch)?|[Aa]pr(?:il)?|[Mm]ay|[Jj]un(?:e)?|[Jj]ul(?:y)?|)"
     R"([Aa]ug(?:ust)?|[Ss]ep(?:tember)?|[Oo]ct(?:ober)?|[Nn]ov(?:ember)?|[Dd]ec(?:ember)?)\b)"},
    {"MONTHNUM", R"((?:0?[1-9]|1[0-2]))"},
    {"MONTHDAY", R"((?:(?:0[1-9])|(?:[12][0-9])|(?:3[01])|[1-9]))"},
    {"DAY", R"((?:Mon(?:day)?|Tue(?:sday)?|Wed(?:nesday)?|Thu(?:rsday)?|Fri(?:day)?|Sat(?:urday)?|Sun(?:day)?))"},
    {"YEAR", R"((?>\d\d){1,2})"},
    {"HOUR", R"((?:2[0123]|[01]?[0-9]))"},
    {"MINUTE", R"((?:[0-5][0-9]))"},
    {"SECOND", R"((?:(?:[0-5]?[0-9]|60)(?:[:.,][0-9]+)?))"},
    {"TIME", R"((?<![0-9])%{HOUR}:%{MINUTE}(?::%{SECOND})(?![0-9]))"},
    {"ISO8601_TIMEZONE", R"((?:Z|[+-]%{HOUR}(?::?%{MINUTE})))"},
    {"TIMESTAMP_ISO8601",
     R"(%{YEAR}-%{MONTHNUM}-%{MONTHDAY}[T ]%{HOUR}:?%{MINUTE}(?::?%{SECOND})?%{ISO8601_TIMEZONE}?)"},
    {"SYSLOGTIMESTAMP", R"(%{MONTH} +%{MONTHDAY} %{TIME})"},
    {"HTTPDATE", R"(%{MONTHDAY}/%{MONTH}/%{YEAR}:%{TIME} %{INT})"},
};

constexpr std::size_t kMaxExpansionDepth = 32;
constexpr std::size_t kMaxExpandedSize = 1 << 20;

// What a captured field feeds besides its own LogField.
enum class Role : std::uint8_t { field, source_ip, dest_ip, source_port, dest_port, transport, timestamp, message };

struct Capture {
  std::uint32_t group = 0;  // PCRE2 group number
  std::string field;
  LogValueType type = LogValueType::string;
  bool typed = false;  // an explicit :type was given
  Role role = Role::field;
};

Role role_of(std::string_view f) noexcept {
  if (f == "source.ip") return Role::source_ip;
  if (f == "destination.ip") return Role::dest_ip;
  if (f == "source.port") return Role::source_port;
  if (f == "destination.port") return Role::dest_port;
  if (f == "network.transport") return Role::transport;
  if (f == "@timestamp" || f == "timestamp") return Role::timestamp;
  if (f == "message") return Role::message;
  return Role::field;
}

std::optional<LogValueType> type_named(std::string_view t) noexcept {
  if (t == "int" || t == "integer" || t == "long") return LogValueType::integer;
  if (t == "float" || t == "number" || t == "double") return LogValueType::number;
  if (t == "ip") return LogValueType::ip;
  if (t == "bool" || t == "boolean") return LogValueType::boolean;
  if (t == "string" || t == "keyword") return LogValueType::string;
  return std::nullopt;
}

bool is_name_char(char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

class Expander {
 public:
  Expander(const std::map<std::string, std::string>& custom, std::vector<Capture>& captures)
      : custom_(custom), captures_(captures) {}

  // Appends the regex for `text` to `out`. `where` names the text in errors.
  Result<void> expand(std::string_view text, const std::string& where, std::string& out) {
    std::size_t i = 0;
    while (i < text.size()) {
      if (text[i] == '\\' && i + 1 < text.size()) {  // an escape is copied whole: "\%{" is literal
        out.append(text.substr(i, 2));
        i += 2;
        continue;
      }
      if (text[i] != '%' || i + 1 >= text.size() || text[i + 1] != '{') {
        out.push_back(text[i++]);
        continue;
      }
      const std::size_t close = text.find('}', i + 2);
      const std::string at = where + " at offset " + std::to_string(i);
      if (close == std::string_view::npos) return Error{at + ": unterminated %{"};
      const std::string_view spec = text.substr(i + 2, close - i - 2);
      const std::size_t c1 = spec.find(':');
      const std::string_view name = spec.substr(0, c1);
      std::string_view field;
      std::string_view type;
      if (c1 != std::string_view::npos) {
        field = spec.substr(c1 + 1);
        const std::size_t c2 = field.find(':');
        if (c2 != std::string_view::npos) {
          type = field.substr(c2 + 1);
          field = field.substr(0, c2);
        }
        if (field.empty()) return Error{at + ": empty field name in %{" + std::string(spec) + "}"};
      }
      if (name.empty()) return Error{at + ": empty pattern name"};
      for (const char c : name)
        if (!is_name_char(c)) return Error{at + ": bad pattern name '" + std::string(name) + "'"};
      std::optional<LogValueType> vt;
      if (!type.empty()) {
        vt = type_named(type);
        if (!vt) return Error{at + ": unknown type '" + std::string(type) + "' (int, float, ip, bool, string)"};
      }
      std::string_view body;
      if (const auto it = custom_.find(std::string(name)); it != custom_.end()) {
        body = it->second;
      } else {
        for (const auto& b : kBuiltIns)
          if (b.name == name) body = b.regex;
        if (body.data() == nullptr) return Error{at + ": unknown pattern %{" + std::string(name) + "}"};
      }
      for (const auto& s : stack_)
        if (s == name) return Error{at + ": pattern %{" + std::string(name) + "} refers to itself"};
      if (stack_.size() >= kMaxExpansionDepth) return Error{at + ": patterns nested too deep"};

      if (!field.empty()) {
        Capture cap;
        cap.field.assign(field);
        cap.role = role_of(field);
        cap.typed = vt.has_value();
        cap.type = vt.value_or(LogValueType::string);
        const std::size_t n = captures_.size();
        captures_.push_back(std::move(cap));
        out.append("(?<_g").append(std::to_string(n)).append(">");
      } else {
        out.append("(?:");
      }
      stack_.push_back(name);
      if (auto r = expand(body, "%{" + std::string(name) + "}", out); !r) return r;
      stack_.pop_back();
      out.push_back(')');
      if (out.size() > kMaxExpandedSize) return Error{at + ": expanded pattern too large"};
      i = close + 1;
    }
    return ok();
  }

 private:
  const std::map<std::string, std::string>& custom_;
  std::vector<Capture>& captures_;
  std::vector<std::string_view> stack_;
};

std::optional<std::uint8_t> ip_proto_of(std::string_view t) noexcept {
  std::string low;
  for (const char c : t) low.push_back((c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c);
  if (low == "tcp") return kIpProtoTcp;
  if (low == "udp") return kIpProtoUdp;
  if (low == "icmp") return kIpProtoIcmp;
  if (low == "ipv6-icmp" || low == "icmpv6" || low == "icmp6") return kIpProtoIcmpv6;
  if (low == "sctp") return kIpProtoSctp;
  if (low == "gre") return 47;
  if (low == "esp") return 50;
  if (low == "ah") return 51;
  unsigned v = 0;
  const auto r = std::from_chars(t.data(), t.data() + t.size(), v);
  if (!t.empty() && r.ec == std::errc() && r.ptr == t.data() + t.size() && v <= 255)
    return static_cast<std::uint8_t>(v);
  return std::nullopt;
}

std::optional<std::int64_t> to_int(std::string_view t) noexcept {
  if (!t.empty() && t[0] == '+') t.remove_prefix(1);
  std::int64_t v = 0;
  const auto r = std::from_chars(t.data(), t.data() + t.size(), v);
  if (t.empty() || r.ec != std::errc() || r.ptr != t.data() + t.size()) return std::nullopt;
  return v;
}

int month_of(std::string_view m) noexcept {
  static constexpr std::string_view kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                                 "jul", "aug", "sep", "oct", "nov", "dec"};
  if (m.size() < 3) return 0;
  char l[3];
  for (int i = 0; i < 3; ++i) l[i] = static_cast<char>(m[static_cast<std::size_t>(i)] | 0x20);
  for (int i = 0; i < 12; ++i)
    if (kMonths[i] == std::string_view(l, 3)) return i + 1;
  return 0;
}

// HTTPDATE "10/Oct/2000:13:55:36 -0700" -> ISO 8601, then the common parser.
std::optional<TimestampNs> parse_httpdate(std::string_view s) {
  if (s.size() < 26 || s[2] != '/' || s[6] != '/' || s[11] != ':' || s[20] != ' ') return std::nullopt;
  const int mon = month_of(s.substr(3, 3));
  if (mon == 0) return std::nullopt;
  std::string iso;
  iso.append(s.substr(7, 4)).push_back('-');
  iso.push_back(static_cast<char>('0' + mon / 10));
  iso.push_back(static_cast<char>('0' + mon % 10));
  iso.push_back('-');
  iso.append(s.substr(0, 2)).push_back('T');
  iso.append(s.substr(12, 8));
  iso.append(s.substr(21));
  return parse_iso8601_ns(iso);
}

// SYSLOGTIMESTAMP "Oct 11 22:14:15": no year, no zone (UTC, and the year that
// puts it nearest the receive time, as RFC 3164 readers do).
std::optional<TimestampNs> parse_syslog_time(std::string_view s, TimestampNs received) {
  if (s.size() < 14) return std::nullopt;
  const int mon = month_of(s.substr(0, 3));
  if (mon == 0 || s[3] != ' ') return std::nullopt;
  std::size_t p = 4;
  while (p < s.size() && s[p] == ' ') ++p;
  unsigned day = 0;
  while (p < s.size() && s[p] >= '0' && s[p] <= '9' && day < 100) day = day * 10 + static_cast<unsigned>(s[p++] - '0');
  if (day == 0 || day > 31 || p >= s.size() || s[p] != ' ') return std::nullopt;
  const std::string_view time = s.substr(p + 1);
  const TimestampNs ref = received != 0 ? received : wall_clock_ns();
  const std::time_t secs = static_cast<std::time_t>(ref / kNsPerSecond);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  std::optional<TimestampNs> best;
  for (int y = tm.tm_year + 1900 - 1; y <= tm.tm_year + 1900 + 1; ++y) {
    char iso[64];
    const int n = std::snprintf(iso, sizeof iso, "%04d-%02d-%02dT", y, mon, day);
    if (n <= 0 || time.size() > sizeof iso - static_cast<std::size_t>(n) - 1) return std::nullopt;
    std::string full(iso, static_cast<std::size_t>(n));
    full.append(time);
    const auto t = parse_iso8601_ns(full);
    if (!t) return std::nullopt;
    if (!best || std::llabs(*t - ref) < std::llabs(*best - ref)) best = t;
  }
  return best;
}

std::optional<TimestampNs> parse_any_time(std::string_view t, TimestampNs received) {
  if (auto v = parse_iso8601_ns(t)) return v;
  if (auto v = parse_httpdate(t)) return v;
  if (auto v = parse_syslog_time(t, received)) return v;
  double d = 0;
  const auto r = std::from_chars(t.data(), t.data() + t.size(), d);
  if (!t.empty() && r.ec == std::errc() && r.ptr == t.data() + t.size() && d > 0 && d < 9.2e9)
    return static_cast<TimestampNs>(std::llround(d * 1e6)) * kNsPerMicro;
  return std::nullopt;
}

}  // namespace

struct GrokPattern::Impl {
  std::string expanded;
  std::vector<Capture> captures;
  pcre2_code* code = nullptr;
  pcre2_match_data* match_data = nullptr;
  pcre2_match_context* match_context = nullptr;
  pcre2_jit_stack* jit_stack = nullptr;

  Impl() = default;
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  ~Impl() {
    if (match_data != nullptr) pcre2_match_data_free(match_data);
    if (match_context != nullptr) pcre2_match_context_free(match_context);
    if (jit_stack != nullptr) pcre2_jit_stack_free(jit_stack);
    if (code != nullptr) pcre2_code_free(code);
  }

  void add_capture(const Capture& c, std::string_view v, LogEvent& out) const;
};

void GrokPattern::Impl::add_capture(const Capture& c, std::string_view v, LogEvent& out) const {
  LogEndpoints& ep = out.endpoints;
  switch (c.role) {
    case Role::message:
      out.message.assign(v);
      return;
    case Role::timestamp:
      if (const auto t = parse_any_time(v, out.received)) {
        out.timestamp = *t;
        return;
      }
      break;
    case Role::source_ip:
    case Role::dest_ip:
      if (const auto ip = IpAddress::parse(v)) {
        (c.role == Role::source_ip ? ep.source_ip : ep.destination_ip) = *ip;
        out.add(c.field, ip->to_string(), LogValueType::ip);
        return;
      }
      break;
    case Role::source_port:
    case Role::dest_port:
      if (const auto n = to_int(v); n && *n >= 0 && *n <= 65535) {
        (c.role == Role::source_port ? ep.source_port : ep.destination_port) = static_cast<std::uint16_t>(*n);
        out.add(c.field, std::to_string(*n), LogValueType::integer);
        return;
      }
      break;
    case Role::transport:
      if (const auto p = ip_proto_of(v)) {
        ep.ip_proto = *p;
        out.add(c.field, transport_keyword(*p));
        return;
      }
      break;
    case Role::field:
      break;
  }
  // A value that does not fit its declared type stays a string: the text is
  // kept, the type is not claimed.
  switch (c.type) {
    case LogValueType::integer:
      if (const auto n = to_int(v)) return out.add(c.field, std::to_string(*n), LogValueType::integer);
      break;
    case LogValueType::number: {
      double d = 0;
      const auto r = std::from_chars(v.data(), v.data() + v.size(), d);
      if (!v.empty() && r.ec == std::errc() && r.ptr == v.data() + v.size() && std::isfinite(d)) {
        char b[32];
        const auto w = std::to_chars(b, b + sizeof b, d);
        return out.add(c.field, std::string(b, w.ptr), LogValueType::number);
      }
      break;
    }
    case LogValueType::ip:
      if (const auto ip = IpAddress::parse(v)) return out.add(c.field, ip->to_string(), LogValueType::ip);
      break;
    case LogValueType::boolean: {
      std::string low;
      for (const char ch : v) low.push_back(static_cast<char>((ch >= 'A' && ch <= 'Z') ? ch - 'A' + 'a' : ch));
      if (low == "true" || low == "yes" || low == "on" || low == "1") return out.add(c.field, "true", LogValueType::boolean);
      if (low == "false" || low == "no" || low == "off" || low == "0")
        return out.add(c.field, "false", LogValueType::boolean);
      break;
    }
    case LogValueType::string:
    case LogValueType::time:
      break;
  }
  out.add(c.field, std::string(v), LogValueType::string);
}

Result<GrokPattern> GrokPattern::compile(std::string_view pattern, const std::map<std::string, std::string>& custom) {
  auto impl = std::make_unique<Impl>();
  Expander ex(custom, impl->captures);
  if (auto r = ex.expand(pattern, "pattern", impl->expanded); !r) return r.error();

  int err = 0;
  PCRE2_SIZE err_offset = 0;
  impl->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(impl->expanded.data()), impl->expanded.size(), 0, &err,
                             &err_offset, nullptr);
  if (impl->code == nullptr) {
    PCRE2_UCHAR msg[256];
    if (pcre2_get_error_message(err, msg, sizeof msg) < 0) std::strcpy(reinterpret_cast<char*>(msg), "unknown error");
    return Error{"pattern does not compile: " + std::string(reinterpret_cast<const char*>(msg)) + " at offset " +
                 std::to_string(err_offset) + " of the expanded regex \"" + impl->expanded + "\""};
  }
  // JIT is an optimisation: without it (unsupported CPU, no exec memory)
  // pcre2_match interprets the same code.
  (void)pcre2_jit_compile(impl->code, PCRE2_JIT_COMPLETE);
  impl->match_data = pcre2_match_data_create_from_pattern(impl->code, nullptr);
  impl->match_context = pcre2_match_context_create(nullptr);
  impl->jit_stack = pcre2_jit_stack_create(32 * 1024, 512 * 1024, nullptr);
  if (impl->match_data == nullptr || impl->match_context == nullptr) return Error{"pattern: out of memory"};
  if (impl->jit_stack != nullptr) pcre2_jit_stack_assign(impl->match_context, nullptr, impl->jit_stack);
  // A pathological pattern on a hostile line fails the match instead of
  // stalling the parser thread.
  pcre2_set_match_limit(impl->match_context, 1'000'000);
  pcre2_set_depth_limit(impl->match_context, 10'000);

  // Group numbers of "_g<N>" and of the user's own named groups.
  std::uint32_t count = 0, entry_size = 0;
  PCRE2_SPTR table = nullptr;
  pcre2_pattern_info(impl->code, PCRE2_INFO_NAMECOUNT, &count);
  pcre2_pattern_info(impl->code, PCRE2_INFO_NAMEENTRYSIZE, &entry_size);
  pcre2_pattern_info(impl->code, PCRE2_INFO_NAMETABLE, &table);
  std::vector<Capture> user;
  for (std::uint32_t i = 0; i < count; ++i) {
    const PCRE2_SPTR e = table + static_cast<std::size_t>(i) * entry_size;
    const std::uint32_t group = (static_cast<std::uint32_t>(e[0]) << 8) | e[1];
    const std::string_view name(reinterpret_cast<const char*>(e + 2));
    std::size_t n = 0;
    bool ours = name.size() > 2 && name.starts_with("_g");
    if (ours) {
      const auto r = std::from_chars(name.data() + 2, name.data() + name.size(), n);
      ours = r.ec == std::errc() && r.ptr == name.data() + name.size() && n < impl->captures.size();
    }
    if (ours) {
      impl->captures[n].group = group;
    } else {
      Capture c;
      c.group = group;
      c.field.assign(name);
      c.role = role_of(name);
      user.push_back(std::move(c));
    }
  }
  for (auto& c : user) impl->captures.push_back(std::move(c));
  return GrokPattern(std::move(impl));
}

GrokPattern::GrokPattern(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
GrokPattern::GrokPattern(GrokPattern&&) noexcept = default;
GrokPattern& GrokPattern::operator=(GrokPattern&&) noexcept = default;
GrokPattern::~GrokPattern() = default;

bool GrokPattern::match(std::string_view text, LogEvent& out) const {
  const Impl& im = *impl_;
  static constexpr char kEmpty[] = "";
  const char* subject = text.data() != nullptr ? text.data() : kEmpty;
  const int rc = pcre2_match(im.code, reinterpret_cast<PCRE2_SPTR>(subject), text.size(), 0, 0, im.match_data,
                             im.match_context);
  if (rc < 0) return false;  // no match, or a limit hit: not this pattern
  const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(im.match_data);
  const std::uint32_t pairs = pcre2_get_ovector_count(im.match_data);
  for (const Capture& c : im.captures) {
    if (c.group == 0 || c.group >= pairs) continue;
    const PCRE2_SIZE b = ov[2 * c.group];
    const PCRE2_SIZE e = ov[2 * c.group + 1];
    if (b == PCRE2_UNSET || e == PCRE2_UNSET || e <= b || e > text.size()) continue;
    im.add_capture(c, text.substr(b, e - b), out);
  }
  return true;
}

const std::string& GrokPattern::expanded() const noexcept { return impl_->expanded; }

}  // namespace opensoc::logparse
