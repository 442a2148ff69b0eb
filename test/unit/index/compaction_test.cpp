// PacketIndex::compact_segment: every Reader lookup answers the same before
// and after compaction, drop_segment removes the packed keys, hostile packed
// values are rejected, and the packed form is at most half the size.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "index/packed_segment.hpp"
#include "index/packet_index.hpp"
#include "index_test_support.hpp"

using namespace opensoc;
using namespace opensoc::index;
using opensoc::index::test::count_keys;
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
  REQUIRE(r);
  return std::move(*r);
}

void commit(PacketIndex& index, const IndexBatch& b) {
  const auto r = index.commit(b);
  INFO((r ? std::string() : r.error().message));
  REQUIRE(r);
}

void compact(PacketIndex& index, SegmentId seg) {
  const auto r = index.compact_segment(seg);
  INFO((r ? std::string() : r.error().message));
  REQUIRE(r);
}

SegmentMeta meta_of(SegmentId id, std::uint32_t flows, bool closed = true) {
  SegmentMeta m;
  m.id = id;
  m.first_ts = static_cast<TimestampNs>(id) * 1000;
  m.last_ts = m.first_ts + 999;
  m.packets = 10 * flows;
  m.indexed_bytes = 24 + 1000 * flows;
  m.flows = flows;
  m.closed = closed;
  m.file_name = "seg-" + std::to_string(id) + ".pcap";
  return m;
}

constexpr SegmentId kSegPrev = store::make_segment_id(0, 4);
constexpr SegmentId kSeg = store::make_segment_id(0, 5);
constexpr SegmentId kSegNext = store::make_segment_id(0, 6);

// Small pools, so that flows share addresses, ports and VLANs.
struct Pools {
  std::vector<std::array<std::uint8_t, 16>> v4;
  std::vector<std::array<std::uint8_t, 16>> v6;
  std::vector<std::uint16_t> ports = {0, 53, 80, 443, 1234, 5353, 50000, 65535};
  std::vector<std::uint16_t> vlans = {0, 0, 1, 100, 4095};
  std::vector<std::uint8_t> protos = {1, 6, 17, 47, 58, 132};
};

Pools make_pools() {
  Pools p;
  const std::uint8_t v4[][4] = {{0, 0, 0, 0},     {10, 0, 0, 1},  {10, 0, 0, 2},      {10, 0, 1, 5},
                                {10, 0, 0, 255},  {10, 1, 0, 0},  {192, 168, 1, 1},   {255, 255, 255, 255},
                                {172, 16, 0, 9}};
  for (const auto& a : v4) {
    std::array<std::uint8_t, 16> x{};
    std::memcpy(x.data(), a, 4);
    p.v4.push_back(x);
  }
  for (std::uint8_t last : {0, 1, 2, 0xFF}) {
    std::array<std::uint8_t, 16> x{0x20, 0x01, 0x0d, 0xb8};
    x[15] = last;
    p.v6.push_back(x);
  }
  p.v6.push_back(std::array<std::uint8_t, 16>{});
  std::array<std::uint8_t, 16> all{};
  all.fill(0xFF);
  p.v6.push_back(all);
  std::array<std::uint8_t, 16> v4ish{10, 0, 0, 1};  // an IPv6 address whose first 4 bytes equal an IPv4 one
  v4ish[15] = 7;
  p.v6.push_back(v4ish);
  return p;
}

std::array<std::uint8_t, 8> cid_of(std::uint32_t seg_salt, std::uint32_t n) {
  return {0xC1, static_cast<std::uint8_t>(seg_salt), 0, 0, static_cast<std::uint8_t>(n >> 24),
          static_cast<std::uint8_t>(n >> 16), static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n)};
}

