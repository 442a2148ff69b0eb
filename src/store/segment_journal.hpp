#pragma once
// SegmentJournal: how the indexer learns that a segment was opened or
// closed without listing directories. Writers post "opened" when they start
// a segment, the closer posts "closed" once the rename is done; the indexer
// takes the events each pass. With thousands of segments on disk a directory
// listing per pass would cost more than the indexing itself.
//
// Threading: post() from any thread (a mutex, once per segment event, never
// per packet); take() from the indexer thread.
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "opensoc/core/time.hpp"
#include "store/segment_name.hpp"

namespace opensoc::store {

struct SegmentEvent {
  enum class Kind : std::uint8_t { opened, closed };
  Kind kind = Kind::opened;
  SegmentId id = 0;
  std::string directory;     ///< the worker directory
  TimestampNs name_ts = 0;   ///< the time in the segment's file name
  std::uint64_t sequence = 0;
};

class SegmentJournal {
 public:
  void post(SegmentEvent e) {
    std::lock_guard lock(mu_);
    events_.push_back(std::move(e));
  }
  /// Every event posted since the last take(), oldest first.
  std::vector<SegmentEvent> take() {
    std::lock_guard lock(mu_);
    std::vector<SegmentEvent> out;
    out.swap(events_);
    return out;
  }

 private:
  std::mutex mu_;
  std::vector<SegmentEvent> events_;
};

}  // namespace opensoc::store
