// SegmentIndexer: real segment files written by SegmentWriter in a private
// temp directory, a real LMDB index, the indexer driven by catch_up() on the
// test thread. Every expectation (segments, flows, postings, attribute sets,
// retention survivors) is computed here from the packets the test generated
// and the locations the writer returned, never read back from the index.
#include "index/segment_indexer.hpp"

#include <catch2/catch.hpp>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>
#include <map>
#include <set>
#include <thread>

#include "../flow/test_packets.hpp"
#include "flow/community_id.hpp"
#include "flow/flow_key_builder.hpp"
#include "index/packet_index.hpp"
#include "index_test_support.hpp"
#include "store/pcap_format.hpp"
#include "store/segment_journal.hpp"
#include "store/segment_recovery.hpp"
#include "store/segment_writer.hpp"

using namespace opensoc;
using namespace opensoc::index;
using flow::test::PacketSpec;
using store::make_segment_id;

namespace {

constexpr TimestampNs kT0 = 1'764'237'600LL * kNsPerSecond;  // 2025-11-27T10:00:00Z
constexpr std::uint64_t kSmallestSegment = store::kGlobalHeaderSize + store::kMaxRecordSize;
constexpr std::uint16_t kCidSeed = 7;

using KeyBytes = std::array<std::uint8_t, sizeof(FlowKey)>;
KeyBytes key_bytes(const FlowKey& k) {
  KeyBytes b;
  std::memcpy(b.data(), &k, b.size());
  return b;
}

store::StoreConfig test_store_config() {
  store::StoreConfig c;
  c.max_segment_bytes = kSmallestSegment;  // rotation by size after a few hundred packets
  c.max_segment_age_s = 3600;
  c.sync_on_close = false;
  c.min_free_bytes = 0;  // the default (1 GiB) would make retention depend on the test machine's disk
  c.max_bytes = 0;
  c.max_age_s = 0;
  return c;
}

// The conversations the tests replay: IPv4 and IPv6, TCP, UDP, ICMP echo,
// one on VLAN 100; both directions of most.
PacketSpec conversation(std::uint32_t i) {
  const bool reply = (i / 7) % 2 == 1;
  PacketSpec s;
  auto set = [&](const char* a, std::uint16_t ap, const char* b, std::uint16_t bp, std::uint8_t proto) {
    s.src = reply ? b : a;
    s.dst = reply ? a : b;
    s.sport = reply ? bp : ap;
    s.dport = reply ? ap : bp;
    s.proto = proto;
  };
  switch (i % 7) {
    case 0: set("10.0.0.1", 40000, "10.0.0.2", 80, 6); break;
    case 1: set("10.0.0.3", 5353, "10.0.0.2", 53, 17); break;
    case 2: set("2001:db8::1", 50000, "2001:db8::2", 443, 6); break;
    case 3:
      set("10.0.0.1", 40001, "192.168.1.1", 443, 6);
      s.vlan = 100;
      break;
    case 4:
      set("10.0.0.9", 0, "10.0.0.1", 0, 1);
      s.icmp_type = reply ? 0 : 8;  // echo request / reply: one flow
      break;
    case 5: set("2001:db8::2", 33000, "2001:db8::1", 53, 17); break;
    default: set("10.0.0.1", 40000, "10.0.0.2", 8080, 6); break;  // same hosts as case 0, another port
  }
  return s;
}

// A frame that carries its payload (so IP lengths are right) of a
// deterministic size, 200..1199 bytes of payload.
// `small`: 0..19 bytes, for tests that want thousands of packets in a segment.
flow::test::TestPacket make_frame(std::uint32_t i, TimestampNs ts, bool small = false) {
  PacketSpec s = conversation(i);
  s.ts = ts;
  s.payload = small ? i % 20 : s.proto == 1 ? 56 : 200 + (i * 137) % 1000;
  flow::test::TestPacket p = flow::test::make_packet(s);
  for (std::uint32_t k = 0; k < s.payload; ++k) p.frame.push_back(static_cast<std::uint8_t>(i * 31 + k));
  p.wirelen = static_cast<std::uint32_t>(p.frame.size());
  return p;
}

struct ExpectedFlow {
  FlowKey key{};
  TimestampNs first_ts = 0;
  TimestampNs last_ts = 0;
  std::uint64_t packets = 0;
  std::vector<Posting> postings;
};

struct ExpectedSegment {
  SegmentId id = 0;
  TimestampNs name_ts = 0;  // the first appended packet's time
  TimestampNs first_ts = 0;
  TimestampNs last_ts = 0;
  std::uint64_t packets = 0;
  std::uint64_t end = store::kGlobalHeaderSize;  // offset after the last record
  std::map<KeyBytes, ExpectedFlow> flows;
};

// What the index should hold, built from what the writers returned.
class Expectation {
 public:
  void add(const flow::test::TestPacket& p, const store::RecordLocation& loc) {
    ExpectedSegment& s = segments_[loc.segment_id];
    if (s.packets == 0) {
      s.id = loc.segment_id;
      s.name_ts = p.ts;
      s.first_ts = p.ts;
      s.last_ts = p.ts;
    }
    s.first_ts = std::min(s.first_ts, p.ts);
    s.last_ts = std::max(s.last_ts, p.ts);
    ++s.packets;
    s.end = loc.offset + loc.length;
    bool swapped = false;
    const FlowKey key = flow::make_flow_key(p.frame.data(), p.d, swapped);
    auto [it, inserted] = s.flows.try_emplace(key_bytes(key));
    ExpectedFlow& f = it->second;
    if (inserted) {
      f.key = key;
      f.first_ts = p.ts;
      f.last_ts = p.ts;
    }
    f.first_ts = std::min(f.first_ts, p.ts);
    f.last_ts = std::max(f.last_ts, p.ts);
    ++f.packets;
    f.postings.push_back({static_cast<std::uint32_t>(loc.offset), swapped});
  }
  void erase(SegmentId id) { segments_.erase(id); }
  [[nodiscard]] const std::map<SegmentId, ExpectedSegment>& segments() const { return segments_; }
  [[nodiscard]] const ExpectedSegment& at(SegmentId id) const { return segments_.at(id); }

