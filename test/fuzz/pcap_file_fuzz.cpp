// Fuzzes PcapFileSource over arbitrary bytes: open, then drain every batch,
// touching the first and last byte of each frame so that a view reaching
// outside the input is caught by AddressSanitizer. Seeds: test/fuzz/seeds/pcap_file/
// (small corpus pcaps and their pcapng / nanosecond conversions).
#include <cstddef>
#include <cstdint>
#include <span>

#include "capture/pcap_file_source.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using opensoc::capture::PcapFileSource;
  auto src = PcapFileSource::open_memory(std::span<const std::uint8_t>(data, size), "fuzz-input");
  if (!src) return 0;
  opensoc::PacketBatch batch;
  volatile std::uint8_t sink = 0;
  // Each frame consumes at least 12 input bytes, so this loop ends; the
  // bound makes a reader bug a failure instead of a hang.
  for (std::size_t rounds = 0; rounds <= size; ++rounds) {
    const std::uint32_t n = (*src)->next_batch(batch);
    if (n == 0) break;
    for (std::uint32_t i = 0; i < n; ++i) {
      const auto& v = batch.packets[i];
      if (v.caplen != 0) sink = static_cast<std::uint8_t>(sink ^ v.data[0] ^ v.data[v.caplen - 1]);
    }
    (*src)->release(batch);
  }
  if (!(*src)->exhausted()) __builtin_trap();
  return 0;
}
