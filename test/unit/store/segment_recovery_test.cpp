#include "store/segment_recovery.hpp"

#include <catch2/catch.hpp>
#include <csignal>
#include <cstring>
#include <sys/wait.h>
#include <unistd.h>

#include "store/segment_reader.hpp"
#include "store/segment_writer.hpp"
#include "store_test_support.hpp"

using namespace opensoc;
using namespace opensoc::store;
using namespace opensoc::store::test;

namespace {

constexpr TimestampNs kT0 = 1'600'000'000LL * kNsPerSecond + 7;

StoreConfig test_config() {
  StoreConfig c;
  c.max_segment_bytes = 2 << 20;
  c.sync_on_close = true;  // recovery's own fsync path runs too
  return c;
}

TestPacket packet(std::uint32_t i) { return make_packet(i, 40 + (i * 211) % 1500, kT0 + i * 1000); }

// Appends packets [0, n) and leaves the segment as a crash would. Returns
// the offset after the last record (where a torn record would start).
std::uint64_t write_and_abandon(const StoreConfig& c, const std::string& data_dir, std::uint32_t n,
                                std::uint16_t worker = 0) {
  auto w = SegmentWriter::open(c, data_dir, worker);
  REQUIRE(w);
  std::uint64_t end = kGlobalHeaderSize;
  for (std::uint32_t i = 0; i < n; ++i) {
    const auto r = (*w)->append(packet(i).view());
    REQUIRE(r.stored());
    end = r.location.offset + r.location.length;
  }
  (*w)->abandon_for_test();
  return end;
}

// Every record of the segment at `path` is packet(0..n-1), in order.
void check_segment_holds(const std::string& path, std::uint32_t n) {
  auto r = SegmentReader::open(path);
  REQUIRE(r);
  std::uint32_t i = 0;
  const RecordStatus end = r->for_each([&](const StoredRecord& rec) {
    const TestPacket p = packet(i++);
    CHECK(rec.packet.ts == p.ts);
    REQUIRE(rec.packet.caplen == p.bytes.size());
    CHECK(std::memcmp(rec.packet.data, p.bytes.data(), p.bytes.size()) == 0);
  });
  CHECK(end == RecordStatus::end_of_data);
  CHECK(i == n);
  CHECK(capinfos_count(path) == std::uint64_t{n});
}

// Overwrites bytes of a file in place.
void patch(const std::string& path, std::uint64_t at, const std::vector<std::uint8_t>& bytes,
           std::optional<std::uint64_t> new_size = std::nullopt) {
  auto f = read_file(path);
  if (f.size() < at + bytes.size()) f.resize(at + bytes.size());
  std::memcpy(f.data() + at, bytes.data(), bytes.size());
  if (new_size) f.resize(*new_size);
  write_file(path, f);
}

std::vector<std::uint8_t> record_header(std::uint32_t sec, std::uint32_t nsec, std::uint32_t caplen,
                                        std::uint32_t wirelen) {
  std::vector<std::uint8_t> h(16);
  store_le32(&h[0], sec);
  store_le32(&h[4], nsec);
  store_le32(&h[8], caplen);
  store_le32(&h[12], wirelen);
  return h;
}

}  // namespace

