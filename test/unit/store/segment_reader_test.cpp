#include "store/segment_reader.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstring>
#include <filesystem>
#include <random>
#include <set>

#include "capture/pcap_file_source.hpp"
#include "store/segment_writer.hpp"
#include "store_test_support.hpp"

using namespace opensoc;
using namespace opensoc::store;
using namespace opensoc::store::test;

namespace {

constexpr TimestampNs kT0 = 1'650'000'000LL * kNsPerSecond + 999'999'999;

StoreConfig test_config() {
  StoreConfig c;
  c.max_segment_bytes = 4 << 20;
  c.sync_on_close = false;
  return c;
}

struct Written {
  std::string path;
  std::vector<RecordLocation> locations;
};

// Writes `pkts` into one segment of a fresh writer and closes it.
Written write_segment(const std::string& data_dir, const std::vector<TestPacket>& pkts) {
  auto w = SegmentWriter::open(test_config(), data_dir, 0);
  REQUIRE(w);
  Written out;
  for (const auto& p : pkts) {
    const auto r = (*w)->append(p.view());
    REQUIRE(r.stored());
    out.locations.push_back(r.location);
  }
  REQUIRE((*w)->close());
  out.path = (*w)->directory() + "/" + closed_segment_name(pkts.front().ts, 0);
  return out;
}

}  // namespace

TEST_CASE("SegmentReader iterates every record and reads each location", "[store][segment_reader]") {
  TempDir tmp;
  std::vector<TestPacket> pkts;
  for (std::uint32_t i = 0; i < 300; ++i) pkts.push_back(make_packet(i, 1 + (i * 37) % 2000, kT0 + i));
  const Written w = write_segment(tmp.path(), pkts);
  auto r = SegmentReader::open(w.path);
  REQUIRE(r);
  CHECK(r->link() == LinkType::ethernet);
  CHECK(r->snaplen() == kSegmentSnaplen);
  CHECK(r->size() == file_size(w.path));

  std::size_t i = 0;
  const RecordStatus end = r->for_each([&](const StoredRecord& rec) {
    REQUIRE(i < pkts.size());
    CHECK(rec.offset == w.locations[i].offset);
    CHECK(rec.length == w.locations[i].length);
    CHECK(rec.packet.ts == pkts[i].ts);
    CHECK(rec.packet.link == LinkType::ethernet);
    REQUIRE(rec.packet.caplen == pkts[i].bytes.size());
    CHECK(std::memcmp(rec.packet.data, pkts[i].bytes.data(), rec.packet.caplen) == 0);
    ++i;
  });
  CHECK(end == RecordStatus::end_of_data);
  CHECK(i == pkts.size());

  // Random access in reverse order.
  for (std::size_t k = pkts.size(); k-- > 0;) {
    StoredRecord rec;
    REQUIRE(r->read(w.locations[k], rec) == RecordStatus::ok);
    CHECK(rec.packet.ts == pkts[k].ts);
  }
}

TEST_CASE("SegmentReader rejects offsets that are not records", "[store][segment_reader]") {
  TempDir tmp;
  // Frames of all-0xFF bytes: any 16 of them read as a header with caplen
  // 0xFFFFFFFF, so an offset inside a frame cannot pass for a record.
  std::vector<TestPacket> pkts;
  for (std::uint32_t i = 0; i < 40; ++i) pkts.push_back(make_filled_packet(100 + i * 13, kT0 + i, 0xFF));
  const Written w = write_segment(tmp.path(), pkts);
  auto r = SegmentReader::open(w.path);
  REQUIRE(r);
  StoredRecord rec;

  SECTION("outside the record area") {
    for (const std::uint64_t off : {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{23}, r->size() + 1,
                                    r->size() + 4096, ~std::uint64_t{0}, ~std::uint64_t{0} - 15}) {
      INFO(off);
      CHECK(r->read_at(off, rec) == RecordStatus::bad_offset);
    }
    CHECK(r->read_at(r->size(), rec) == RecordStatus::end_of_data);
  }
  SECTION("inside frames") {
    std::mt19937_64 rng(12345);
    int tried = 0;
    for (const auto& loc : w.locations) {
      const std::uint64_t data_begin = loc.offset + kRecordHeaderSize;
      const std::uint64_t data_end = loc.offset + loc.length;
      // Offsets with at least a header's worth of frame bytes after them.
      for (int k = 0; k < 20; ++k) {
        const std::uint64_t off = data_begin + rng() % (data_end - kRecordHeaderSize - data_begin + 1);
        INFO(off);
        CHECK(r->read_at(off, rec) == RecordStatus::bad_caplen);
        ++tried;
      }
    }
    CHECK(tried == 800);
  }
  SECTION("a real record start with the wrong length") {
    RecordLocation loc = w.locations[5];
    loc.length += 1;
    CHECK(r->read(loc, rec) == RecordStatus::wrong_length);
    loc.length -= 2;
    CHECK(r->read(loc, rec) == RecordStatus::wrong_length);
  }
  SECTION("any offset at all stays inside the file") {
    std::mt19937_64 rng(99);
    const std::uint8_t* begin = r->bytes().data();
    const std::uint8_t* end = begin + r->size();
    int accepted = 0;
    for (int k = 0; k < 20000; ++k) {
      const std::uint64_t off = rng() % (r->size() + 64);
      if (r->read_at(off, rec) != RecordStatus::ok) continue;
      ++accepted;
      CHECK(rec.packet.data >= begin + kGlobalHeaderSize + kRecordHeaderSize);
      CHECK(rec.packet.data + rec.packet.caplen <= end);
    }
    CHECK(accepted < 20000);
  }
}

