// parse_kv: "key=value" log bodies (iptables/netfilter, FortiGate, Palo
// Alto's syslog, proxies) into ECS fields, and the endpoint helpers that the
// CEF and LEEF parsers share with it.
//
// In: the message body (syslog MSG or a whole line). Out: fields appended to
// a LogEvent. Pure function; runs on the ingest parser thread, reentrant.
// Allocations are the LogField strings only (plus a value buffer when a
// quoted value has escapes).
#include "logparse/kv_parser.hpp"

#include <array>
#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "logparse/ascii_text.hpp"
#include "opensoc/core/ip_protocol.hpp"

namespace opensoc::logparse {
namespace {

enum class KvKind : std::uint8_t { source_ip, destination_ip, source_port, destination_port, transport, message, text, integer, ip };

struct KvMapping {
  std::string_view key;  // lower case
  KvKind kind;
  std::string_view ecs;
};

// The keys firewalls actually write (netfilter's LOG target, FortiOS,
// PAN-OS custom formats, Squid-style proxies), matched case-insensitively.
constexpr std::array<KvMapping, 61> kKvMappings = {{
    {"src", KvKind::source_ip, "source.ip"},
    {"srcip", KvKind::source_ip, "source.ip"},
    {"src_ip", KvKind::source_ip, "source.ip"},
    {"sourceip", KvKind::source_ip, "source.ip"},
    {"source_ip", KvKind::source_ip, "source.ip"},
    {"srcaddr", KvKind::source_ip, "source.ip"},
    {"src_addr", KvKind::source_ip, "source.ip"},
    {"dst", KvKind::destination_ip, "destination.ip"},
    {"dstip", KvKind::destination_ip, "destination.ip"},
    {"dst_ip", KvKind::destination_ip, "destination.ip"},
    {"destip", KvKind::destination_ip, "destination.ip"},
    {"dest_ip", KvKind::destination_ip, "destination.ip"},
    {"destination_ip", KvKind::destination_ip, "destination.ip"},
    {"dstaddr", KvKind::destination_ip, "destination.ip"},
    {"dst_addr", KvKind::destination_ip, "destination.ip"},
    {"sport", KvKind::source_port, "source.port"},
    {"srcport", KvKind::source_port, "source.port"},
    {"src_port", KvKind::source_port, "source.port"},
    {"spt", KvKind::source_port, "source.port"},
    {"source_port", KvKind::source_port, "source.port"},
    {"dport", KvKind::destination_port, "destination.port"},
    {"dstport", KvKind::destination_port, "destination.port"},
    {"dst_port", KvKind::destination_port, "destination.port"},
    {"dpt", KvKind::destination_port, "destination.port"},
    {"dest_port", KvKind::destination_port, "destination.port"},
    {"destination_port", KvKind::destination_port, "destination.port"},
    {"proto", KvKind::transport, "network.transport"},
    {"protocol", KvKind::transport, "network.transport"},
    {"action", KvKind::text, "event.action"},
    {"user", KvKind::text, "user.name"},
    {"usrname", KvKind::text, "user.name"},
    {"username", KvKind::text, "user.name"},
    {"srcuser", KvKind::text, "user.name"},
    {"url", KvKind::text, "url.original"},
    {"host", KvKind::text, "observer.hostname"},
    {"hostname", KvKind::text, "observer.hostname"},
    {"devname", KvKind::text, "observer.hostname"},
    {"devid", KvKind::text, "observer.serial_number"},
    {"msg", KvKind::message, "message"},
    {"message", KvKind::message, "message"},
    {"srcmac", KvKind::text, "source.mac"},
    {"src_mac", KvKind::text, "source.mac"},
    {"dstmac", KvKind::text, "destination.mac"},
    {"dst_mac", KvKind::text, "destination.mac"},
    {"in", KvKind::text, "observer.ingress.interface.name"},
    {"srcintf", KvKind::text, "observer.ingress.interface.name"},
    {"out", KvKind::text, "observer.egress.interface.name"},
    {"dstintf", KvKind::text, "observer.egress.interface.name"},
    {"sentbyte", KvKind::integer, "source.bytes"},
    {"bytes_sent", KvKind::integer, "source.bytes"},
    {"rcvdbyte", KvKind::integer, "destination.bytes"},
    {"bytes_received", KvKind::integer, "destination.bytes"},
    {"sentpkt", KvKind::integer, "source.packets"},
    {"rcvdpkt", KvKind::integer, "destination.packets"},
    {"policyid", KvKind::text, "rule.id"},
    {"rule", KvKind::text, "rule.name"},
    {"logid", KvKind::text, "event.code"},
    {"level", KvKind::text, "log.level"},
    {"transip", KvKind::ip, "source.nat.ip"},
    {"transport", KvKind::integer, "source.nat.port"},
    {"severity", KvKind::text, "log.level"},
}};

const KvMapping* find_mapping(std::string_view key) noexcept {
  for (const auto& m : kKvMappings)
    if (iequals(key, m.key)) return &m;
  return nullptr;
}

constexpr bool is_space(char c) noexcept { return c == ' ' || c == '\t'; }

constexpr bool key_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
         c == '-' || c == '/' || c == '@';
}

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (is_space(s.front()) || s.front() == '\r' || s.front() == '\n')) s.remove_prefix(1);
  while (!s.empty() && (is_space(s.back()) || s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

std::string unescape_quoted(std::string_view raw) {
  std::string v;
  v.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\\' && i + 1 < raw.size()) {
      const char n = raw[++i];
      v.push_back(n == 'n' ? '\n' : n == 't' ? '\t' : n == 'r' ? '\r' : n);
    } else {
      v.push_back(raw[i]);
    }
  }
  return v;
}

