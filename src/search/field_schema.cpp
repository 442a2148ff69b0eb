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
};

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

const FieldAlias* find_alias(std::string_view name) noexcept {
  for (const FieldAlias& a : kAliases) {
    if (a.alias == name) return &a;
  }
  return nullptr;
}

}  // namespace opensoc::search
