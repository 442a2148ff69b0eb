// Fuzzes the alert store's record decoder: a damaged or hostile LMDB value
// must decode to nullopt, never crash; a record that decodes re-encodes to a
// record that decodes to the same encoding (the codec is its own oracle).
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "alert/alert_record_codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto a = opensoc::alert::decode_alert_record(std::span<const std::uint8_t>(data, size));
  if (!a) return 0;
  std::vector<std::uint8_t> once;
  opensoc::alert::encode_alert_record(*a, once);
  const auto b = opensoc::alert::decode_alert_record(once);
  if (!b) __builtin_trap();
  std::vector<std::uint8_t> twice;
  opensoc::alert::encode_alert_record(*b, twice);
  if (once != twice) __builtin_trap();
  return 0;
}