// Writes `flows` random flows into `seg` over several commits, with several
// postings chunks per flow. Flow 3 has postings but no FlowEntry; flows
// divisible by 7 have a FlowEntry but no postings; the last flow number is
// skipped entirely.
void fill_segment(PacketIndex& index, SegmentId seg, std::uint32_t flows, std::mt19937& rng, const Pools& pools) {
  auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
  std::vector<FlowKey> keys(flows);
  IndexBatch b;
  b.segments.push_back(meta_of(seg, flows, /*closed=*/false));
  for (std::uint32_t no = 0; no < flows; ++no) {
    FlowKey& k = keys[no];
    k.ip_version = rng() % 3 == 0 ? 6 : 4;
    const auto& pool = k.ip_version == 4 ? pools.v4 : pools.v6;
    std::memcpy(k.lo_addr, pool[pick(pool.size())].data(), 16);
    std::memcpy(k.hi_addr, pool[pick(pool.size())].data(), 16);
    k.ip_proto = pools.protos[pick(pools.protos.size())];
    if (k.ip_proto == 1 || k.ip_proto == 58) {
      k.ip_proto = k.ip_version == 4 ? 1 : 58;
      k.lo_port = 8;  // ICMP type/code; not indexed as ports
      k.hi_port = 0;
    } else {
      k.lo_port = pools.ports[pick(pools.ports.size())];
      k.hi_port = pools.ports[pick(pools.ports.size())];
    }
    k.vlan = pools.vlans[pick(pools.vlans.size())];
    if (no + 1 != flows) b.new_flows.push_back({seg, no, k, cid_of(static_cast<std::uint32_t>(seg), no % 50)});
  }
  std::vector<PostingsEncoder> enc(flows);
  std::uint32_t offset = 24;
  std::vector<std::uint64_t> packets(flows, 0);
  for (int round = 0; round < 6; ++round) {
    for (std::uint32_t no = 0; no + 1 < flows; ++no) {
      if (no % 7 == 0) continue;
      const std::uint32_t n = 1 + static_cast<std::uint32_t>(rng() % 60);
      for (std::uint32_t i = 0; i < n; ++i) {
        offset += 76 + static_cast<std::uint32_t>(rng() % 3000);
        REQUIRE(enc[no].add(offset, rng() % 2 == 1));
        ++packets[no];
      }
    }
    for (std::uint32_t no = 0; no + 1 < flows; ++no) {
      if (no != 3) {
        FlowEntry e;
        e.flow_no = no;
        e.key = keys[no];
        e.first_ts = 1000 + no;
        e.last_ts = 2000 + no + round;
        e.packets = packets[no];
        b.flow_updates.push_back({seg, e});
      }
      if (enc[no].dirty()) {
        const auto bytes = enc[no].bytes();
        b.postings.push_back({seg, no, enc[no].chunk_no(), std::vector<std::uint8_t>(bytes.begin(), bytes.end())});
      }
    }
    commit(index, b);
    b = IndexBatch{};
    for (auto& e : enc) {
      // Close chunks early and often: several chunks per flow.
      if (e.dirty() && rng() % 2 == 0) {
        (void)e.take_chunk();
      } else {
        e.committed();
      }
    }
  }
  b.segments.push_back(meta_of(seg, flows, /*closed=*/true));
  commit(index, b);
}

std::string hex(const std::uint8_t* p, std::size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (std::size_t i = 0; i < n; ++i) {
    s += digits[p[i] >> 4];
    s += digits[p[i] & 15];
  }
  return s;
}

std::string list(const Flows& f) {
  std::ostringstream o;
  for (auto x : f) o << x << ',';
  return o.str();
}

