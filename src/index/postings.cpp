// Postings codec: delta + LEB128 varint, direction in the low bit. Records of
// real frames are at least 76 bytes apart (16-byte header + 60-byte minimum
// Ethernet frame), so a posting is 2 bytes when a flow's packets are within
// 8 KiB of each other, 3 up to 1 MiB, 4 up to 128 MiB, 5 at most.
#include "index/postings.hpp"

#include <utility>

namespace opensoc::index {

bool PostingsEncoder::add(std::uint32_t offset, bool swapped) {
  if (offset <= last_offset_) return false;
  std::uint64_t v = (static_cast<std::uint64_t>(offset - chunk_previous_) << 1) | (swapped ? 1U : 0U);
  while (v >= 0x80) {
    bytes_.push_back(static_cast<std::uint8_t>(v | 0x80));
    v >>= 7;
  }
  bytes_.push_back(static_cast<std::uint8_t>(v));
  last_offset_ = offset;
  chunk_previous_ = offset;
  ++packets_;
  dirty_ = true;
  return true;
}

void PostingsEncoder::start_next_chunk() noexcept {
  bytes_.clear();
  chunk_previous_ = 0;
  packets_ = 0;
  ++chunk_no_;
}

void PostingsEncoder::committed() noexcept {
  dirty_ = false;
  if (bytes_.size() >= kChunkTargetBytes) start_next_chunk();
}

std::vector<std::uint8_t> PostingsEncoder::take_chunk() noexcept {
  std::vector<std::uint8_t> chunk = std::move(bytes_);
  bytes_ = {};
  start_next_chunk();
  dirty_ = false;
  return chunk;
}

void PostingsEncoder::resume(std::uint32_t last_chunk_no, std::uint32_t last_offset) noexcept {
  chunk_no_ = last_chunk_no;
  start_next_chunk();
  last_offset_ = last_offset;
  dirty_ = false;
}

bool decode_postings(std::span<const std::uint8_t> chunk, std::vector<Posting>& out) {
  const std::size_t entry_size = out.size();
  // Every posting takes at least one byte: the chunk size bounds the count.
  out.reserve(entry_size + chunk.size());
  std::uint64_t previous = 0;
  std::size_t i = 0;
  while (i < chunk.size()) {
    std::uint64_t v = 0;
    unsigned shift = 0;
    bool complete = false;
    for (std::size_t n = 0; n < kMaxPostingBytes && i < chunk.size(); ++n) {
      const std::uint8_t b = chunk[i++];
      v |= static_cast<std::uint64_t>(b & 0x7F) << shift;
      shift += 7;
      if ((b & 0x80) == 0) {
        complete = true;
        break;
      }
    }
    const std::uint64_t delta = v >> 1;
    if (!complete || delta == 0 || previous + delta > 0xFFFFFFFFULL) {
      out.resize(entry_size);
      return false;
    }
    previous += delta;
    out.push_back(Posting{static_cast<std::uint32_t>(previous), (v & 1) != 0});
  }
  return true;
}

}  // namespace opensoc::index
