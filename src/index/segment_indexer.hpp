#pragma once
// SegmentIndexer: the indexer thread of the packet store. It owns the LMDB
// index's write side and retention.
//
// It learns about packets from the segment files themselves, not from the
// capture cores: it tails every segment (open ones too) with pread, reading
// each record once its caplen is set (the writer stores caplen last, behind a
// release fence), decodes it, finds its flow and batches postings and flow
// attributes into one LMDB transaction per commit interval. Because the input
// is the files, the same code indexes live capture, an ingest, and, after a
// kill -9, whatever the last run wrote but never committed: crash rebuild is
// not a separate path. The capture cores never wait for it; if it falls
// behind, packets are sliceable later, never lost.
//
// Retention runs here too (one writer for the index): the oldest fully
// indexed, closed segments go first, index entries before the file.
//
// Threading: reconcile() and catch_up() on the control thread before start();
// then everything on the indexer's own thread until stop(). snapshot() from
// any thread.
#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "index/packet_index.hpp"
#include "opensoc/core/flow_key.hpp"
#include "opensoc/core/packet_observer.hpp"
#include "opensoc/core/result.hpp"
#include "opensoc/core/stats_snapshot.hpp"
#include "store/posix_file.hpp"
#include "store/segment_journal.hpp"
#include "store/segment_name.hpp"
#include "store/store_config.hpp"
#include "telemetry/logger.hpp"

namespace opensoc::index {

struct IndexerOptions {
  store::StoreConfig store;
  std::string data_dir;
  std::uint16_t community_id_seed = 0;
  /// Sees every record once, in each worker's order (may be null).
  PacketObserver* observer = nullptr;
};

class SegmentIndexer {
 public:
  /// `journal` (may be null: then every pass lists the directories) tells of
  /// segments the writers open and the closer closes.
  SegmentIndexer(IndexerOptions options, PacketIndex& index, const telemetry::Logger& log,
                 store::SegmentJournal* journal);
  ~SegmentIndexer();
  SegmentIndexer(const SegmentIndexer&) = delete;
  SegmentIndexer& operator=(const SegmentIndexer&) = delete;

  /// Start-up, after segment recovery and before any writer opens: drops the
  /// index entries of segments whose file is gone and of segments that were
  /// not completely indexed (they are re-indexed from their first record).
  Result<void> reconcile();

  /// Indexes every complete record on disk now, commits, and applies
  /// retention. For ingest's end and for tests; not while start()ed.
  Result<void> catch_up();

  /// Runs the indexer loop on its own thread.
  void start();
  /// Stops the thread after a last catch_up(); idempotent.
  Result<void> stop();

  [[nodiscard]] StoreSnapshot snapshot() const;

  struct FlowState;
  struct Tail;

 private:
  void loop();
  Result<bool> pass(bool full_scan);  // one discovery + read round; true when any record was read
  Result<void> commit();
  Result<void> apply_retention();
  void discover();
  void take_journal();
  void add_tail(SegmentId id, const std::string& dir, TimestampNs name_ts, std::uint64_t sequence, bool closed);
  bool read_tail(Tail& t);
  void index_record(Tail& t, std::uint32_t offset, const std::uint8_t* rec, std::uint32_t caplen,
                    std::uint32_t wirelen, TimestampNs ts);
  void publish_stats();

  IndexerOptions opt_;
  PacketIndex& index_;
  store::SegmentJournal* journal_;
  const telemetry::Logger& log_;
  std::string packets_dir_;

  std::map<SegmentId, std::unique_ptr<Tail>> tails_;  // segments still being indexed

  /// Fully indexed, closed segments, oldest first (retention order).
  struct DoneSegment {
    SegmentId id = 0;
    std::string path;
    TimestampNs first_ts = 0;
    TimestampNs last_ts = 0;
    std::uint64_t alloc_bytes = 0;
    std::uint64_t packets = 0;
  };
  std::map<std::pair<TimestampNs, SegmentId>, DoneSegment> done_;
  std::unordered_map<SegmentId, TimestampNs> done_key_;  // id -> first_ts in done_
  std::vector<IndexBatch::NewFlow> pending_new_flows_;
  std::vector<std::uint8_t> buffer_;
  TimestampNs last_commit_wall_ = 0;
  bool segment_finished_ = false;  // a segment was completely read since the last commit

  std::thread thread_;
  std::atomic<bool> stop_{false};
  bool started_ = false;

  mutable std::mutex stats_mu_;
  StoreSnapshot stats_;
  std::uint64_t commits_ = 0;
  std::uint64_t errors_ = 0;
  std::uint64_t removed_segments_ = 0;
  std::uint64_t removed_bytes_ = 0;
};

}  // namespace opensoc::index
