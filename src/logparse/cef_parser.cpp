// parse_cef: ArcSight Common Event Format into ECS fields.
//
// In: the message body starting at "CEF:". Out: header and extension fields
// appended to a LogEvent. Pure function; runs on the ingest parser thread,
// reentrant.
//
// The extension is the hard part: values hold unescaped spaces, and real
// senders also leave '=' unescaped inside URLs. A key is therefore a run of
// key characters that starts the extension or follows a space and is
// followed by an unescaped '='; anything else belongs to the current value.
#include "logparse/cef_parser.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "logparse/ascii_text.hpp"
#include "logparse/kv_parser.hpp"
#include "logparse/leef_parser.hpp"
#include "logparse/syslog_parser.hpp"

namespace opensoc::logparse {
namespace {

constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
constexpr bool key_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_' || c == '.' || c == '[' ||
         c == ']' || c == '-';
}

enum class CefKind : std::uint8_t {
  source_ip,
  destination_ip,
  source_port,
  destination_port,
  transport,
  text,
  integer,
  ip,
  time,       // ECS time field
  timestamp,  // rt: the event's own time
  message,
  file_hash,
};

struct CefMapping {
  std::string_view key;
  CefKind kind;
  std::string_view ecs;
};

// The CEF dictionary's short keys (and their full names, which some
// senders write instead), with the ECS names Elastic's CEF module uses.
constexpr std::array<CefMapping, 58> kCefMappings = {{
    {"src", CefKind::source_ip, "source.ip"},
    {"sourceAddress", CefKind::source_ip, "source.ip"},
    {"dst", CefKind::destination_ip, "destination.ip"},
    {"destinationAddress", CefKind::destination_ip, "destination.ip"},
    {"spt", CefKind::source_port, "source.port"},
    {"sourcePort", CefKind::source_port, "source.port"},
    {"dpt", CefKind::destination_port, "destination.port"},
    {"destinationPort", CefKind::destination_port, "destination.port"},
    {"proto", CefKind::transport, "network.transport"},
    {"transportProtocol", CefKind::transport, "network.transport"},
    {"act", CefKind::text, "event.action"},
    {"deviceAction", CefKind::text, "event.action"},
    {"suser", CefKind::text, "source.user.name"},
    {"sourceUserName", CefKind::text, "source.user.name"},
    {"duser", CefKind::text, "destination.user.name"},
    {"destinationUserName", CefKind::text, "destination.user.name"},
    {"suid", CefKind::text, "source.user.id"},
    {"duid", CefKind::text, "destination.user.id"},
    {"shost", CefKind::text, "source.domain"},
    {"sourceHostName", CefKind::text, "source.domain"},
    {"dhost", CefKind::text, "destination.domain"},
    {"destinationHostName", CefKind::text, "destination.domain"},
    {"smac", CefKind::text, "source.mac"},
    {"sourceMacAddress", CefKind::text, "source.mac"},
    {"dmac", CefKind::text, "destination.mac"},
    {"destinationMacAddress", CefKind::text, "destination.mac"},
    {"request", CefKind::text, "url.original"},
    {"requestURL", CefKind::text, "url.original"},
    {"requestMethod", CefKind::text, "http.request.method"},
    {"requestClientApplication", CefKind::text, "user_agent.original"},
    {"app", CefKind::text, "network.protocol"},
    {"applicationProtocol", CefKind::text, "network.protocol"},
    {"in", CefKind::integer, "source.bytes"},
    {"bytesIn", CefKind::integer, "source.bytes"},
    {"out", CefKind::integer, "destination.bytes"},
    {"bytesOut", CefKind::integer, "destination.bytes"},
    {"rt", CefKind::timestamp, "@timestamp"},
    {"deviceReceiptTime", CefKind::timestamp, "@timestamp"},
    {"start", CefKind::time, "event.start"},
    {"startTime", CefKind::time, "event.start"},
    {"end", CefKind::time, "event.end"},
    {"endTime", CefKind::time, "event.end"},
    {"msg", CefKind::message, "message"},
    {"message", CefKind::message, "message"},
    {"outcome", CefKind::text, "event.outcome"},
    {"eventOutcome", CefKind::text, "event.outcome"},
    {"reason", CefKind::text, "event.reason"},
    {"externalId", CefKind::text, "event.id"},
    {"fname", CefKind::text, "file.name"},
    {"fileName", CefKind::text, "file.name"},
    {"filePath", CefKind::text, "file.path"},
    {"fsize", CefKind::integer, "file.size"},
    {"fileHash", CefKind::file_hash, "file.hash"},
    {"dvc", CefKind::ip, "observer.ip"},
    {"deviceAddress", CefKind::ip, "observer.ip"},
    {"dvchost", CefKind::text, "observer.hostname"},
    {"deviceHostName", CefKind::text, "observer.hostname"},
    {"dpid", CefKind::integer, "process.pid"},
}};

/// Undoes the extension escapes \= \\ \n \r (and \| which some senders
/// carry over from the header); any other backslash stays.
std::string unescape_value(std::string_view raw) {
  std::string v;
  v.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\\' && i + 1 < raw.size()) {
      const char n = raw[i + 1];
      if (n == '=' || n == '\\' || n == '|') {
        v.push_back(n);
        ++i;
        continue;
      }
      if (n == 'n' || n == 'r') {
        v.push_back(n == 'n' ? '\n' : '\r');
        ++i;
        continue;
      }
    }
    v.push_back(raw[i]);
  }
  return v;
}