 private:
  std::map<SegmentId, ExpectedSegment> segments_;
};

// One worker's writer plus what it wrote.
struct Writing {
  std::unique_ptr<store::SegmentWriter> writer;
  std::vector<store::RecordLocation> locations;

  store::RecordLocation write(const flow::test::TestPacket& p, Expectation& e) {
    const store::AppendResult r = writer->append(p.view());
    REQUIRE(r.stored());
    locations.push_back(r.location);
    e.add(p, r.location);
    return r.location;
  }
};

struct FileInfo {
  std::uint64_t size = 0;
  std::uint64_t allocated = 0;
};
std::optional<FileInfo> stat_file(const std::string& path) {
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return FileInfo{static_cast<std::uint64_t>(st.st_size), static_cast<std::uint64_t>(st.st_blocks) * 512};
}

// A data directory, its index and an indexer over them.
struct Harness {
  opensoc::test::TempDir tmp;
  store::StoreConfig cfg = test_store_config();
  telemetry::Logger log{telemetry::LogLevel::error};
  std::unique_ptr<PacketIndex> index;
  std::unique_ptr<SegmentIndexer> indexer;

  Harness() { open_index(); }

  void open_index() {
    PacketIndex::Options o;
    o.map_size = 256ULL << 20;
    o.no_sync = true;
    auto r = PacketIndex::open(tmp.path() + "/index", o);
    if (!r) FAIL(r.error().message);
    index = std::move(*r);
  }
  void close_index() {
    indexer.reset();
    index.reset();
  }
  SegmentIndexer& new_indexer(store::SegmentJournal* journal = nullptr) {
    indexer.reset();
    IndexerOptions o;
    o.store = cfg;
    o.data_dir = tmp.path();
    o.community_id_seed = kCidSeed;
    indexer = std::make_unique<SegmentIndexer>(o, *index, log, journal);
    return *indexer;
  }
  Writing open_writer(std::uint16_t worker) {
    auto r = store::SegmentWriter::open(cfg, tmp.path(), worker);
    if (!r) FAIL(r.error().message);
    return Writing{std::move(*r), {}};
  }
  [[nodiscard]] std::string closed_path(const ExpectedSegment& s) const {
    return store::worker_directory(cfg, tmp.path(), store::segment_worker(s.id)) + "/" +
           store::closed_segment_name(s.name_ts, store::segment_sequence(s.id));
  }
};

void require_ok(const Result<void>& r) {
  if (!r) FAIL(r.error().message);
}

std::set<std::uint32_t> as_set(const std::vector<std::uint32_t>& v) { return {v.begin(), v.end()}; }

bool has_ports(std::uint8_t proto) { return proto == 6 || proto == 17 || proto == 132; }

// The index's flows of one segment must be exactly the expected ones, with
// their postings, and every attribute lookup must return exactly the flows
// that carry the attribute.
void check_segment_flows(const PacketIndex::Reader& r, const ExpectedSegment& s) {
  INFO("segment " << s.id);
  std::vector<std::uint32_t> all;
  r.all_flows(s.id, all);
  REQUIRE(all.size() == s.flows.size());
  std::map<KeyBytes, std::uint32_t> no_of;
  for (const std::uint32_t no : all) {
    const auto e = r.flow(s.id, no);
    REQUIRE(e);
    CHECK(e->flow_no == no);
    const auto it = s.flows.find(key_bytes(e->key));
    REQUIRE(it != s.flows.end());
    REQUIRE(no_of.emplace(key_bytes(e->key), no).second);  // each key once
    const ExpectedFlow& f = it->second;
    CHECK(e->packets == f.packets);
    CHECK(e->first_ts == f.first_ts);
    CHECK(e->last_ts == f.last_ts);
    std::vector<Posting> got;
    REQUIRE(r.postings(s.id, no, got));
    CHECK(got == f.postings);
  }

  // Attribute lookups, against sets computed from the expected keys.
  std::set<std::uint32_t> want;
  auto flows_where = [&](auto pred) {
    std::set<std::uint32_t> out;
    for (const auto& [kb, f] : s.flows)
      if (pred(f.key)) out.insert(no_of.at(kb));
    return out;
  };
  for (const auto& entry : s.flows) {
    // Not a structured binding: clang 14 cannot capture one in a lambda.
    const auto& f = entry.second;
    const std::size_t alen = f.key.ip_version == 6 ? 16 : 4;
    for (const std::uint8_t* addr : {f.key.lo_addr, f.key.hi_addr}) {
      std::vector<std::uint32_t> got;
      r.flows_with_ip(s.id, f.key.ip_version, addr, addr, got);
      CHECK(as_set(got) == flows_where([&](const FlowKey& k) {
              return k.ip_version == f.key.ip_version &&
                     (std::memcmp(k.lo_addr, addr, alen) == 0 || std::memcmp(k.hi_addr, addr, alen) == 0);
            }));
    }
    for (const std::uint16_t port : {f.key.lo_port, f.key.hi_port}) {
      std::vector<std::uint32_t> got;
      r.flows_with_port(s.id, port, got);
      CHECK(as_set(got) == flows_where([&](const FlowKey& k) {
              return has_ports(k.ip_proto) && (k.lo_port == port || k.hi_port == port);
            }));
    }
    {
      std::vector<std::uint32_t> got;
      r.flows_with_proto(s.id, f.key.ip_proto, got);
      CHECK(as_set(got) == flows_where([&](const FlowKey& k) { return k.ip_proto == f.key.ip_proto; }));
    }
    if (f.key.vlan != 0) {
      std::vector<std::uint32_t> got;
      r.flows_with_vlan(s.id, f.key.vlan, got);
      CHECK(as_set(got) == flows_where([&](const FlowKey& k) { return k.vlan == f.key.vlan; }));
    }
    {
      const auto digest = flow::community_id_digest(f.key, kCidSeed);
      std::array<std::uint8_t, 8> prefix{};
      std::copy_n(digest.begin(), prefix.size(), prefix.begin());
      std::vector<std::uint32_t> got;
      r.flows_with_community_id(s.id, prefix, got);
      CHECK(as_set(got) == std::set<std::uint32_t>{no_of.at(entry.first)});
    }
  }
  // A /8 covering every IPv4 address of the test finds every IPv4 flow of
  // 10/8, and none of the IPv6 ones.
  {
    std::uint8_t lo[16] = {10, 0, 0, 0}, hi[16] = {10, 255, 255, 255};
    std::vector<std::uint32_t> got;
    r.flows_with_ip(s.id, 4, lo, hi, got);
    CHECK(as_set(got) == flows_where([](const FlowKey& k) { return k.ip_version == 4 && (k.lo_addr[0] == 10 || k.hi_addr[0] == 10); }));
  }
  {
    std::vector<std::uint32_t> got;
    r.flows_with_port(s.id, 8, got);  // the ICMP echo's "port": never a port
    CHECK(as_set(got) == flows_where([](const FlowKey& k) {
            return has_ports(k.ip_proto) && (k.lo_port == 8 || k.hi_port == 8);
          }));
  }
}

// The whole index against the expectation: the same segments, each with the
// right meta, flows and postings. `closed`: every segment's file is closed.
void check_index(const Harness& h, const Expectation& e, bool closed = true) {
  auto r = h.index->read();
  REQUIRE(r);
  const std::vector<SegmentMeta> metas = r->segments();
  std::vector<SegmentId> got_ids, want_ids;
  for (const auto& m : metas) got_ids.push_back(m.id);
  for (const auto& [id, s] : e.segments()) want_ids.push_back(id);
  REQUIRE(got_ids == want_ids);
  for (const SegmentMeta& m : metas) {
    const ExpectedSegment& s = e.at(m.id);
    INFO("segment " << m.id);
    CHECK(m.packets == s.packets);
    CHECK(m.first_ts == s.first_ts);
    CHECK(m.last_ts == s.last_ts);
    CHECK(m.flows == s.flows.size());
    CHECK(m.link == LinkType::ethernet);
    CHECK(m.file_name == store::closed_segment_name(s.name_ts, store::segment_sequence(s.id)));
    CHECK(m.indexed_bytes == s.end);
    if (closed) {
      CHECK(m.closed);
      const auto fi = stat_file(h.closed_path(s));
      REQUIRE(fi);
      CHECK(m.indexed_bytes == fi->size);
    }
    check_segment_flows(*r, s);
  }
}

}  // namespace

