// Fuzzes the CSV feed loader (a feed file or an upload is untrusted text)
// with the checks of intel_fuzz_checks.hpp.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "intel/intel_csv_loader.hpp"
#include "intel_fuzz_checks.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  opensoc::intel::IntelLoadReport report;
  opensoc::intel::fuzz::check_load(opensoc::intel::parse_intel_csv(text, "fuzz", report), report);
  return 0;
}