TEST_CASE("recover_segments keeps every record of a writer killed with SIGKILL", "[store][recovery]") {
  TempDir tmp;
  const StoreConfig c = test_config();
  constexpr std::uint32_t kPackets = 777;
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // The child must not return into Catch2: it appends, then dies the hard way.
    auto w = SegmentWriter::open(c, tmp.path(), 2);
    if (!w) ::_exit(2);
    for (std::uint32_t i = 0; i < kPackets; ++i) {
      if (!(*w)->append(packet(i).view()).stored()) ::_exit(3);
    }
    ::kill(::getpid(), SIGKILL);
    ::_exit(4);
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  REQUIRE(WIFSIGNALED(status));
  REQUIRE(WTERMSIG(status) == SIGKILL);

  const std::string dir = tmp.path() + "/packets/w2";
  const std::string open_path = dir + "/" + open_segment_name(kT0, 0);
  REQUIRE(list_dir(dir) == std::vector<std::string>{open_segment_name(kT0, 0)});
  CHECK(file_size(open_path) == c.max_segment_bytes);

  std::uint64_t used = kGlobalHeaderSize;
  for (std::uint32_t i = 0; i < kPackets; ++i) used += kRecordHeaderSize + packet(i).bytes.size();

  auto r = recover_segments(c, tmp.path(), 2);
  REQUIRE(r);
  REQUIRE(r->size() == 1);
  const RecoveredSegment& s = r->front();
  CHECK(s.outcome == RecoveredSegment::Outcome::closed);
  CHECK(s.path == dir + "/" + closed_segment_name(kT0, 0));
  CHECK(s.segment_id == make_segment_id(2, 0));
  CHECK(s.first_ts == kT0);
  CHECK(s.records_kept == kPackets);
  CHECK(s.bytes_kept == used);
  CHECK(s.bytes_cut == c.max_segment_bytes - used);
  CHECK(s.stop == RecordStatus::end_of_data);
  CHECK_FALSE(s.torn());
  CHECK(s.min_ts == packet(0).ts);
  CHECK(s.max_ts == packet(kPackets - 1).ts);
  CHECK(list_dir(dir) == std::vector<std::string>{closed_segment_name(kT0, 0)});
  CHECK(file_size(s.path) == used);
  check_segment_holds(s.path, kPackets);
  CHECK(tcpdump_count(s.path) == std::uint64_t{kPackets});

  // Recovery is idempotent, and a new writer numbers after the recovered one.
  auto again = recover_segments(c, tmp.path(), 2);
  REQUIRE(again);
  CHECK(again->empty());
  auto w = SegmentWriter::open(c, tmp.path(), 2);
  REQUIRE(w);
  CHECK((*w)->append(packet(0).view()).location.segment_id == make_segment_id(2, 1));
}

