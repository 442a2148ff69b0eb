#include "index/packet_index.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <vector>

#include "index_test_support.hpp"

using namespace opensoc;
using namespace opensoc::index;
using opensoc::index::test::count_keys;
using opensoc::index::test::make_key;
using opensoc::index::test::parse_address;
using opensoc::index::test::TempDir;

namespace {

using Flows = std::vector<std::uint32_t>;

PacketIndex::Options test_options() {
  PacketIndex::Options o;
  o.map_size = 1ULL << 30;
  o.no_sync = true;
  return o;
}

std::unique_ptr<PacketIndex> open_index(const std::string& dir) {
  auto opened = PacketIndex::open(dir, test_options());
  INFO((opened ? std::string() : opened.error().message));
  REQUIRE(opened);
  return std::move(*opened);
}

PacketIndex::Reader reader_of(const PacketIndex& index) {
  auto r = index.read();
  INFO((r ? std::string() : r.error().message));
  REQUIRE(r);
  return std::move(*r);
}

std::array<std::uint8_t, 8> cid_of(std::uint32_t n) {
  return {0xC1, 0xD0, 0, 0, static_cast<std::uint8_t>(n >> 24), static_cast<std::uint8_t>(n >> 16),
          static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n)};
}

SegmentMeta meta_of(SegmentId id, std::uint32_t flows) {
  SegmentMeta m;
  m.id = id;
  m.first_ts = static_cast<TimestampNs>(id) * 1000;
  m.last_ts = m.first_ts + 999;
  m.packets = 10 * flows;
  m.indexed_bytes = 24 + 1000 * flows;
  m.flows = flows;
  m.closed = true;
  m.file_name = "seg-" + std::to_string(id) + ".pcap";
  return m;
}

// Adds a flow with `packets` postings at offsets base, base + 100, ... (one
// chunk), plus its FlowEntry.
void add_flow(IndexBatch& b, SegmentId seg, std::uint32_t flow_no, const FlowKey& key, std::uint32_t packets,
              std::uint32_t base) {
  b.new_flows.push_back({seg, flow_no, key, cid_of(flow_no)});
  FlowEntry e;
  e.flow_no = flow_no;
  e.key = key;
  e.first_ts = 1000 + flow_no;
  e.last_ts = 2000 + flow_no;
  e.packets = packets;
  b.flow_updates.push_back({seg, e});
  PostingsEncoder enc;
  for (std::uint32_t i = 0; i < packets; ++i) REQUIRE(enc.add(base + 100 * i, i % 2 == 1));
  b.postings.push_back({seg, flow_no, 0, enc.take_chunk()});
}

void commit(PacketIndex& index, const IndexBatch& b) {
  const auto r = index.commit(b);
  INFO((r ? std::string() : r.error().message));
  REQUIRE(r);
}

std::array<std::uint8_t, 16> addr(const std::string& text) {
  std::array<std::uint8_t, 16> a{};
  parse_address(text, a.data());
  return a;
}

Flows with_ip(const PacketIndex::Reader& r, SegmentId seg, std::uint8_t version, const std::string& lo,
              const std::string& hi) {
  Flows out;
  r.flows_with_ip(seg, version, addr(lo).data(), addr(hi).data(), out);
  return out;
}

constexpr SegmentId kSeg1 = store::make_segment_id(0, 1);
constexpr SegmentId kSeg2 = store::make_segment_id(0, 2);
constexpr SegmentId kSeg3 = store::make_segment_id(1, 1);

// Segment 1: five flows; segment 2: one flow sharing addresses and ports
// with segment 1, so lookups must keep segments apart.
IndexBatch sample_batch() {
  IndexBatch b;
  b.segments = {meta_of(kSeg1, 5), meta_of(kSeg2, 1)};
  add_flow(b, kSeg1, 1, make_key("10.0.0.1", 1234, "10.0.0.2", 80, 6), 3, 24);
  add_flow(b, kSeg1, 2, make_key("10.0.1.5", 53, "192.168.1.1", 5353, 17, 100), 2, 124);
  add_flow(b, kSeg1, 3, make_key("2001:db8::1", 443, "2001:db8::2", 50000, 6), 4, 224);
  add_flow(b, kSeg1, 4, make_key("10.0.0.1", 8, "10.0.0.9", 0, 1), 1, 324);
  // IPv6 whose first four bytes read as 10.0.0.1: must not match IPv4 queries.
  add_flow(b, kSeg1, 5, make_key("a00:1::", 80, "ff02::1", 80, 17), 1, 424);
  add_flow(b, kSeg2, 1, make_key("10.0.0.1", 1234, "10.0.0.2", 80, 6), 2, 24);
  return b;
}

}  // namespace

