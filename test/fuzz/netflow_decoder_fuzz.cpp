// Fuzz harness for NetflowDecoder. The input is a sequence of datagrams,
// each prefixed by its length (2 bytes, big-endian), all from one exporter,
// so that templates learnt from one datagram decode the data of the next.
// A trailing fragment shorter than its prefix is fed as it is. Every few
// datagrams the decoder expires templates, exercising the cache's erase path.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "logparse/netflow_decoder.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  opensoc::logparse::NetflowDecoder decoder(
      opensoc::logparse::NetflowOptions{.template_timeout_s = 1800, .max_templates = 64});
  const auto exporter = opensoc::IpAddress::v4(std::array<std::uint8_t, 4>{192, 0, 2, 1}.data());
  std::vector<opensoc::LogEvent> events;
  const std::span<const std::uint8_t> input(data, size);
  std::size_t pos = 0;
  opensoc::TimestampNs now = 1'700'000'000LL * opensoc::kNsPerSecond;
  unsigned n = 0;
  while (pos + 2 <= input.size()) {
    std::size_t len = static_cast<std::size_t>(input[pos]) << 8 | input[pos + 1];
    pos += 2;
    if (len > input.size() - pos) len = input.size() - pos;
    const auto before = events.size();
    const auto produced = decoder.decode(input.subspan(pos, len), exporter, 2055, now, events);
    if (events.size() - before != produced) __builtin_trap();
    pos += len;
    now += 60 * opensoc::kNsPerSecond;
    if (++n % 8 == 0) decoder.expire(now);
  }
  const auto& s = decoder.stats();
  if (s.records != events.size() || s.templates_active > 64) __builtin_trap();
  return 0;
}