TEST_CASE("recover_segments cuts a torn last record and keeps the complete ones", "[store][recovery]") {
  TempDir tmp;
  StoreConfig c = test_config();
  c.sync_on_close = false;
  constexpr std::uint32_t kPackets = 20;
  const std::uint64_t end = write_and_abandon(c, tmp.path(), kPackets);
  const std::string dir = tmp.path() + "/packets/w0";
  const std::string open_path = dir + "/" + open_segment_name(kT0, 0);

  RecordStatus expected_stop = RecordStatus::end_of_data;
  std::uint64_t expected_cut = 0;
  SECTION("a frame cut off by the end of the file (no preallocation left)") {
    patch(open_path, end, record_header(1'600'000'001, 5, 500, 500), end + 16 + 100);
    expected_stop = RecordStatus::short_data;
    expected_cut = 116;
  }
  SECTION("a header cut off by the end of the file") {
    patch(open_path, end, record_header(1'600'000'001, 5, 500, 500), end + 9);
    expected_stop = RecordStatus::short_header;
    expected_cut = 9;
  }
  SECTION("a header whose caplen was never stored") {
    patch(open_path, end, record_header(1'600'000'001, 5, 0, 500));
    expected_stop = RecordStatus::uncommitted;
    expected_cut = c.max_segment_bytes - end;
  }
  SECTION("garbage where the next header should be") {
    patch(open_path, end, record_header(1'600'000'001, 5, kSegmentSnaplen + 1, kSegmentSnaplen + 1));
    expected_stop = RecordStatus::bad_caplen;
    expected_cut = c.max_segment_bytes - end;
  }
  SECTION("a nanosecond field out of range") {
    patch(open_path, end, record_header(1'600'000'001, 1'000'000'000, 10, 10));
    expected_stop = RecordStatus::bad_timestamp;
    expected_cut = c.max_segment_bytes - end;
  }
  auto r = recover_segments(c, tmp.path(), 0);
  REQUIRE(r);
  REQUIRE(r->size() == 1);
  const RecoveredSegment& s = r->front();
  CHECK(s.outcome == RecoveredSegment::Outcome::closed);
  CHECK(s.records_kept == kPackets);
  CHECK(s.stop == expected_stop);
  CHECK(s.torn());
  CHECK(s.bytes_kept == end);
  CHECK(s.bytes_cut == expected_cut);
  CHECK(file_size(s.path) == end);
  check_segment_holds(s.path, kPackets);
}

TEST_CASE("recover_segments removes open segments with nothing in them and sets aside unreadable ones",
          "[store][recovery]") {
  TempDir tmp;
  StoreConfig c = test_config();
  const std::string dir = tmp.path() + "/packets/w1";
  REQUIRE(make_directories(dir));
  // Crash between create and fallocate: an empty file.
  write_file(dir + "/" + open_segment_name(kT0, 0), {});
  // Crash after fallocate, before the header: zeros.
  write_file(dir + "/" + open_segment_name(kT0, 1), std::vector<std::uint8_t>(4096, 0));
  // A header and nothing after it.
  std::vector<std::uint8_t> header_only(4096, 0);
  encode_global_header(header_only.data(), LinkType::ethernet);
  write_file(dir + "/" + open_segment_name(kT0, 2), header_only);
  // Not our header at all: kept for a human, under another name.
  std::vector<std::uint8_t> junk(100, 0x5a);
  write_file(dir + "/" + open_segment_name(kT0, 3), junk);
  // A closed segment and a stray file are not touched.
  write_file(dir + "/" + closed_segment_name(kT0, 9), {1, 2, 3});
  write_file(dir + "/notes.txt", {1});

  auto r = recover_segments(c, tmp.path(), 1);
  REQUIRE(r);
  REQUIRE(r->size() == 4);
  using O = RecoveredSegment::Outcome;
  CHECK((*r)[0].outcome == O::removed);
  CHECK((*r)[1].outcome == O::removed);
  CHECK((*r)[1].bytes_cut == 4096);
  CHECK((*r)[2].outcome == O::removed);
  CHECK((*r)[2].records_kept == 0);
  CHECK((*r)[3].outcome == O::quarantined);
  CHECK((*r)[3].path == dir + "/" + corrupt_segment_name(kT0, 3));
  CHECK(list_dir(dir) ==
        std::vector<std::string>{corrupt_segment_name(kT0, 3), closed_segment_name(kT0, 9), "notes.txt"});
  CHECK(read_file(dir + "/" + corrupt_segment_name(kT0, 3)) == junk);
}

TEST_CASE("recover_all_segments visits every worker directory and tolerates a missing store",
          "[store][recovery]") {
  TempDir tmp;
  StoreConfig c = test_config();
  c.sync_on_close = false;
  {
    auto none = recover_all_segments(c, tmp.path());
    REQUIRE(none);
    CHECK(none->empty());
  }
  write_and_abandon(c, tmp.path(), 3, 0);
  write_and_abandon(c, tmp.path(), 5, 4);
  {
    // A closed segment beside them stays as it is.
    auto w = SegmentWriter::open(c, tmp.path(), 4);
    REQUIRE(w);
    REQUIRE((*w)->append(packet(0).view()).stored());
    REQUIRE((*w)->close());
  }
  REQUIRE(make_directories(tmp.path() + "/packets/w07"));  // not a worker directory
  write_and_abandon(c, tmp.path() + "/elsewhere", 1, 0);

  auto r = recover_all_segments(c, tmp.path());
  REQUIRE(r);
  REQUIRE(r->size() == 2);
  CHECK((*r)[0].segment_id == make_segment_id(0, 0));
  CHECK((*r)[0].records_kept == 3);
  CHECK((*r)[1].segment_id == make_segment_id(4, 0));
  CHECK((*r)[1].records_kept == 5);
  CHECK(list_dir(tmp.path() + "/packets/w4").size() == 2);
}
