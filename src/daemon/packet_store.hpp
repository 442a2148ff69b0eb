#pragma once
// PacketStore: the daemon's packet store as one unit for `run` and `ingest`:
// crash recovery of segments, the LMDB index, one SegmentWriter per worker,
// the closer thread and the indexer thread, brought up and down in the order
// that keeps the files and the index in agreement.
//
// Threading: open(), start(), finish() on the control thread; writer(w) is
// handed to worker w and used only there; snapshot() from any thread.
#include <cstdint>
#include <memory>
#include <vector>

#include "config/app_config.hpp"
#include "detect/detection_stage.hpp"
#include "index/packet_index.hpp"
#include "index/segment_indexer.hpp"
#include "opensoc/core/result.hpp"
#include "opensoc/core/stats_snapshot.hpp"
#include "session/session_stage.hpp"
#include "slice/slice_executor.hpp"
#include "store/segment_closer.hpp"
#include "store/segment_journal.hpp"
#include "store/segment_writer.hpp"
#include "telemetry/logger.hpp"

namespace opensoc::daemon {

/// What a command adds to the config's detection set-up for one run.
struct DetectionExtras {
  std::vector<std::string> rule_files;   ///< `ingest --rules`
  std::vector<std::string> intel_files;  ///< `ingest --intel`
};

class PacketStore {
 public:
  /// Recovers segments left open by a crash, opens the index, reconciles it
  /// with the files (re-indexing what a crash left uncommitted) and creates
  /// `workers` writers. Blocking (recovery reads the open segments).
  static Result<std::unique_ptr<PacketStore>> open(const config::AppConfig& config, std::size_t workers,
                                                   const telemetry::Logger& log, const DetectionExtras& extras = {});
  ~PacketStore();

  [[nodiscard]] store::SegmentWriter* writer(std::size_t worker) const { return writers_.at(worker).get(); }
  [[nodiscard]] index::PacketIndex& index() const { return *index_; }
  [[nodiscard]] const slice::SliceOptions& slice_options() const { return slice_options_; }

  /// Starts the indexer thread (live capture).
  void start_indexer();
  /// After the workers stopped: closes every segment, waits for the closer,
  /// and indexes and commits everything on disk.
  Result<void> finish();
  [[nodiscard]] StoreSnapshot snapshot() const;
  /// Sessions and search (disabled when `sessions.enabled` is off).
  [[nodiscard]] SessionSnapshot session_snapshot() const;
  /// Enrichment, intel, rules, detectors and alerts; null when detection or sessions are off.
  [[nodiscard]] detect::DetectionStage* detection() const { return detection_.get(); }
  [[nodiscard]] DetectionSnapshot detection_snapshot() const;

 private:
  PacketStore() = default;
  const telemetry::Logger* log_ = nullptr;
  std::unique_ptr<index::PacketIndex> index_;
  std::unique_ptr<detect::DetectionStage> detection_;  // the session stage's hook: outlives it
  std::unique_ptr<session::SessionStage> sessions_;  // the indexer's observer: outlives it
  std::unique_ptr<store::SegmentJournal> journal_;  // before the indexer and writers that use it
  std::unique_ptr<store::SegmentCloser> closer_;
  std::vector<std::unique_ptr<store::SegmentWriter>> writers_;
  std::unique_ptr<index::SegmentIndexer> indexer_;
  slice::SliceOptions slice_options_;
  bool finished_ = false;
};

/// Opens only the index, for readers (`opensocd pcap`); may run beside a
/// daemon writing the same data directory.
Result<std::unique_ptr<index::PacketIndex>> open_packet_index(const config::AppConfig& config);

}  // namespace opensoc::daemon
