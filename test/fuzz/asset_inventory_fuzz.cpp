// Fuzzes the asset inventory readers: any bytes, as a CSV or a YAML asset
// file, must give an AssetInventory or an Error plus warnings, never a crash,
// a hang or an escaping exception (yaml-cpp throws on bad syntax; the reader
// must catch it). Seeds: test/fuzz/seeds/asset_inventory/.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "enrich/asset_inventory.hpp"

namespace {

void touch(const opensoc::Result<opensoc::enrich::AssetInventory>& result) {
  if (result.has_value()) {
    // Every stored network must be findable without tripping the sanitizers.
    const auto any = opensoc::IpAddress::parse("10.0.0.1");
    if (any) (void)result->find(*any);
    (void)result->size();
  } else {
    (void)result.error().message.size();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> warnings;
  touch(opensoc::enrich::AssetInventory::parse_csv(text, "fuzz.csv", warnings));
  touch(opensoc::enrich::AssetInventory::parse_yaml(text, "fuzz.yaml", warnings));
  return 0;
}
