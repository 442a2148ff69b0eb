// RFC 5424 and CEF renderings of alerts (docs/ALERTS.md, "Syslog"). Every
// text that reaches a receiver is escaped for its slot: SD-PARAM values
// escape " \ ], CEF header fields \ |, CEF extension values \ = and line
// breaks; line breaks elsewhere become spaces, so a hostile signature or
// note cannot forge a second record. Stateless; any thread.
#include "alert/syslog_format.hpp"

#include <ctime>
#include <iterator>

#include <fmt/format.h>

#include "opensoc/core/ip_protocol.hpp"
#include "session/eve_json.hpp"

namespace opensoc::alert {
namespace {

#ifndef OPENSOC_VERSION
#define OPENSOC_VERSION "0"
#endif

constexpr int kFacilitySecurity = 4;

bool has_ip(const IpAddress& ip) { return ip.version == 4 || ip.version == 6; }

// "2026-11-28T08:10:20.123456Z": RFC 5424 allows at most six fraction digits.
std::string syslog_timestamp(TimestampNs ts) {
  std::int64_t sec = ts / kNsPerSecond;
  std::int64_t frac = ts % kNsPerSecond;
  if (frac < 0) {
    frac += kNsPerSecond;
    --sec;
  }
  const auto t = static_cast<std::time_t>(sec);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec, frac / kNsPerMicro);
}

// HOSTNAME is PRINTUSASCII (33..126), 1..255 characters, or "-".
std::string syslog_hostname(std::string_view host) {
  std::string out;
  for (const char c : host.substr(0, 255)) {
    const auto u = static_cast<unsigned char>(c);
    out.push_back(u >= 33 && u <= 126 ? c : '_');
  }
  return out.empty() ? std::string("-") : out;
}

char flatten(char c) { return (c == '\n' || c == '\r') ? ' ' : c; }

void append_sd_value(std::string& out, std::string_view v) {
  for (const char c : v) {
    if (c == '"' || c == '\\' || c == ']') out.push_back('\\');
    out.push_back(flatten(c));
  }
}

void sd_param(std::string& out, std::string_view name, std::string_view value) {
  out.push_back(' ');
  out += name;
  out += "=\"";
  append_sd_value(out, value);
  out.push_back('"');
}

std::string score_text(double score) { return fmt::format("{}", score); }

void append_cef_header(std::string& out, std::string_view v) {
  for (const char c : v) {
    if (c == '\\' || c == '|') out.push_back('\\');
    out.push_back(flatten(c));
  }
}

// Appends "key=value" pairs, space-separated, after the header.
class CefExtension {
 public:
  explicit CefExtension(std::string& out) : out_(out) {}
  void operator()(std::string_view key, std::string_view value);

 private:
  std::string& out_;
  bool first_ = true;
};

void CefExtension::operator()(std::string_view key, std::string_view value) {
  std::string& out = out_;
  if (!first_) out.push_back(' ');
  first_ = false;
  out += key;
  out.push_back('=');
  for (const char c : value) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '=': out += "\\="; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      default: out.push_back(c);
    }
  }
}

std::string ms(TimestampNs ts) { return std::to_string(ts / 1'000'000); }

std::string header(const Alert& a, std::string_view hostname) {
  return fmt::format("<{}>1 {} {} opensocd - alert ", kFacilitySecurity * 8 + syslog_severity(a.hit.severity),
                     syslog_timestamp(a.last_seen), syslog_hostname(hostname));
}

}  // namespace

int syslog_severity(std::uint8_t alert_severity) noexcept {
  switch (alert_severity) {
    case 1: return 2;
    case 2: return 4;
    case 3: return 5;
    default: return 6;
  }
}

int cef_severity(std::uint8_t alert_severity) noexcept {
  switch (alert_severity) {
    case 1: return 10;
    case 2: return 7;
    case 3: return 5;
    default: return 2;
  }
}

