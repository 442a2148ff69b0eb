// Fuzzes GeoIpDatabase on arbitrary .mmdb bytes: the file is an operator
// download (or a truncated copy) that we map and walk at startup and per
// lookup. The bytes go to a per-process file (under /dev/shm when present),
// then open() must succeed or say why, and lookups of IPv4, IPv4-mapped and
// IPv6 addresses must not read out of bounds or crash: a corrupt record
// leaves GeoInfo unchanged. Single-threaded (libFuzzer's loop).
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include "enrich/geoip_database.hpp"
#include "opensoc/core/enrichment.hpp"
#include "opensoc/core/ip_address.hpp"

// libmaxminddb leaks the metadata's language list when MMDB_open refuses a
// malformed one (fixed upstream by maxmind/libmaxminddb PR #356, merged
// 2024-11; Debian 12 ships 1.7.1). Theirs, once per failed open at startup.
extern "C" const char* __lsan_default_suppressions() { return "leak:libmaxminddb\n"; }

namespace {
using namespace opensoc;

std::string scratch_path() {
  const std::filesystem::path base =
      std::filesystem::exists("/dev/shm") ? "/dev/shm" : std::filesystem::temp_directory_path();
  return (base / ("opensoc-geoip-fuzz-" + std::to_string(::getpid()) + ".mmdb")).string();
}

struct ScratchFile {
  std::string path = scratch_path();
  ~ScratchFile() {
    std::error_code ec;
    std::filesystem::remove(path, ec);
  }
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const ScratchFile file;
  static const IpAddress addrs[] = {*IpAddress::parse("1.2.3.4"),     *IpAddress::parse("81.2.69.160"),
                                    *IpAddress::parse("0.0.0.0"),     *IpAddress::parse("255.255.255.255"),
                                    *IpAddress::parse("::ffff:8.8.8.8"), *IpAddress::parse("2001:db8::1"),
                                    *IpAddress::parse("::"),          *IpAddress::parse("ffff::1")};
  {
    std::ofstream out(file.path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    if (!out) __builtin_trap();
  }
  auto db = enrich::GeoIpDatabase::open(file.path);
  if (!db) {
    if (db.error().message.empty()) __builtin_trap();
    return 0;
  }
  (void)(*db)->database_type();
  (void)(*db)->build_epoch();
  for (const IpAddress& a : addrs) {
    GeoInfo g;
    (*db)->lookup(a, g);
    // A second database fills only what is still empty: it must not clobber.
    const GeoInfo first = g;
    (*db)->lookup(a, g);
    if (g.country_iso != first.country_iso || g.city != first.city || g.as_number != first.as_number) __builtin_trap();
  }
  return 0;
}
