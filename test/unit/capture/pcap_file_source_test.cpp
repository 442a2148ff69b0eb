// PcapFileSource against Wireshark's readers (tshark, capinfos) on the real
// corpus and on conversions of it (editcap, mergecap), plus synthetic files
// for what the corpus lacks and hostile files that must stop cleanly.
#include "capture/pcap_file_source.hpp"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <deque>

#include <catch2/catch.hpp>

#include "capture_file_builder.hpp"
#include "capture_oracle.hpp"
#include "temp_dir.hpp"

namespace opensoc::capture {
namespace {

using test::Frame;
using test::PcapBuilder;
using test::PcapngBuilder;

std::string corpus_file(const std::string& rel) {
  return test::corpus_dir() + "/suricata-verify/tests/" + rel;
}

std::vector<std::uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const std::string& path, std::span<const std::uint8_t> bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

std::unique_ptr<PcapFileSource> open_ok(const std::string& path, std::uint16_t port = 0) {
  auto r = PcapFileSource::open(path, port);
  INFO(path);
  REQUIRE(r.has_value());
  return std::move(r).value();
}

std::unique_ptr<PcapFileSource> open_mem_ok(std::span<const std::uint8_t> bytes) {
  auto r = PcapFileSource::open_memory(bytes, "mem.pcap");
  if (!r) FAIL(r.error().message);
  return std::move(r).value();
}

std::vector<Frame> frames_of(const std::string& path) {
  auto src = open_ok(path);
  return test::read_frames(*src);
}

/// What read_views does with the bytes: views are only promised until the
/// next batch (a streamed pcap reuses its buffer), so by default each frame is
/// copied and its view repointed at the copy. Sources over caller memory
/// (open_memory) keep their views, so tests can check where they point.
enum class Keep { copies, views };

/// Every view the source hands out, until exhausted.
std::vector<PacketView> read_views(PcapFileSource& src, Keep keep = Keep::copies) {
  // Copies live until the test program ends: the files here are small.
  static std::deque<std::vector<std::uint8_t>> copies;
  std::vector<PacketView> views;
  PacketBatch batch;
  // A file never has "nothing right now": 0 frames means exhausted.
  while (src.next_batch(batch) > 0) {
    for (std::uint32_t i = 0; i < batch.count; ++i) {
      PacketView v = batch.packets[i];
      if (keep == Keep::copies) {
        copies.emplace_back(v.data, v.data + v.caplen);
        v.data = copies.back().data();
      }
      views.push_back(v);
    }
    src.release(batch);
  }
  REQUIRE(src.exhausted());
  return views;
}

std::vector<LinkType> links_of(PcapFileSource& src) {
  std::vector<LinkType> links;
  for (const auto& v : read_views(src)) links.push_back(v.link);
  return links;
}

bool tool_available(const char* tool) {
  return test::run_command(std::string("command -v ") + tool + " >/dev/null 2>&1").has_value();
}

/// Converts `in` with editcap to `format` ("pcapng", "nsecpcap"...).
std::string editcap(const test::TempDir& tmp, const std::string& in, const std::string& format,
                    const std::string& out_name) {
  const std::string out = tmp.file(out_name);
  REQUIRE(test::run_command("editcap -F " + format + " " + test::shell_quote(in) + " " + test::shell_quote(out) +
                            " >/dev/null 2>&1")
              .has_value());
  return out;
}

// Corpus files that exercise something particular.
const char* const kBigEndianPcap = "nfs3-01/input.pcap";               // a1b2c3d4 written big-endian
const char* const kTornPcap = "http-mime-truncated/input.pcap";        // last record cut short
const char* const kMicrosOverflow = "transform-base64-7296/input.pcap";  // ts_usec >= 1000000
const char* const kSllPcap = "output-eve-smb-01/input.pcap";           // LINKTYPE_LINUX_SLL
const char* const kSll2Pcap = "decode-sll2-01/input.pcap";             // LINKTYPE_LINUX_SLL2
const char* const kRawPcap = "bug-5758/input.pcap";                    // LINKTYPE_RAW
const char* const kIpv4Pcap = "pcap-file-stdin/input.pcap";            // LINKTYPE_IPV4
const char* const kNullPcap = "datasets-pcrexform/input.pcap";    // LINKTYPE_NULL
const char* const kChdlcPcap = "decode-chdlc-01/hdlc-http_1tx.pcap";   // 104, not in LinkType
const char* const kSmallPcap = "ldap-unbind/ldap.pcap";                // 381 bytes, 5 records

std::vector<std::string> special_files() {
  return {kBigEndianPcap, kTornPcap, kMicrosOverflow, kSllPcap, kSll2Pcap, kRawPcap,
          kIpv4Pcap,      kNullPcap, kChdlcPcap,      kSmallPcap};
}

void check_against_tshark(const std::string& path) {
  INFO(path);
  const auto expected = test::tshark_frames(path);
  const auto actual = frames_of(path);
  REQUIRE(actual.size() == expected.size());
  for (std::size_t i = 0; i < actual.size(); ++i) {
    INFO("frame " << i + 1);
    CHECK(actual[i].ts == expected[i].ts);
    CHECK(actual[i].wirelen == expected[i].wirelen);
    CHECK(actual[i].caplen == expected[i].caplen);
  }
}

}  // namespace

TEST_CASE("PcapFileSource counts the same records as capinfos in every corpus pcap", "[capture][corpus]") {
  REQUIRE(tool_available("capinfos"));
  const auto paths = test::corpus_pcaps();
  INFO("corpus: " << test::corpus_dir());
  REQUIRE(paths.size() > 1000);
  const auto expected = test::capinfos_report(paths);
  REQUIRE(expected.counts.size() == paths.size());
  // The corpus has files cut short on purpose; the test means more with them.
  REQUIRE_FALSE(expected.cut_short.empty());

  for (const auto& path : paths) {
    INFO(path);
    auto src = open_ok(path);
    const auto views = read_views(*src);
    CHECK(views.size() == expected.counts.at(path));
    const auto st = src->stats();
    CHECK(st.packets == views.size());
    std::uint64_t bytes = 0;
    for (const auto& v : views) {
      bytes += v.wirelen;
      CHECK(v.caplen <= v.wirelen);
    }
    CHECK(st.bytes == bytes);
    const bool torn = expected.cut_short.count(path) != 0;
    CHECK(st.truncated_records == (torn ? 1u : 0u));
    CHECK(src->error().empty() == !torn);
  }
}

TEST_CASE("PcapFileSource matches tshark's timestamps and lengths on a corpus sample", "[capture][corpus]") {
  REQUIRE(tool_available("tshark"));
  std::set<std::string> sample;
  for (const auto& rel : special_files()) sample.insert(corpus_file(rel));
  const auto all = test::corpus_pcaps();
  for (std::size_t i = 0; i < all.size(); i += 100) sample.insert(all[i]);
  for (const auto& path : sample) check_against_tshark(path);
}

TEST_CASE("PcapFileSource matches tshark on every corpus pcap", "[capture][corpus][.slow]") {
  REQUIRE(tool_available("tshark"));
  for (const auto& path : test::corpus_pcaps()) check_against_tshark(path);
}

TEST_CASE("PcapFileSource passes each file's link type through", "[capture][corpus]") {
  struct Case {
    const char* file;
    LinkType link;
  };
  const Case cases[] = {
      {kSmallPcap, LinkType::ethernet},     {kSllPcap, LinkType::linux_sll},
      {kSll2Pcap, LinkType::linux_sll2},    {kRawPcap, LinkType::raw},
      {kIpv4Pcap, LinkType::ipv4},          {kNullPcap, LinkType::null_bsd},
      {kChdlcPcap, static_cast<LinkType>(104)}, {kBigEndianPcap, LinkType::ethernet},
  };
  for (const auto& c : cases) {
    INFO(c.file);
    auto src = open_ok(corpus_file(c.file));
    CHECK(src->format() == FileFormat::pcap);
    const auto links = links_of(*src);
    REQUIRE(!links.empty());
    CHECK(std::all_of(links.begin(), links.end(), [&](LinkType l) { return l == c.link; }));
  }
}

TEST_CASE("PcapFileSource reads editcap conversions to pcapng and nanosecond pcap like tshark", "[capture][pcapng]") {
  REQUIRE(tool_available("editcap"));
  test::TempDir tmp;
  int n = 0;
  for (const auto& rel : special_files()) {
    const std::string original = corpus_file(rel);
    INFO(original);
    auto orig_src = open_ok(original);
    const auto orig_views = read_views(*orig_src);

    for (const char* format : {"pcapng", "nsecpcap"}) {
      INFO(format);
      const std::string converted = editcap(tmp, original, format, std::to_string(n++) + "." + format);
      // The originals are checked against tshark elsewhere; a couple of
      // conversions are too, so editcap is not trusted blindly.
      if (rel == std::string(kBigEndianPcap) || rel == std::string(kMicrosOverflow)) check_against_tshark(converted);

      auto conv_src = open_ok(converted);
      CHECK(conv_src->format() == (std::string(format) == "pcapng" ? FileFormat::pcapng : FileFormat::pcap));
      const auto conv_views = read_views(*conv_src);
      // editcap stops at the torn record too, so both hold the same frames.
      REQUIRE(conv_views.size() == orig_views.size());
      for (std::size_t i = 0; i < conv_views.size(); ++i) {
        INFO("frame " << i + 1);
        CHECK(conv_views[i].ts == orig_views[i].ts);
        CHECK(conv_views[i].link == orig_views[i].link);
        CHECK(conv_views[i].wirelen == orig_views[i].wirelen);
        REQUIRE(conv_views[i].caplen == orig_views[i].caplen);
        CHECK(std::memcmp(conv_views[i].data, orig_views[i].data, conv_views[i].caplen) == 0);
      }
    }
  }
}

TEST_CASE("PcapFileSource gives each pcapng interface its own link type", "[capture][pcapng]") {
  REQUIRE(tool_available("mergecap"));
  test::TempDir tmp;
  const std::string merged = tmp.file("merged.pcapng");
  const std::vector<const char*> parts = {kSmallPcap, kSllPcap, kRawPcap, kSll2Pcap};
  std::string cmd = "mergecap -a -F pcapng -w " + test::shell_quote(merged);
  std::vector<LinkType> expected;
  for (const char* rel : parts) {
    cmd += " " + test::shell_quote(corpus_file(rel));
    auto src = open_ok(corpus_file(rel));
    const auto links = links_of(*src);
    expected.insert(expected.end(), links.begin(), links.end());
  }
  REQUIRE(test::run_command(cmd + " >/dev/null 2>&1").has_value());

  auto src = open_ok(merged);
  CHECK(links_of(*src) == expected);
  check_against_tshark(merged);
}

TEST_CASE("PcapFileSource reads synthetic pcapng features exactly", "[capture][pcapng]") {
  const std::vector<std::uint8_t> frame(60, 0xab);
  const std::vector<std::uint8_t> small = {1, 2, 3, 4, 5, 6, 7, 8};
  test::TempDir tmp;

  SECTION("big-endian section with nanosecond resolution") {
    PcapngBuilder b;
    b.section(true).interface(1, 0, std::uint8_t{9}).epb(0, 1'700'000'000'123'456'789ULL, frame, 70);
    const auto path = tmp.file("be.pcapng");
    write_bytes(path, b.bytes());
    auto src = open_ok(path);
    const auto frames = test::read_frames(*src);
    REQUIRE(frames.size() == 1);
    CHECK(frames[0] == Frame{1'700'000'000'123'456'789LL, 70, 60});
    if (tool_available("tshark")) check_against_tshark(path);
  }

  SECTION("power-of-two resolution and a timestamp offset") {
    // 2^-20 s units: 1700000000 s + 3/8 s, then moved by if_tsoffset = 100 s.
    const std::uint64_t ticks = (std::uint64_t{1'700'000'000} << 20) + (3u << 17);
    PcapngBuilder b;
    b.section(false).interface(1, 0, std::uint8_t{0x80 | 20}, std::int64_t{100}).epb(0, ticks, frame, 60);
    const auto path = tmp.file("pow2.pcapng");
    write_bytes(path, b.bytes());
    auto src = open_ok(path);
    const auto frames = test::read_frames(*src);
    REQUIRE(frames.size() == 1);
    CHECK(frames[0].ts == 1'700'000'100'375'000'000LL);
    if (tool_available("tshark")) check_against_tshark(path);
  }

  SECTION("resolutions finer than a nanosecond round down exactly") {
    PcapngBuilder b;
    b.section(false)
        .interface(1, 0, std::uint8_t{0x80 | 40})   // 2^-40 s
        .interface(1, 0, std::uint8_t{12})          // picoseconds
        .interface(1, 0, std::uint8_t{0})           // whole seconds
        .epb(0, (std::uint64_t{1'000'000} << 40) + (std::uint64_t{3} << 37), frame, 60)
        .epb(0, 1, frame, 60)                        // 0.9 ps
        .epb(1, 1'234'567'890'123ULL, frame, 60)
        .epb(2, 1'700'000'000ULL, frame, 60);
    auto src = open_mem_ok(b.bytes());
    const auto frames = test::read_frames(*src);
    REQUIRE(frames.size() == 4);
    CHECK(frames[0].ts == 1'000'000'375'000'000LL);
    CHECK(frames[1].ts == 0);
    CHECK(frames[2].ts == 1'234'567'890LL);
    CHECK(frames[3].ts == 1'700'000'000'000'000'000LL);
  }

  SECTION("a simple packet block uses interface 0's snaplen and the previous timestamp") {
    PcapngBuilder b;
    b.section(false)
        .interface(1, 8)
        .epb(0, 1'700'000'000'000'001ULL, small, 8)
        .spb(small, 100);  // 100 bytes on the wire, cut to the snaplen of 8
    auto src = open_mem_ok(b.bytes());
    const auto views = read_views(*src);
    REQUIRE(views.size() == 2);
    CHECK(views[1].caplen == 8);
    CHECK(views[1].wirelen == 100);
    CHECK(views[1].ts == 1'700'000'000'000'001'000LL);
    CHECK(std::memcmp(views[1].data, small.data(), 8) == 0);
  }

  SECTION("a simple packet block is never longer than its block") {
    PcapngBuilder b;
    b.section(false).interface(1, 0).spb(small, 1000);
    auto src = open_mem_ok(b.bytes());
    const auto views = read_views(*src);
    REQUIRE(views.size() == 1);
    CHECK(views[0].caplen == 8);
    CHECK(views[0].wirelen == 1000);
    CHECK(src->error().empty());
  }

  SECTION("the obsolete packet block") {
    PcapngBuilder b;
    b.section(false).interface(113, 0).interface(1, 0).pb(1, 1'600'000'000'000'000ULL, frame, 64);
    auto src = open_mem_ok(b.bytes());
    const auto views = read_views(*src);
    REQUIRE(views.size() == 1);
    CHECK(views[0].link == LinkType::ethernet);
    CHECK(views[0].ts == 1'600'000'000'000'000'000LL);
    CHECK(views[0].caplen == 60);
    CHECK(views[0].wirelen == 64);
  }

  SECTION("sections in both byte orders, each with its own interfaces") {
    PcapngBuilder b;
    b.section(false)
        .interface(1, 0)
        .epb(0, 1'000'000ULL, frame, 60)
        .section(true)
        .interface(101, 0, std::uint8_t{9})
        .interface(113, 0)
        .epb(1, 2'000'000ULL, frame, 60)
        .epb(0, 3'000'000'000ULL, small, 8)
        .section(false)
        .interface(276, 0)
        .epb(0, 4'000'000ULL, small, 8);
    const auto path = tmp.file("sections.pcapng");
    write_bytes(path, b.bytes());
    auto src = open_ok(path);
    const auto views = read_views(*src);
    REQUIRE(views.size() == 4);
    CHECK(views[0].link == LinkType::ethernet);
    CHECK(views[0].ts == 1'000'000'000LL);
    CHECK(views[1].link == LinkType::linux_sll);
    CHECK(views[1].ts == 2'000'000'000LL);
    CHECK(views[2].link == LinkType::raw);
    CHECK(views[2].ts == 3'000'000'000LL);
    CHECK(views[3].link == LinkType::linux_sll2);
    CHECK(views[3].ts == 4'000'000'000LL);
    CHECK(src->error().empty());
    if (tool_available("tshark")) check_against_tshark(path);
  }

  SECTION("blocks without packets are skipped") {
    const std::vector<std::uint8_t> body(13, 0x5a);
    PcapngBuilder b;
    b.section(false)
        .block(4, body)             // name resolution
        .interface(1, 0)
        .block(5, body)             // interface statistics
        .epb(0, 1ULL, frame, 60)
        .block(0x00000BAD, body)    // custom
        .block(0x40000BAD, body)    // custom, not to be copied
        .block(0x0000abcd, {})      // unknown
        .epb(0, 2ULL, frame, 60)
        .block(10, body);           // decryption secrets
    auto src = open_mem_ok(b.bytes());
    const auto frames = test::read_frames(*src);
    REQUIRE(frames.size() == 2);
    CHECK(frames[1].ts == 2'000LL);
    CHECK(src->error().empty());
    CHECK(src->stats().truncated_records == 0);
  }
}

TEST_CASE("PcapFileSource reads pcap header variants", "[capture][pcap]") {
  const std::vector<std::uint8_t> frame(42, 0x11);

  SECTION("big-endian nanosecond pcap") {
    PcapBuilder b(true, true, 1);
    b.record(1'700'000'000, 999'999'999, frame, 42).record(1'700'000'001, 1, frame, 1500);
    auto src = open_mem_ok(b.bytes());
    const auto frames = test::read_frames(*src);
    REQUIRE(frames.size() == 2);
    CHECK(frames[0] == Frame{1'700'000'000'999'999'999LL, 42, 42});
    CHECK(frames[1] == Frame{1'700'000'001'000'000'001LL, 1500, 42});
  }

  SECTION("FCS bits in the link field are ignored") {
    // F bit (27) set and an FCS length of 2 (bits 28-31) on LINKTYPE_ETHERNET.
    PcapBuilder b(false, false, 1u | (1u << 27) | (2u << 28));
    b.record(1, 2, frame, 42);
    auto src = open_mem_ok(b.bytes());
    const auto links = links_of(*src);
    REQUIRE(links.size() == 1);
    CHECK(links[0] == LinkType::ethernet);
  }

  SECTION("a wire length shorter than the captured length is raised to it") {
    PcapBuilder b(false, false, 1);
    b.record(1, 2, frame, 10);
    auto src = open_mem_ok(b.bytes());
    const auto frames = test::read_frames(*src);
    REQUIRE(frames.size() == 1);
    CHECK(frames[0].wirelen == 42);
  }

  SECTION("a header with no records is an empty, clean capture") {
    const bool ng = GENERATE(false, true);
    INFO((ng ? "pcapng" : "pcap"));
    const auto bytes = ng ? PcapngBuilder().section(true).bytes() : PcapBuilder(false, false, 1).bytes();
    auto src = open_mem_ok(bytes);
    CHECK(src->exhausted());
    PacketBatch batch;
    CHECK(src->next_batch(batch) == 0);
    CHECK(src->error().empty());
  }
}

TEST_CASE("PcapFileSource hands out batches of at most 64 and reports end of input", "[capture]") {
  const std::vector<std::uint8_t> frame(60, 0x22);
  test::TempDir tmp;

  SECTION("150 records: 64, 64, 22") {
    PcapBuilder b(false, false, 1);
    for (std::uint32_t i = 0; i < 150; ++i) b.record(i, 0, frame, 100);
    const auto path = tmp.file("150.pcap");
    write_bytes(path, b.bytes());
    auto src = open_ok(path, 3);
    CHECK(src->name() == "file:150.pcap");
    PacketBatch batch;
    CHECK(src->next_batch(batch) == 64);
    CHECK(batch.count == 64);
    CHECK(batch.packets[63].ts == 63 * kNsPerSecond);
    CHECK(batch.packets[0].port == 3);
    CHECK(batch.packets[0].queue == 0);
    CHECK_FALSE(src->exhausted());
    src->release(batch);
    CHECK(batch.count == 0);
    CHECK(src->next_batch(batch) == 64);
    src->release(batch);
    CHECK(src->next_batch(batch) == 22);
    CHECK(src->exhausted());
    CHECK(batch.packets[21].ts == 149 * kNsPerSecond);
    src->release(batch);
    CHECK(src->next_batch(batch) == 0);
    CHECK(batch.count == 0);
    const auto st = src->stats();
    CHECK(st.packets == 150);
    CHECK(st.bytes == 150 * 100);
    CHECK(st.truncated_records == 0);
    CHECK(st.nic_dropped == 0);
    CHECK(src->error().empty());
  }

  SECTION("a full last batch already reports exhausted") {
    PcapngBuilder b;
    b.section(false).interface(1, 0);
    for (std::uint64_t i = 0; i < 128; ++i) b.epb(0, i, frame, 60);
    auto src = open_mem_ok(b.bytes());
    PacketBatch batch;
    CHECK(src->next_batch(batch) == 64);
    CHECK_FALSE(src->exhausted());
    CHECK(src->next_batch(batch) == 64);
    CHECK(src->exhausted());
  }
}

namespace {

// Offsets where each packet record ends, walking the file independently of
// the reader under test (pcap records, or pcapng packet blocks).
std::vector<std::size_t> pcap_record_ends(const std::vector<std::uint8_t>& f) {
  std::vector<std::size_t> ends;
  std::size_t pos = 24;
  while (pos + 16 <= f.size()) {
    std::uint32_t caplen;
    std::memcpy(&caplen, f.data() + pos + 8, 4);  // little-endian test files
    pos += 16 + caplen;
    ends.push_back(pos);
  }
  return ends;
}

struct BlockEnds {
  std::size_t first_shb_end = 0;
  std::vector<std::size_t> packet_ends;
  std::vector<std::size_t> all_ends;
};

BlockEnds pcapng_block_ends(const std::vector<std::uint8_t>& f) {
  BlockEnds out;
  std::size_t pos = 0;
  bool big = false;
  auto load32 = [&](std::size_t at) {
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= std::uint32_t{f[at + i]} << (big ? (3 - i) * 8 : i * 8);
    return v;
  };
  while (pos + 12 <= f.size()) {
    if (load32(pos) == 0x0a0d0d0a) big = f[pos + 8] == 0x1a;
    const std::uint32_t type = load32(pos);
    pos += load32(pos + 4);
    if (out.first_shb_end == 0) out.first_shb_end = pos;
    out.all_ends.push_back(pos);
    if (type == 2 || type == 3 || type == 6) out.packet_ends.push_back(pos);
  }
  return out;
}

// Reads every prefix of `full` and checks that exactly the complete records
// come out, that a partial one is counted as torn, and that views stay inside
// the prefix.
void check_every_prefix(const std::vector<std::uint8_t>& full, std::size_t header_len,
                        const std::vector<std::size_t>& packet_ends, const std::vector<std::size_t>& boundaries) {
  auto whole = open_mem_ok(full);
  const auto all = read_views(*whole);
  REQUIRE(all.size() == packet_ends.size());
  for (std::size_t len = 0; len <= full.size(); ++len) {
    INFO("prefix of " << len << " bytes");
    const std::vector<std::uint8_t> prefix(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(len));
    auto r = PcapFileSource::open_memory(prefix, "prefix.pcap");
    if (len < header_len) {
      REQUIRE_FALSE(r.has_value());
      CHECK(r.error().message.find("prefix.pcap") != std::string::npos);
      continue;
    }
    REQUIRE(r.has_value());
    auto& src = *r.value();
    const auto views = read_views(src, Keep::views);
    const auto complete = static_cast<std::size_t>(
        std::count_if(packet_ends.begin(), packet_ends.end(), [&](std::size_t e) { return e <= len; }));
    REQUIRE(views.size() == complete);
    for (std::size_t i = 0; i < views.size(); ++i) {
      CHECK(views[i].ts == all[i].ts);
      REQUIRE(views[i].caplen == all[i].caplen);
      CHECK(views[i].data >= prefix.data());
      CHECK(views[i].data + views[i].caplen <= prefix.data() + prefix.size());
      CHECK(std::memcmp(views[i].data, all[i].data, views[i].caplen) == 0);
    }
    const bool on_boundary =
        len == header_len || std::find(boundaries.begin(), boundaries.end(), len) != boundaries.end();
    CHECK(src.stats().truncated_records == (on_boundary ? 0u : 1u));
    CHECK(src.error().empty() == on_boundary);
    if (!on_boundary) {
      CHECK(src.error().find("prefix.pcap") != std::string::npos);
      CHECK(src.error().find("byte offset") != std::string::npos);
    }
  }
}

}  // namespace

TEST_CASE("PcapFileSource reads every prefix of a file up to the last complete record", "[capture][truncated]") {
  SECTION("pcap") {
    const auto full = read_bytes(corpus_file(kSmallPcap));
    REQUIRE(full.size() == 381);
    const auto ends = pcap_record_ends(full);
    REQUIRE(ends.size() == 5);
    check_every_prefix(full, 24, ends, ends);
  }
  SECTION("pcapng from editcap") {
    REQUIRE(tool_available("editcap"));
    test::TempDir tmp;
    const auto full = read_bytes(editcap(tmp, corpus_file(kSmallPcap), "pcapng", "small.pcapng"));
    const auto blocks = pcapng_block_ends(full);
    REQUIRE(blocks.packet_ends.size() == 5);
    check_every_prefix(full, blocks.first_shb_end, blocks.packet_ends, blocks.all_ends);
  }
  SECTION("big-endian pcapng with several sections") {
    const std::vector<std::uint8_t> frame(33, 0x44);
    PcapngBuilder b;
    b.section(true).interface(1, 16).epb(0, 5, frame, 33).spb(frame, 33).section(false).interface(101, 0).pb(
        0, 7, frame, 40);
    const auto blocks = pcapng_block_ends(b.bytes());
    REQUIRE(blocks.packet_ends.size() == 3);
    check_every_prefix(b.bytes(), blocks.first_shb_end, blocks.packet_ends, blocks.all_ends);
  }
  SECTION("through the file path, not only memory") {
    test::TempDir tmp;
    const auto full = read_bytes(corpus_file(kSmallPcap));
    const auto path = tmp.file("cut.pcap");
    write_bytes(path, std::span(full).first(full.size() - 5));
    auto src = open_ok(path);
    CHECK(read_views(*src).size() == 4);
    CHECK(src->exhausted());
    CHECK(src->stats().truncated_records == 1);
    INFO(src->error());
    CHECK(src->error().find(path) != std::string::npos);
    CHECK(src->error().find("byte offset 311") != std::string::npos);
  }
}

TEST_CASE("PcapFileSource refuses files that are not captures, naming them", "[capture][errors]") {
  test::TempDir tmp;

  SECTION("an empty file") {
    const auto path = tmp.file("empty.pcap");
    write_bytes(path, {});
    auto r = PcapFileSource::open(path);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().message.find(path) != std::string::npos);
    CHECK(r.error().message.find("empty") != std::string::npos);
  }
  SECTION("a text file, quoting the magic it saw") {
    const auto path = tmp.file("notes.txt");
    const std::string text = "hello world\n";
    write_bytes(path, std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
    auto r = PcapFileSource::open(path);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().message.find(path) != std::string::npos);
    CHECK(r.error().message.find("68 65 6c 6c") != std::string::npos);
  }
  SECTION("a missing file") {
    auto r = PcapFileSource::open(tmp.file("nope.pcap"));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().message.find("nope.pcap") != std::string::npos);
  }
  SECTION("a directory") {
    auto r = PcapFileSource::open(tmp.path());
    REQUIRE_FALSE(r.has_value());
  }
  SECTION("a pcapng whose byte-order magic is wrong") {
    PcapngBuilder b;
    b.section(false);
    auto bytes = b.bytes();
    bytes[8] = 0x00;
    auto r = PcapFileSource::open_memory(bytes, "bad.pcapng");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().message.find("byte-order") != std::string::npos);
  }
  SECTION("a pcapng of an unknown major version") {
    PcapngBuilder b;
    b.section(false, 2);
    auto r = PcapFileSource::open_memory(b.bytes(), "v2.pcapng");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().message.find("version 2") != std::string::npos);
  }
}

TEST_CASE("PcapFileSource stops at impossible records with an error", "[capture][errors]") {
  const std::vector<std::uint8_t> frame(60, 0x33);

  auto expect_stop = [](std::span<const std::uint8_t> bytes, std::size_t good_frames, const char* phrase) {
    auto src = open_mem_ok(bytes);
    CHECK(read_views(*src).size() == good_frames);
    CHECK(src->exhausted());
    INFO(src->error());
    CHECK(src->error().find(phrase) != std::string::npos);
    CHECK(src->error().find("mem.pcap") != std::string::npos);
    CHECK(src->stats().truncated_records == 0);
  };

  SECTION("pcap caplen above 262144") {
    PcapBuilder b(false, false, 1);
    b.record(1, 0, frame, 60).record_header(2, 0, PcapFileSource::kMaxCaplen + 1, 70000).payload(frame);
    expect_stop(b.bytes(), 1, "exceeds the maximum");
  }
  SECTION("pcapng block length not a multiple of 4") {
    PcapngBuilder b;
    b.section(false).interface(1, 0).epb(0, 1, frame, 60);
    auto& w = b.writer();
    const std::size_t at = w.out.size();
    b.epb(0, 2, frame, 60);
    w.patch32(at + 4, 93);
    expect_stop(b.bytes(), 1, "invalid length 93");
  }
  SECTION("pcapng block length smaller than a block") {
    PcapngBuilder b;
    b.section(false).interface(1, 0);
    auto& w = b.writer();
    const std::size_t at = w.out.size();
    b.epb(0, 2, frame, 60);
    w.patch32(at + 4, 8);
    expect_stop(b.bytes(), 0, "invalid length 8");
  }
  SECTION("pcapng trailing length differs") {
    PcapngBuilder b;
    b.section(false).interface(1, 0).epb(0, 2, frame, 60);
    auto& w = b.writer();
    w.patch32(w.out.size() - 4, 12);
    expect_stop(b.bytes(), 0, "trailing length");
  }
  SECTION("pcapng packet longer than its block") {
    PcapngBuilder b;
    b.section(false).interface(1, 0);
    auto& w = b.writer();
    const std::size_t at = w.out.size();
    b.epb(0, 2, frame, 60);
    w.patch32(at + 8 + 12, 61);  // caplen field
    expect_stop(b.bytes(), 0, "runs past");
  }
  SECTION("pcapng packet on an interface the section does not have") {
    PcapngBuilder b;
    b.section(false).interface(1, 0).epb(0, 1, frame, 60).section(false).epb(0, 2, frame, 60);
    expect_stop(b.bytes(), 1, "interface 0");
  }
  SECTION("pcapng if_tsresol beyond 64 bits") {
    PcapngBuilder b;
    b.section(false).interface(1, 0, std::uint8_t{0x80 | 64}).epb(0, 1, frame, 60);
    expect_stop(b.bytes(), 0, "if_tsresol");
  }
  SECTION("pcapng block length past the end of the file is a torn record") {
    PcapngBuilder b;
    b.section(false).interface(1, 0).epb(0, 1, frame, 60);
    auto& w = b.writer();
    const std::size_t at = w.out.size();
    b.epb(0, 2, frame, 60);
    w.patch32(at + 4, 0xfffffff0);
    auto src = open_mem_ok(b.bytes());
    CHECK(read_views(*src).size() == 1);
    CHECK(src->stats().truncated_records == 1);
    CHECK(src->error().find("byte offset " + std::to_string(at)) != std::string::npos);
  }
}

TEST_CASE("PcapFileSource never reads outside random and mutated files", "[capture][hostile]") {
  std::mt19937 rng(20240611);
  auto check_in_bounds = [](const std::vector<std::uint8_t>& bytes) {
    auto r = PcapFileSource::open_memory(bytes, "fuzz");
    if (!r) return;
    auto& src = *r.value();
    std::size_t n = 0;
    PacketBatch batch;
    while (src.next_batch(batch) > 0) {
      for (std::uint32_t i = 0; i < batch.count; ++i) {
        const PacketView& v = batch.packets[i];
        REQUIRE(v.data >= bytes.data());
        REQUIRE(v.data + v.caplen <= bytes.data() + bytes.size());
        REQUIRE(v.caplen <= PcapFileSource::kMaxCaplen);
        REQUIRE(v.caplen <= v.wirelen);
      }
      n += batch.count;
      src.release(batch);
      REQUIRE(n <= bytes.size());
    }
    REQUIRE(src.exhausted());
  };

  SECTION("random bytes behind each magic") {
    const std::vector<std::vector<std::uint8_t>> heads = {
        PcapBuilder(false, false, 1).bytes(), PcapBuilder(true, true, 1).bytes(),
        PcapngBuilder().section(false).interface(1, 0).bytes(), PcapngBuilder().section(true).interface(1, 0).bytes()};
    for (int i = 0; i < 4000; ++i) {
      auto bytes = heads[static_cast<std::size_t>(i) % heads.size()];
      const auto extra = std::uniform_int_distribution<int>(0, 600)(rng);
      for (int k = 0; k < extra; ++k) bytes.push_back(static_cast<std::uint8_t>(rng()));
      check_in_bounds(bytes);
    }
  }
  SECTION("bit flips and byte smashes of real files") {
    test::TempDir tmp;
    std::vector<std::vector<std::uint8_t>> seeds = {read_bytes(corpus_file(kSmallPcap))};
    if (tool_available("editcap")) seeds.push_back(read_bytes(editcap(tmp, corpus_file(kSmallPcap), "pcapng", "s.pcapng")));
    for (int i = 0; i < 4000; ++i) {
      auto bytes = seeds[static_cast<std::size_t>(i) % seeds.size()];
      const int edits = std::uniform_int_distribution<int>(1, 4)(rng);
      for (int k = 0; k < edits; ++k) {
        const auto at = std::uniform_int_distribution<std::size_t>(0, bytes.size() - 1)(rng);
        if (rng() % 2 == 0) bytes[at] ^= static_cast<std::uint8_t>(1u << (rng() % 8));
        else bytes[at] = static_cast<std::uint8_t>(rng() % 4 == 0 ? 0xff : rng());
      }
      check_in_bounds(bytes);
    }
  }
}

}  // namespace opensoc::capture

namespace opensoc::capture {

TEST_CASE("PcapFileSource streams a pcap larger than its buffer without losing or changing a record",
          "[capture][pcap][stream]") {
  // Record sizes cycle through small, odd and maximal ones so that records
  // straddle every refill boundary of the 1 MiB read buffer at some offset.
  const std::uint32_t sizes[] = {60, 1514, 9000, 262144, 1, 333, 65535, 4096};
  PcapBuilder b(false, true, 1);
  std::vector<std::vector<std::uint8_t>> frames;
  for (std::uint32_t i = 0; i < 120; ++i) {
    std::vector<std::uint8_t> f(sizes[i % 8]);
    for (std::size_t k = 0; k < f.size(); ++k) f[k] = static_cast<std::uint8_t>(i * 31 + k);
    b.record(1'700'000'000 + i, i * 1000, f, static_cast<std::uint32_t>(f.size()) + 4);
    frames.push_back(std::move(f));
  }
  REQUIRE(b.bytes().size() > 8 * PcapFileSource::kMaxCaplen * 2);
  test::TempDir tmp;
  const std::string path = tmp.file("big.pcap");

  SECTION("every record, byte for byte, in order") {
    write_bytes(path, b.bytes());
    auto src = open_ok(path);
    const auto views = read_views(*src);
    REQUIRE(views.size() == frames.size());
    for (std::size_t i = 0; i < frames.size(); ++i) {
      INFO("record " << i);
      REQUIRE(views[i].caplen == frames[i].size());
      CHECK(views[i].wirelen == frames[i].size() + 4);
      CHECK(views[i].ts == (1'700'000'000LL + static_cast<long long>(i)) * 1'000'000'000LL + static_cast<long long>(i) * 1000);
      CHECK(std::memcmp(views[i].data, frames[i].data(), frames[i].size()) == 0);
    }
    CHECK(src->error().empty());
    CHECK(src->stats().packets == frames.size());
  }
  SECTION("a torn last record far into the file is reported at its file offset") {
    std::vector<std::uint8_t> cut = b.bytes();
    const std::size_t last_record = cut.size() - (16 + frames.back().size());
    cut.resize(cut.size() - 100);
    write_bytes(path, cut);
    auto src = open_ok(path);
    const auto views = read_views(*src);
    CHECK(views.size() == frames.size() - 1);
    CHECK(src->stats().truncated_records == 1);
    CHECK(src->error().find("byte offset " + std::to_string(last_record)) != std::string::npos);
  }
}

}  // namespace opensoc::capture