TEST_CASE("PacketIndex answers every lookup from a committed batch", "[index]") {
  TempDir dir;
  auto index = open_index(dir.path());
  const IndexBatch batch = sample_batch();
  commit(*index, batch);
  const auto r = reader_of(*index);

  SECTION("segments") {
    CHECK(r.segments() == std::vector<SegmentMeta>{meta_of(kSeg1, 5), meta_of(kSeg2, 1)});
    CHECK(r.segment(kSeg2) == std::optional<SegmentMeta>(meta_of(kSeg2, 1)));
    CHECK_FALSE(r.segment(kSeg3));
  }
  SECTION("flows") {
    Flows all;
    r.all_flows(kSeg1, all);
    CHECK(all == Flows{1, 2, 3, 4, 5});
    const auto f2 = r.flow(kSeg1, 2);
    REQUIRE(f2);
    CHECK(*f2 == batch.flow_updates[1].entry);
    CHECK_FALSE(r.flow(kSeg1, 6));
    CHECK_FALSE(r.flow(kSeg3, 1));
  }
  SECTION("exact addresses") {
    CHECK(with_ip(r, kSeg1, 4, "10.0.0.1", "10.0.0.1") == Flows{1, 4});
    CHECK(with_ip(r, kSeg1, 4, "192.168.1.1", "192.168.1.1") == Flows{2});
    CHECK(with_ip(r, kSeg2, 4, "10.0.0.2", "10.0.0.2") == Flows{1});
    CHECK(with_ip(r, kSeg1, 4, "10.0.0.3", "10.0.0.3").empty());
    CHECK(with_ip(r, kSeg1, 6, "2001:db8::2", "2001:db8::2") == Flows{3});
  }
  SECTION("IPv4 CIDR ranges") {
    CHECK(with_ip(r, kSeg1, 4, "10.0.0.0", "10.0.0.255") == Flows{1, 4});             // /24, both ends of 1 match once
    CHECK(with_ip(r, kSeg1, 4, "10.0.0.0", "10.255.255.255") == Flows{1, 2, 4});      // /8
    CHECK(with_ip(r, kSeg1, 4, "0.0.0.0", "255.255.255.255") == Flows{1, 2, 4});      // /0: no IPv6 flow
    CHECK(with_ip(r, kSeg1, 4, "10.0.0.2", "10.0.0.2") == Flows{1});                  // /32
    CHECK(with_ip(r, kSeg1, 4, "10.0.0.9", "10.0.1.5") == Flows{2, 4});               // inclusive bounds
    CHECK(with_ip(r, kSeg1, 4, "10.0.0.10", "10.0.1.4").empty());
    CHECK(with_ip(r, kSeg1, 4, "10.0.0.2", "10.0.0.1").empty());                      // lo > hi
  }
  SECTION("IPv6 CIDR ranges") {
    CHECK(with_ip(r, kSeg1, 6, "::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff") == Flows{3, 5});  // /0
    CHECK(with_ip(r, kSeg1, 6, "2001:db8::", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff") == Flows{3});  // /32
    CHECK(with_ip(r, kSeg1, 6, "2001:db8::1", "2001:db8::1") == Flows{3});  // /128
    CHECK(with_ip(r, kSeg1, 6, "2001:db8::3", "2001:db8::3").empty());
    CHECK(with_ip(r, kSeg1, 6, "ff00::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff") == Flows{5});  // upper edge
    CHECK(with_ip(r, kSeg1, 6, "a00:1::", "a00:1::") == Flows{5});
    CHECK(with_ip(r, kSeg1, 6, "a00:1::1", "2001:db7:ffff::").empty());
    CHECK(with_ip(r, kSeg1, 5, "::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff").empty());  // no such version
  }
  SECTION("ports, protocols, VLANs, community ids") {
    Flows out;
    r.flows_with_port(kSeg1, 80, out);
    CHECK(out == Flows{1, 5});
    out.clear();
    r.flows_with_port(kSeg1, 8, out);  // ICMP type is not a port
    CHECK(out.empty());
    r.flows_with_port(kSeg1, 50000, out);
    CHECK(out == Flows{3});
    out.clear();
    r.flows_with_proto(kSeg1, 6, out);
    CHECK(out == Flows{1, 3});
    out.clear();
    r.flows_with_proto(kSeg1, 1, out);
    CHECK(out == Flows{4});
    out.clear();
    r.flows_with_vlan(kSeg1, 100, out);
    CHECK(out == Flows{2});
    out.clear();
    r.flows_with_vlan(kSeg1, 0, out);
    CHECK(out.empty());
    r.flows_with_community_id(kSeg1, cid_of(3), out);
    CHECK(out == Flows{3});
    out.clear();
    r.flows_with_community_id(kSeg2, cid_of(3), out);
    CHECK(out.empty());
  }
  SECTION("results are appended after what the caller has") {
    Flows out = {99};
    r.flows_with_port(kSeg1, 80, out);
    r.flows_with_proto(kSeg1, 6, out);
    CHECK(out == Flows{99, 1, 5, 1, 3});
  }
  SECTION("postings") {
    std::vector<Posting> p;
    REQUIRE(r.postings(kSeg1, 3, p));
    CHECK(p == std::vector<Posting>{{224, false}, {324, true}, {424, false}, {524, true}});
    p.clear();
    REQUIRE(r.postings(kSeg2, 1, p));
    CHECK(p == std::vector<Posting>{{24, false}, {124, true}});
    p.clear();
    REQUIRE(r.postings(kSeg1, 99, p));
    CHECK(p.empty());
  }
}

TEST_CASE("PacketIndex reads a flow's chunks from several commits in order", "[index]") {
  TempDir dir;
  auto index = open_index(dir.path());
  PostingsEncoder enc;
  std::vector<Posting> expected;
  std::uint32_t offset = 24;
  for (std::uint32_t chunk = 0; chunk < 300; ++chunk) {  // chunk 256 sorts after 255
    IndexBatch b;
    for (std::uint32_t i = 0; i <= chunk % 3; ++i) {
      offset += 70 + chunk;
      REQUIRE(enc.add(offset, (offset & 4) != 0));
      expected.push_back({offset, (offset & 4) != 0});
    }
    b.postings.push_back({kSeg1, 7, chunk, enc.take_chunk()});
    commit(*index, b);
  }
  const auto r = reader_of(*index);
  std::vector<Posting> got = {{1, true}};
  REQUIRE(r.postings(kSeg1, 7, got));
  expected.insert(expected.begin(), Posting{1, true});
  CHECK(got == expected);

  const auto tail = r.postings_tail(kSeg1, 7);
  REQUIRE(tail);
  CHECK(tail->last_chunk_no == 299);
  CHECK(tail->last_offset == offset);
  CHECK_FALSE(r.postings_tail(kSeg1, 6));
  CHECK_FALSE(r.postings_tail(kSeg1, 8));
  CHECK_FALSE(r.postings_tail(kSeg2, 7));
}

TEST_CASE("PacketIndex postings_tail finds chunk 0xFFFFFFFF and a flow at the end of the database", "[index]") {
  TempDir dir;
  auto index = open_index(dir.path());
  IndexBatch b;
  b.postings.push_back({kSeg1, 1, 0xFFFFFFFF, {0x30}});
  b.postings.push_back({kSeg3, 0xFFFFFFFF, 4, {0x30, 0x02}});
  commit(*index, b);
  const auto r = reader_of(*index);
  const auto t1 = r.postings_tail(kSeg1, 1);
  REQUIRE(t1);
  CHECK(t1->last_chunk_no == 0xFFFFFFFF);
  CHECK(t1->last_offset == 24);
  const auto t2 = r.postings_tail(kSeg3, 0xFFFFFFFF);
  REQUIRE(t2);
  CHECK(t2->last_chunk_no == 4);
  CHECK(t2->last_offset == 25);
}

TEST_CASE("PacketIndex reports corrupt or overlapping postings chunks", "[index]") {
  TempDir dir;
  auto index = open_index(dir.path());
  IndexBatch b;
  b.postings.push_back({kSeg1, 1, 0, {0x30}});        // 24
  b.postings.push_back({kSeg1, 1, 1, {0x80}});        // truncated
  b.postings.push_back({kSeg1, 2, 0, {0x40}});        // 32
  b.postings.push_back({kSeg1, 2, 1, {0x30}});        // 24: goes back
  b.postings.push_back({kSeg1, 3, 0, {0x30}});
  b.postings.push_back({kSeg1, 3, 1, {0x40}});        // 32: fine
  commit(*index, b);
  const auto r = reader_of(*index);
  std::vector<Posting> out = {{5, false}};
  CHECK_FALSE(r.postings(kSeg1, 1, out));
  CHECK_FALSE(r.postings(kSeg1, 2, out));
  CHECK(out == std::vector<Posting>{{5, false}});
  CHECK(r.postings(kSeg1, 3, out));
  CHECK(out == std::vector<Posting>{{5, false}, {24, false}, {32, false}});
  CHECK_FALSE(r.postings_tail(kSeg1, 1));
}

TEST_CASE("PacketIndex drop_segment removes every key of that segment and none of its neighbours", "[index]") {
  TempDir dir;
  {
    auto index = open_index(dir.path());
    IndexBatch b = sample_batch();
    b.segments.push_back(meta_of(kSeg3, 1));
    add_flow(b, kSeg3, 1, make_key("10.0.0.1", 1234, "10.0.0.2", 80, 6, 5), 2, 24);
    // The segment right before and after kSeg2 in key order.
    b.segments.push_back(meta_of(kSeg2 + 1, 0));
    commit(*index, b);
  }
  const auto before = count_keys(dir.path());
  using K = std::pair<std::uint8_t, SegmentId>;
  for (Table t : kSegmentTables) {
    const auto tb = static_cast<std::uint8_t>(t);
    CHECK(before.count(K{tb, kSeg1}) == 1);
    CHECK(before.count(K{tb, kSeg2}) == 1);
    CHECK(before.count(K{tb, kSeg3}) == 1);
  }
  CHECK(before.at(K{0x02, kSeg1}) == 5);
  CHECK(before.at(K{0x04, kSeg1}) == 5);
  CHECK(before.at(K{0x00, 0}) == 1);  // format key

  {
    auto index = open_index(dir.path());
    const auto old_reader = reader_of(*index);
    REQUIRE(index->drop_segment(kSeg2));
    REQUIRE(index->drop_segment(store::make_segment_id(7, 7)));  // unknown: no-op
    const auto r = reader_of(*index);
    CHECK_FALSE(r.segment(kSeg2));
    Flows out;
    r.flows_with_port(kSeg2, 80, out);
    r.all_flows(kSeg2, out);
    CHECK(out.empty());
    r.flows_with_port(kSeg1, 80, out);
    CHECK(out == Flows{1, 5});
    // A snapshot taken before the drop still has the segment (MVCC).
    CHECK(old_reader.segment(kSeg2));
    std::vector<Posting> p;
    CHECK(old_reader.postings(kSeg2, 1, p));
    CHECK(p.size() == 2);
  }

  auto after = count_keys(dir.path());
  auto expected = before;
  for (Table t : kSegmentTables) expected.erase(K{static_cast<std::uint8_t>(t), kSeg2});
  CHECK(after == expected);
  CHECK(after.count(K{0x01, kSeg2 + 1}) == 1);
}

TEST_CASE("PacketIndex keeps everything across close and reopen", "[index]") {
  TempDir dir;
  const IndexBatch batch = sample_batch();
  commit(*open_index(dir.path()), batch);
  auto index = open_index(dir.path());
  const auto r = reader_of(*index);
  CHECK(r.segments().size() == 2);
  CHECK(with_ip(r, kSeg1, 4, "10.0.0.0", "10.0.0.255") == Flows{1, 4});
  CHECK(r.flow(kSeg1, 3) == std::optional<FlowEntry>(batch.flow_updates[2].entry));
  std::vector<Posting> p;
  REQUIRE(r.postings(kSeg1, 1, p));
  CHECK(p == std::vector<Posting>{{24, false}, {124, true}, {224, false}});
}

TEST_CASE("PacketIndex readers see snapshots: before a commit not, after it yes", "[index]") {
  TempDir dir;
  auto index = open_index(dir.path());
  IndexBatch first;
  first.segments = {meta_of(kSeg1, 0)};
  commit(*index, first);
  const auto before = reader_of(*index);
  commit(*index, sample_batch());
  const auto after = reader_of(*index);

  CHECK(before.segments().size() == 1);
  CHECK_FALSE(before.segment(kSeg2));
  CHECK(before.segment(kSeg1)->flows == 0);
  Flows out;
  before.all_flows(kSeg1, out);
  CHECK(out.empty());

  CHECK(after.segments().size() == 2);
  CHECK(after.segment(kSeg1)->flows == 5);
  after.all_flows(kSeg1, out);
  CHECK(out.size() == 5);
}

TEST_CASE("PacketIndex upserts segment and flow records", "[index]") {
  TempDir dir;
  auto index = open_index(dir.path());
  commit(*index, sample_batch());
  IndexBatch b;
  SegmentMeta m = meta_of(kSeg1, 6);
  m.closed = false;
  b.segments = {m};
  FlowEntry e = sample_batch().flow_updates[0].entry;
  e.packets = 99;
  b.flow_updates = {{kSeg1, e}};
  commit(*index, b);
  CHECK(index->commit(IndexBatch{}));  // empty: no-op
  const auto r = reader_of(*index);
  CHECK(r.segment(kSeg1) == std::optional<SegmentMeta>(m));
  CHECK(r.flow(kSeg1, 1)->packets == 99);
  CHECK(r.segments().size() == 2);
}

TEST_CASE("PacketIndex refuses a database of another format version", "[index]") {
  TempDir dir;
  {
    auto index = open_index(dir.path());
  }
  SECTION("reopening the same version works") { CHECK(PacketIndex::open(dir.path(), test_options())); }
  SECTION("a directory that is not a directory fails cleanly") {
    const auto r = PacketIndex::open("/proc/version/index", test_options());
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find("/proc/version/index") != std::string::npos);
  }
}

TEST_CASE("PacketIndex reports a full map as an error and stays usable", "[index]") {
  TempDir dir;
  PacketIndex::Options o = test_options();
  o.map_size = 256 * 1024;
  auto opened = PacketIndex::open(dir.path(), o);
  REQUIRE(opened);
  auto& index = **opened;
  IndexBatch big;
  for (std::uint32_t f = 0; f < 2000; ++f) big.postings.push_back({kSeg1, f, 0, std::vector<std::uint8_t>(200, 0x02)});
  const auto r = index.commit(big);
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("MDB_MAP_FULL") != std::string::npos);
  // The failed batch left nothing behind; smaller commits still work.
  commit(index, sample_batch());
  const auto reader = reader_of(index);
  std::vector<Posting> p;
  CHECK(reader.postings(kSeg1, 1, p));
  CHECK(p.size() == 3);
  p.clear();
  CHECK(reader.postings(kSeg1, 1999, p));
  CHECK(p.empty());
}

