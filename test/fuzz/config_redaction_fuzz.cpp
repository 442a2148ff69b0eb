// Fuzzes the running-config renderer (GET /api/v1/config): any bytes must
// give valid-looking JSON or an Error, never a crash, a hang, an escaping
// exception or an unbounded output (alias bombs).
// Seeds: test/fuzz/seeds/config_redaction/.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "config/config_redaction.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto result = opensoc::config::redacted_config_json(text);
  if (result.has_value()) {
    const std::string& json = *result;
    // One JSON value: an object, array, string, number, true, false or null.
    if (json.empty()) std::abort();
    if (json.size() > (17u << 20)) std::abort();  // the 16 MiB cap, plus one last value
  } else {
    (void)result.error().message.size();
  }
  (void)opensoc::config::is_secret_key(text);
  return 0;
}
