#pragma once
// Postings: which records of a segment belong to a flow, as a compact varint
// blob per (segment, flow, chunk). Each packet is one unsigned LEB128 varint
// of (delta << 1) | swapped, where delta is the record offset minus the
// previous packet's offset in the same chunk; the first packet of a chunk is
// relative to 0 (absolute), so every chunk decodes on its own. A delta is
// never 0 (offsets are strictly increasing and offset 0 is the pcap header).
// PostingsEncoder runs on the indexer thread; decode_postings on any thread.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace opensoc::index {

/// One packet of a flow: where its record starts in the segment, and whether
/// its source was the flow key's hi side.
struct Posting {
  std::uint32_t offset = 0;
  bool swapped = false;
  friend bool operator==(const Posting&, const Posting&) = default;
};

/// Longest varint: a 32-bit delta shifted left by one is 33 bits, 5 groups of 7.
inline constexpr std::size_t kMaxPostingBytes = 5;

/// Encodes one flow's packets of one segment into numbered chunks. Owned by
/// the indexer, one per (segment, flow); not thread-safe. add() allocates
/// only when the buffer grows.
///
/// Commit cycle: at each commit, a dirty() encoder contributes
/// {chunk_no(), bytes()} to the IndexBatch (a copy); once that batch is
/// committed, call committed(). A chunk smaller than kChunkTargetBytes stays
/// open: later packets extend it and the next commit rewrites it whole under
/// the same number. So a flow with one packet per commit costs one LMDB
/// entry per ~kChunkTargetBytes of postings, not one per commit (an entry's
/// key and node overhead is ~30 bytes, ten times a posting). If a commit
/// fails, just do not call committed(): the next batch carries the same chunk.
class PostingsEncoder {
 public:
  /// A chunk this large is closed at the next committed(). Bounds both the
  /// bytes rewritten per flow per commit and the indexer's memory per flow.
  static constexpr std::size_t kChunkTargetBytes = 256;

  /// Appends a packet. Offsets must be strictly increasing across the flow's
  /// chunks (and > 0); returns false and appends nothing otherwise.
  bool add(std::uint32_t offset, bool swapped);

  /// The current chunk, whole (committed postings included).
  [[nodiscard]] std::span<const std::uint8_t> bytes() const noexcept { return bytes_; }
  /// Its number: chunks of a flow are numbered 0, 1, ... in offset order.
  [[nodiscard]] std::uint32_t chunk_no() const noexcept { return chunk_no_; }
  /// Packets were added since the last committed() (or ever).
  [[nodiscard]] bool dirty() const noexcept { return dirty_; }
  [[nodiscard]] bool empty() const noexcept { return bytes_.empty(); }
  /// Packets in the current chunk.
  [[nodiscard]] std::uint32_t packets() const noexcept { return packets_; }
  /// The flow's last offset added (or given to resume); 0 for none.
  [[nodiscard]] std::uint32_t last_offset() const noexcept { return last_offset_; }

  /// The batch carrying {chunk_no(), bytes()} committed: clears dirty() and
  /// closes the chunk if it reached kChunkTargetBytes (the next add starts
  /// chunk_no() + 1, reusing the buffer).
  void committed() noexcept;

  /// Moves the current chunk's bytes out and starts chunk_no() + 1, for a
  /// caller that wants one chunk per batch instead of the commit cycle.
  [[nodiscard]] std::vector<std::uint8_t> take_chunk() noexcept;

  /// Continues a flow the index already holds (after a restart): the next
  /// packet starts chunk last_chunk_no + 1 and must exceed last_offset
  /// (Reader::postings_tail gives both).
  void resume(std::uint32_t last_chunk_no, std::uint32_t last_offset) noexcept;

 private:
  void start_next_chunk() noexcept;

  std::vector<std::uint8_t> bytes_;
  std::uint32_t last_offset_ = 0;     // ordering across chunks
  std::uint32_t chunk_previous_ = 0;  // delta base within the chunk: 0 at a chunk's start
  std::uint32_t packets_ = 0;
  std::uint32_t chunk_no_ = 0;
  bool dirty_ = false;
};

/// Appends the chunk's postings to `out` in order. Returns false, with `out`
/// restored to its size on entry, for malformed bytes: a truncated or
/// over-long varint, a zero delta, or an offset past 2^32 - 1. Never reads
/// outside `chunk`. Any thread; allocates only to grow `out`.
[[nodiscard]] bool decode_postings(std::span<const std::uint8_t> chunk, std::vector<Posting>& out);

}  // namespace opensoc::index