TEST_CASE("SegmentIndexer indexes every packet of every segment with its flow, postings and attributes",
          "[index][segment_indexer]") {
  Harness h;
  Expectation e;
  // Two workers, several size-rotated segments each.
  Writing w0 = h.open_writer(0);
  Writing w1 = h.open_writer(1);
  for (std::uint32_t i = 0; i < 1400; ++i) {
    const TimestampNs ts = kT0 + static_cast<TimestampNs>(i) * 1'000'003;
    (i % 3 == 0 ? w1 : w0).write(make_frame(i, ts), e);
  }
  require_ok(w0.writer->close());
  require_ok(w1.writer->close());
  REQUIRE(e.segments().size() >= 5);  // rotation happened, on both workers
  REQUIRE(store::segment_worker(e.segments().rbegin()->first) == 1);

  SegmentIndexer& ix = h.new_indexer();
  require_ok(ix.reconcile());
  require_ok(ix.catch_up());
  check_index(h, e);

  const StoreSnapshot snap = ix.snapshot();
  CHECK(snap.enabled);
  CHECK(snap.segments == e.segments().size());
  CHECK(snap.indexed_packets == 1400);
  CHECK(snap.oldest_packet_ns == kT0);
  CHECK(snap.newest_packet_ns == kT0 + 1399LL * 1'000'003);
  CHECK(snap.index_errors == 0);
  CHECK(snap.index_commits >= 1);
  CHECK(snap.index_bytes > 0);
  CHECK(snap.segments_removed == 0);
  std::uint64_t allocated = 0;
  for (const auto& [id, s] : e.segments()) allocated += stat_file(h.closed_path(s))->allocated;
  CHECK(snap.bytes_used == allocated);

  // A second catch_up with nothing new changes nothing.
  require_ok(ix.catch_up());
  check_index(h, e);
  CHECK(ix.snapshot().indexed_packets == 1400);
}

