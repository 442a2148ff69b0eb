// Fuzzes the config loader: any bytes must give an AppConfig or an Error,
// never a crash, a hang or an escaping exception (yaml-cpp throws on bad
// syntax; the loader must catch it). Seeds: test/fuzz/seeds/config/.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config/config_loader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto result = opensoc::config::parse_config(text, "fuzz.yaml");
  // Touch the outcome so a broken Result (neither value nor error) is noticed.
  if (result.has_value()) {
    (void)result->capture.ports.size();
  } else {
    (void)result.error().message.size();
  }
  // The listen parser is also reached from the command line (--listen).
  (void)opensoc::config::parse_listen(text);
  return 0;
}
