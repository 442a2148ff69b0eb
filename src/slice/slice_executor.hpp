#pragma once
// SliceCursor: runs one PCAP slice query against the packet index and the
// segment files, producing pcap records in timestamp order.
//
// Plan: the index's segment table picks the segments overlapping the query's
// time range; in each, the filter's predicates become flow-number sets
// (address ranges, ports, protocol, VLAN, Community ID prefix) combined by
// the filter's AND/OR; each candidate flow is checked exactly against the
// filter for both directions, and the postings of the matching directions
// give record offsets. A filter-less (time-only) query walks the segments'
// records instead. A segment's matching records are sorted by time (storage
// order for equal times); segments are opened as the merge reaches their
// first packet time, and a k-way merge on packet time produces one stream
// in timestamp order across workers and segments. Records are copied
// verbatim from the segment mappings (nanosecond times and bytes as
// captured). Memory: the matching offsets of the segments open at the merge
// front, never the result.
//
// Threading: a cursor is used by one thread (an HTTP thread or the `pcap`
// command); it holds an LMDB read transaction for its lifetime, so keep it
// short-lived.
#include <cstdint>
#include <memory>
#include <string>

#include "index/packet_index.hpp"
#include "opensoc/core/result.hpp"
#include "slice/slice_query.hpp"
#include "store/store_config.hpp"

namespace opensoc::slice {

struct SliceOptions {
  store::StoreConfig store;
  std::string data_dir;
  std::uint16_t community_id_seed = 0;
};

enum class Truncation : std::uint8_t { no, limit, limit_bytes };
[[nodiscard]] const char* to_string(Truncation t) noexcept;

struct SliceOutcome {
  std::uint64_t packets = 0;
  std::uint64_t bytes = 0;            ///< pcap bytes produced, file header included
  Truncation truncated = Truncation::no;
  TimestampNs start = 0;              ///< the time range actually used (after the default window)
  TimestampNs end = 0;
  std::uint64_t segments = 0;         ///< segments the plan touched
  std::uint64_t skipped_records = 0;  ///< records unreadable or of another link type than the file's
};

class SliceCursor {
 public:
  struct Impl;
  explicit SliceCursor(std::unique_ptr<Impl> impl);
  ~SliceCursor();
  SliceCursor(const SliceCursor&) = delete;
  SliceCursor& operator=(const SliceCursor&) = delete;

  /// Appends pcap bytes (the 24-byte file header first) to `out` until it
  /// holds at least `target_bytes` or the slice ends; false once it ended.
  bool fill(std::string& out, std::size_t target_bytes);
  [[nodiscard]] const SliceOutcome& outcome() const noexcept;

 private:
  std::unique_ptr<Impl> impl_;
};

/// Plans the query. Fails only when the index cannot be read.
Result<std::unique_ptr<SliceCursor>> open_slice(const index::PacketIndex& index, const SliceOptions& options,
                                                const SliceQuery& query);

/// A download name for the slice: "opensoc-<start>-<end>.pcap" in compact
/// UTC, e.g. "opensoc-20261127T100000Z-20261127T110000Z.pcap".
std::string slice_file_name(const SliceOutcome& o);

}  // namespace opensoc::slice