namespace {

struct SizeResult {
  double postings_bytes_per_packet = 0;  // of the final chunks
  double index_fraction_of_packet_bytes = 0;
};

// 1M packets of 1000 flows into one segment, committed every `batch`
// packets with the encoders' commit cycle, as the indexer does. Record sizes
// are a capture-like mix: 40% 66-byte ACKs, 60% 1514-byte frames, plus the
// 16-byte pcap record header. A flow sends 1..max_burst packets in a row
// before another flow is picked at random.
SizeResult index_one_million_packets(const std::string& dir, std::uint32_t max_burst, std::uint32_t batch_packets) {
  constexpr std::uint32_t kFlows = 1000;
  constexpr std::uint32_t kPackets = 1'000'000;
  auto index = open_index(dir);
  std::mt19937 rng(7);
  std::vector<PostingsEncoder> encoders(kFlows);
  std::uint64_t offset = 24;
  std::uint64_t postings_bytes = 0;  // of the stored chunks
  std::uint32_t flow = 0;
  std::uint32_t burst_left = 0;
  IndexBatch batch;
  batch.segments.push_back(meta_of(kSeg1, kFlows));
  for (std::uint32_t f = 0; f < kFlows; ++f) {
    batch.new_flows.push_back({kSeg1, f, make_key("10.0.0.1", static_cast<std::uint16_t>(f), "10.0.0.2", 80, 6), {}});
  }
  for (std::uint32_t i = 1; i <= kPackets; ++i) {
    if (burst_left == 0) {
      flow = rng() % kFlows;
      burst_left = 1 + rng() % max_burst;
    }
    --burst_left;
    const std::uint32_t frame = rng() % 10 < 4 ? 66 : 1514;
    REQUIRE(encoders[flow].add(static_cast<std::uint32_t>(offset), (i & 1) != 0));
    offset += 16 + frame;
    if (i % batch_packets == 0 || i == kPackets) {
      for (std::uint32_t f = 0; f < kFlows; ++f) {
        const PostingsEncoder& e = encoders[f];
        if (!e.dirty()) continue;
        batch.postings.push_back({kSeg1, f, e.chunk_no(), {e.bytes().begin(), e.bytes().end()}});
      }
      commit(*index, batch);
      batch.clear();
      for (auto& e : encoders) {
        if (e.bytes().size() >= PostingsEncoder::kChunkTargetBytes) postings_bytes += e.bytes().size();  // closes
        e.committed();
      }
    }
  }
  REQUIRE(offset < (1ULL << 32));
  for (const auto& e : encoders) postings_bytes += e.bytes().size();  // still open
  // Every packet comes back, in order.
  const auto r = reader_of(*index);
  std::uint64_t total = 0;
  std::vector<Posting> p;
  for (std::uint32_t f = 0; f < kFlows; ++f) {
    p.clear();
    REQUIRE(r.postings(kSeg1, f, p));
    REQUIRE(std::is_sorted(p.begin(), p.end(), [](const Posting& a, const Posting& b) { return a.offset < b.offset; }));
    if (!p.empty()) REQUIRE(p.back().offset == encoders[f].last_offset());
    total += p.size();
  }
  CHECK(total == kPackets);
  const auto file = index->file_bytes();
  REQUIRE(file);
  SizeResult s;
  s.postings_bytes_per_packet = static_cast<double>(postings_bytes) / kPackets;
  s.index_fraction_of_packet_bytes = static_cast<double>(*file) / static_cast<double>(offset);
  return s;
}

}  // namespace

