#pragma once
// GeoIpDatabase: one MaxMind DB (.mmdb) file, memory-mapped, answering
// country / city / location / ASN for an address. libmaxminddb's one home.
// Opened on the control thread; lookups are const and safe from any number
// of threads at once (libmaxminddb reads the mapping without state).
#include <cstdint>
#include <memory>
#include <string>

#include "opensoc/core/enrichment.hpp"
#include "opensoc/core/ip_address.hpp"
#include "opensoc/core/result.hpp"

struct MMDB_s;

namespace opensoc::enrich {

class GeoIpDatabase {
 public:
  /// Maps `path` (MMDB_MODE_MMAP). Error: missing, unreadable or not an
  /// MMDB file, with the path and libmaxminddb's reason. The mapping lives
  /// as long as the returned object.
  static Result<std::unique_ptr<GeoIpDatabase>> open(const std::string& path);

  ~GeoIpDatabase();
  GeoIpDatabase(const GeoIpDatabase&) = delete;
  GeoIpDatabase& operator=(const GeoIpDatabase&) = delete;

  /// Fills the fields of `out` that are still empty (zero) with what this
  /// database knows about `address`, so several databases (City, then ASN)
  /// can be consulted in turn and the first that knows a field wins. Reads
  /// both MaxMind's nested layout (country.iso_code, city.names.en,
  /// location.latitude, autonomous_system_number, ...) and the flat layout
  /// of the ip-location-db files (country_code, city, latitude, ...). An
  /// IPv4-mapped IPv6 address is looked up as IPv4; an IPv6 address in an
  /// IPv4-only database, a miss or a corrupt record leaves `out` unchanged.
  /// Never throws; allocates only for the strings it copies.
  void lookup(const IpAddress& address, GeoInfo& out) const noexcept;

  /// The metadata's database_type ("GeoLite2-City", "city ipv4", ...).
  [[nodiscard]] std::string database_type() const;
  /// When the file was built (seconds since the epoch).
  [[nodiscard]] std::uint64_t build_epoch() const;

 private:
  GeoIpDatabase();
  void learn_layout() noexcept;

  std::unique_ptr<MMDB_s> mmdb_;
  // Which key layouts (nested MaxMind, flat ip-location-db) the records use,
  // learned at open from a sample of records: a lookup then only asks for
  // the keys that can exist, which is most of its cost.
  std::uint8_t layouts_ = 0;
};

}  // namespace opensoc::enrich