TEST_CASE("SegmentIndexer tails an open segment: records appended after a catch_up come with the next one",
          "[index][segment_indexer]") {
  Harness h;
  Expectation e;
  store::SegmentJournal journal;
  Writing w = h.open_writer(0);
  w.writer->set_journal(&journal);
  SegmentIndexer& ix = h.new_indexer(&journal);
  require_ok(ix.reconcile());
  require_ok(ix.catch_up());  // empty store: nothing, no error
  CHECK(ix.snapshot().segments == 0);
  CHECK(ix.snapshot().oldest_packet_ns == 0);

  std::uint32_t i = 0;
  bool small = true;
  auto write_some = [&](std::uint32_t n) {
    for (const std::uint32_t end = i + n; i < end; ++i) w.write(make_frame(i, kT0 + i * 1000LL, small), e);
  };
  write_some(10);
  require_ok(ix.catch_up());
  check_index(h, e, false);
  {
    auto r = h.index->read();
    REQUIRE(r);
    const auto m = r->segment(make_segment_id(0, 0));
    REQUIRE(m);
    CHECK_FALSE(m->closed);
    CHECK(m->packets == 10);
    CHECK(m->indexed_bytes == w.writer->open_segment_used());
  }
  CHECK(ix.snapshot().indexed_packets == 10);
  CHECK(ix.snapshot().segments == 1);

  // Many small increments: a flow's open postings chunk is rewritten, never
  // duplicated, and grows past a chunk (256 bytes) into the next.
  for (int round = 0; round < 150; ++round) {
    write_some(10 + static_cast<std::uint32_t>(round) % 5);
    require_ok(ix.catch_up());
  }
  REQUIRE(e.segments().size() == 1);  // still the one open segment
  check_index(h, e, false);
  CHECK(ix.snapshot().indexed_packets == i);
  const std::uint64_t flows_in_first = e.at(make_segment_id(0, 0)).flows.size();

  // Rotation and close: the segment turns closed in the index.
  small = false;
  write_some(400);
  require_ok(w.writer->close());
  REQUIRE(e.segments().size() >= 2);
  require_ok(ix.catch_up());
  check_index(h, e, true);
  CHECK(ix.snapshot().indexed_packets == i);

  // The first segment's flows spilled into more than one chunk (compaction
  // keeps each flow's last chunk number for postings_tail).
  {
    auto r = h.index->read();
    REQUIRE(r);
    std::uint64_t chunks = 0;
    for (std::uint32_t no = 0; no < flows_in_first; ++no) {
      const auto tail = r->postings_tail(make_segment_id(0, 0), no);
      REQUIRE(tail);
      chunks += std::uint64_t{tail->last_chunk_no} + 1;
    }
    CHECK(chunks >= 2 * flows_in_first);
    CHECK(r->compacted(make_segment_id(0, 0)));
  }
  // Closed, it was compacted: no flow, attribute or postings keys are left,
  // only its meta and the packed values.
  h.close_index();
  const auto keys = index::test::count_keys(h.tmp.path() + "/index");
  CHECK(keys.count({0x02, make_segment_id(0, 0)}) == 0);
  CHECK(keys.count({0x03, make_segment_id(0, 0)}) == 0);
  CHECK(keys.count({0x04, make_segment_id(0, 0)}) == 0);
  CHECK(keys.at({0x01, make_segment_id(0, 0)}) == 1);
  CHECK(keys.at({0x05, make_segment_id(0, 0)}) == 8);
}