std::string alert_syslog_rfc5424(const Alert& a, std::string_view hostname) {
  const DetectionHit& h = a.hit;
  const Endpoints& e = h.endpoints;
  std::string out = header(a, hostname);
  out.push_back('[');
  out += kSyslogSdId;
  sd_param(out, "id", std::to_string(a.id));
  sd_param(out, "rule", h.rule_id);
  sd_param(out, "sid", std::to_string(h.signature_id));
  sd_param(out, "rev", std::to_string(h.rev));
  sd_param(out, "kind", detection_kind_name(h.kind));
  sd_param(out, "category", h.category);
  sd_param(out, "severity", std::to_string(h.severity));
  sd_param(out, "score", score_text(a.score));
  sd_param(out, "status", alert_status_name(a.status));
  sd_param(out, "count", std::to_string(a.count));
  const bool ports = !is_icmp_protocol(e.ip_proto);
  if (has_ip(e.src_ip)) {
    sd_param(out, "src", e.src_ip.to_string());
    if (ports) sd_param(out, "spt", std::to_string(e.src_port));
  }
  if (has_ip(e.dst_ip)) {
    sd_param(out, "dst", e.dst_ip.to_string());
    if (ports) sd_param(out, "dpt", std::to_string(e.dst_port));
  }
  if (e.ip_proto != 0) sd_param(out, "proto", session::eve_proto_name(e.ip_proto));
  if (!h.evidence.empty() && !h.evidence.front().community_id.empty()) {
    sd_param(out, "community_id", h.evidence.front().community_id);
  }
  out += "] ";
  for (const char c : h.signature) out.push_back(flatten(c));
  return out;
}

std::string alert_cef(const Alert& a) {
  const DetectionHit& h = a.hit;
  const Endpoints& e = h.endpoints;
  std::string out = "CEF:0|OpenSOC|opensocd|";
  append_cef_header(out, OPENSOC_VERSION);
  out.push_back('|');
  append_cef_header(out, h.signature_id != 0 ? std::to_string(h.signature_id) : h.rule_id);
  out.push_back('|');
  append_cef_header(out, h.signature);
  out += fmt::format("|{}|", cef_severity(h.severity));
  CefExtension cef_ext(out);
  cef_ext("rt", ms(a.last_seen));
  const bool ports = !is_icmp_protocol(e.ip_proto);
  if (has_ip(e.src_ip)) {
    cef_ext("src", e.src_ip.to_string());
    if (ports) cef_ext("spt", std::to_string(e.src_port));
  }
  if (has_ip(e.dst_ip)) {
    cef_ext("dst", e.dst_ip.to_string());
    if (ports) cef_ext("dpt", std::to_string(e.dst_port));
  }
  if (e.ip_proto != 0) cef_ext("proto", session::eve_proto_name(e.ip_proto));
  if (!h.category.empty()) cef_ext("cat", h.category);
  cef_ext("externalId", std::to_string(a.id));
  cef_ext("cnt", std::to_string(a.count));
  cef_ext("start", ms(a.first_seen));
  cef_ext("end", ms(a.last_seen));
  cef_ext("cs1Label", "score");
  cef_ext("cs1", score_text(a.score));
  cef_ext("cs2Label", "status");
  cef_ext("cs2", alert_status_name(a.status));
  cef_ext("cs3Label", "ruleId");
  cef_ext("cs3", h.rule_id);
  cef_ext("cs4Label", "kind");
  cef_ext("cs4", detection_kind_name(h.kind));
  if (!h.evidence.empty() && !h.evidence.front().community_id.empty()) {
    cef_ext("cs5Label", "communityId");
    cef_ext("cs5", h.evidence.front().community_id);
  }
  return out;
}

std::string alert_syslog_cef(const Alert& a, std::string_view hostname) {
  std::string out = header(a, hostname);
  out += "- ";  // no structured data
  out += alert_cef(a);
  return out;
}

}  // namespace opensoc::alert
