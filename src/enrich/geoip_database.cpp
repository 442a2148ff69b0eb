// GeoIP/ASN lookups over libmaxminddb (see geoip_database.hpp). Opened on the
// control thread at (re)load; lookup() runs on the indexer thread for every
// session and protocol event, so it walks the mapped tree with fixed key paths
// (MMDB_aget_value) and never builds an entry list. Each key path costs a walk
// of the record's map, so at open a sample of records tells which layouts the
// file uses (MaxMind's nested maps, ip-location-db's flat keys, ASN keys) and
// lookups ask only for those.
#include "enrich/geoip_database.hpp"

#include <maxminddb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "enrich/ip_prefix_trie.hpp"

namespace opensoc::enrich {
namespace {

// MaxMind's GeoIP2/GeoLite2 layout first, then the flat ip-location-db one.
constexpr const char* kCountryIso[] = {"country", "iso_code", nullptr};
constexpr const char* kRegisteredCountryIso[] = {"registered_country", "iso_code", nullptr};
constexpr const char* kFlatCountryCode[] = {"country_code", nullptr};
constexpr const char* kCountryName[] = {"country", "names", "en", nullptr};
constexpr const char* kFlatCountryName[] = {"country_name", nullptr};
constexpr const char* kCityName[] = {"city", "names", "en", nullptr};
constexpr const char* kFlatCity[] = {"city", nullptr};
constexpr const char* kLatitude[] = {"location", "latitude", nullptr};
constexpr const char* kLongitude[] = {"location", "longitude", nullptr};
constexpr const char* kFlatLatitude[] = {"latitude", nullptr};
constexpr const char* kFlatLongitude[] = {"longitude", nullptr};
constexpr const char* kAsNumber[] = {"autonomous_system_number", nullptr};
constexpr const char* kAsOrg[] = {"autonomous_system_organization", nullptr};

bool get(MMDB_entry_s& entry, const char* const* path, MMDB_entry_data_s& data) noexcept {
  return MMDB_aget_value(&entry, &data, path) == MMDB_SUCCESS && data.has_data;
}

// A non-empty UTF-8 string at `path`, copied into `out` only while `out` is
// empty. The flat layout stores "" for unknown cities: that stays empty.
bool fill_string(MMDB_entry_s& entry, const char* const* path, std::string& out) noexcept {
  if (!out.empty()) return true;
  MMDB_entry_data_s data{};
  if (!get(entry, path, data) || data.type != MMDB_DATA_TYPE_UTF8_STRING || data.data_size == 0) return false;
  try {
    out.assign(data.utf8_string, data.data_size);
  } catch (...) {
    return false;  // out of memory: leave the field unknown rather than abort the lookup
  }
  return true;
}

bool get_double(MMDB_entry_s& entry, const char* const* path, double& out) noexcept {
  MMDB_entry_data_s data{};
  if (!get(entry, path, data)) return false;
  if (data.type == MMDB_DATA_TYPE_DOUBLE) {
    out = data.double_value;
    return true;
  }
  if (data.type == MMDB_DATA_TYPE_FLOAT) {
    out = static_cast<double>(data.float_value);
    return true;
  }
  return false;
}

bool get_double_present(MMDB_entry_s& entry) noexcept {
  double ignored = 0;
  return get_double(entry, kFlatLatitude, ignored);
}

bool get_uint32(MMDB_entry_s& entry, const char* const* path, std::uint32_t& out) noexcept;

bool get_uint32_present(MMDB_entry_s& entry) noexcept {
  std::uint32_t ignored = 0;
  return get_uint32(entry, kAsNumber, ignored);
}

bool get_uint32(MMDB_entry_s& entry, const char* const* path, std::uint32_t& out) noexcept {
  MMDB_entry_data_s data{};
  if (!get(entry, path, data)) return false;
  switch (data.type) {
    case MMDB_DATA_TYPE_UINT16: out = data.uint16; return true;
    case MMDB_DATA_TYPE_UINT32: out = data.uint32; return true;
    case MMDB_DATA_TYPE_INT32:
      if (data.int32 < 0) return false;
      out = static_cast<std::uint32_t>(data.int32);
      return true;
    case MMDB_DATA_TYPE_UINT64:
      if (data.uint64 > 0xffffffffULL) return false;
      out = static_cast<std::uint32_t>(data.uint64);
      return true;
    default: return false;
  }
}

constexpr std::uint8_t kNested = 1;
constexpr std::uint8_t kFlat = 2;
constexpr std::uint8_t kFlatCountryNames = 4;
constexpr std::uint8_t kAs = 8;
constexpr std::uint8_t kEverything = kNested | kFlat | kFlatCountryNames | kAs;
constexpr std::uint32_t kSampleRecords = 64;
constexpr std::uint32_t kSampleNodes = 1 << 14;

constexpr const char* kCountry[] = {"country", nullptr};
constexpr const char* kLocation[] = {"location", nullptr};
constexpr const char* kContinent[] = {"continent", nullptr};
constexpr const char* kRegisteredCountry[] = {"registered_country", nullptr};

bool has_type(MMDB_entry_s& entry, const char* const* path, std::uint32_t type) noexcept {
  MMDB_entry_data_s data{};
  return get(entry, path, data) && data.type == type;
}

std::uint8_t layout_of(MMDB_entry_s& entry) noexcept {
  std::uint8_t layout = 0;
  if (has_type(entry, kCountry, MMDB_DATA_TYPE_MAP) || has_type(entry, kRegisteredCountry, MMDB_DATA_TYPE_MAP) ||
      has_type(entry, kLocation, MMDB_DATA_TYPE_MAP) || has_type(entry, kContinent, MMDB_DATA_TYPE_MAP) ||
      has_type(entry, kFlatCity, MMDB_DATA_TYPE_MAP)) {
    layout |= kNested;
  }
  if (has_type(entry, kFlatCountryCode, MMDB_DATA_TYPE_UTF8_STRING) ||
      has_type(entry, kFlatCity, MMDB_DATA_TYPE_UTF8_STRING) || get_double_present(entry)) {
    layout |= kFlat;
  }
  if (has_type(entry, kFlatCountryName, MMDB_DATA_TYPE_UTF8_STRING)) layout |= kFlatCountryNames;
  if (has_type(entry, kAsOrg, MMDB_DATA_TYPE_UTF8_STRING) || get_uint32_present(entry)) layout |= kAs;
  return layout;
}

// Depth-first over the search tree from the root, reading the records of the
// first data entries met; bounded in nodes and records so a huge or cyclic
// (aliased) tree costs a fixed amount at open.
void sample(const MMDB_s& mmdb, std::uint32_t node, std::uint32_t depth, std::uint32_t& nodes, std::uint32_t& records,
            std::uint8_t& layouts) noexcept {
  if (depth > 128 || nodes >= kSampleNodes || records >= kSampleRecords || node >= mmdb.metadata.node_count) return;
  ++nodes;
  MMDB_search_node_s search{};
  if (MMDB_read_node(&mmdb, node, &search) != MMDB_SUCCESS) return;
  const std::uint8_t types[2] = {search.left_record_type, search.right_record_type};
  const std::uint64_t next[2] = {search.left_record, search.right_record};
  MMDB_entry_s* entries[2] = {&search.left_record_entry, &search.right_record_entry};
  for (int side = 0; side < 2; ++side) {
    if (types[side] == MMDB_RECORD_TYPE_DATA) {
      ++records;
      layouts |= layout_of(*entries[side]);
    } else if (types[side] == MMDB_RECORD_TYPE_SEARCH_NODE && next[side] <= 0xffffffffULL) {
      sample(mmdb, static_cast<std::uint32_t>(next[side]), depth + 1, nodes, records, layouts);
    }
  }
}

}  // namespace

GeoIpDatabase::GeoIpDatabase() : mmdb_(std::make_unique<MMDB_s>()) {}

GeoIpDatabase::~GeoIpDatabase() { MMDB_close(mmdb_.get()); }

Result<std::unique_ptr<GeoIpDatabase>> GeoIpDatabase::open(const std::string& path) {
  std::unique_ptr<GeoIpDatabase> db(new GeoIpDatabase());
  std::memset(db->mmdb_.get(), 0, sizeof(MMDB_s));
  const int status = MMDB_open(path.c_str(), MMDB_MODE_MMAP, db->mmdb_.get());
  if (status != MMDB_SUCCESS) {
    const int saved_errno = errno;
    std::string reason = MMDB_strerror(status);
    if (status == MMDB_IO_ERROR) reason += std::string(" (") + std::strerror(saved_errno) + ")";
    // MMDB_open releases what it took on failure; nothing for the destructor to close.
    std::memset(db->mmdb_.get(), 0, sizeof(MMDB_s));
    return Error{"cannot open GeoIP database " + path + ": " + reason};
  }
  db->learn_layout();
  return db;
}

void GeoIpDatabase::learn_layout() noexcept {
  std::uint32_t nodes = 0, records = 0;
  std::uint8_t layouts = 0;
  sample(*mmdb_, 0, 0, nodes, records, layouts);
  // An ASN-only database shows neither geo layout: only its two keys are
  // asked for. An empty sample (no records reached) asks for everything.
  layouts_ = records == 0 ? kEverything : layouts;
}

void GeoIpDatabase::lookup(const IpAddress& raw, GeoInfo& out) const noexcept {
  const IpAddress address = unmap_ipv4(raw);
  int mmdb_error = MMDB_SUCCESS;
  MMDB_lookup_result_s found{};
  if (address.version == 4) {
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    std::memcpy(&sa.sin_addr, address.bytes.data(), 4);
    found = MMDB_lookup_sockaddr(mmdb_.get(), reinterpret_cast<const sockaddr*>(&sa), &mmdb_error);
  } else if (address.version == 6) {
    // libmaxminddb reports this as an error; for us it is simply "not known here".
    if (mmdb_->metadata.ip_version == 4) return;
    sockaddr_in6 sa{};
    sa.sin6_family = AF_INET6;
    std::memcpy(&sa.sin6_addr, address.bytes.data(), 16);
    found = MMDB_lookup_sockaddr(mmdb_.get(), reinterpret_cast<const sockaddr*>(&sa), &mmdb_error);
  } else {
    return;
  }
  if (mmdb_error != MMDB_SUCCESS || !found.found_entry) return;
  MMDB_entry_s& entry = found.entry;

  if ((layouts_ & kNested) != 0) {
    if (!fill_string(entry, kCountryIso, out.country_iso)) {
      // Anycast and satellite ranges have only the registrant's country.
      (void)fill_string(entry, kRegisteredCountryIso, out.country_iso);
    }
    (void)fill_string(entry, kCountryName, out.country_name);
    (void)fill_string(entry, kCityName, out.city);
    double lat = 0, lon = 0;
    if (!out.has_location && get_double(entry, kLatitude, lat) && get_double(entry, kLongitude, lon)) {
      out.latitude = lat;
      out.longitude = lon;
      out.has_location = true;
    }
  }
  if ((layouts_ & kFlat) != 0) {
    (void)fill_string(entry, kFlatCountryCode, out.country_iso);
    if ((layouts_ & kFlatCountryNames) != 0) (void)fill_string(entry, kFlatCountryName, out.country_name);
    (void)fill_string(entry, kFlatCity, out.city);
    double lat = 0, lon = 0;
    if (!out.has_location && get_double(entry, kFlatLatitude, lat) && get_double(entry, kFlatLongitude, lon)) {
      out.latitude = lat;
      out.longitude = lon;
      out.has_location = true;
    }
  }
  if ((layouts_ & kAs) == 0) return;
  if (out.as_number == 0) {
    std::uint32_t asn = 0;
    if (get_uint32(entry, kAsNumber, asn)) out.as_number = asn;
  }
  (void)fill_string(entry, kAsOrg, out.as_org);
}

std::string GeoIpDatabase::database_type() const {
  const char* type = mmdb_->metadata.database_type;
  return type == nullptr ? std::string() : std::string(type);
}

std::uint64_t GeoIpDatabase::build_epoch() const { return mmdb_->metadata.build_epoch; }

}  // namespace opensoc::enrich
