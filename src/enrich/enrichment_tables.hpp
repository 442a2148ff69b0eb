#pragma once
// EnrichmentTables: everything the enrichment step reads (GeoIP/ASN
// databases, the asset inventory, the internal networks), loaded together
// from an EnrichmentConfig on the control thread and then immutable. The
// owner publishes it as shared_ptr<const EnrichmentTables> and swaps the
// whole pointer on reload; the indexer thread calls enrich() on whichever
// snapshot it holds.
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "enrich/asset_inventory.hpp"
#include "enrich/geoip_database.hpp"
#include "enrich/network_set.hpp"
#include "opensoc/core/enrichment.hpp"
#include "opensoc/core/ip_address.hpp"
#include "opensoc/core/protocol_event.hpp"
#include "opensoc/core/result.hpp"

namespace opensoc::enrich {

struct EnrichmentConfig {
  /// .mmdb paths: City/Country and/or ASN, each consulted in this order; the
  /// first that knows a field wins.
  std::vector<std::string> geoip_databases;
  /// Asset inventory file (.csv / .yaml / .yml); "" for none.
  std::string assets;
  /// CIDR networks that are "ours"; empty means NetworkSet::private_defaults().
  std::vector<std::string> internal_networks;
};

/// What was loaded, for the startup log and the status API.
struct EnrichmentSummary {
  std::vector<std::string> geoip;  ///< "path (type, built YYYY-MM-DD)"
  std::size_t assets = 0, internal_networks = 0;
  std::vector<std::string> warnings;  ///< skipped asset rows, "file:line: reason"
};

class EnrichmentTables {
 public:
  /// Opens every database and reads the inventory. Error (naming the file or
  /// entry): a database that cannot be opened, an inventory load() refuses,
  /// a bad internal network. Blocks on file I/O; control thread only.
  static Result<std::shared_ptr<const EnrichmentTables>> load(const EnrichmentConfig& config);

  /// Overwrites `out` with what the tables know about `address`: whether it is
  /// internal, its GeoIP/ASN data (for any address a database knows, internal
  /// ones included) and its asset. Reuses the strings' capacity; never throws.
  /// Safe from any thread.
  void enrich_endpoint(const IpAddress& address, EndpointEnrichment& out) const noexcept;

  /// Fills out.source and out.destination from the endpoints' addresses;
  /// out.threats is left to threat intel.
  void enrich(const Endpoints& endpoints, Enrichment& out) const noexcept;

  [[nodiscard]] const EnrichmentSummary& summary() const noexcept { return summary_; }

 private:
  EnrichmentTables() = default;

  std::vector<std::unique_ptr<GeoIpDatabase>> geoip_;
  std::optional<AssetInventory> assets_;
  NetworkSet internal_;
  EnrichmentSummary summary_;
};

}  // namespace opensoc::enrich
