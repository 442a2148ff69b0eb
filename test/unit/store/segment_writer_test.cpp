#include "store/segment_writer.hpp"

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstring>
#include <sys/mount.h>
#include <sys/stat.h>

#include "store/segment_reader.hpp"
#include "store_test_support.hpp"

using namespace opensoc;
using namespace opensoc::store;
using namespace opensoc::store::test;

namespace {

constexpr TimestampNs kT0 = 1'700'000'000LL * kNsPerSecond + 123'456'789;
constexpr std::uint64_t kMinSegment = kGlobalHeaderSize + kMaxRecordSize;

StoreConfig test_config() {
  StoreConfig c;
  c.max_segment_bytes = 1 << 20;
  c.max_segment_age_s = 60;
  c.sync_on_close = false;
  return c;
}

std::unique_ptr<SegmentWriter> open_writer(const StoreConfig& c, const std::string& data_dir, std::uint16_t w = 0) {
  auto r = SegmentWriter::open(c, data_dir, w);
  if (!r) FAIL(r.error().message);
  return std::move(*r);
}

// Closed segment paths of a worker directory, in name (= time) order.
std::vector<std::string> closed_segments(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& n : list_dir(dir)) {
    const auto name = parse_segment_name(n);
    if (name && name->state == SegmentState::closed) out.push_back(dir + "/" + n);
  }
  return out;
}

std::vector<StoredRecord> all_records(const std::string& path) {
  auto r = SegmentReader::open(path);
  if (!r) FAIL(r.error().message);
  std::vector<StoredRecord> out;
  CHECK(r->for_each([&](const StoredRecord& rec) { out.push_back(rec); }) == RecordStatus::end_of_data);
  return out;
}

}  // namespace