// Every lookup of the segment, one line each. `nonempty` counts lookups
// that found something, so the comparison cannot pass on nothing.
std::vector<std::string> snapshot(const PacketIndex::Reader& r, SegmentId seg, const Pools& pools,
                                  std::size_t* nonempty = nullptr) {
  std::vector<std::string> lines;
  std::size_t found = 0;
  auto add = [&](const std::string& what, const Flows& f) {
    if (!f.empty()) ++found;
    lines.push_back(what + " -> " + list(f));
  };
  if (const auto m = r.segment(seg)) {
    lines.push_back("segment " + m->file_name + " " + std::to_string(m->flows) + (m->closed ? " closed" : ""));
  } else {
    lines.push_back("segment none");
  }
  {
    const auto all = r.segments();
    const bool listed = std::any_of(all.begin(), all.end(), [&](const SegmentMeta& m) { return m.id == seg; });
    lines.push_back(std::string("listed ") + (listed ? "yes" : "no"));
  }
  // Addresses: every pair of pool addresses as a range (including lo > hi,
  // /32 and /128 as lo == hi), plus /0 and pool-address /8 and /24 style
  // blocks.
  for (std::uint8_t version : {4, 6}) {
    auto pool = version == 4 ? pools.v4 : pools.v6;
    const std::size_t width = version == 4 ? 4 : 16;
    std::array<std::uint8_t, 16> zero{};
    std::array<std::uint8_t, 16> ones{};
    ones.fill(0xFF);
    pool.push_back(zero);
    pool.push_back(ones);
    for (const auto& lo : pool) {
      for (const auto& hi : pool) {
        Flows f;
        r.flows_with_ip(seg, version, lo.data(), hi.data(), f);
        add("ip" + std::to_string(version) + " " + hex(lo.data(), width) + "-" + hex(hi.data(), width), f);
      }
      for (std::size_t prefix_bytes = 1; prefix_bytes < width; ++prefix_bytes) {
        auto a = lo;
        auto b = lo;
        for (std::size_t i = prefix_bytes; i < 16; ++i) {
          a[i] = 0;
          b[i] = 0xFF;
        }
        Flows f;
        r.flows_with_ip(seg, version, a.data(), b.data(), f);
        add("cidr" + std::to_string(version) + " " + hex(a.data(), width) + "/" + std::to_string(prefix_bytes * 8), f);
      }
    }
  }
  for (std::uint32_t port : {0U, 7U, 53U, 80U, 443U, 1234U, 5353U, 50000U, 65535U}) {
    Flows f;
    r.flows_with_port(seg, static_cast<std::uint16_t>(port), f);
    add("port " + std::to_string(port), f);
  }
  for (std::uint32_t proto = 0; proto < 256; ++proto) {
    Flows f;
    r.flows_with_proto(seg, static_cast<std::uint8_t>(proto), f);
    add("proto " + std::to_string(proto), f);
  }
  for (std::uint32_t vlan : {0U, 1U, 2U, 100U, 4095U}) {
    Flows f;
    r.flows_with_vlan(seg, static_cast<std::uint16_t>(vlan), f);
    add("vlan " + std::to_string(vlan), f);
  }
  for (std::uint32_t n = 0; n < 52; ++n) {
    for (std::uint32_t salt : {static_cast<std::uint32_t>(kSegPrev), static_cast<std::uint32_t>(kSeg)}) {
      Flows f;
      r.flows_with_community_id(seg, cid_of(salt, n), f);
      add("cid " + std::to_string(salt) + "/" + std::to_string(n), f);
    }
  }
  {
    Flows f;
    r.all_flows(seg, f);
    add("all", f);
  }
  // Output is appended to what `out` already holds.
  {
    Flows f = {999999};
    r.flows_with_proto(seg, 6, f);
    add("append", f);
  }
  std::vector<std::uint32_t> numbers;
  for (std::uint32_t no = 0; no < 300; ++no) numbers.push_back(no);
  numbers.push_back(0xFFFFFFFE);
  numbers.push_back(0xFFFFFFFF);
  for (std::uint32_t no : numbers) {
    std::ostringstream o;
    o << "flow " << no << ": ";
    if (const auto e = r.flow(seg, no)) {
      ++found;
      o << e->flow_no << ' ' << hex(e->key.lo_addr, 16) << ' ' << hex(e->key.hi_addr, 16) << ' ' << e->key.lo_port
        << ' ' << e->key.hi_port << ' ' << e->key.vlan << ' ' << int(e->key.ip_proto) << ' ' << int(e->key.ip_version)
        << ' ' << e->first_ts << ' ' << e->last_ts << ' ' << e->packets;
    } else {
      o << "none";
    }
    std::vector<Posting> p = {Posting{7, true}};
    const bool ok = r.postings(seg, no, p);
    o << " | postings " << ok << ' ' << p.size() << ':';
    for (const Posting& x : p) o << x.offset << (x.swapped ? "s," : ",");
    if (p.size() > 1) ++found;
    if (const auto t = r.postings_tail(seg, no)) {
      o << " | tail " << t->last_chunk_no << ' ' << t->last_offset;
    } else {
      o << " | tail none";
    }
    lines.push_back(o.str());
  }
  if (nonempty != nullptr) *nonempty = found;
  return lines;
}

