#pragma once
// Byte layout of a compacted segment (docs/STORAGE.md, "Compacted
// segments"): once a segment is closed and fully indexed its flow entries,
// attribute keys and postings chunks are rewritten as a few large values
// under table 05, which LMDB stores in packed overflow pages (no per-entry
// node header, no half-empty leaf pages). This file owns the value codecs;
// PacketIndex::compact_segment writes them and PacketIndex::Reader reads
// them. Views are bounds-checked against hostile bytes: a value that does
// not parse yields nothing, never a read outside it. Pure functions and
// views over caller-owned bytes; any thread.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "index/index_keys.hpp"
#include "index/index_records.hpp"
#include "index/postings.hpp"

namespace opensoc::index {

/// Third field of a packed key 05 | seg be64 | part.
enum class PackedPart : std::uint8_t {
  flows = 0x01,     ///< the flow-entry array; its presence marks the segment compacted
  postings = 0x02,  ///< directory + concatenated per-flow postings streams
  // 0x10 + AttributeKind: one sorted (value, flow_no) record array per kind
};

inline constexpr std::uint8_t kPackedVersion = 1;
inline constexpr std::size_t kPackedKeySize = kSegmentPrefixSize + 1;
/// A flow slot: a FlowEntry value (index_keys.hpp) verbatim. Its first byte
/// is 0 for "no entry" and kPackedUndecodable for an entry that existed but
/// did not decode (all_flows lists it, flow() does not return it).
inline constexpr std::size_t kPackedFlowSlotSize = kFlowEntryValueSize;
inline constexpr std::uint8_t kPackedUndecodable = 0xFF;

[[nodiscard]] KeyBuffer packed_key(SegmentId seg, PackedPart part) noexcept;
[[nodiscard]] KeyBuffer packed_attribute_key(SegmentId seg, AttributeKind kind) noexcept;

/// The flows value: version byte, then one slot per flow_no 0..n-1.
class PackedFlowsView {
 public:
  /// nullopt for the wrong version or a length that is not 1 + n * slot.
  [[nodiscard]] static std::optional<PackedFlowsView> parse(std::span<const std::uint8_t> value) noexcept;
  [[nodiscard]] std::uint32_t slots() const noexcept { return slots_; }
  /// The flow had a FlowEntry key before compaction.
  [[nodiscard]] bool present(std::uint32_t flow_no) const noexcept;
  [[nodiscard]] std::optional<FlowEntry> entry(std::uint32_t flow_no) const noexcept;

 private:
  std::span<const std::uint8_t> bytes_;
  std::uint32_t slots_ = 0;
};

/// Builds the flows value: n empty slots, then set() each entry.
class PackedFlowsBuilder {
 public:
  explicit PackedFlowsBuilder(std::uint32_t slots);
  /// `raw` is the FlowEntry value as stored; one that would not decode is
  /// kept as present-but-undecodable.
  void set(std::uint32_t flow_no, std::span<const std::uint8_t> raw) noexcept;
  [[nodiscard]] const std::vector<std::uint8_t>& bytes() const noexcept { return bytes_; }

 private:
  std::vector<std::uint8_t> bytes_;
};

/// An attribute value: version byte, kind byte, then records of
/// attribute_value_size(kind) value bytes + be32 flow_no, sorted bytewise
/// (value, then flow_no), as the attribute keys were.
class PackedAttributesView {
 public:
  /// nullopt for the wrong version or kind, or a ragged length. The records
  /// must be sorted for lookups to be complete; unsorted (hostile) records
  /// give incomplete results but never an out-of-bounds read.
  [[nodiscard]] static std::optional<PackedAttributesView> parse(AttributeKind kind,
                                                                 std::span<const std::uint8_t> value) noexcept;
  /// Appends the flow_no of every record whose value is in [lo, hi]
  /// (attribute_value_size bytes each), in record order.
  void flows_in_range(const std::uint8_t* lo, const std::uint8_t* hi, std::vector<std::uint32_t>& out) const;
  [[nodiscard]] std::size_t records() const noexcept { return records_; }

 private:
  std::span<const std::uint8_t> bytes_;  // the records
  std::size_t width_ = 0;                // value bytes
  std::size_t records_ = 0;
};

/// Appends one (value, flow_no) record; call in key order.
void append_packed_attribute(std::vector<std::uint8_t>& value, std::span<const std::uint8_t> attribute,
                             std::uint32_t flow_no);
/// A new attribute value for `kind`: the version and kind bytes.
[[nodiscard]] std::vector<std::uint8_t> start_packed_attributes(AttributeKind kind);

/// The postings value:
///   0 version | 1 n be32 | 5 (n + 1) be32 stream offsets |
///   n be32 last chunk numbers | stream bytes
/// Flow i's postings are stream[offset[i], offset[i+1]): one delta stream
/// as PostingsEncoder writes it without chunk breaks (so decode_postings
/// reads it), empty for a flow without postings.
class PackedPostingsView {
 public:
  [[nodiscard]] static std::optional<PackedPostingsView> parse(std::span<const std::uint8_t> value) noexcept;
  /// As Reader::postings: true and nothing appended for a flow without
  /// postings; false (out unchanged) for corrupt bytes.
  [[nodiscard]] bool postings(std::uint32_t flow_no, std::vector<Posting>& out) const;
  /// nullopt for a flow without postings or with corrupt bytes.
  [[nodiscard]] std::optional<std::pair<std::uint32_t, std::uint32_t>> tail(std::uint32_t flow_no) const;

 private:
  // The flow's stream bytes; nullopt if the directory is inconsistent.
  [[nodiscard]] std::optional<std::span<const std::uint8_t>> stream_of(std::uint32_t flow_no) const noexcept;
  std::span<const std::uint8_t> directory_;  // (n + 1) offsets
  std::span<const std::uint8_t> chunks_;     // n last chunk numbers
  std::span<const std::uint8_t> stream_;
  std::uint32_t flows_ = 0;
};

/// Builds the postings value; add flows in increasing flow_no order.
class PackedPostingsBuilder {
 public:
  /// Flow `flow_no`'s postings (strictly increasing offsets) and the number of
  /// its last chunk before compaction. False (nothing added) for a flow_no not
  /// above the previous one, offsets out of order, or a stream past 4 GiB.
  [[nodiscard]] bool add(std::uint32_t flow_no, std::span<const Posting> postings, std::uint32_t last_chunk_no);
  /// The value for flows 0..flows-1; flows must exceed every added flow_no.
  [[nodiscard]] std::vector<std::uint8_t> finish(std::uint32_t flows) const;

 private:
  struct Added {
    std::uint32_t flow_no;
    std::uint32_t begin;
    std::uint32_t end;
    std::uint32_t last_chunk_no;
  };
  std::vector<Added> added_;
  std::vector<std::uint8_t> stream_;
};

}  // namespace opensoc::index