// Every delta between two records of a real frame is >= 76 bytes (16-byte
// record header + 60-byte minimum Ethernet frame), so no posting of a real
// capture fits in one varint byte: 2 bytes is the floor when a flow's
// packets are adjacent, 3 when 8 KiB to 1 MiB of other traffic lies between
// them. The product target is the whole index under 1% of the stored packet
// bytes.
TEST_CASE("PacketIndex size for 1M packets in 1000 flows stays under 1% of packet bytes", "[index][size]") {
  SECTION("bursty flows (1-64 packets in a row), 10k packets per commit: about 2 bytes per posting") {
    TempDir dir;
    const SizeResult s = index_one_million_packets(dir.path(), 64, 10'000);
    INFO("postings bytes/packet " << s.postings_bytes_per_packet << ", index/packets "
                                  << s.index_fraction_of_packet_bytes);
    CHECK(s.postings_bytes_per_packet < 2.1);
    CHECK(s.index_fraction_of_packet_bytes < 0.01);
  }
  SECTION("worst case: 1000 flows interleaved packet by packet, 10k packets per commit") {
    TempDir dir;
    const SizeResult s = index_one_million_packets(dir.path(), 1, 10'000);
    INFO("postings bytes/packet " << s.postings_bytes_per_packet << ", index/packets "
                                  << s.index_fraction_of_packet_bytes);
    CHECK(s.postings_bytes_per_packet < 3.5);
    CHECK(s.index_fraction_of_packet_bytes < 0.01);
  }
  SECTION("sparse commits: about one packet per flow per commit") {
    TempDir dir;
    const SizeResult s = index_one_million_packets(dir.path(), 1, 1'000);
    INFO("postings bytes/packet " << s.postings_bytes_per_packet << ", index/packets "
                                  << s.index_fraction_of_packet_bytes);
    CHECK(s.index_fraction_of_packet_bytes < 0.01);
  }
}
