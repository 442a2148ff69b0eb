// SegmentCloser: segments handed over by a writer end up truncated to the
// bytes used and renamed to their closed name, the journal hears "closed"
// only after the rename, drain() waits for all of it, and a step that fails
// is counted, never a crash. Runs the closer's own thread against real files
// in a private temp directory.
#include "store/segment_closer.hpp"

#include <catch2/catch.hpp>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "store/segment_name.hpp"
#include "store_test_support.hpp"

using namespace opensoc;
using namespace opensoc::store;
using namespace opensoc::store::test;

namespace {

constexpr TimestampNs kT0 = 1'700'000'000LL * kNsPerSecond;
constexpr std::size_t kPreallocated = 64 << 10;

// A segment as a writer hands it over: a preallocated ".open" file, mapped
// shared, with `used` bytes written through the mapping.
FinishedSegment make_finished(const std::string& dir, std::uint64_t sequence, std::uint64_t used,
                              std::uint8_t fill, SegmentJournal* journal) {
  FinishedSegment s;
  s.directory = dir;
  s.open_path = dir + "/" + open_segment_name(kT0 + static_cast<TimestampNs>(sequence), sequence);
  s.closed_path = dir + "/" + closed_segment_name(kT0 + static_cast<TimestampNs>(sequence), sequence);
  const int fd = ::open(s.open_path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  REQUIRE(fd >= 0);
  s.fd = UniqueFd(fd);
  REQUIRE(::ftruncate(fd, kPreallocated) == 0);
  auto m = Mapping::map(fd, kPreallocated, true, s.open_path);
  REQUIRE(m);
  s.mapping = std::move(*m);
  std::memset(s.mapping.data(), fill, used);
  s.used = used;
  s.journal = journal;
  s.closed_event.kind = SegmentEvent::Kind::closed;
  s.closed_event.id = make_segment_id(2, sequence);
  s.closed_event.directory = dir;
  s.closed_event.name_ts = kT0 + static_cast<TimestampNs>(sequence);
  s.closed_event.sequence = sequence;
  return s;
}

bool exists(const std::string& path) {
  struct stat st{};
  return ::stat(path.c_str(), &st) == 0;
}

}  // namespace

TEST_CASE("SegmentCloser truncates and renames submitted segments and tells the journal", "[store][segment_closer]") {
  TempDir tmp;
  SegmentJournal journal;
  SegmentCloser closer(GENERATE(false, true));
  std::vector<std::string> open_paths, closed_paths;
  for (std::uint64_t seq = 0; seq < 5; ++seq) {
    FinishedSegment s = make_finished(tmp.path(), seq, 100 + seq * 1000, static_cast<std::uint8_t>(0x10 + seq), &journal);
    open_paths.push_back(s.open_path);
    closed_paths.push_back(s.closed_path);
    closer.submit(std::move(s));
  }
  closer.drain();

  CHECK(closer.stats().closed.get() == 5);
  CHECK(closer.stats().errors.get() == 0);
  CHECK(closer.last_error().empty());
  for (std::uint64_t seq = 0; seq < 5; ++seq) {
    INFO("sequence " << seq);
    CHECK_FALSE(exists(open_paths[seq]));
    REQUIRE(exists(closed_paths[seq]));
    const auto bytes = read_file(closed_paths[seq]);
    // Cut to exactly the bytes used, and those are the bytes written through
    // the mapping (the unmap kept them).
    CHECK(bytes.size() == 100 + seq * 1000);
    CHECK(bytes == std::vector<std::uint8_t>(100 + seq * 1000, static_cast<std::uint8_t>(0x10 + seq)));
  }
  const auto events = journal.take();
  REQUIRE(events.size() == 5);
  for (std::uint64_t seq = 0; seq < 5; ++seq) {
    // One thread closes in submission order, so the journal sees that order.
    CHECK(events[seq].kind == SegmentEvent::Kind::closed);
    CHECK(events[seq].id == make_segment_id(2, seq));
    CHECK(events[seq].sequence == seq);
    CHECK(events[seq].name_ts == kT0 + static_cast<TimestampNs>(seq));
    CHECK(events[seq].directory == tmp.path());
  }
  CHECK(list_dir(tmp.path()).size() == 5);
}

TEST_CASE("SegmentCloser drain returns at once when nothing was submitted", "[store][segment_closer]") {
  SegmentCloser closer(false);
  closer.drain();
  closer.drain();
  CHECK(closer.stats().closed.get() == 0);
  CHECK(closer.stats().errors.get() == 0);
}

TEST_CASE("SegmentCloser destructor finishes everything queued before it", "[store][segment_closer]") {
  TempDir tmp;
  std::vector<std::string> closed_paths;
  {
    SegmentCloser closer(false);
    for (std::uint64_t seq = 0; seq < 20; ++seq) {
      FinishedSegment s = make_finished(tmp.path(), seq, 24 + seq, 0xab, nullptr);
      closed_paths.push_back(s.closed_path);
      closer.submit(std::move(s));
    }
  }  // no drain(): the destructor must not drop the queue
  for (std::uint64_t seq = 0; seq < 20; ++seq) {
    INFO("sequence " << seq);
    REQUIRE(exists(closed_paths[seq]));
    CHECK(file_size(closed_paths[seq]) == 24 + seq);
  }
  CHECK(list_dir(tmp.path()).size() == 20);
}

TEST_CASE("SegmentCloser counts a failing rename as an error and keeps closing the rest", "[store][segment_closer]") {
  TempDir tmp;
  SegmentJournal journal;
  SegmentCloser closer(GENERATE(false, true));

  // The worker directory vanishes while its segment waits for the closer:
  // the descriptor still works (truncate, sync), the rename cannot.
  const std::string gone = tmp.path() + "/w9";
  REQUIRE(::mkdir(gone.c_str(), 0755) == 0);
  FinishedSegment doomed = make_finished(gone, 1, 500, 0x55, &journal);
  REQUIRE(::unlink(doomed.open_path.c_str()) == 0);
  REQUIRE(::rmdir(gone.c_str()) == 0);
  closer.submit(std::move(doomed));

  FinishedSegment fine = make_finished(tmp.path(), 2, 300, 0x66, &journal);
  const std::string fine_closed = fine.closed_path;
  closer.submit(std::move(fine));
  closer.drain();

  CHECK(closer.stats().errors.get() == 1);
  CHECK(closer.stats().closed.get() == 1);
  CHECK(closer.last_error().find("rename") != std::string::npos);
  CHECK(closer.last_error().find(gone) != std::string::npos);
  CHECK(file_size(fine_closed) == 300);
  // Only the segment that was renamed is announced as closed.
  const auto events = journal.take();
  REQUIRE(events.size() == 1);
  CHECK(events[0].id == make_segment_id(2, 2));
}

TEST_CASE("finish_segment_file without a closer does the same work inline", "[store][segment_closer]") {
  TempDir tmp;
  SegmentJournal journal;
  FinishedSegment s = make_finished(tmp.path(), 7, 4096 + 24, 0x77, &journal);
  const std::string closed = s.closed_path;
  const std::string open = s.open_path;
  REQUIRE(finish_segment_file(s, true));
  CHECK_FALSE(exists(open));
  CHECK(file_size(closed) == 4096 + 24);
  CHECK(journal.take().size() == 1);

  // A second finish of the same (now moved-from) segment fails cleanly.
  const Result<void> again = finish_segment_file(s, false);
  CHECK_FALSE(again);
}
