#pragma once
// Crash recovery for segments: turns the ".open" files a crash left behind
// into closed segments holding every complete record. Runs on the control
// thread at start-up, before any SegmentWriter of the same worker is opened.
#include <cstdint>
#include <string>
#include <vector>

#include "opensoc/core/result.hpp"
#include "opensoc/core/time.hpp"
#include "store/pcap_format.hpp"
#include "store/segment_name.hpp"
#include "store/store_config.hpp"

namespace opensoc::store {

/// What recovery did with one ".open" file, for the index rebuild.
struct RecoveredSegment {
  enum class Outcome : std::uint8_t {
    closed,       ///< truncated after its last complete record and renamed to its closed name
    removed,      ///< held no complete record (or was shorter than a pcap header): deleted
    quarantined,  ///< its pcap header was unreadable: renamed to ".<name>.pcap.corrupt", left as is
  };
  Outcome outcome = Outcome::closed;
  std::string path;                ///< where the file is now (for removed: where it was)
  SegmentId segment_id = 0;
  TimestampNs first_ts = 0;        ///< from the file name
  std::uint64_t records_kept = 0;
  std::uint64_t bytes_kept = 0;    ///< file size after recovery
  std::uint64_t bytes_cut = 0;     ///< bytes removed: the preallocated tail and any torn record
  /// Why the walk stopped: end_of_data for a clean stop at the zero tail (or
  /// exact end of file); anything else names the torn or damaged record
  /// (bad_offset for a quarantined file, where no record was walked).
  RecordStatus stop = RecordStatus::end_of_data;
  TimestampNs min_ts = 0;          ///< over the kept records (0 when none)
  TimestampNs max_ts = 0;
  [[nodiscard]] bool torn() const noexcept { return stop != RecordStatus::end_of_data; }
};

/// Recovers every ".open" segment of one worker, oldest name first. A missing
/// worker directory is not an error (nothing to recover). Fails only on a
/// file operation error, with the files done so far left consistent.
/// Blocking: reads each open segment's records (one page touch per record)
/// and, when `config.sync_on_close`, fsyncs each result and the directory.
Result<std::vector<RecoveredSegment>> recover_segments(const StoreConfig& config, const std::string& data_dir,
                                                       std::uint16_t worker);

/// recover_segments() for every w<N> directory under <data_dir>/<packets_subdir>.
Result<std::vector<RecoveredSegment>> recover_all_segments(const StoreConfig& config, const std::string& data_dir);

}  // namespace opensoc::store
