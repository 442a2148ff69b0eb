// The table of searchable fields. Adding a field: give it a fresh prefix and,
// if it is a number, a time or a facet, a fresh slot; existing prefixes and
// slots must never change (shards on disk use them).
#include "search/field_schema.hpp"

#include <array>

namespace opensoc::search {
namespace {

using enum FieldType;

constexpr std::array kFields{
    FieldSpec{"@timestamp", time, "XTS", 0, false},
    FieldSpec{"event.dataset", keyword, "XED", 1, true},
    FieldSpec{"session.id", keyword, "XSID", kNoSlot, false},
    FieldSpec{"source.ip", ip, "XSIP", 2, true},
    FieldSpec{"destination.ip", ip, "XDIP", 3, true},
    FieldSpec{"source.port", number, "XSP", 4, true},
    FieldSpec{"destination.port", number, "XDP", 5, true},
    FieldSpec{"network.transport", keyword, "XNT", 6, true},
    FieldSpec{"network.protocol", keyword, "XNP", 7, true},
    FieldSpec{"network.community_id", keyword, "XCID", kNoSlot, false},
    FieldSpec{"network.vlan.id", number, "XVL", 8, true},
    FieldSpec{"source.bytes", number, "XSB", 9, false},
    FieldSpec{"destination.bytes", number, "XDB", 10, false},
    FieldSpec{"network.bytes", number, "XNB", 11, false},
    FieldSpec{"source.packets", number, "XSPK", 12, false},
    FieldSpec{"destination.packets", number, "XDPK", 13, false},
    FieldSpec{"network.packets", number, "XNPK", 14, false},
    FieldSpec{"event.duration", number, "XDUR", 15, false},
    FieldSpec{"event.reason", keyword, "XER", 16, true},
    FieldSpec{"dns.question.name", domain, "XDQN", 17, true},
    FieldSpec{"dns.question.type", keyword, "XDQT", 18, true},
    FieldSpec{"dns.response_code", keyword, "XDRC", 19, true},
    FieldSpec{"dns.answers.data", keyword, "XDAD", kNoSlot, false},
    FieldSpec{"dns.answers.name", domain, "XDAN", kNoSlot, false},
    FieldSpec{"dns.id", number, "XDID", 39, false},
    FieldSpec{"dns.type", keyword, "XDTY", 40, true},
    FieldSpec{"http.request.method", keyword, "XHM", 20, true},
    FieldSpec{"url.domain", domain, "XUD", 21, true},
    FieldSpec{"url.path", keyword, "XUP", kNoSlot, false},
    FieldSpec{"url.query", keyword, "XUQ", kNoSlot, false},
    FieldSpec{"url.original", text, "XUO", kNoSlot, false},
    FieldSpec{"http.response.status_code", number, "XHS", 22, true},
    FieldSpec{"user_agent.original", text, "XUA", 23, true},
    FieldSpec{"http.request.referrer", keyword, "XHR", kNoSlot, false},
    FieldSpec{"http.response.mime_type", keyword, "XHMT", 24, true},
    FieldSpec{"http.request.body.bytes", number, "XHQB", 25, false},
    FieldSpec{"http.response.body.bytes", number, "XHRB", 26, false},
    FieldSpec{"http.version", keyword, "XHV", 41, true},
    FieldSpec{"tls.version", keyword, "XTV", 27, true},
    FieldSpec{"tls.client.server_name", domain, "XSNI", 28, true},
    FieldSpec{"tls.client.ja3", keyword, "XJA3", 29, true},
    FieldSpec{"tls.client.ja4", keyword, "XJA4", 30, true},
    FieldSpec{"tls.server.ja3s", keyword, "XJ3S", 31, true},
    FieldSpec{"tls.cipher", keyword, "XTC", 32, true},
    FieldSpec{"tls.next_protocol", keyword, "XALP", kNoSlot, false},
    FieldSpec{"tls.server.subject", text, "XTSU", 33, true},
    FieldSpec{"tls.server.issuer", text, "XTIS", 34, true},
    FieldSpec{"tls.server.x509.alternative_names", domain, "XSAN", kNoSlot, false},
    FieldSpec{"tls.server.not_after", time, "XTNA", 35, false},
    FieldSpec{"ssh.client.software", keyword, "XSSC", 36, true},
    FieldSpec{"ssh.server.software", keyword, "XSSS", 37, true},
    FieldSpec{"dhcp.hostname", domain, "XDHN", 38, true},
    FieldSpec{"dhcp.client_mac", keyword, "XDHM", kNoSlot, false},
    FieldSpec{"dhcp.assigned_ip", ip, "XDHA", kNoSlot, false},
    FieldSpec{"quic.version", keyword, "XQV", 42, true},
    FieldSpec{"ssh.client.hassh", keyword, "XHSC", 43, true},
    FieldSpec{"ssh.server.hassh", keyword, "XHSS", 44, true},
    // Enrichment (issue 5): GeoIP/ASN, the asset inventory (custom, not
    // ECS), direction from the internal networks, threat-intel matches.
    FieldSpec{"source.geo.country_iso_code", keyword, "XSGC", 45, true},
    FieldSpec{"destination.geo.country_iso_code", keyword, "XDGC", 46, true},
    FieldSpec{"source.geo.city_name", keyword, "XSGY", 47, true},
    FieldSpec{"destination.geo.city_name", keyword, "XDGY", 48, true},
    FieldSpec{"source.as.number", number, "XSASN", 49, true},
    FieldSpec{"destination.as.number", number, "XDASN", 50, true},
    FieldSpec{"source.as.organization.name", text, "XSASO", 51, true},
    FieldSpec{"destination.as.organization.name", text, "XDASO", 52, true},
    FieldSpec{"source.asset.name", keyword, "XSAST", 53, true},
    FieldSpec{"destination.asset.name", keyword, "XDAST", 54, true},
    FieldSpec{"source.asset.criticality", keyword, "XSACR", 55, true},
    FieldSpec{"destination.asset.criticality", keyword, "XDACR", 56, true},
    FieldSpec{"network.direction", keyword, "XND", 57, true},
    FieldSpec{"threat.indicator.type", keyword, "XTIT", 58, true},
    FieldSpec{"threat.indicator.provider", keyword, "XTIP", 59, true},
    FieldSpec{"threat.indicator.confidence", number, "XTIC", 60, false},
    FieldSpec{"threat.matched.field", keyword, "XTMF", 61, true},
    FieldSpec{"threat.indicator.value", keyword, "XTIV", 62, true},
    // Alert documents (src/alert/alert_document.cpp); event.kind is on every
    // document ("event" for sessions and protocol events, "alert").
    FieldSpec{"event.kind", keyword, "XEK", 63, true},
    FieldSpec{"alert.id", number, "XAID", 64, false},
    FieldSpec{"rule.id", keyword, "XRID", 65, true},
    FieldSpec{"rule.name", text, "XRN", 66, true},
    FieldSpec{"rule.category", keyword, "XRC", 67, true},
    FieldSpec{"event.severity", number, "XESV", 68, true},
    FieldSpec{"alert.score", number, "XASC", 69, false},
    FieldSpec{"alert.signature_id", number, "XASID", 70, true},
    // Log events and flow exports (issue 8): syslog headers, what the
    // parsers map to ECS, and where a record came from.
    FieldSpec{"message", text, "XMSG", kNoSlot, false},
    FieldSpec{"host.hostname", keyword, "XHHN", 71, true},
    FieldSpec{"process.name", keyword, "XPRN", 72, true},
    FieldSpec{"process.pid", number, "XPID", 73, false},
    FieldSpec{"log.syslog.facility.name", keyword, "XLSF", 74, true},
    FieldSpec{"log.syslog.severity.name", keyword, "XLSS", 75, true},
    FieldSpec{"log.syslog.severity.code", number, "XLSSC", 76, true},
    FieldSpec{"log.syslog.facility.code", number, "XLSFC", 77, true},
    FieldSpec{"log.syslog.msgid", keyword, "XLSM", 78, true},
    FieldSpec{"log.source.address", keyword, "XLSA", 79, true},
    FieldSpec{"labels.listener", keyword, "XLBL", 80, true},
    FieldSpec{"input.type", keyword, "XINT", 81, true},
    FieldSpec{"event.created", time, "XECR", 82, false},
    FieldSpec{"event.action", keyword, "XEA", 83, true},
    FieldSpec{"event.outcome", keyword, "XEO", 84, true},
    FieldSpec{"event.code", keyword, "XEC", 85, true},
    FieldSpec{"event.module", keyword, "XEM", 86, true},
    FieldSpec{"user.name", keyword, "XUN", 87, true},
    FieldSpec{"source.user.name", keyword, "XSUN", 88, true},
    FieldSpec{"destination.user.name", keyword, "XDUN", 89, true},
    FieldSpec{"observer.vendor", keyword, "XOV", 90, true},
    FieldSpec{"observer.product", keyword, "XOP", 91, true},
    FieldSpec{"observer.hostname", keyword, "XOH", 92, true},
    FieldSpec{"observer.ip", ip, "XOIP", 93, true},
    FieldSpec{"tags", keyword, "XTAG", 94, true},
    FieldSpec{"event.start", time, "XEST", 95, false},
    FieldSpec{"event.end", time, "XEEN", 96, false},
    FieldSpec{"netflow.exporter.address", ip, "XNEA", 97, true},
    FieldSpec{"netflow.exporter.version", number, "XNEV", 98, true},
    FieldSpec{"log.parser", keyword, "XLP", 99, true},
    FieldSpec{"source.domain", domain, "XSDOM", 100, true},
    FieldSpec{"destination.domain", domain, "XDDOM", 101, true},
    FieldSpec{"file.hash.sha256", keyword, "XFH256", 102, false},
    FieldSpec{"file.name", keyword, "XFN", kNoSlot, false},
    FieldSpec{"source.mac", keyword, "XSMAC", kNoSlot, false},
    FieldSpec{"destination.mac", keyword, "XDMAC", kNoSlot, false},
    FieldSpec{"zeek.session_id", keyword, "XZUID", kNoSlot, false},
    FieldSpec{"url.full", keyword, "XUF", kNoSlot, false},
    FieldSpec{"event.id", keyword, "XEID", kNoSlot, false},
};

// Parser-made names outside the table (cef.extensions.cs1, kv.policyid, a
// syslog SD-PARAM, a flattened JSON member, ...): one keyword space.
constexpr FieldSpec kDynamicField{"*", keyword, "XF", kNoSlot, false};

// Roots whose every name is a parser's own; elsewhere an unknown dotted name
// is taken as dynamic only when it is not a typo of a known field.
constexpr std::array<std::string_view, 10> kDynamicRoots{
    "cef.", "leef.", "kv.", "zeek.", "suricata.", "log.syslog.structured_data.", "labels.", "netflow.", "json.",
    "log.syslog."};

constexpr std::array kAliases{
    FieldAlias{"ip", {"source.ip", "destination.ip"}},
    FieldAlias{"port", {"source.port", "destination.port"}},
    FieldAlias{"host", {"url.domain", "dns.question.name", "tls.client.server_name", "dhcp.hostname"}},
    FieldAlias{"sni", {"tls.client.server_name"}},
    FieldAlias{"dns", {"dns.question.name"}},
    FieldAlias{"domain", {"url.domain", "dns.question.name", "tls.client.server_name"}},
    FieldAlias{"ja3", {"tls.client.ja3"}},
    FieldAlias{"ja4", {"tls.client.ja4"}},
    FieldAlias{"hassh", {"ssh.client.hassh", "ssh.server.hassh"}},
    FieldAlias{"proto", {"network.protocol"}},
    FieldAlias{"transport", {"network.transport"}},
    FieldAlias{"cid", {"network.community_id"}},
    FieldAlias{"ua", {"user_agent.original"}},
    FieldAlias{"method", {"http.request.method"}},
    FieldAlias{"status", {"http.response.status_code"}},
    FieldAlias{"bytes", {"network.bytes"}},
    FieldAlias{"country", {"source.geo.country_iso_code", "destination.geo.country_iso_code"}},
    FieldAlias{"asn", {"source.as.number", "destination.as.number"}},
    FieldAlias{"asset", {"source.asset.name", "destination.asset.name"}},
    FieldAlias{"threat", {"threat.indicator.value"}},
    FieldAlias{"rule", {"rule.name"}},
    FieldAlias{"sid", {"alert.signature_id"}},
    FieldAlias{"parser", {"log.parser"}},
    FieldAlias{"msg", {"message"}},
    FieldAlias{"hostname", {"host.hostname", "observer.hostname"}},
    FieldAlias{"program", {"process.name"}},
    FieldAlias{"user", {"user.name", "source.user.name", "destination.user.name"}},
    FieldAlias{"listener", {"labels.listener"}},
    FieldAlias{"dataset", {"event.dataset"}},
    FieldAlias{"exporter", {"netflow.exporter.address"}},
    FieldAlias{"facility", {"log.syslog.facility.name"}},
};

}  // namespace

std::span<const FieldSpec> field_specs() noexcept { return kFields; }

const FieldSpec* find_field(std::string_view name) noexcept {
  for (const FieldSpec& f : kFields) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::span<const FieldAlias> field_aliases() noexcept { return kAliases; }

const FieldSpec& dynamic_field_spec() noexcept { return kDynamicField; }

std::span<const std::string_view> dynamic_roots() noexcept { return kDynamicRoots; }

bool has_dynamic_root(std::string_view name) noexcept {
  for (std::string_view root : kDynamicRoots) {
    if (name.size() > root.size() && name.substr(0, root.size()) == root) return true;
  }
  return false;
}

const FieldAlias* find_alias(std::string_view name) noexcept {
  for (const FieldAlias& a : kAliases) {
    if (a.alias == name) return &a;
  }
  return nullptr;
}

}  // namespace opensoc::search
