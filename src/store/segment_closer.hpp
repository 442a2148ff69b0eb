#pragma once
// SegmentCloser: finishes segments off the capture cores. A writer that
// rotates hands its full segment (mapping, descriptor, names) over and goes
// on writing into the next one; this thread does the slow part: munmap of a
// mapping with many dirty pages, ftruncate, fdatasync, rename, directory
// fsync (together milliseconds to seconds on a busy disk).
//
// Threading: submit() from any writer thread (a mutex held for a queue push,
// once per segment, never per packet); the closing runs on the closer's own
// thread. The destructor finishes everything queued before it returns.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "opensoc/core/counter.hpp"
#include "store/posix_file.hpp"
#include "store/segment_journal.hpp"

namespace opensoc::store {

/// A segment its writer is done with; still named ".…pcap.open".
struct FinishedSegment {
  UniqueFd fd;
  Mapping mapping;
  std::uint64_t used = 0;      ///< bytes holding records (the file is cut to this)
  std::string directory;
  std::string open_path;
  std::string closed_path;
  SegmentJournal* journal = nullptr;  ///< told "closed" after the rename, if set
  SegmentEvent closed_event;          ///< what to tell it
};

/// Does the closing work for one segment: unmap, truncate, optional
/// fdatasync, rename, optional directory fsync. Shared by the closer thread
/// and a writer with no closer.
Result<void> finish_segment_file(FinishedSegment& s, bool sync);

class SegmentCloser {
 public:
  struct Stats {
    Counter closed;
    Counter errors;  ///< a failed step leaves the ".open" file for recovery
  };

  explicit SegmentCloser(bool sync_on_close);
  ~SegmentCloser();
  SegmentCloser(const SegmentCloser&) = delete;
  SegmentCloser& operator=(const SegmentCloser&) = delete;

  void submit(FinishedSegment segment);
  /// Blocks until every segment submitted so far is finished.
  void drain();
  /// Segments submitted and not finished yet. Any thread.
  [[nodiscard]] std::size_t pending() const;

  [[nodiscard]] const Stats& stats() const noexcept { return stats_; }
  /// The last failure (empty if none); read after drain() or for logging.
  [[nodiscard]] std::string last_error() const;

 private:
  void loop();

  const bool sync_;
  mutable std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable idle_cv_;
  std::deque<FinishedSegment> queue_;
  bool busy_ = false;
  bool stopping_ = false;
  std::string last_error_;
  Stats stats_;
  std::thread thread_;
};

}  // namespace opensoc::store