void check_same(const std::vector<std::string>& before, const std::vector<std::string>& after) {
  REQUIRE(before.size() == after.size());
  for (std::size_t i = 0; i < before.size(); ++i) {
    INFO("lookup " << i);
    REQUIRE(before[i] == after[i]);
  }
}

using KeyCounts = std::map<std::pair<std::uint8_t, SegmentId>, std::uint64_t>;

}  // namespace

TEST_CASE("compact_segment keeps every Reader answer identical", "[index][compact]") {
  TempDir dir;
  const Pools pools = make_pools();
  std::mt19937 rng(GENERATE(1u, 2u, 3u));
  std::vector<std::string> before;
  std::vector<std::string> prev_before;
  std::vector<std::string> next_before;
  {
    auto index = open_index(dir.path());
    fill_segment(*index, kSegPrev, 40, rng, pools);
    fill_segment(*index, kSeg, 200, rng, pools);
    fill_segment(*index, kSegNext, 30, rng, pools);
    const auto r = reader_of(*index);
    std::size_t nonempty = 0;
    before = snapshot(r, kSeg, pools, &nonempty);
    CHECK(nonempty > 400);
    prev_before = snapshot(r, kSegPrev, pools);
    next_before = snapshot(r, kSegNext, pools);
    CHECK_FALSE(r.compacted(kSeg));
  }
  const KeyCounts keys_before = count_keys(dir.path());
  CHECK(keys_before.at({0x04, kSeg}) > 200);  // several chunks per flow
  {
    auto index = open_index(dir.path());
    const auto old_reader = reader_of(*index);
    compact(*index, kSeg);
    compact(*index, kSeg);  // a second time is a no-op
    const auto r = reader_of(*index);
    CHECK(r.compacted(kSeg));
    CHECK_FALSE(r.compacted(kSegPrev));
    check_same(before, snapshot(r, kSeg, pools));
    check_same(prev_before, snapshot(r, kSegPrev, pools));
    check_same(next_before, snapshot(r, kSegNext, pools));
    // A snapshot from before compaction still reads the old keys.
    check_same(before, snapshot(old_reader, kSeg, pools));
  }
  const KeyCounts keys_after = count_keys(dir.path());
  KeyCounts expected = keys_before;
  expected.erase({0x02, kSeg});
  expected.erase({0x03, kSeg});
  expected.erase({0x04, kSeg});
  expected[{0x05, kSeg}] = 8;  // flows, postings, six attribute kinds
  CHECK(keys_after == expected);

  // Neighbours compact too, and everything survives a reopen.
  {
    auto index = open_index(dir.path());
    compact(*index, kSegPrev);
    compact(*index, kSegNext);
  }
  auto index = open_index(dir.path());
  const auto r = reader_of(*index);
  check_same(before, snapshot(r, kSeg, pools));
  check_same(prev_before, snapshot(r, kSegPrev, pools));
  check_same(next_before, snapshot(r, kSegNext, pools));
}

TEST_CASE("compact_segment refuses unknown, open and damaged segments and changes nothing", "[index][compact]") {
  TempDir dir;
  const Pools pools = make_pools();
  std::mt19937 rng(7);
  {
    auto index = open_index(dir.path());
    fill_segment(*index, kSeg, 20, rng, pools);
    IndexBatch open_seg;
    open_seg.segments.push_back(meta_of(kSegNext, 0, /*closed=*/false));
    commit(*index, open_seg);
    CHECK_FALSE(index->compact_segment(kSegPrev));  // unknown
    CHECK_FALSE(index->compact_segment(kSegNext));  // not closed
    // A chunk that goes back in offsets: Reader::postings reports it, so
    // compaction must not hide it.
    PostingsEncoder enc;
    REQUIRE(enc.add(24, false));
    IndexBatch bad;
    bad.postings.push_back({kSeg, 5, 0xFFFFFF00, enc.take_chunk()});
    commit(*index, bad);
  }
  const KeyCounts keys_before = count_keys(dir.path());
  std::vector<std::string> before;
  {
    auto index = open_index(dir.path());
    before = snapshot(reader_of(*index), kSeg, pools);
    const auto r = index->compact_segment(kSeg);
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find("damaged postings") != std::string::npos);
    check_same(before, snapshot(reader_of(*index), kSeg, pools));
    CHECK_FALSE(reader_of(*index).compacted(kSeg));
  }
  CHECK(count_keys(dir.path()) == keys_before);
}

