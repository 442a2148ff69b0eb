// Fuzzes SegmentReader over arbitrary bytes: open_memory, then walk every
// record touching the first and last byte of each frame (so a view outside
// the input is caught by AddressSanitizer), then read at offsets taken from
// the input itself, as a corrupted index would hand them in. Seeds:
// test/fuzz/seeds/segment_reader/ (small segments the store tests write).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

#include "store/segment_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace opensoc::store;
  auto reader = SegmentReader::open_memory(std::span<const std::uint8_t>(data, size));
  if (!reader) return 0;
  volatile std::uint8_t sink = 0;
  std::uint64_t records = 0;
  std::uint64_t bytes = kGlobalHeaderSize;
  const RecordStatus end = reader->for_each([&](const StoredRecord& rec) {
    if (rec.packet.caplen == 0 || rec.packet.caplen > reader->snaplen()) __builtin_trap();
    sink = static_cast<std::uint8_t>(sink ^ rec.packet.data[0] ^ rec.packet.data[rec.packet.caplen - 1]);
    ++records;
    bytes += rec.length;
  });
  // Every record is at least 17 bytes, so the walk is bounded; a clean end
  // means the records tile the input exactly.
  if (records > size / 17) __builtin_trap();
  if (end == RecordStatus::end_of_data && bytes != size && size - bytes < kRecordHeaderSize) __builtin_trap();
  if (end == RecordStatus::ok) __builtin_trap();

  // Offsets from the input's own bytes, read with and without a length.
  for (std::size_t i = 0; i + 12 <= size && i < 4096; i += 12) {
    std::uint64_t off;
    std::uint32_t len;
    std::memcpy(&off, data + i, 8);
    std::memcpy(&len, data + i + 8, 4);
    StoredRecord rec;
    if (reader->read_at(off % (size + 32), rec) == RecordStatus::ok) {
      if (rec.packet.data + rec.packet.caplen > data + size) __builtin_trap();
      sink = static_cast<std::uint8_t>(sink ^ rec.packet.data[rec.packet.caplen - 1]);
    }
    if (reader->read(RecordLocation{0, off, len}, rec) == RecordStatus::ok && rec.length != len) __builtin_trap();
  }
  return 0;
}