TEST_CASE("SegmentIndexer after a kill -9: recovery, reconcile and catch_up rebuild exactly the files",
          "[index][segment_indexer]") {
  Harness h;
  Expectation e;
  Writing w = h.open_writer(0);
  std::uint32_t i = 0;
  auto write_until = [&](std::uint64_t sequence, std::uint32_t extra) {
    std::uint32_t in_target = 0;
    while (in_target < extra) {
      const auto loc = w.write(make_frame(i, kT0 + i * 1'000'000LL), e);
      ++i;
      if (store::segment_sequence(loc.segment_id) == sequence) ++in_target;
    }
  };
  // Segment 0 closed, segment 1 open with 50 records; all of it indexed.
  write_until(1, 50);
  {
    SegmentIndexer& ix = h.new_indexer();
    require_ok(ix.reconcile());
    require_ok(ix.catch_up());
    auto r = h.index->read();
    REQUIRE(r);
    const auto m1 = r->segment(make_segment_id(0, 1));
    REQUIRE(m1);
    CHECK_FALSE(m1->closed);
    CHECK(m1->packets == 50);
  }
  // The writer goes on (segment 1 fills and closes, segment 2 opens), the
  // indexer does not see it, then the process dies.
  write_until(2, 60);
  const std::uint64_t seg2_packets = e.at(make_segment_id(0, 2)).packets;
  REQUIRE(seg2_packets == 60);
  w.writer->abandon_for_test();
  w.writer.reset();
  h.close_index();

  auto rec = store::recover_all_segments(h.cfg, h.tmp.path());
  REQUIRE(rec);
  REQUIRE(rec->size() == 1);
  CHECK((*rec)[0].outcome == store::RecoveredSegment::Outcome::closed);
  CHECK((*rec)[0].segment_id == make_segment_id(0, 2));
  CHECK((*rec)[0].records_kept == 60);

  // Restart: segment 1 was indexed only in part and segment 2 not at all.
  h.open_index();
  SegmentIndexer& ix = h.new_indexer();
  require_ok(ix.reconcile());
  {
    auto r = h.index->read();
    REQUIRE(r);
    std::vector<SegmentId> ids;
    for (const auto& m : r->segments()) ids.push_back(m.id);
    // Only the completely indexed, closed segment 0 survives reconcile.
    CHECK(ids == std::vector<SegmentId>{make_segment_id(0, 0)});
    std::vector<std::uint32_t> flows;
    r->all_flows(make_segment_id(0, 1), flows);
    CHECK(flows.empty());
  }
  require_ok(ix.catch_up());
  check_index(h, e, true);
  CHECK(ix.snapshot().indexed_packets == i);
  CHECK(ix.snapshot().segments == 3);

  // And the rebuilt index is what a fresh index of the same files holds: the
  // same number of keys per table and segment (no leftover chunk or flow of
  // the partial first pass).
  h.close_index();
  const auto rebuilt = index::test::count_keys(h.tmp.path() + "/index");
  opensoc::test::TempDir fresh_dir;
  {
    PacketIndex::Options o;
    o.map_size = 256ULL << 20;
    o.no_sync = true;
    auto fresh = PacketIndex::open(fresh_dir.path() + "/index", o);
    REQUIRE(fresh);
    IndexerOptions io;
    io.store = h.cfg;
    io.data_dir = h.tmp.path();
    io.community_id_seed = kCidSeed;
    SegmentIndexer fresh_ix(io, **fresh, h.log, nullptr);
    require_ok(fresh_ix.reconcile());
    require_ok(fresh_ix.catch_up());
  }
  const auto once = index::test::count_keys(fresh_dir.path() + "/index");
  // Postings chunking depends on commit boundaries, so compare the tables
  // that do not: segment, flow and attribute keys.
  for (const auto& [k, n] : once) {
    if (k.first == 0x04) continue;
    INFO("table " << int(k.first) << " segment " << k.second);
    CHECK(rebuilt.count(k) == 1);
    if (rebuilt.count(k) == 1) CHECK(rebuilt.at(k) == n);
  }
  for (const auto& [k, n] : rebuilt) {
    INFO("table " << int(k.first) << " segment " << k.second);
    CHECK(once.count(k) == 1);
  }
}