TEST_CASE("drop_segment removes a compacted segment's packed keys and nothing of its neighbours", "[index][compact]") {
  TempDir dir;
  const Pools pools = make_pools();
  std::mt19937 rng(11);
  {
    auto index = open_index(dir.path());
    fill_segment(*index, kSegPrev, 10, rng, pools);
    fill_segment(*index, kSeg, 10, rng, pools);
    fill_segment(*index, kSegNext, 10, rng, pools);
    compact(*index, kSegPrev);
    compact(*index, kSeg);  // kSegNext stays uncompacted
  }
  const KeyCounts before = count_keys(dir.path());
  CHECK(before.at({0x05, kSegPrev}) == 8);
  CHECK(before.at({0x05, kSeg}) == 8);
  CHECK(before.count({0x05, kSegNext}) == 0);
  std::vector<std::string> prev;
  std::vector<std::string> next;
  {
    auto index = open_index(dir.path());
    prev = snapshot(reader_of(*index), kSegPrev, pools);
    next = snapshot(reader_of(*index), kSegNext, pools);
    REQUIRE(index->drop_segment(kSeg));
    const auto r = reader_of(*index);
    CHECK_FALSE(r.segment(kSeg));
    CHECK_FALSE(r.compacted(kSeg));
    Flows f;
    r.all_flows(kSeg, f);
    r.flows_with_proto(kSeg, 6, f);
    CHECK(f.empty());
    CHECK_FALSE(r.flow(kSeg, 1));
    check_same(prev, snapshot(r, kSegPrev, pools));
    check_same(next, snapshot(r, kSegNext, pools));
  }
  KeyCounts expected = before;
  expected.erase({0x01, kSeg});
  expected.erase({0x05, kSeg});
  CHECK(count_keys(dir.path()) == expected);
}