TEST_CASE("SegmentWriter output reads in tshark, capinfos and tcpdump as the packets written",
          "[store][segment_writer]") {
  TempDir tmp;
  auto w = open_writer(test_config(), tmp.path(), 3);
  std::vector<TestPacket> pkts;
  std::vector<RecordLocation> locs;
  for (std::uint32_t i = 0; i < 50; ++i) {
    // Sizes from 1 byte to jumbo; some frames cut short (wirelen > caplen);
    // times with every nanosecond digit in use.
    TestPacket p = make_packet(i, 1 + (i * 397) % 9000, kT0 + i * 1'000'000'007LL / 3);
    if (i % 7 == 0) p.wirelen += 1000;
    pkts.push_back(p);
    const AppendResult r = w->append(p.view());
    REQUIRE(r.stored());
    locs.push_back(r.location);
  }
  REQUIRE(w->close());
  CHECK(w->stats().packets.get() == 50);
  CHECK(w->stats().segments_opened.get() == 1);
  CHECK(w->stats().segments_closed.get() == 1);
  CHECK(w->stats().dropped_packets.get() == 0);
  CHECK(w->stats().write_errors.get() == 0);

  const auto files = closed_segments(w->directory());
  REQUIRE(files.size() == 1);
  CHECK(files[0] == tmp.path() + "/packets/w3/" + closed_segment_name(kT0, 0));
  CHECK(list_dir(w->directory()).size() == 1);  // no .open left behind

  std::uint64_t expected_bytes = kGlobalHeaderSize;
  for (const auto& p : pkts) expected_bytes += kRecordHeaderSize + p.bytes.size();
  CHECK(file_size(files[0]) == expected_bytes);
  CHECK(w->stats().bytes.get() == expected_bytes - kGlobalHeaderSize);

  CHECK(capinfos_count(files[0]) == std::uint64_t{50});
  CHECK(tcpdump_count(files[0]) == std::uint64_t{50});
  const auto oracle = tshark_frames(files[0]);
  REQUIRE(oracle.size() == 50);
  for (std::size_t i = 0; i < 50; ++i) {
    INFO("frame " << i);
    CHECK(oracle[i].ts == pkts[i].ts);
    CHECK(oracle[i].len == pkts[i].wirelen);
    CHECK(oracle[i].cap_len == pkts[i].bytes.size());
  }

  // The locations handed out are where the records are.
  auto reader = SegmentReader::open(files[0]);
  REQUIRE(reader);
  for (std::size_t i = 0; i < 50; ++i) {
    INFO("frame " << i);
    CHECK(locs[i].segment_id == make_segment_id(3, 0));
    StoredRecord rec;
    REQUIRE(reader->read(locs[i], rec) == RecordStatus::ok);
    CHECK(rec.packet.ts == pkts[i].ts);
    CHECK(rec.packet.wirelen == pkts[i].wirelen);
    REQUIRE(rec.packet.caplen == pkts[i].bytes.size());
    CHECK(std::memcmp(rec.packet.data, pkts[i].bytes.data(), rec.packet.caplen) == 0);
  }
}

TEST_CASE("SegmentWriter preallocates a small segment whole and truncates it at close", "[store][segment_writer]") {
  TempDir tmp;
  StoreConfig c = test_config();
  c.max_segment_bytes = 3 << 20;
  auto w = open_writer(c, tmp.path());
  CHECK_FALSE(w->has_open_segment());
  CHECK(list_dir(w->directory()).empty());  // no packet, no segment

  const TestPacket p = make_packet(1, 100, kT0);
  REQUIRE(w->append(p.view()).stored());
  const std::string open_path = w->directory() + "/" + open_segment_name(kT0, 0);
  CHECK(list_dir(w->directory()) == std::vector<std::string>{open_segment_name(kT0, 0)});
  CHECK(file_size(open_path) == c.max_segment_bytes);
  CHECK(allocated_bytes(open_path) >= c.max_segment_bytes);  // reserved, not sparse
  CHECK(closed_segments(w->directory()).empty());            // invisible to readers while open

  REQUIRE(w->close());
  CHECK_FALSE(w->has_open_segment());
  const std::string closed_path = w->directory() + "/" + closed_segment_name(kT0, 0);
  CHECK(list_dir(w->directory()) == std::vector<std::string>{closed_segment_name(kT0, 0)});
  CHECK(file_size(closed_path) == kGlobalHeaderSize + kRecordHeaderSize + 100);
  CHECK(w->close());  // nothing open: a no-op
}

TEST_CASE("SegmentWriter reserves a large segment in 8 MiB steps as it fills", "[store][segment_writer]") {
  TempDir tmp;
  StoreConfig c = test_config();
  c.max_segment_bytes = 64ULL << 20;
  auto w = open_writer(c, tmp.path());
  const std::string open_path = w->directory() + "/" + open_segment_name(kT0, 0);
  REQUIRE(w->append(make_packet(0, 1000, kT0).view()).stored());
  // Not the whole 64 MiB: a segment rotated early by age holds little.
  CHECK(file_size(open_path) == 8ULL << 20);
  CHECK(allocated_bytes(open_path) >= 8ULL << 20);
  // Fill past the first step: the file grows by one step, the records stay contiguous.
  std::uint64_t used = kGlobalHeaderSize + kRecordHeaderSize + 1000;
  std::uint32_t i = 1;
  while (used + kRecordHeaderSize + 1000 <= (8ULL << 20) + 5000) {
    REQUIRE(w->append(make_packet(i, 1000, kT0 + i).view()).stored());
    ++i;
    used += kRecordHeaderSize + 1000;
  }
  CHECK(file_size(open_path) == 16ULL << 20);
  CHECK(w->stats().segments_opened.get() == 1);  // grown, not rotated
  REQUIRE(w->close());
  const std::string closed_path = w->directory() + "/" + closed_segment_name(kT0, 0);
  CHECK(file_size(closed_path) == used);
  auto r = SegmentReader::open(closed_path);
  REQUIRE(r);
  std::uint64_t n = 0;
  CHECK(r->for_each([&](const StoredRecord&) { ++n; }) == RecordStatus::end_of_data);
  CHECK(n == i);
}

TEST_CASE("SegmentWriter rotates when the next record would not fit", "[store][segment_writer]") {
  TempDir tmp;
  StoreConfig c = test_config();
  c.max_segment_bytes = kMinSegment;
  auto w = open_writer(c, tmp.path());
  const std::uint64_t per_segment = (kMinSegment - kGlobalHeaderSize) / (kRecordHeaderSize + 1000);
  const std::uint32_t n = static_cast<std::uint32_t>(per_segment * 2 + 5);
  std::vector<AppendResult> results;
  for (std::uint32_t i = 0; i < n; ++i) {
    results.push_back(w->append(make_packet(i, 1000, kT0 + i).view()));
    REQUIRE(results.back().stored());
  }
  REQUIRE(w->close());
  const auto files = closed_segments(w->directory());
  REQUIRE(files.size() == 3);
  CHECK(w->stats().segments_closed.get() == 3);
  CHECK(all_records(files[0]).size() == per_segment);
  CHECK(all_records(files[1]).size() == per_segment);
  CHECK(all_records(files[2]).size() == 5);
  for (const auto& f : files) CHECK(file_size(f) <= c.max_segment_bytes);
  // Each segment is named by its first packet and numbered in order.
  CHECK(files[1] == w->directory() + "/" + closed_segment_name(kT0 + static_cast<TimestampNs>(per_segment), 1));
  // The first record of a new segment is right after its header.
  CHECK(results[per_segment].location == RecordLocation{make_segment_id(0, 1), kGlobalHeaderSize, 1016});
  CHECK(results[per_segment - 1].location.segment_id == make_segment_id(0, 0));
  // A full-size record still fits in a fresh minimal segment.
  REQUIRE(w->append(make_packet(0, kSegmentSnaplen, kT0 + 1000).view()).stored());
  REQUIRE(w->append(make_packet(1, 1, kT0 + 1001).view()).stored());
  REQUIRE(w->close());
  CHECK(closed_segments(w->directory()).size() == 5);
}

TEST_CASE("SegmentWriter rotates by packet time once a segment reaches max_segment_age_s",
          "[store][segment_writer]") {
  TempDir tmp;
  StoreConfig c = test_config();
  c.max_segment_age_s = 2;
  auto w = open_writer(c, tmp.path());
  const TimestampNs s = kNsPerSecond;
  for (const TimestampNs t : {kT0, kT0 + s, kT0 + 2 * s - 1, kT0 + 2 * s, kT0 + 3 * s, kT0 + 4 * s + 5}) {
    REQUIRE(w->append(make_packet(1, 60, t).view()).stored());
  }
  // Time going backwards does not rotate.
  REQUIRE(w->append(make_packet(1, 60, kT0).view()).stored());
  REQUIRE(w->close());
  const auto files = closed_segments(w->directory());
  REQUIRE(files.size() == 3);
  CHECK(files[0] == w->directory() + "/" + closed_segment_name(kT0, 0));
  CHECK(files[1] == w->directory() + "/" + closed_segment_name(kT0 + 2 * s, 1));
  CHECK(files[2] == w->directory() + "/" + closed_segment_name(kT0 + 4 * s + 5, 2));
  CHECK(all_records(files[0]).size() == 3);
  CHECK(all_records(files[1]).size() == 2);
  CHECK(all_records(files[2]).size() == 2);
}

TEST_CASE("SegmentWriter starts a new segment when the link type changes", "[store][segment_writer]") {
  TempDir tmp;
  auto w = open_writer(test_config(), tmp.path());
  const LinkType links[] = {LinkType::ethernet, LinkType::ethernet, LinkType::raw, LinkType::linux_sll,
                            LinkType::ethernet};
  std::uint32_t i = 0;
  for (const LinkType l : links) {
    REQUIRE(w->append(make_packet(i, 80, kT0 + i, l).view()).stored());
    ++i;
  }
  REQUIRE(w->close());
  const auto files = closed_segments(w->directory());
  REQUIRE(files.size() == 4);
  const LinkType expected[] = {LinkType::ethernet, LinkType::raw, LinkType::linux_sll, LinkType::ethernet};
  for (std::size_t k = 0; k < 4; ++k) {
    auto r = SegmentReader::open(files[k]);
    REQUIRE(r);
    CHECK(r->link() == expected[k]);
  }
  CHECK(all_records(files[0]).size() == 2);
  // capinfos agrees on the link type.
  const auto encap = run_command("capinfos -E -T -r " + shell_quote(files[2]));
  REQUIRE(encap);
  CHECK(encap->find("\tlinux-sll\n") != std::string::npos);
}

TEST_CASE("SegmentWriter drops invalid packets with a count and stores oversized ones cut to snaplen",
          "[store][segment_writer]") {
  TempDir tmp;
  auto w = open_writer(test_config(), tmp.path());
  TestPacket empty = make_packet(0, 0, kT0);
  CHECK(w->append(empty.view()).status == AppendStatus::dropped_invalid);
  TestPacket before_1970 = make_packet(0, 10, -1);
  CHECK(w->append(before_1970.view()).status == AppendStatus::dropped_invalid);
  TestPacket after_2106 = make_packet(0, 10, (TimestampNs{1} << 32) * kNsPerSecond);
  CHECK(w->append(after_2106.view()).status == AppendStatus::dropped_invalid);
  CHECK(w->stats().dropped_packets.get() == 3);
  CHECK_FALSE(w->has_open_segment());

  TestPacket big = make_packet(0, kSegmentSnaplen + 100, kT0);
  TestPacket odd = make_packet(1, 50, kT0 + 1);
  odd.wirelen = 10;  // a source claiming less than it captured
  const auto r1 = w->append(big.view());
  const auto r2 = w->append(odd.view());
  REQUIRE(r1.stored());
  REQUIRE(r2.stored());
  CHECK(r1.location.length == kRecordHeaderSize + kSegmentSnaplen);
  REQUIRE(w->close());
  const auto recs = all_records(closed_segments(w->directory()).at(0));
  REQUIRE(recs.size() == 2);
  CHECK(recs[0].packet.caplen == kSegmentSnaplen);
  CHECK(recs[0].packet.wirelen == kSegmentSnaplen + 100);
  CHECK(recs[1].packet.caplen == 50);
  CHECK(recs[1].packet.wirelen == 50);
  CHECK(w->stats().packets.get() == 2);
}

TEST_CASE("SegmentWriter::open validates its config and continues numbering after existing segments",
          "[store][segment_writer]") {
  TempDir tmp;
  StoreConfig c = test_config();
  SECTION("too small a segment") {
    c.max_segment_bytes = kMinSegment - 1;
    auto r = SegmentWriter::open(c, tmp.path(), 0);
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find("max_segment_bytes") != std::string::npos);
  }
  SECTION("zero age") {
    c.max_segment_age_s = 0;
    CHECK_FALSE(SegmentWriter::open(c, tmp.path(), 0));
  }
  SECTION("an unusable data directory") {
    write_file(tmp.path() + "/file", {1});
    auto r = SegmentWriter::open(c, tmp.path() + "/file", 0);
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find("segment writer") != std::string::npos);
  }
  SECTION("sequence numbers continue across writers") {
    {
      auto w = open_writer(c, tmp.path());
      REQUIRE(w->append(make_packet(0, 60, kT0).view()).stored());
      REQUIRE(w->close());
      REQUIRE(w->append(make_packet(0, 60, kT0 + 1).view()).stored());
    }  // the destructor finishes segment 1
    // A stale open or corrupt segment also reserves its number.
    write_file(tmp.path() + "/packets/w0/" + corrupt_segment_name(kT0, 6), {0});
    auto w = open_writer(c, tmp.path());
    const auto r = w->append(make_packet(0, 60, kT0 + 2).view());
    REQUIRE(r.stored());
    CHECK(r.location.segment_id == make_segment_id(0, 7));
    // Other workers have their own numbering and directory.
    auto w5 = open_writer(c, tmp.path(), 5);
    CHECK(w5->append(make_packet(0, 60, kT0).view()).location.segment_id == make_segment_id(5, 0));
  }
}

