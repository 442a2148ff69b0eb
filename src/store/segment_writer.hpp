#pragma once
// SegmentWriter: one capture worker's packet store output. See
// segment_writer.cpp for the design essay.
#include <cstdint>
#include <memory>
#include <string>

#include "opensoc/core/counter.hpp"
#include "opensoc/core/packet_view.hpp"
#include "opensoc/core/result.hpp"
#include "store/posix_file.hpp"
#include "store/segment_name.hpp"
#include "store/store_config.hpp"

namespace opensoc::store {

class SegmentCloser;
class SegmentJournal;

/// Where one stored packet is: the byte range [offset, offset + length) of
/// segment `segment_id` is its whole pcap record (16-byte header included),
/// so a slice can copy it verbatim.
struct RecordLocation {
  SegmentId segment_id = 0;
  std::uint64_t offset = 0;
  std::uint32_t length = 0;
  friend bool operator==(const RecordLocation&, const RecordLocation&) = default;
};

enum class AppendStatus : std::uint8_t {
  stored,
  dropped_no_segment,  ///< no segment could be opened (disk full, ...): see last_error()
  dropped_invalid,     ///< caplen 0, or a time pcap cannot hold (before 1970 or after 2106)
};

struct AppendResult {
  AppendStatus status = AppendStatus::stored;
  RecordLocation location;  ///< meaningful only when stored
  [[nodiscard]] bool stored() const noexcept { return status == AppendStatus::stored; }
};

/// Writes one capture worker's packets into its segment files.
///
/// Threading: owned and used by exactly one thread (the worker's); no locks.
/// stats() may be read from any thread.
/// Blocking: append() copies into a mapping and nothing else, except when it
/// rotates (first packet, segment full, segment older than max_segment_age_s,
/// link type change): then it hands the full segment to a SegmentCloser
/// (set_closer; the slow truncate/sync/rename run on the closer's thread) and
/// opens the next (open, fallocate, mmap: tens of microseconds) itself.
/// Without a closer the close runs inline (tests, tools).
class SegmentWriter {
 public:
  /// Counters, written by the owner thread, readable from any.
  struct Stats {
    Counter packets;          ///< packets stored
    Counter bytes;            ///< record bytes stored (16-byte headers included)
    Counter segments_opened;
    Counter segments_closed;  ///< finished and renamed to their closed name
    Counter dropped_packets;  ///< every packet append() did not store, whatever the reason
    Counter write_errors;     ///< failed file operations (open, fallocate, mmap, truncate, sync, rename)
  };

  /// Creates <data_dir>/<packets_subdir>/w<worker>/ if needed and picks the
  /// next sequence number after every segment already there (closed, open or
  /// corrupt), so ids never repeat across restarts. Run recover_segments()
  /// first: open() leaves stale ".open" files alone. Opens no segment yet:
  /// the first append() does, named by that packet's time.
  static Result<std::unique_ptr<SegmentWriter>> open(const StoreConfig& config, std::string data_dir,
                                                     std::uint16_t worker);

  /// Finishes the current segment as close() does; a failure is counted in
  /// write_errors and leaves the ".open" file for recovery.
  ~SegmentWriter();
  SegmentWriter(const SegmentWriter&) = delete;
  SegmentWriter& operator=(const SegmentWriter&) = delete;

  /// Appends one packet: a record with the packet's time (ns), caplen (cut to
  /// 262144) and wirelen (raised to caplen if less). Never throws, never
  /// allocates outside rotation. After a failed segment open it drops packets
  /// without any syscall until packet time passes reopen_backoff_ns.
  /// `pkt.data` must hold `pkt.caplen` bytes; they are copied, not kept.
  AppendResult append(const PacketView& pkt) noexcept;

  /// append() without counting a failure as a drop, for a caller that will
  /// retry (an offline ingest waiting for retention to free space); it calls
  /// count_drop() if it gives up.
  AppendResult try_append(const PacketView& pkt) noexcept;
  void count_drop() noexcept { stats_.dropped_packets.add(); }
  /// Ends a back-off now: the next append tries to open a segment.
  void retry_now() noexcept { in_backoff_ = false; }

  /// Finishes the current segment, if any: truncate to the bytes used, fdatasync
  /// (sync_on_close), rename to the closed name, fsync the directory. The next
  /// append() opens a new segment. On failure the ".open" file stays for
  /// recover_segments().
  Result<void> close();

  [[nodiscard]] const Stats& stats() const noexcept { return stats_; }
  /// The last file operation failure, for the control thread to log (empty if none).
  [[nodiscard]] const std::string& last_error() const noexcept { return last_error_; }
  /// <data_dir>/<packets_subdir>/w<worker>
  [[nodiscard]] const std::string& directory() const noexcept { return dir_; }
  [[nodiscard]] std::uint16_t worker() const noexcept { return worker_; }
  /// Hands finished segments to `closer` (which must outlive this writer)
  /// instead of closing them on the calling thread; nullptr: close inline.
  void set_closer(SegmentCloser* closer) noexcept { closer_ = closer; }
  /// Posts "opened" and (through the closer or inline) "closed" events to
  /// `journal` (which must outlive this writer); nullptr: none.
  void set_journal(SegmentJournal* journal) noexcept { journal_ = journal; }
  /// Bytes of the open segment holding records (0 when none is open).
  [[nodiscard]] std::uint64_t open_segment_used() const noexcept { return used_; }

  /// Whether a segment is open now.
  [[nodiscard]] bool has_open_segment() const noexcept { return map_.data() != nullptr; }

  /// Leaves the current segment exactly as a kill -9 would: unmapped and its
  /// descriptor closed, but not truncated, synced or renamed.
  void abandon_for_test() noexcept;

 private:
  SegmentWriter(const StoreConfig& config, std::string data_dir, std::uint16_t worker, std::uint64_t next_sequence);

  bool open_segment(TimestampNs first_ts, LinkType link) noexcept;
  bool reserve_more(std::uint64_t needed) noexcept;
  Result<void> finish_segment();
  void record_failure(const Error& e) noexcept;

  StoreConfig config_;
  std::string data_dir_;
  std::string dir_;
  std::uint16_t worker_;
  std::uint64_t next_sequence_;
  TimestampNs max_age_ns_;

  // The open segment, if map_ holds one.
  UniqueFd fd_;
  Mapping map_;
  std::uint64_t used_ = 0;
  std::uint64_t reserved_ = 0;  // bytes fallocated so far (the file's size while open)
  SegmentId segment_id_ = 0;
  TimestampNs segment_first_ts_ = 0;
  std::uint64_t segment_sequence_ = 0;
  LinkType segment_link_ = LinkType::ethernet;

  // After a failed open: no retry before this packet time.
  bool in_backoff_ = false;
  TimestampNs retry_at_ts_ = 0;

  SegmentCloser* closer_ = nullptr;
  SegmentJournal* journal_ = nullptr;
  std::string last_error_;
  Stats stats_;
};

}  // namespace opensoc::store