TEST_CASE("packed values of the wrong shape are rejected without reading past them", "[index][compact]") {
  using V = std::vector<std::uint8_t>;
  SECTION("flows") {
    CHECK_FALSE(PackedFlowsView::parse(V{}));
    CHECK_FALSE(PackedFlowsView::parse(V{2}));                    // version
    CHECK_FALSE(PackedFlowsView::parse(V(1 + 64, kPackedVersion)));  // ragged
    const auto empty = PackedFlowsView::parse(V{kPackedVersion});
    REQUIRE(empty);
    CHECK(empty->slots() == 0);
    CHECK_FALSE(empty->present(0));
    CHECK_FALSE(empty->entry(0));
    PackedFlowsBuilder b(2);
    b.set(1, V(kFlowEntryValueSize, 9));  // wrong version: present, not decodable
    b.set(5, V(kFlowEntryValueSize, 1));  // out of range: ignored
    const auto v = PackedFlowsView::parse(b.bytes());
    REQUIRE(v);
    CHECK(v->slots() == 2);
    CHECK_FALSE(v->present(0));
    CHECK(v->present(1));
    CHECK_FALSE(v->entry(1));
    CHECK_FALSE(v->present(2));
  }
  SECTION("attributes") {
    CHECK_FALSE(PackedAttributesView::parse(AttributeKind::ip4, V{kPackedVersion}));
    CHECK_FALSE(PackedAttributesView::parse(AttributeKind::ip4, V{kPackedVersion, 2}));  // kind mismatch
    CHECK_FALSE(PackedAttributesView::parse(AttributeKind::ip4, V{kPackedVersion, 1, 10, 0, 0, 1, 0, 0, 0}));
    CHECK_FALSE(PackedAttributesView::parse(static_cast<AttributeKind>(9), V{kPackedVersion, 9}));
    V value = start_packed_attributes(AttributeKind::port);
    const std::uint8_t p80[2] = {0, 80};
    append_packed_attribute(value, p80, 4);
    append_packed_attribute(value, p80, 9);
    const auto v = PackedAttributesView::parse(AttributeKind::port, value);
    REQUIRE(v);
    CHECK(v->records() == 2);
    Flows f;
    v->flows_in_range(p80, p80, f);
    CHECK(f == Flows{4, 9});
    const std::uint8_t p81[2] = {0, 81};
    f.clear();
    v->flows_in_range(p81, p81, f);
    CHECK(f.empty());
  }
  SECTION("postings") {
    CHECK_FALSE(PackedPostingsView::parse(V{}));
    CHECK_FALSE(PackedPostingsView::parse(V{kPackedVersion, 0, 0, 0}));
    // n = 0xFFFFFFFF flows in a 13-byte value: the directory does not fit.
    CHECK_FALSE(PackedPostingsView::parse(V{kPackedVersion, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0, 0, 0, 0, 0}));
    PackedPostingsBuilder b;
    const std::vector<Posting> p1 = {{24, false}, {200, true}};
    REQUIRE(b.add(1, p1, 3));
    CHECK_FALSE(b.add(1, p1, 3));  // not above the previous flow
    const std::vector<Posting> backwards = {{300, false}, {200, false}};
    CHECK_FALSE(b.add(2, backwards, 0));
    V value = b.finish(3);
    auto v = PackedPostingsView::parse(value);
    REQUIRE(v);
    std::vector<Posting> out;
    CHECK(v->postings(0, out));
    CHECK(out.empty());
    CHECK(v->postings(1, out));
    CHECK(out == p1);
    CHECK(v->postings(7, out));  // unknown flow: nothing
    CHECK(out == p1);
    CHECK(v->tail(1) == std::make_pair(std::uint32_t{3}, std::uint32_t{200}));
    CHECK_FALSE(v->tail(0));
    CHECK_FALSE(v->tail(2));
    // Flow 1's end offset (directory entry 2) points past the stream.
    V hostile = value;
    store_be32(hostile.data() + 5 + 4 * 2, 0xFFFF);
    v = PackedPostingsView::parse(hostile);
    REQUIRE(v);
    out.clear();
    CHECK_FALSE(v->postings(1, out));
    CHECK(out.empty());
    CHECK_FALSE(v->tail(1));
    // Begin after end.
    hostile = value;
    store_be32(hostile.data() + 5 + 4 * 1, 0xFFFF);
    v = PackedPostingsView::parse(hostile);
    REQUIRE(v);
    CHECK_FALSE(v->postings(1, out));
    // A truncated varint in the stream.
    hostile = value;
    hostile.back() |= 0x80;
    v = PackedPostingsView::parse(hostile);
    REQUIRE(v);
    CHECK_FALSE(v->postings(1, out));
    CHECK(out.empty());
  }
}

