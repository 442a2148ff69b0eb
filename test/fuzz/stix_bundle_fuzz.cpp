// Fuzzes the JSON loaders: STIX 2.1 bundles (TAXII downloads, exports) and the
// POST /api/v1/intel body, both untrusted text, and the STIX pattern parser on
// the raw bytes. The loads get the checks of intel_fuzz_checks.hpp; an
// accepted pattern has at least one comparison and no more than the limit.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "intel/intel_json_loader.hpp"
#include "intel/stix_bundle_loader.hpp"
#include "intel/stix_pattern.hpp"
#include "intel_fuzz_checks.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  {
    opensoc::intel::IntelLoadReport report;
    opensoc::intel::fuzz::check_load(opensoc::intel::parse_stix_bundle(text, "fuzz", report), report);
  }
  {
    opensoc::intel::IntelLoadReport report;
    opensoc::intel::fuzz::check_load(opensoc::intel::parse_intel_json(text, "fuzz", report), report);
  }
  const auto p = opensoc::intel::parse_stix_pattern(text);
  if (p && (p->empty() || p->size() > opensoc::intel::kMaxStixComparisons)) __builtin_trap();
  if (!p && p.error().message.empty()) __builtin_trap();
  return 0;
}