/// Header fields escape only \| and \\.
std::string unescape_header(std::string_view raw) {
  std::string v;
  v.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\\' && i + 1 < raw.size() && (raw[i + 1] == '|' || raw[i + 1] == '\\')) ++i;
    v.push_back(raw[i]);
  }
  return v;
}

std::string cef_name(std::string_view key) {
  std::string name;
  name.reserve(15 + key.size());
  name.append("cef.extensions.").append(key);
  return name;
}

/// rt/start/end: epoch milliseconds or one of the formats the CEF spec lists.
std::optional<TimestampNs> parse_cef_time(std::string_view v) noexcept {
  bool digits = !v.empty();
  for (const char c : v) digits = digits && is_digit(c);
  if (digits) {
    // Beyond 13 digits the nanoseconds would not fit TimestampNs.
    constexpr TimestampNs kMaxMs = 9'223'372'036'854;
    if (v.size() > 13) return std::nullopt;
    TimestampNs ms = 0;
    for (const char c : v) ms = ms * 10 + (c - '0');
    if (ms > kMaxMs) return std::nullopt;
    return ms * 1'000'000;
  }
  for (const std::string_view f :
       {std::string_view{"MMM dd yyyy HH:mm:ss"}, std::string_view{"MMM dd yyyy HH:mm:ss.SSS"},
        std::string_view{"MMM dd yyyy HH:mm:ss zzz"}, std::string_view{"MMM dd yyyy HH:mm:ss.SSS zzz"}}) {
    if (auto t = parse_simple_date(v, f)) return t;
  }
  return parse_rfc3339_ns(v);
}

std::string_view hash_name(std::size_t hex_len) noexcept {
  switch (hex_len) {
    case 32: return "file.hash.md5";
    case 40: return "file.hash.sha1";
    case 64: return "file.hash.sha256";
    case 128: return "file.hash.sha512";
    default: return {};
  }
}

bool is_hex(std::string_view s) noexcept {
  for (const char c : s) {
    const char l = lower(c);
    if (!is_digit(l) && (l < 'a' || l > 'f')) return false;
  }
  return !s.empty();
}

/// One extension pair. cs1..cs6, cn1..cn3 and their labels are kept under
/// their dictionary names (deviceCustomString1, ...Label) as Elastic does,
/// so a label always sits next to its value's name.
void add_extension(LogEvent& out, std::string_view key, std::string value, std::optional<std::string>& message) {
  const CefMapping* m = nullptr;
  for (const auto& candidate : kCefMappings)
    if (candidate.key == key) m = &candidate;
  if (m == nullptr) {
    // csN / csNLabel / cnN / cnNLabel
    std::string_view base;
    std::string_view rest;
    if (key.size() >= 3 && key.starts_with("cs") && key[2] >= '1' && key[2] <= '6') {
      base = "deviceCustomString";
      rest = key.substr(2);
    } else if (key.size() >= 3 && key.starts_with("cn") && key[2] >= '1' && key[2] <= '3') {
      base = "deviceCustomNumber";
      rest = key.substr(2);
    }
    if (!base.empty() && (rest.size() == 1 || rest.substr(1) == "Label")) {
      std::string name;
      name.reserve(15 + base.size() + rest.size());
      name.append("cef.extensions.").append(base).append(rest);
      const bool number = base == "deviceCustomNumber" && rest.size() == 1;
      if (number && add_integer_field(out, name, value)) return;
      out.add(std::move(name), std::move(value));
      return;
    }
    out.add(cef_name(key), std::move(value));
    return;
  }
  bool added = true;
  switch (m->kind) {
    case CefKind::source_ip: added = add_ip_field(out, m->ecs, value, &out.endpoints.source_ip); break;
    case CefKind::destination_ip: added = add_ip_field(out, m->ecs, value, &out.endpoints.destination_ip); break;
    case CefKind::ip: added = add_ip_field(out, m->ecs, value, nullptr); break;
    case CefKind::source_port: added = add_port_field(out, m->ecs, value, &out.endpoints.source_port); break;
    case CefKind::destination_port:
      added = add_port_field(out, m->ecs, value, &out.endpoints.destination_port);
      break;
    case CefKind::transport: added = add_transport_field(out, value); break;
    case CefKind::integer: added = add_integer_field(out, m->ecs, value); break;
    case CefKind::text: out.add(std::string(m->ecs), std::move(value)); return;
    case CefKind::message:
      if (!message) {
        message = std::move(value);
        return;
      }
      added = false;
      break;
    case CefKind::timestamp:
    case CefKind::time:
      if (const auto t = parse_cef_time(value)) {
        if (m->kind == CefKind::timestamp) out.timestamp = *t;
        else out.add(std::string(m->ecs), std::to_string(*t), LogValueType::time);
        return;
      }
      added = false;
      break;
    case CefKind::file_hash: {
      const std::string_view name = hash_name(value.size());
      if (!name.empty() && is_hex(value)) {
        std::string lowered = std::move(value);
        for (char& c : lowered) c = lower(c);
        out.add(std::string(name), std::move(lowered));
        return;
      }
      added = false;
      break;
    }
  }
  if (!added) out.add(cef_name(key), std::move(value));
}

