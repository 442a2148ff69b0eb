#pragma once
// SegmentReader: read access to one closed segment, for PCAP slices and the
// index rebuild. Any thread; a reader is not shared between threads without
// the caller's own synchronisation (it has no mutable state, so concurrent
// const use is fine).
#include <cstdint>
#include <span>
#include <string>

#include "opensoc/core/packet_view.hpp"
#include "opensoc/core/result.hpp"
#include "store/pcap_format.hpp"
#include "store/posix_file.hpp"
#include "store/segment_writer.hpp"

namespace opensoc::store {

/// One record as read from a segment. packet.data points into the reader's
/// mapping (or memory) and is valid while the reader lives.
struct StoredRecord {
  PacketView packet;          ///< link from the segment header; port and queue 0
  std::uint64_t offset = 0;   ///< where the record (its header) starts
  std::uint32_t length = 0;   ///< 16 + caplen: [offset, offset + length) is the whole record
};

class SegmentReader {
 public:
  static constexpr std::uint64_t kFirstRecordOffset = kGlobalHeaderSize;

  /// Maps a closed segment read-only and checks its header. Retention
  /// unlinks segments and never truncates them, so the mapping stays valid
  /// after the file is removed. Blocking: open + fstat + mmap.
  static Result<SegmentReader> open(const std::string& path);

  /// The same over bytes the caller owns and keeps alive (tests, fuzzing).
  static Result<SegmentReader> open_memory(std::span<const std::uint8_t> bytes);

  [[nodiscard]] LinkType link() const noexcept { return header_.link; }
  [[nodiscard]] std::uint32_t snaplen() const noexcept { return header_.snaplen; }
  [[nodiscard]] std::uint64_t size() const noexcept { return bytes_.size(); }
  [[nodiscard]] std::span<const std::uint8_t> bytes() const noexcept { return bytes_; }

  /// Reads the record starting at `offset`. Every field is checked against
  /// the file (check_record); the view never reaches outside it. An offset
  /// that is not a record start is rejected when what lies there is not a
  /// well-formed record; offsets from the index also carry the length, so use
  /// read(RecordLocation) for those.
  RecordStatus read_at(std::uint64_t offset, StoredRecord& out) const noexcept;

  /// read_at(loc.offset), also rejecting (wrong_length) a record whose length
  /// is not loc.length. The segment id is the caller's business.
  RecordStatus read(const RecordLocation& loc, StoredRecord& out) const noexcept;

  /// Calls visit(const StoredRecord&) for each record in file order, stopping
  /// at the first that is not ok; returns that status (end_of_data when every
  /// byte of the file was a complete record).
  template <typename Visit>
  RecordStatus for_each(Visit&& visit) const {
    StoredRecord rec;
    std::uint64_t offset = kFirstRecordOffset;
    RecordStatus s;
    while ((s = read_at(offset, rec)) == RecordStatus::ok) {
      visit(static_cast<const StoredRecord&>(rec));
      offset += rec.length;
    }
    return s;
  }

 private:
  SegmentReader(Mapping mapping, std::span<const std::uint8_t> bytes, GlobalHeader header) noexcept
      : mapping_(std::move(mapping)), bytes_(bytes), header_(header) {}

  Mapping mapping_;  // empty for open_memory
  std::span<const std::uint8_t> bytes_;
  GlobalHeader header_;
};

}  // namespace opensoc::store