namespace {

struct SizePair {
  std::uint64_t before = 0;
  std::uint64_t after = 0;
};

// `flows` IPv4 TCP flows of `packets` packets each; `burst` packets of a flow
// in a row, then the next flow's; a commit every `per_commit` packets, open
// chunks rewritten as the indexer does. Returns file_bytes before and after
// compact_segment, and checks postings survive.
SizePair index_and_compact(std::uint32_t flows, std::uint32_t packets, std::uint32_t burst,
                           std::uint32_t per_commit) {
  TempDir dir;
  auto index = open_index(dir.path());
  std::mt19937 rng(5);
  std::vector<PostingsEncoder> enc(flows);
  std::vector<FlowEntry> entries(flows);
  std::vector<std::uint8_t> dirty(flows, 0);
  IndexBatch b;
  b.segments.push_back(meta_of(kSeg, flows, /*closed=*/false));
  for (std::uint32_t no = 0; no < flows; ++no) {
    FlowKey k{};
    k.ip_version = 4;
    k.lo_addr[0] = 10;
    k.lo_addr[1] = static_cast<std::uint8_t>(no >> 16);
    k.lo_addr[2] = static_cast<std::uint8_t>(no >> 8);
    k.lo_addr[3] = static_cast<std::uint8_t>(no);
    k.hi_addr[0] = 192;
    k.hi_addr[3] = static_cast<std::uint8_t>(no % 7);
    k.lo_port = static_cast<std::uint16_t>(1024 + no);
    k.hi_port = 443;
    k.ip_proto = 6;
    b.new_flows.push_back({kSeg, no, k, cid_of(1, no)});
    entries[no].flow_no = no;
    entries[no].key = k;
  }
  std::uint32_t offset = 24;
  std::uint64_t since_commit = 0;
  auto flush = [&]() {
    for (std::uint32_t no = 0; no < flows; ++no) {
      if (!dirty[no]) continue;
      b.flow_updates.push_back({kSeg, entries[no]});
      const auto bytes = enc[no].bytes();
      b.postings.push_back({kSeg, no, enc[no].chunk_no(), std::vector<std::uint8_t>(bytes.begin(), bytes.end())});
    }
    commit(*index, b);
    b = IndexBatch{};
    for (std::uint32_t no = 0; no < flows; ++no) {
      if (dirty[no]) enc[no].committed();
      dirty[no] = 0;
    }
    since_commit = 0;
  };
  for (std::uint32_t done = 0; done < packets; done += burst) {
    for (std::uint32_t no = 0; no < flows; ++no) {
      for (std::uint32_t i = 0; i < burst && done + i < packets; ++i) {
        offset += 76 + static_cast<std::uint32_t>(rng() % 1400);
        REQUIRE(enc[no].add(offset, i % 2 == 0));
        ++entries[no].packets;
        dirty[no] = 1;
        if (++since_commit == per_commit) flush();
      }
    }
  }
  b.segments.push_back(meta_of(kSeg, flows, /*closed=*/true));
  flush();
  SizePair s;
  const auto before = index->file_bytes();
  REQUIRE(before);
  compact(*index, kSeg);
  const auto after = index->file_bytes();
  REQUIRE(after);
  s.before = *before;
  s.after = *after;
  const auto r = reader_of(*index);
  std::vector<Posting> p;
  REQUIRE(r.postings(kSeg, flows - 1, p));
  CHECK(p.size() == packets);
  CHECK(p.back().offset == enc[flows - 1].last_offset());
  return s;
}

}  // namespace

// Compaction removes per-entry keys and node headers, the leaf-page slack of
// random inserts, and rewrites chunk starts as deltas; the postings bytes
// themselves (2-4 per packet) stay. So the gain is largest for small flows
// (the common case: ~55 packets per flow and segment on real traffic) and
// smallest when 1000 packets per flow make postings most of the index.
TEST_CASE("compact_segment shrinks the index", "[index][compact][size]") {
  auto report = [](const char* what, const SizePair& s) {
    WARN(what << ": index bytes " << s.before << " -> " << s.after << " ("
              << static_cast<double>(s.before) / static_cast<double>(s.after) << "x)");
  };
  SECTION("1000 flows x 1000 packets, interleaved, 10k packets per commit: postings dominate") {
    const SizePair s = index_and_compact(1000, 1000, 1, 10'000);
    report("1000x1000 interleaved", s);
    CHECK(s.after * 14 <= s.before * 10);  // measured 1.53x
  }
  SECTION("1000 flows x 1000 packets, bursts of 50, 10k packets per commit") {
    const SizePair s = index_and_compact(1000, 1000, 50, 10'000);
    report("1000x1000 bursty", s);
    CHECK(s.after * 17 <= s.before * 10);  // measured 1.90x
  }
  SECTION("20000 flows x 50 packets, interleaved, 10k packets per commit: at most half") {
    const SizePair s = index_and_compact(20'000, 50, 1, 10'000);
    report("20000x50 interleaved", s);
    CHECK(s.after * 2 <= s.before);  // measured 2.17x
  }
  SECTION("20000 flows x 50 packets, bursts of 5, 1k packets per commit: at most half") {
    const SizePair s = index_and_compact(20'000, 50, 5, 1'000);
    report("20000x50 bursty", s);
    CHECK(s.after * 2 <= s.before);  // measured 2.49x
  }
}