TEST_CASE("SegmentReader::open refuses files that are not segments", "[store][segment_reader]") {
  TempDir tmp;
  const std::string path = tmp.path() + "/x.pcap";
  SECTION("missing") {
    auto r = SegmentReader::open(path);
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find("No such file") != std::string::npos);
  }
  SECTION("empty") {
    write_file(path, {});
    CHECK_FALSE(SegmentReader::open(path));
  }
  SECTION("a microsecond pcap from the corpus") {
    const std::string corpus = corpus_dir() + "/suricata-verify/tests/decode-arp-3/arp-encap.pcap";
    if (!std::filesystem::exists(corpus)) {
      WARN("corpus file missing: " << corpus);
      return;
    }
    auto r = SegmentReader::open(corpus);
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find("not a segment") != std::string::npos);
  }
  SECTION("memory: a header alone is a segment with no records") {
    std::vector<std::uint8_t> h(kGlobalHeaderSize);
    encode_global_header(h.data(), LinkType::raw);
    auto r = SegmentReader::open_memory(h);
    REQUIRE(r);
    CHECK(r->link() == LinkType::raw);
    int n = 0;
    CHECK(r->for_each([&](const StoredRecord&) { ++n; }) == RecordStatus::end_of_data);
    CHECK(n == 0);
    h.push_back(1);  // a stray byte: the walk says so
    auto r2 = SegmentReader::open_memory(h);
    REQUIRE(r2);
    CHECK(r2->for_each([&](const StoredRecord&) { ++n; }) == RecordStatus::short_header);
  }
}

// Real captures through the writer: tshark must see the same frames, bytes
// (MD5) and nanosecond times in the segments as in the original.
TEST_CASE("corpus captures stored as segments read in tshark exactly as the originals",
          "[store][segment_writer][corpus]") {
  const std::string base = corpus_dir() + "/suricata-verify/tests/";
  // Ethernet, Linux SLL2 with 16 KiB frames, and 4763 frames over 2 MiB
  // (which the small segments below split into several files).
  const char* inputs[] = {"decode-arp-3/arp-encap.pcap", "decode-sll2-02/input.pcap",
                          "rfb-protocol-3.3/06-vnc-Password-3.3.pcap"};
  int checked = 0;
  for (const char* rel : inputs) {
    const std::string original = base + rel;
    INFO(original);
    if (!std::filesystem::exists(original)) {
      WARN("corpus file missing: " << original);
      continue;
    }
    TempDir tmp;
    auto src = capture::PcapFileSource::open(original);
    REQUIRE(src);
    StoreConfig c = test_config();
    c.max_segment_bytes = kGlobalHeaderSize + kMaxRecordSize;
    auto w = SegmentWriter::open(c, tmp.path(), 0);
    REQUIRE(w);
    PacketBatch batch;
    while ((*src)->next_batch(batch) > 0) {
      for (std::uint32_t i = 0; i < batch.count; ++i) REQUIRE((*w)->append(batch.packets[i]).stored());
      (*src)->release(batch);
    }
    REQUIRE((*w)->close());
    std::vector<std::string> segments;
    for (const auto& n : list_dir((*w)->directory())) segments.push_back((*w)->directory() + "/" + n);
    REQUIRE_FALSE(segments.empty());
    std::vector<OracleFrame> stored;
    for (const auto& s : segments) {
      const auto f = tshark_frames(s);
      stored.insert(stored.end(), f.begin(), f.end());
    }
    const auto expected = tshark_frames(original);
    REQUIRE_FALSE(expected.empty());
    CHECK(stored.size() == expected.size());
    CHECK(stored == expected);
    CHECK((*w)->stats().segments_closed.get() == segments.size());
    ++checked;
  }
  CHECK(checked > 0);
}