TEST_CASE("SegmentIndexer reconcile drops the index entries of a segment whose file is gone",
          "[index][segment_indexer]") {
  Harness h;
  Expectation e;
  Writing w = h.open_writer(3);
  for (std::uint32_t i = 0; i < 900; ++i) w.write(make_frame(i, kT0 + i * 1'000'000LL), e);
  require_ok(w.writer->close());
  REQUIRE(e.segments().size() >= 3);
  require_ok(h.new_indexer().catch_up());
  check_index(h, e);

  const SegmentId victim = std::next(e.segments().begin())->first;  // one in the middle
  REQUIRE(::unlink(h.closed_path(e.at(victim)).c_str()) == 0);
  e.erase(victim);

  SegmentIndexer& ix = h.new_indexer();
  require_ok(ix.reconcile());
  {
    auto r = h.index->read();
    REQUIRE(r);
    CHECK_FALSE(r->segment(victim));
    std::vector<std::uint32_t> flows;
    r->all_flows(victim, flows);
    r->flows_with_proto(victim, 6, flows);
    r->flows_with_proto(victim, 17, flows);
    CHECK(flows.empty());
  }
  require_ok(ix.catch_up());
  check_index(h, e);
  CHECK(ix.snapshot().segments == e.segments().size());

  h.close_index();
  for (const auto& [k, n] : index::test::count_keys(h.tmp.path() + "/index")) {
    INFO("table " << int(k.first));
    CHECK(k.second != victim);
  }
}

TEST_CASE("SegmentIndexer compacts finished segments, and at reconcile those a stop left uncompacted",
          "[index][segment_indexer][compact]") {
  Harness h;
  Expectation e;
  Writing w = h.open_writer(0);
  for (std::uint32_t i = 0; i < 900; ++i) w.write(make_frame(i, kT0 + i * 1'000'000LL), e);
  require_ok(w.writer->close());
  REQUIRE(e.segments().size() >= 3);
  require_ok(h.new_indexer().catch_up());
  check_index(h, e);
  CHECK(h.indexer->snapshot().index_errors == 0);

  // Rewrite every segment in the uncompacted form, as an index written
  // before compaction existed (or a stop between the last commit and the
  // compaction) leaves it.
  std::vector<IndexBatch> batches;
  {
    auto r = h.index->read();
    REQUIRE(r);
    for (const SegmentMeta& m : r->segments()) {
      CHECK(r->compacted(m.id));
      IndexBatch b;
      b.segments.push_back(m);
      std::vector<std::uint32_t> flows;
      r->all_flows(m.id, flows);
      REQUIRE(flows.size() == m.flows);
      for (const std::uint32_t no : flows) {
        const auto entry = r->flow(m.id, no);
        REQUIRE(entry);
        IndexBatch::NewFlow nf;
        nf.segment = m.id;
        nf.flow_no = no;
        nf.key = entry->key;
        const auto digest = flow::community_id_digest(entry->key, kCidSeed);
        std::memcpy(nf.community_id_prefix.data(), digest.data(), nf.community_id_prefix.size());
        b.new_flows.push_back(nf);
        b.flow_updates.push_back({m.id, *entry});
        std::vector<Posting> postings;
        REQUIRE(r->postings(m.id, no, postings));
        PostingsEncoder enc;
        for (const Posting& p : postings) REQUIRE(enc.add(p.offset, p.swapped));
        const auto tail = r->postings_tail(m.id, no);
        REQUIRE(tail);
        b.postings.push_back({m.id, no, tail->last_chunk_no, enc.take_chunk()});
      }
      batches.push_back(std::move(b));
    }
  }
  for (const IndexBatch& b : batches) {
    require_ok(h.index->drop_segment(b.segments[0].id));
    require_ok(h.index->commit(b));
  }
  {
    auto r = h.index->read();
    REQUIRE(r);
    for (const IndexBatch& b : batches) CHECK_FALSE(r->compacted(b.segments[0].id));
  }
  check_index(h, e);

  SegmentIndexer& ix = h.new_indexer();
  require_ok(ix.reconcile());
  CHECK(ix.snapshot().index_errors == 0);
  {
    auto r = h.index->read();
    REQUIRE(r);
    for (const IndexBatch& b : batches) CHECK(r->compacted(b.segments[0].id));
  }
  check_index(h, e);
  require_ok(ix.catch_up());
  check_index(h, e);
}

