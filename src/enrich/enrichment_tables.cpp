// Enrichment: the GeoIP/ASN databases, the asset inventory and the internal
// networks as one read-only snapshot (see enrichment_tables.hpp).
//
// In: an EnrichmentConfig at startup or reload (control thread), then a
// session's or protocol event's Endpoints (indexer thread, once per session
// and per event). Out: the Enrichment's source and destination halves,
// rendered later as ECS source.geo / source.as / source.asset. A lookup is a
// trie walk (internal networks, assets) plus one mapped-tree walk per
// database; the only allocations are the strings copied into the result, and
// those reuse the capacity of the value being overwritten.
#include "enrich/enrichment_tables.hpp"

#include <ctime>

#include "enrich/ip_prefix_trie.hpp"

namespace opensoc::enrich {
namespace {

std::string utc_date(std::uint64_t epoch) {
  const auto t = static_cast<std::time_t>(epoch);
  std::tm tm{};
  if (gmtime_r(&t, &tm) == nullptr) return "?";
  char buf[16];
  if (std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm) == 0) return "?";
  return buf;
}

void reset(GeoInfo& geo) noexcept {
  geo.country_iso.clear();
  geo.country_name.clear();
  geo.city.clear();
  geo.latitude = 0;
  geo.longitude = 0;
  geo.has_location = false;
  geo.as_number = 0;
  geo.as_org.clear();
}

void reset(AssetInfo& asset) noexcept {
  asset.name.clear();
  asset.owner.clear();
  asset.role.clear();
  asset.criticality = Criticality::unknown;
}

}  // namespace

Result<std::shared_ptr<const EnrichmentTables>> EnrichmentTables::load(const EnrichmentConfig& config) {
  std::shared_ptr<EnrichmentTables> tables(new EnrichmentTables());
  for (const auto& path : config.geoip_databases) {
    auto db = GeoIpDatabase::open(path);
    if (!db) return db.error().context("enrichment");
    tables->summary_.geoip.push_back(path + " (" + (*db)->database_type() + ", built " +
                                     utc_date((*db)->build_epoch()) + ")");
    tables->geoip_.push_back(std::move(*db));
  }
  if (!config.assets.empty()) {
    auto assets = AssetInventory::load(config.assets, tables->summary_.warnings);
    if (!assets) return assets.error().context("enrichment");
    tables->summary_.assets = assets->size();
    tables->assets_.emplace(std::move(*assets));
  }
  if (config.internal_networks.empty()) {
    tables->internal_ = NetworkSet::private_defaults();
  } else {
    auto internal = NetworkSet::parse(config.internal_networks);
    if (!internal) return internal.error().context("enrichment");
    tables->internal_ = std::move(*internal);
  }
  tables->summary_.internal_networks = tables->internal_.size();
  return std::shared_ptr<const EnrichmentTables>(std::move(tables));
}

void EnrichmentTables::enrich_endpoint(const IpAddress& raw, EndpointEnrichment& out) const noexcept {
  reset(out.geo);
  reset(out.asset);
  out.internal = false;
  if (raw.version == 0) return;
  const IpAddress address = unmap_ipv4(raw);
  out.internal = internal_.contains(address);
  for (const auto& db : geoip_) db->lookup(address, out.geo);
  if (assets_) {
    if (const AssetInfo* asset = assets_->find(address)) {
      try {
        out.asset = *asset;  // copy-assignment reuses the strings' capacity
      } catch (...) {
        reset(out.asset);  // out of memory: the asset stays unknown
      }
    }
  }
}

void EnrichmentTables::enrich(const Endpoints& endpoints, Enrichment& out) const noexcept {
  enrich_endpoint(endpoints.src_ip, out.source);
  enrich_endpoint(endpoints.dst_ip, out.destination);
}

}  // namespace opensoc::enrich
