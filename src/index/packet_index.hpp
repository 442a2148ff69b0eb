#pragma once
// PacketIndex: the LMDB environment under <data_dir>/index that maps
// (segment, flow attribute) to flows and (segment, flow) to the record
// offsets of its packets. One writer (the indexer thread: commit,
// drop_segment) and any number of readers (HTTP threads: read()), which see
// consistent snapshots (LMDB MVCC) and never block the writer.
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "index/index_batch.hpp"
#include "index/index_keys.hpp"
#include "index/index_records.hpp"
#include "index/postings.hpp"
#include "opensoc/core/result.hpp"

struct MDB_env;
struct MDB_txn;

namespace opensoc::index {

class PacketIndex {
 public:
  struct Options {
    /// Largest the index file may grow (it is sparse; LMDB maps this much
    /// address space). Bytes.
    std::uint64_t map_size = 64ULL << 30;
    /// Skip fsync at commit (MDB_NOSYNC): tests and benchmarks only. A crash
    /// may then lose or corrupt recent commits.
    bool no_sync = false;
  };

  /// Opens (creating the directory and data.mdb if missing) the index in
  /// `directory`. Fails on an index of another format version. Blocking.
  /// Open one PacketIndex per directory per process (LMDB's rule).
  static Result<std::unique_ptr<PacketIndex>> open(const std::string& directory, Options options);

  ~PacketIndex();
  PacketIndex(const PacketIndex&) = delete;
  PacketIndex& operator=(const PacketIndex&) = delete;

  /// Applies the batch in one write transaction (all or nothing); an empty
  /// batch is a no-op. Fails when the map is full ("map full") or on I/O
  /// errors. Writer thread only; blocks for the commit's fsync.
  Result<void> commit(const IndexBatch& batch);

  /// Removes every key of the segment (meta, flows, attributes, postings) in
  /// one write transaction; a segment the index does not know is a no-op.
  /// Writer thread only. Cost: proportional to the segment's keys.
  Result<void> drop_segment(SegmentId segment);

  /// Rewrites a closed segment's flow entries, attribute keys and postings
  /// chunks as a few packed values (packed_segment.hpp) in one write
  /// transaction; Reader answers exactly as before. A segment already
  /// compacted is a no-op. Fails, changing nothing, for a segment that is
  /// unknown or not closed, or whose postings or flow numbers are damaged
  /// (the uncompacted form stays valid). Writer thread only. Cost:
  /// proportional to the segment's index entries, memory for its postings.
  Result<void> compact_segment(SegmentId segment);

  /// Bytes of data.mdb in use: (pages up to the high-water mark - free pages)
  /// * page size. Any thread; opens a short read transaction.
  Result<std::uint64_t> file_bytes() const;

  /// Where the last postings chunk of a flow ends, for resuming a segment
  /// after a restart.
  struct PostingsTail {
    std::uint32_t last_chunk_no = 0;
    std::uint32_t last_offset = 0;
  };

  /// One read transaction: a consistent snapshot as of read(). Any thread,
  /// but one thread at a time; keep it short-lived (an open reader pins old
  /// pages, so the file grows while it lives). Must not outlive its
  /// PacketIndex. Methods never block on the writer. Lookups return nothing
  /// for unknown segments; values that fail to decode are skipped.
  class Reader {
   public:
    Reader(Reader&& other) noexcept;
    Reader& operator=(Reader&& other) noexcept;
    Reader(const Reader&) = delete;
    Reader& operator=(const Reader&) = delete;
    ~Reader();

    /// Every segment, ascending id.
    [[nodiscard]] std::vector<SegmentMeta> segments() const;
    [[nodiscard]] std::optional<SegmentMeta> segment(SegmentId id) const;

    // flows_with_* append the segment's matching flow numbers to `out`,
    // ascending and without duplicates among those appended by this call.

    /// Flows with either address in [lo, hi] (inclusive, network byte order).
    /// version 4 compares lo[0..4) and hi[0..4) and never returns IPv6 flows;
    /// version 6 compares all 16 bytes. A CIDR block is [network, broadcast].
    void flows_with_ip(SegmentId seg, std::uint8_t version, const std::uint8_t lo[16], const std::uint8_t hi[16],
                       std::vector<std::uint32_t>& out) const;
    /// TCP, UDP and SCTP flows with either port equal to `port`.
    void flows_with_port(SegmentId seg, std::uint16_t port, std::vector<std::uint32_t>& out) const;
    void flows_with_proto(SegmentId seg, std::uint8_t proto, std::vector<std::uint32_t>& out) const;
    /// vlan 0 (untagged) is not indexed: it matches nothing.
    void flows_with_vlan(SegmentId seg, std::uint16_t vlan, std::vector<std::uint32_t>& out) const;
    void flows_with_community_id(SegmentId seg, const std::array<std::uint8_t, 8>& prefix,
                                 std::vector<std::uint32_t>& out) const;
    /// Every flow of the segment that has a FlowEntry.
    void all_flows(SegmentId seg, std::vector<std::uint32_t>& out) const;

    [[nodiscard]] std::optional<FlowEntry> flow(SegmentId seg, std::uint32_t flow_no) const;

    /// Appends every posting of the flow in the segment, ascending offsets.
    /// False (with `out` restored to its size on entry) if a chunk is
    /// corrupt or chunks overlap.
    [[nodiscard]] bool postings(SegmentId seg, std::uint32_t flow_no, std::vector<Posting>& out) const;

    /// The flow's last chunk number and last offset; nullopt if it has no
    /// chunk or the last one is corrupt.
    [[nodiscard]] std::optional<PostingsTail> postings_tail(SegmentId seg, std::uint32_t flow_no) const;

    /// The segment has been compacted (compact_segment).
    [[nodiscard]] bool compacted(SegmentId seg) const;

   private:
    friend class PacketIndex;
    // The value under a key, empty optional when absent.
    [[nodiscard]] std::optional<std::span<const std::uint8_t>> value_of(const KeyBuffer& key) const;
    Reader(MDB_txn* txn, unsigned int dbi) noexcept : txn_(txn), dbi_(dbi) {}
    // Appends the flow_no (last 4 bytes) of every key in [from, to] that
    // starts with `prefix` and has `key_size` bytes.
    void scan_flow_numbers(std::span<const std::uint8_t> prefix, std::span<const std::uint8_t> from,
                           std::span<const std::uint8_t> to, std::size_t key_size,
                           std::vector<std::uint32_t>& out) const;
    void flows_with_attribute(SegmentId seg, AttributeKind kind, std::span<const std::uint8_t> value,
                              std::vector<std::uint32_t>& out) const;

    MDB_txn* txn_ = nullptr;
    unsigned int dbi_ = 0;
  };

  /// Starts a read transaction. Fails only when LMDB's reader table is full.
  Result<Reader> read() const;

 private:
  PacketIndex(MDB_env* env, unsigned int dbi, std::string directory) noexcept
      : env_(env), dbi_(dbi), directory_(std::move(directory)) {}

  MDB_env* env_ = nullptr;
  unsigned int dbi_ = 0;
  std::string directory_;
};

}  // namespace opensoc::index