std::string kv_name(std::string_view key) {
  std::string name;
  name.reserve(3 + key.size());
  name.append("kv.").append(key);
  return name;
}

void add_pair(LogEvent& out, std::string_view key, std::string value, std::optional<std::string>& message) {
  const KvMapping* m = find_mapping(key);
  if (m == nullptr) {
    out.add(kv_name(key), std::move(value));
    return;
  }
  bool added = true;
  switch (m->kind) {
    case KvKind::source_ip: added = add_ip_field(out, m->ecs, value, &out.endpoints.source_ip); break;
    case KvKind::destination_ip: added = add_ip_field(out, m->ecs, value, &out.endpoints.destination_ip); break;
    case KvKind::ip: added = add_ip_field(out, m->ecs, value, nullptr); break;
    case KvKind::source_port: added = add_port_field(out, m->ecs, value, &out.endpoints.source_port); break;
    case KvKind::destination_port:
      added = add_port_field(out, m->ecs, value, &out.endpoints.destination_port);
      break;
    case KvKind::transport: added = add_transport_field(out, value); break;
    case KvKind::integer: added = add_integer_field(out, m->ecs, value); break;
    case KvKind::message:
      // The first msg= is the message; a repeated one is kept as a field.
      if (!message) {
        message = std::move(value);
        return;
      }
      out.add(kv_name(key), std::move(value));
      return;
    case KvKind::text: out.add(std::string(m->ecs), std::move(value)); break;
  }
  // A value that does not fit its ECS type is kept, untyped, under kv.*.
  if (!added) out.add(kv_name(key), std::move(value));
}

}  // namespace

Result<void> parse_kv(std::string_view text, LogEvent& out, std::size_t min_pairs) {
  // A refusal must leave `out` as it was: the message parser tries kv as a
  // fallback on events that already carry the syslog header fields.
  const std::size_t fields_before = out.fields.size();
  const LogEndpoints endpoints_before = out.endpoints;
  auto refuse = [&](Error e) -> Result<void> {
    out.fields.resize(fields_before);
    out.endpoints = endpoints_before;
    return e;
  };

  std::size_t pairs = 0;
  std::string_view prefix;
  std::optional<std::string> message;  // from msg=
  std::size_t pos = 0;
  const std::size_t n = text.size();
  while (pos < n) {
    while (pos < n && (is_space(text[pos]) || text[pos] == '\r' || text[pos] == '\n')) ++pos;
    if (pos >= n) break;
    const std::size_t start = pos;
    while (pos < n && key_char(text[pos])) ++pos;
    if (pos == start || pos >= n || text[pos] != '=') {
      // Not a pair (netfilter flags like "DF SYN", free text): skip the word.
      while (pos < n && !is_space(text[pos])) ++pos;
      continue;
    }
    const std::string_view key = text.substr(start, pos - start);
    ++pos;
    if (pairs == 0) prefix = trim(text.substr(0, start));
    ++pairs;
    if (pos < n && (text[pos] == '"' || text[pos] == '\'')) {
      const char quote = text[pos];
      const std::size_t vstart = ++pos;
      bool escaped = false;
      while (pos < n && text[pos] != quote) {
        if (text[pos] == '\\' && pos + 1 < n) {
          escaped = true;
          ++pos;
        }
        ++pos;
      }
      if (pos >= n) {
        return refuse(Error{"kv: unterminated quoted value of '" + std::string(key) + "' at byte " +
                            std::to_string(vstart - 1)});
      }
      const std::string_view raw = text.substr(vstart, pos - vstart);
      ++pos;
      if (pos < n && (text[pos] == ',' || text[pos] == ';')) ++pos;
      if (!raw.empty()) add_pair(out, key, escaped ? unescape_quoted(raw) : std::string(raw), message);
    } else {
      const std::size_t vstart = pos;
      while (pos < n && !is_space(text[pos])) ++pos;
      const std::string_view raw = text.substr(vstart, pos - vstart);
      // "OUT=" (netfilter: no output interface) says the value is absent.
      if (!raw.empty()) add_pair(out, key, std::string(raw), message);
    }
  }
  if (pairs < min_pairs) {
    // The usual refusal (a plain-text syslog MSG tried by "auto") stays
    // within the small-string buffer: no allocation.
    if (pairs == 0) return refuse(Error{"kv: no pairs"});
    return refuse(Error{"kv: " + std::to_string(pairs) + " key=value pairs, at least " + std::to_string(min_pairs) +
                        " needed"});
  }
  if (message) {
    out.message = std::move(*message);
  } else if (!prefix.empty() && prefix.find('=') == std::string_view::npos) {
    out.message.assign(prefix);
  }
  if (out.dataset.empty()) out.dataset = "log";
  out.parser = "kv";
  return ok();
}

}  // namespace opensoc::logparse
