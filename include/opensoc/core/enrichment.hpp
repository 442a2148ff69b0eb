#pragma once
/// Enrichment: what the appliance knows about a session's or event's two
/// endpoints beyond the packets (GeoIP/ASN, the asset inventory, whether the
/// address is one of ours) and the threat-intel indicators it matched. Plain
/// values, filled on the indexer thread from read-only tables and rendered as
/// ECS `source.geo.*`, `source.as.*`, `source.asset.*` (custom),
/// `threat.indicator.*` / `threat.enrichments`.
#include <cstdint>
#include <string>
#include <vector>

#include "opensoc/core/time.hpp"

namespace opensoc {

struct GeoInfo {
  std::string country_iso;   ///< "US"; empty when unknown
  std::string country_name;  ///< "United States"
  std::string city;          ///< empty where the database has none
  double latitude = 0, longitude = 0;
  bool has_location = false;
  std::uint32_t as_number = 0;  ///< 0 when unknown
  std::string as_org;
  [[nodiscard]] bool empty() const noexcept { return country_iso.empty() && city.empty() && as_number == 0 && !has_location; }
};

/// Asset criticality, ordered: a detector may compare (>= high).
enum class Criticality : std::uint8_t { unknown = 0, low, medium, high, critical };

constexpr const char* criticality_name(Criticality c) noexcept {
  switch (c) {
    case Criticality::unknown: return "unknown";
    case Criticality::low: return "low";
    case Criticality::medium: return "medium";
    case Criticality::high: return "high";
    case Criticality::critical: return "critical";
  }
  return "unknown";
}

struct AssetInfo {
  std::string name;   ///< "db-prod-1"; empty: not in the inventory
  std::string owner;
  std::string role;
  Criticality criticality = Criticality::unknown;
  [[nodiscard]] bool known() const noexcept { return !name.empty(); }
};

struct EndpointEnrichment {
  bool internal = false;  ///< inside the config's internal networks
  GeoInfo geo;
  AssetInfo asset;
};

enum class IndicatorType : std::uint8_t { ipv4, ipv6, cidr, domain, url, ja3, ja4, cert_sha1, cert_sha256 };

constexpr const char* indicator_type_name(IndicatorType t) noexcept {
  switch (t) {
    case IndicatorType::ipv4: return "ipv4-addr";
    case IndicatorType::ipv6: return "ipv6-addr";
    case IndicatorType::cidr: return "cidr";
    case IndicatorType::domain: return "domain-name";
    case IndicatorType::url: return "url";
    case IndicatorType::ja3: return "ja3";
    case IndicatorType::ja4: return "ja4";
    case IndicatorType::cert_sha1: return "x509-sha1";
    case IndicatorType::cert_sha256: return "x509-sha256";
  }
  return "unknown";
}

/// One indicator as loaded (CSV row, STIX indicator, API object).
struct Indicator {
  IndicatorType type = IndicatorType::ipv4;
  std::string value;        ///< normalised: address text, "10.0.0.0/8", lower-case domain without trailing dot, URL, lower-case hex
  std::string source;       ///< feed name ("abuse.ch", file name, "api")
  std::string description;
  std::string id;           ///< STIX id or feed's own id; may be empty
  std::uint8_t confidence = 50;  ///< 0..100
  std::uint8_t severity = 2;     ///< 1 (high) .. 4 (info), Suricata's priority scale
  TimestampNs expires = 0;       ///< 0: never; expired indicators never match
};

/// An indicator that matched, and where.
struct ThreatMatch {
  Indicator indicator;
  std::string field;  ///< the ECS field that matched: "destination.ip", "dns.question.name", "tls.client.server_name", "url.full", "tls.client.ja3", ...
  std::string matched_value;  ///< the observed value ("evil.example.com" for indicator "example.com")
};

/// Everything enrichment adds to a session or event.
struct Enrichment {
  EndpointEnrichment source;
  EndpointEnrichment destination;
  std::vector<ThreatMatch> threats;
  [[nodiscard]] bool empty() const noexcept {
    return !source.internal && !destination.internal && source.geo.empty() && destination.geo.empty() &&
           !source.asset.known() && !destination.asset.known() && threats.empty();
  }
};

}  // namespace opensoc