TEST_CASE("SegmentIndexer retention by max_bytes removes the oldest closed segments and their entries first",
          "[index][segment_indexer][retention]") {
  Harness h;
  Expectation e;
  Writing w0 = h.open_writer(0);
  Writing w1 = h.open_writer(1);
  for (std::uint32_t i = 0; i < 2000; ++i) {
    // Worker 1 starts later, so the oldest segments are all worker 0's and
    // retention order (first packet time) differs from id order.
    const TimestampNs ts = kT0 + static_cast<TimestampNs>(i) * 1'000'000;
    (i >= 600 && i % 2 == 0 ? w1 : w0).write(make_frame(i, ts), e);
  }
  require_ok(w0.writer->close());
  require_ok(w1.writer->close());

  // Oldest first by first packet time; the budget keeps what fits from the newest.
  std::vector<const ExpectedSegment*> by_age;
  for (const auto& [id, s] : e.segments()) by_age.push_back(&s);
  std::sort(by_age.begin(), by_age.end(), [](auto* a, auto* b) {
    return a->first_ts != b->first_ts ? a->first_ts < b->first_ts : a->id < b->id;
  });
  std::vector<std::uint64_t> alloc;
  std::uint64_t total = 0;
  for (auto* s : by_age) {
    alloc.push_back(stat_file(h.closed_path(*s))->allocated);
    total += alloc.back();
  }
  // Room for a bit more than the newest three.
  const std::size_t n = by_age.size();
  REQUIRE(n >= 6);
  h.cfg.max_bytes = alloc[n - 1] + alloc[n - 2] + alloc[n - 3] + alloc[n - 4] / 2;
  std::size_t removed = 0;
  std::uint64_t used = total, removed_bytes = 0;
  while (used > h.cfg.max_bytes) {
    used -= alloc[removed];
    removed_bytes += alloc[removed];
    ++removed;
  }
  REQUIRE(removed == n - 3);

  SegmentIndexer& ix = h.new_indexer();
  require_ok(ix.reconcile());
  require_ok(ix.catch_up());

  Expectation kept = e;
  for (std::size_t k = 0; k < removed; ++k) {
    INFO("removed segment " << by_age[k]->id);
    CHECK_FALSE(stat_file(h.closed_path(*by_age[k])));
    kept.erase(by_age[k]->id);
  }
  for (std::size_t k = removed; k < n; ++k) CHECK(stat_file(h.closed_path(*by_age[k])));
  check_index(h, kept);

  const StoreSnapshot snap = ix.snapshot();
  CHECK(snap.segments == n - removed);
  CHECK(snap.segments_removed == removed);
  CHECK(snap.bytes_removed == removed_bytes);
  CHECK(snap.bytes_used == used);
  CHECK(snap.bytes_used <= h.cfg.max_bytes);
  TimestampNs oldest = INT64_MAX, newest = 0;
  std::uint64_t packets = 0;
  for (const auto& [id, s] : kept.segments()) {
    oldest = std::min(oldest, s.first_ts);
    newest = std::max(newest, s.last_ts);
    packets += s.packets;
  }
  CHECK(snap.oldest_packet_ns == oldest);
  CHECK(snap.newest_packet_ns == newest);
  CHECK(snap.indexed_packets == packets);

  h.close_index();
  std::set<SegmentId> with_keys;
  for (const auto& [k, cnt] : index::test::count_keys(h.tmp.path() + "/index"))
    if (k.first != 0) with_keys.insert(k.second);
  std::set<SegmentId> want;
  for (const auto& [id, s] : kept.segments()) want.insert(id);
  CHECK(with_keys == want);
}

TEST_CASE("SegmentIndexer retention never removes a segment that is still open", "[index][segment_indexer][retention]") {
  Harness h;
  Expectation e;
  Writing w = h.open_writer(0);
  for (std::uint32_t i = 0; i < 800; ++i) w.write(make_frame(i, kT0 + i * 1'000'000LL), e);
  // The last segment stays open.
  REQUIRE(w.writer->has_open_segment());
  const SegmentId open_id = w.locations.back().segment_id;
  REQUIRE(e.segments().size() >= 3);
  h.cfg.max_bytes = 1;  // nothing fits

  SegmentIndexer& ix = h.new_indexer();
  require_ok(ix.catch_up());
  {
    auto r = h.index->read();
    REQUIRE(r);
    const auto metas = r->segments();
    REQUIRE(metas.size() == 1);
    CHECK(metas[0].id == open_id);
    CHECK_FALSE(metas[0].closed);
    CHECK(metas[0].packets == e.at(open_id).packets);
    check_segment_flows(*r, e.at(open_id));
  }
  CHECK(ix.snapshot().segments == 1);
  CHECK(ix.snapshot().segments_removed == e.segments().size() - 1);
}