TEST_CASE("SegmentWriter on a full disk drops and counts packets, never crashes", "[store][segment_writer][root]") {
  TempDir tmp;
  const std::string mnt = tmp.path() + "/small";
  REQUIRE(::mkdir(mnt.c_str(), 0755) == 0);
  if (::mount("tmpfs", mnt.c_str(), "tmpfs", 0, "size=1m") != 0) {
    WARN("cannot mount a 1 MiB tmpfs (" << std::strerror(errno) << "): not root? disk-full case not run");
    return;
  }
  struct Unmount {
    std::string path;
    ~Unmount() { ::umount2(path.c_str(), MNT_DETACH); }
  } unmount{mnt};

  StoreConfig c = test_config();
  c.max_segment_bytes = 300'000;  // three fit in 1 MiB, the fourth does not
  std::uint64_t stored = 0;
  {
    auto w = open_writer(c, mnt);
    TimestampNs t = kT0;
    std::uint32_t i = 0;
    while (w->stats().write_errors.get() == 0 && i < 10'000) {
      if (w->append(make_packet(i++, 1000, t++).view()).stored()) ++stored;
    }
    REQUIRE(w->stats().write_errors.get() == 1);
    CHECK(w->stats().segments_closed.get() == 3);
    CHECK(w->stats().dropped_packets.get() == 1);
    CHECK(w->last_error().find("No space left on device") != std::string::npos);
    CHECK_FALSE(w->has_open_segment());
    // Within the back-off, drops cost no syscall and no new error.
    for (int k = 0; k < 100; ++k) {
      CHECK(w->append(make_packet(k, 1000, t++).view()).status == AppendStatus::dropped_no_segment);
    }
    CHECK(w->stats().write_errors.get() == 1);
    CHECK(w->stats().dropped_packets.get() == 101);
    // After it, one retry (still full), then back-off again.
    t += c.reopen_backoff_ns;
    CHECK(w->append(make_packet(0, 1000, t++).view()).status == AppendStatus::dropped_no_segment);
    CHECK(w->append(make_packet(0, 1000, t++).view()).status == AppendStatus::dropped_no_segment);
    CHECK(w->stats().write_errors.get() == 2);
    CHECK(w->stats().packets.get() == stored);
    CHECK(w->close());
  }
  // No half-made segment is left, and what was stored reads back whole.
  const auto files = closed_segments(mnt + "/packets/w0");
  REQUIRE(files.size() == 3);
  CHECK(list_dir(mnt + "/packets/w0").size() == 3);
  std::uint64_t read_back = 0;
  for (const auto& f : files) read_back += all_records(f).size();
  CHECK(read_back == stored);
}