void add_severity(LogEvent& out, std::string_view sev) {
  int level = -1;
  if (!sev.empty() && sev.size() <= 2 && is_digit(sev[0]) && (sev.size() == 1 || is_digit(sev[1]))) {
    level = sev.size() == 1 ? sev[0] - '0' : (sev[0] - '0') * 10 + (sev[1] - '0');
    if (level > 10) level = -1;
  } else if (iequals(sev, "low")) {
    level = 3;
  } else if (iequals(sev, "medium")) {
    level = 6;
  } else if (iequals(sev, "high")) {
    level = 8;
  } else if (iequals(sev, "very-high")) {
    level = 10;
  }
  if (level >= 0) out.add("event.severity", std::to_string(level), LogValueType::integer);
  else if (!sev.empty() && !iequals(sev, "unknown")) out.add("cef.severity", std::string(sev));
}

}  // namespace

Result<void> parse_cef(std::string_view text, LogEvent& out) {
  if (!text.starts_with("CEF:")) return Error{"cef: does not start with \"CEF:\""};
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == '\0')) text.remove_suffix(1);

  // Version, vendor, product, version, signature id, name, severity: split at
  // unescaped '|'. The extension is what follows the seventh field.
  std::array<std::string_view, 7> header{};
  std::size_t pos = 4;
  std::size_t count = 0;
  std::size_t start = pos;
  std::string_view extension;
  while (count < header.size()) {
    if (pos >= text.size()) {
      header[count++] = text.substr(start);  // no extension: severity ends the text
      break;
    }
    if (text[pos] == '\\' && pos + 1 < text.size()) {
      pos += 2;
      continue;
    }
    if (text[pos] == '|') {
      header[count++] = text.substr(start, pos - start);
      start = ++pos;
      if (count == header.size()) extension = text.substr(pos);
      continue;
    }
    ++pos;
  }
  if (count < header.size()) {
    return Error{"cef: header has " + std::to_string(count) + " of 7 fields (ends at byte " +
                 std::to_string(text.size()) + ")"};
  }
  std::string_view version = header[0];
  while (!version.empty() && version.front() == ' ') version.remove_prefix(1);
  if (version.empty() || !is_digit(version[0])) {
    return Error{"cef: version \"" + std::string(version) + "\" is not a number at byte 4"};
  }

  out.fields.reserve(out.fields.size() + 24);
  out.add("cef.version", std::string(version));
  if (!header[1].empty()) out.add("observer.vendor", unescape_header(header[1]));
  if (!header[2].empty()) out.add("observer.product", unescape_header(header[2]));
  if (!header[3].empty()) out.add("observer.version", unescape_header(header[3]));
  if (!header[4].empty()) out.add("event.code", unescape_header(header[4]));
  std::string name = unescape_header(header[5]);
  if (!name.empty()) out.add("rule.name", name);
  add_severity(out, header[6]);

  std::optional<std::string> message;
  std::string_view key;
  std::size_t value_start = 0;
  const std::size_t n = extension.size();
  auto flush = [&](std::size_t value_end) {
    std::string_view raw = extension.substr(value_start, value_end - value_start);
    while (!raw.empty() && raw.back() == ' ') raw.remove_suffix(1);
    if (!key.empty() && !raw.empty()) add_extension(out, key, unescape_value(raw), message);
  };
  for (std::size_t i = 0; i < n; ++i) {
    const char c = extension[i];
    if (c == '\\') {
      ++i;
      continue;
    }
    if (c != '=') continue;
    std::size_t k = i;
    while (k > 0 && key_char(extension[k - 1])) --k;
    if (k == i || (k > 0 && extension[k - 1] != ' ')) continue;  // '=' inside a value
    if (!key.empty()) flush(k);
    key = extension.substr(k, i - k);
    value_start = i + 1;
  }
  if (!key.empty()) flush(n);

  out.message = message ? std::move(*message) : std::move(name);
  out.dataset = "cef";
  out.parser = "cef";
  return ok();
}

}  // namespace opensoc::logparse