TEST_CASE("SegmentIndexer retention by max_age_s drops segments whose newest packet is too old",
          "[index][segment_indexer][retention]") {
  Harness h;
  h.cfg.max_segment_age_s = 10;  // rotation by packet age, not size
  Expectation e;
  Writing w = h.open_writer(0);
  for (std::uint32_t i = 0; i <= 60; ++i) w.write(make_frame(i, kT0 + static_cast<TimestampNs>(i) * kNsPerSecond), e);
  require_ok(w.writer->close());
  const TimestampNs newest = kT0 + 60 * kNsPerSecond;
  std::vector<const ExpectedSegment*> segs;
  for (const auto& [id, s] : e.segments()) segs.push_back(&s);
  REQUIRE(segs.size() >= 5);
  // The age limit is exactly the third segment's age: "older than" is
  // strict, so that one stays and the two before it go.
  const TimestampNs age = newest - segs[2]->last_ts;
  REQUIRE(age % kNsPerSecond == 0);
  h.cfg.max_age_s = static_cast<std::uint32_t>(age / kNsPerSecond);

  SegmentIndexer& ix = h.new_indexer();
  require_ok(ix.catch_up());
  Expectation kept = e;
  for (std::size_t k = 0; k < 2; ++k) {
    CHECK_FALSE(stat_file(h.closed_path(*segs[k])));
    kept.erase(segs[k]->id);
  }
  for (std::size_t k = 2; k < segs.size(); ++k) CHECK(stat_file(h.closed_path(*segs[k])));
  check_index(h, kept);
  const StoreSnapshot snap = ix.snapshot();
  CHECK(snap.segments == segs.size() - 2);
  CHECK(snap.segments_removed == 2);
  CHECK(snap.oldest_packet_ns == segs[2]->first_ts);
  CHECK(snap.newest_packet_ns == newest);
}

// Regression: a record larger than the indexer's first 64 KiB read once made
// read_tail take the raised read size for the end of the file, so catch_up()
// returned with the record unindexed.
TEST_CASE("SegmentIndexer catch_up indexes a record larger than its first read (64 KiB) in one call",
          "[index][segment_indexer]") {
  Harness h;
  Expectation e;
  Writing w = h.open_writer(0);
  // The largest frame a valid IPv4 length allows: a 65565-byte record.
  auto big = [](std::uint32_t i, TimestampNs ts) {
    PacketSpec s = conversation(0);
    s.ts = ts;
    s.payload = 65535 - 40;
    flow::test::TestPacket p = flow::test::make_packet(s);
    p.frame.resize(p.frame.size() + s.payload, static_cast<std::uint8_t>(i));
    p.wirelen = static_cast<std::uint32_t>(p.frame.size());
    REQUIRE(p.frame.size() + store::kRecordHeaderSize > (64u << 10));
    return p;
  };
  SECTION("first record of a closed segment") {
    w.write(big(0, kT0), e);
    for (std::uint32_t i = 1; i < 20; ++i) w.write(make_frame(i, kT0 + i * 1000LL), e);
    require_ok(w.writer->close());
    require_ok(h.new_indexer().catch_up());
    check_index(h, e, true);
  }
  SECTION("first record after a live segment's tail") {
    for (std::uint32_t i = 0; i < 20; ++i) w.write(make_frame(i, kT0 + i * 1000LL), e);
    SegmentIndexer& ix = h.new_indexer();
    require_ok(ix.catch_up());
    check_index(h, e, false);
    w.write(big(20, kT0 + 20'000), e);
    require_ok(ix.catch_up());
    check_index(h, e, false);
  }
}

TEST_CASE("SegmentIndexer thread indexes while writers write and commits everything at stop",
          "[index][segment_indexer]") {
  Harness h;
  h.cfg.index_commit_ms = 5;
  Expectation e;
  store::SegmentJournal journal;
  Writing w0 = h.open_writer(0);
  Writing w1 = h.open_writer(1);
  w0.writer->set_journal(&journal);
  w1.writer->set_journal(&journal);
  SegmentIndexer& ix = h.new_indexer(&journal);
  require_ok(ix.reconcile());
  ix.start();
  std::uint32_t i = 0;
  auto write_some = [&](std::uint32_t n) {
    for (const std::uint32_t end = i + n; i < end; ++i) (i % 2 ? w1 : w0).write(make_frame(i, kT0 + i * 1000LL), e);
  };
  // The thread sees packets of open segments without any catch_up call.
  write_some(100);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(4);
  while (ix.snapshot().indexed_packets < 100 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  CHECK(ix.snapshot().indexed_packets == 100);
  write_some(900);  // with rotations on both workers
  require_ok(w0.writer->close());
  require_ok(w1.writer->close());
  require_ok(ix.stop());
  require_ok(ix.stop());  // idempotent
  check_index(h, e, true);
  CHECK(ix.snapshot().indexed_packets == 1000);
  CHECK(ix.snapshot().index_errors == 0);
}
