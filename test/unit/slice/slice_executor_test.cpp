// PCAP slice execution (open_slice + SliceCursor::fill) end to end: packets
// written by real SegmentWriters into a private temp directory, indexed by
// the real SegmentIndexer into LMDB, sliced, and the output parsed back.
// Which packets a query should return, and in which order, is computed here
// from the generated packets (their addresses, ports, protocol, VLAN, time),
// independently of the index; the bytes are compared with the segment files.
#include "slice/slice_executor.hpp"

#include <catch2/catch.hpp>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <map>

#include "../flow/test_packets.hpp"
#include "../index/index_test_support.hpp"
#include "flow/community_id.hpp"
#include "flow/flow_key_builder.hpp"
#include "index/segment_indexer.hpp"
#include "slice/slice_params.hpp"
#include "slice/time_value.hpp"
#include "store/pcap_format.hpp"
#include "store/segment_writer.hpp"

using namespace opensoc;
using namespace opensoc::slice;
using flow::test::PacketSpec;

namespace {

constexpr TimestampNs kT0 = 1'764'237'600LL * kNsPerSecond;  // 2025-11-27T10:00:00Z
constexpr TimestampNs kMs = 1'000'000;
constexpr std::uint16_t kCidSeed = 3;
using Params = std::multimap<std::string, std::string>;

// One packet the test stored, with what the filters look at.
struct Stored {
  PacketSpec spec;
  flow::test::TestPacket pkt;
  store::RecordLocation loc;
  std::uint64_t order = 0;  // write order (storage order within a segment)
  std::array<std::uint8_t, 20> cid{};
};

// A data directory with writers, an index and an indexer.
struct Store {
  index::test::TempDir tmp;
  store::StoreConfig cfg;
  telemetry::Logger log{telemetry::LogLevel::error};
  std::unique_ptr<index::PacketIndex> index;
  std::vector<std::unique_ptr<store::SegmentWriter>> writers;
  std::vector<Stored> stored;

  explicit Store(std::size_t workers) {
    cfg.max_segment_bytes = store::kGlobalHeaderSize + store::kMaxRecordSize;  // a few hundred packets each
    cfg.max_segment_age_s = 3600;
    cfg.sync_on_close = false;
    cfg.min_free_bytes = 0;
    cfg.default_window_s = 3600;
    index::PacketIndex::Options o;
    o.map_size = 256ULL << 20;
    o.no_sync = true;
    auto ix = index::PacketIndex::open(tmp.path() + "/index", o);
    if (!ix) FAIL(ix.error().message);
    index = std::move(*ix);
    for (std::size_t w = 0; w < workers; ++w) {
      auto r = store::SegmentWriter::open(cfg, tmp.path(), static_cast<std::uint16_t>(w));
      if (!r) FAIL(r.error().message);
      writers.push_back(std::move(*r));
    }
  }

  // Stores a frame for `spec` carrying `payload` bytes (so IP lengths hold).
  const Stored& write(std::size_t worker, PacketSpec spec, std::uint32_t payload) {
    spec.payload = payload;
    Stored s;
    s.spec = spec;
    s.pkt = flow::test::make_packet(spec);
    for (std::uint32_t k = 0; k < payload; ++k)
      s.pkt.frame.push_back(static_cast<std::uint8_t>(stored.size() * 17 + k));
    s.pkt.wirelen = static_cast<std::uint32_t>(s.pkt.frame.size());
    if (stored.size() % 11 == 0) s.pkt.wirelen += 100;  // some frames cut short: wirelen must survive
    const store::AppendResult r = writers.at(worker)->append(s.pkt.view());
    REQUIRE(r.stored());
    s.loc = r.location;
    s.order = stored.size();
    bool swapped = false;
    s.cid = flow::community_id_digest(flow::make_flow_key(s.pkt.frame.data(), s.pkt.d, swapped), kCidSeed);
    stored.push_back(std::move(s));
    return stored.back();
  }

  // Indexes everything on disk (closing the writers first unless `keep_open`).
  void index_all(bool keep_open = false) {
    if (!keep_open)
      for (auto& w : writers) REQUIRE(w->close());
    index::IndexerOptions o;
    o.store = cfg;
    o.data_dir = tmp.path();
    o.community_id_seed = kCidSeed;
    index::SegmentIndexer ix(o, *index, log, nullptr);
    REQUIRE(ix.reconcile());
    REQUIRE(ix.catch_up());
  }

  [[nodiscard]] SliceOptions options() const {
    SliceOptions o;
    o.store = cfg;
    o.data_dir = tmp.path();
    o.community_id_seed = kCidSeed;
    return o;
  }

  [[nodiscard]] std::string segment_path(store::SegmentId id) const {
    const std::string dir = store::worker_directory(cfg, tmp.path(), store::segment_worker(id));
    for (const Stored& s : stored) {
      if (s.loc.segment_id != id) continue;
      // The segment's name carries its first appended packet's time.
      return dir + "/" + store::closed_segment_name(s.pkt.ts, store::segment_sequence(id));
    }
    FAIL("no such segment");
    return {};
  }
};

struct Slice {
  std::string bytes;
  SliceOutcome outcome;
};

Slice run(const Store& st, const SliceQuery& q, std::size_t chunk = 1 << 20) {
  auto c = open_slice(*st.index, st.options(), q);
  if (!c) FAIL(c.error().message);
  Slice s;
  int calls = 0;
  while ((*c)->fill(s.bytes, s.bytes.size() + chunk)) {
    REQUIRE(++calls < 1'000'000);
  }
  // Ended: further calls add nothing.
  const std::size_t size = s.bytes.size();
  CHECK_FALSE((*c)->fill(s.bytes, size + chunk));
  CHECK(s.bytes.size() == size);
  s.outcome = (*c)->outcome();
  return s;
}

SliceQuery query(const Params& p) {
  auto r = parse_slice_params(p, kT0 + 3600 * kNsPerSecond);
  if (!r) FAIL(r.error().parameter << ": " << r.error().message);
  return std::move(r).value();
}

SliceQuery everything() {
  SliceQuery q;
  q.start = 0;
  q.end = std::numeric_limits<TimestampNs>::max();
  return q;
}

struct OutRecord {
  TimestampNs ts = 0;
  std::uint32_t caplen = 0;
  std::uint32_t wirelen = 0;
  std::string record;  // header + frame, as in the file
};

// Parses a slice as pcap: a nanosecond, little-endian, Ethernet header and
// records that exactly fill the rest.
std::vector<OutRecord> parse_pcap(const std::string& s) {
  REQUIRE(s.size() >= store::kGlobalHeaderSize);
  const auto* b = reinterpret_cast<const std::uint8_t*>(s.data());
  CHECK(store::load_le32(b) == 0xa1b23c4du);
  CHECK(store::load_le16(b + 4) == 2);
  CHECK(store::load_le16(b + 6) == 4);
  CHECK(store::load_le32(b + 16) == store::kSegmentSnaplen);
  CHECK(store::load_le32(b + 20) == 1);  // LINKTYPE_ETHERNET
  std::vector<OutRecord> out;
  std::size_t pos = store::kGlobalHeaderSize;
  while (pos < s.size()) {
    REQUIRE(pos + store::kRecordHeaderSize <= s.size());
    OutRecord r;
    r.ts = static_cast<TimestampNs>(store::load_le32(b + pos)) * kNsPerSecond + store::load_le32(b + pos + 4);
    r.caplen = store::load_le32(b + pos + 8);
    r.wirelen = store::load_le32(b + pos + 12);
    REQUIRE(pos + store::kRecordHeaderSize + r.caplen <= s.size());
    r.record = s.substr(pos, store::kRecordHeaderSize + r.caplen);
    pos += r.record.size();
    out.push_back(std::move(r));
  }
  return out;
}

std::string file_bytes(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "rb");
  REQUIRE(f != nullptr);
  std::string out;
  char buf[65536];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  std::fclose(f);
  return out;
}

// The stored packets `keep` selects, in the order a slice must give them:
// by time, storage order for equal times (tests avoid equal times across
// segments, whose order is the plan's).
std::vector<const Stored*> expected(const Store& st, const std::function<bool(const Stored&)>& keep) {
  std::vector<const Stored*> out;
  for (const Stored& s : st.stored)
    if (keep(s)) out.push_back(&s);
  std::stable_sort(out.begin(), out.end(), [](const Stored* a, const Stored* b) { return a->pkt.ts < b->pkt.ts; });
  return out;
}

// The slice holds exactly `want`, in order, each record byte for byte the
// stored one (and the frame the test generated).
void check_slice(const Store& st, const Slice& got, const std::vector<const Stored*>& want) {
  const std::vector<OutRecord> recs = parse_pcap(got.bytes);
  REQUIRE(recs.size() == want.size());
  std::map<store::SegmentId, std::string> files;
  for (std::size_t k = 0; k < recs.size(); ++k) {
    INFO("record " << k << " (stored #" << want[k]->order << ")");
    const Stored& s = *want[k];
    CHECK(recs[k].ts == s.pkt.ts);
    CHECK(recs[k].caplen == s.pkt.frame.size());
    CHECK(recs[k].wirelen == s.pkt.wirelen);
    CHECK(recs[k].record.compare(store::kRecordHeaderSize, std::string::npos,
                                 reinterpret_cast<const char*>(s.pkt.frame.data()), s.pkt.frame.size()) == 0);
    auto it = files.find(s.loc.segment_id);
    if (it == files.end()) it = files.emplace(s.loc.segment_id, file_bytes(st.segment_path(s.loc.segment_id))).first;
    REQUIRE(s.loc.offset + s.loc.length <= it->second.size());
    CHECK(recs[k].record == it->second.substr(s.loc.offset, s.loc.length));
  }
  CHECK(got.outcome.packets == want.size());
  CHECK(got.outcome.bytes == got.bytes.size());
}

// Conversations for the filter tests: IPv4/IPv6, TCP/UDP/ICMP/ICMPv6, a
// VLAN, both directions.
PacketSpec conversation(std::uint32_t i) {
  const bool reply = (i / 9) % 2 == 1;
  PacketSpec s;
  auto set = [&](const char* a, std::uint16_t ap, const char* b, std::uint16_t bp, std::uint8_t proto) {
    s.src = reply ? b : a;
    s.dst = reply ? a : b;
    s.sport = reply ? bp : ap;
    s.dport = reply ? ap : bp;
    s.proto = proto;
  };
  switch (i % 9) {
    case 0: set("10.0.0.1", 40000, "10.0.0.2", 80, 6); break;
    case 1: set("10.0.0.3", 5353, "10.0.0.2", 53, 17); break;
    case 2: set("2001:db8::1", 50000, "2001:db8::2", 443, 6); break;
    case 3:
      set("10.0.0.1", 40001, "192.168.1.1", 443, 6);
      s.vlan = 100;
      break;
    case 4:
      set("10.0.0.9", 0, "10.0.0.1", 0, 1);
      s.icmp_type = reply ? 0 : 8;
      break;
    case 5: set("2001:db8::2", 33000, "2001:db8::1", 53, 17); break;
    case 6:
      set("2001:db8::1", 0, "2001:db8::3", 0, 58);
      s.icmp_type = reply ? 129 : 128;
      break;
    case 7:
      set("10.0.1.5", 8, "10.0.0.2", 8080, 6);  // a TCP "port 8", unlike the ICMP echo's type
      s.vlan = 200;
      break;
    default: set("10.0.0.1", 40002, "10.0.0.2", 443, 17); break;
  }
  return s;
}

bool is(const std::string& a, const char* b) { return a == b; }
bool has_ports(const PacketSpec& s) { return s.proto == 6 || s.proto == 17 || s.proto == 132; }

}  // namespace

TEST_CASE("A slice is a nanosecond pcap of byte-identical records merged in time order across workers",
          "[slice][executor]") {
  Store st(2);
  // Interleaved times: worker 0 on even and worker 1 on odd microseconds,
  // with runs where one worker is ahead of the other.
  for (std::uint32_t i = 0; i < 1500; ++i) {
    const std::size_t w = (i / 5) % 3 == 0 ? 1 : 0;
    PacketSpec s = conversation(i);
    s.ts = kT0 + static_cast<TimestampNs>(i) * 2000 + static_cast<TimestampNs>(w);
    st.write(w, s, 100 + (i * 211) % 1200);
  }
  st.index_all();
  std::map<store::SegmentId, int> segs;
  for (const auto& s : st.stored) segs[s.loc.segment_id]++;
  REQUIRE(segs.size() >= 4);

  const auto want = expected(st, [](const Stored&) { return true; });
  SECTION("time-only slice (record walk)") {
    const Slice got = run(st, everything());
    check_slice(st, got, want);
    CHECK(got.outcome.truncated == Truncation::no);
    CHECK(got.outcome.segments == segs.size());
    CHECK(got.outcome.skipped_records == 0);
    // One record per fill call gives the same bytes.
    CHECK(run(st, everything(), 1).bytes == got.bytes);
  }
  SECTION("filtered slice (index postings) of every IP packet") {
    SliceQuery q = query({{"host", "0.0.0.0/0"}});
    SliceQuery q6 = query({{"host", "::/0"}});
    q.filter = FilterExpr::combine(FilterExpr::Node::Op::any_of, q.filter, q6.filter);
    q.start = 0;
    q.end = std::numeric_limits<TimestampNs>::max();
    const Slice got = run(st, q);
    check_slice(st, got, want);
    CHECK(run(st, q, 1).bytes == got.bytes);
  }
}

TEST_CASE("Out-of-order times within a segment come out sorted, equal times in storage order", "[slice][executor]") {
  Store st(1);
  const TimestampNs offsets[] = {5, 3, 3, 9, 1, 3, 7, 7, 0, 9, 2, 5, 1, 8, 3};
  for (std::uint32_t k = 0; k < 45; ++k) {
    PacketSpec s = conversation(k % 3 == 0 ? 0 : 1);  // two flows, both TCP/UDP on 10.0.0.2
    s.ts = kT0 + offsets[k % 15] * kMs + (k / 15) * 10 * kMs;
    st.write(0, s, 60 + k);
  }
  st.index_all();
  const auto want = expected(st, [](const Stored&) { return true; });
  REQUIRE(want.front()->pkt.ts == kT0);
  SECTION("time-only") { check_slice(st, run(st, everything()), want); }
  SECTION("filtered") {
    SliceQuery q = query({{"host", "10.0.0.2"}});
    q.start = 0;
    check_slice(st, run(st, q), want);
  }
}

TEST_CASE("Slice filters return exactly the packets they describe", "[slice][executor]") {
  Store st(2);
  for (std::uint32_t i = 0; i < 1200; ++i) {
    PacketSpec s = conversation(i);
    s.ts = kT0 + static_cast<TimestampNs>(i) * 3 * kMs + (i % 2);
    st.write(i % 2, s, 150 + (i * 97) % 900);
  }
  st.index_all();
  // The Community ID of the IPv6 TCP conversation (case 2).
  std::string cid_text;
  std::array<std::uint8_t, 20> cid{};
  for (const Stored& s : st.stored) {
    if (is(s.spec.src, "2001:db8::1") && s.spec.proto == 6) {
      cid = s.cid;
      cid_text = flow::community_id_text(s.cid);
      break;
    }
  }
  REQUIRE(!cid_text.empty());

  struct Case {
    Params params;
    std::function<bool(const PacketSpec&)> want;
  };
  const std::vector<Case> cases = {
      {{{"host", "10.0.0.1"}}, [](const PacketSpec& s) { return is(s.src, "10.0.0.1") || is(s.dst, "10.0.0.1"); }},
      {{{"host", "10.0.0.1"}, {"host", "10.0.0.2"}},
       [](const PacketSpec& s) {
         return (is(s.src, "10.0.0.1") && is(s.dst, "10.0.0.2")) || (is(s.src, "10.0.0.2") && is(s.dst, "10.0.0.1"));
       }},
      {{{"host", "10.0.0.0/30"}},
       [](const PacketSpec& s) {
         for (const auto* a : {&s.src, &s.dst})
           if (is(*a, "10.0.0.1") || is(*a, "10.0.0.2") || is(*a, "10.0.0.3")) return true;
         return false;
       }},
      {{{"src", "10.0.0.1"}}, [](const PacketSpec& s) { return is(s.src, "10.0.0.1"); }},
      {{{"dst", "2001:db8::1"}}, [](const PacketSpec& s) { return is(s.dst, "2001:db8::1"); }},
      {{{"host", "2001:db8::/64"}, {"proto", "udp"}},
       [](const PacketSpec& s) { return s.src.find(':') != std::string::npos && s.proto == 17; }},
      {{{"port", "53"}}, [](const PacketSpec& s) { return has_ports(s) && (s.sport == 53 || s.dport == 53); }},
      {{{"port", "8"}}, [](const PacketSpec& s) { return has_ports(s) && (s.sport == 8 || s.dport == 8); }},
      {{{"sport", "40000"}}, [](const PacketSpec& s) { return has_ports(s) && s.sport == 40000; }},
      {{{"dport", "443"}}, [](const PacketSpec& s) { return has_ports(s) && s.dport == 443; }},
      {{{"sport", "443"}, {"host", "10.0.0.1"}},
       [](const PacketSpec& s) {
         return has_ports(s) && s.sport == 443 && (is(s.src, "10.0.0.1") || is(s.dst, "10.0.0.1"));
       }},
      {{{"proto", "udp"}}, [](const PacketSpec& s) { return s.proto == 17; }},
      {{{"proto", "6"}}, [](const PacketSpec& s) { return s.proto == 6; }},
      {{{"proto", "icmp"}}, [](const PacketSpec& s) { return s.proto == 1 || s.proto == 58; }},
      {{{"proto", "58"}}, [](const PacketSpec& s) { return s.proto == 58; }},
      {{{"vlan", "100"}}, [](const PacketSpec& s) { return s.vlan == 100; }},
      {{{"vlan", "200"}, {"port", "8"}}, [](const PacketSpec& s) { return s.vlan == 200; }},
      {{{"community_id", cid_text}},
       [](const PacketSpec& s) { return s.src.find(':') != std::string::npos && s.proto == 6; }},
      {{{"query", "host 10.0.0.1 and (port 80 or port 443)"}},
       [](const PacketSpec& s) {
         return (is(s.src, "10.0.0.1") || is(s.dst, "10.0.0.1")) && has_ports(s) &&
                (s.sport == 80 || s.dport == 80 || s.sport == 443 || s.dport == 443);
       }},
      {{{"host", "10.0.0.9"}, {"port", "80"}}, [](const PacketSpec&) { return false; }},
  };
  for (const Case& c : cases) {
    std::string name;
    for (const auto& [k, v] : c.params) name += k + "=" + v + " ";
    INFO(name);
    const SliceQuery q = query(c.params);  // default window: the whole store
    const Slice got = run(st, q);
    const auto want = expected(st, [&](const Stored& s) { return c.want(s.spec); });
    check_slice(st, got, want);
    CHECK(got.outcome.truncated == Truncation::no);
    // Every case but the last selects some packets and leaves some out.
    if (&c != &cases.back()) {
      CHECK(!want.empty());
      CHECK(want.size() < st.stored.size());
    } else {
      CHECK(got.bytes.size() == store::kGlobalHeaderSize);
    }
  }
  // The Community ID case matched one flow: both directions of it.
  const auto cid_packets = expected(st, [&](const Stored& s) { return s.cid == cid; });
  CHECK(cid_packets.size() == expected(st, [](const Stored& s) {
                                return s.spec.src.find(':') != std::string::npos && s.spec.proto == 6;
                              }).size());
}

TEST_CASE("Slice time bounds are inclusive at both ends", "[slice][executor]") {
  Store st(2);
  for (std::uint32_t i = 0; i < 200; ++i) {
    PacketSpec s = conversation(i);
    s.ts = kT0 + static_cast<TimestampNs>(i) * kMs + 123 * (i % 2);
    st.write(i % 2, s, 80);
  }
  st.index_all();
  const TimestampNs t50 = st.stored[50].pkt.ts, t120 = st.stored[120].pkt.ts, t77 = st.stored[77].pkt.ts;
  auto between = [](TimestampNs a, TimestampNs b) {
    return [a, b](const Stored& s) { return s.pkt.ts >= a && s.pkt.ts <= b; };
  };
  SECTION("time-only") {
    SliceQuery q;
    q.start = t50;
    q.end = t120;
    const Slice got = run(st, q);
    const auto want = expected(st, between(t50, t120));
    REQUIRE(want.size() == 71);
    check_slice(st, got, want);
    CHECK(got.outcome.start == t50);
    CHECK(got.outcome.end == t120);
    // One nanosecond inside drops the end packets.
    q.start = t50 + 1;
    q.end = t120 - 1;
    check_slice(st, run(st, q), expected(st, between(t50 + 1, t120 - 1)));
    CHECK(expected(st, between(t50 + 1, t120 - 1)).size() == 69);
    // A single instant.
    q.start = t77;
    q.end = t77;
    check_slice(st, run(st, q), {&st.stored[77]});
  }
  SECTION("filtered, bounds given as request parameters") {
    const SliceQuery q = query({{"host", "10.0.0.2"},
                                {"start", format_time_value(t50)},
                                {"end", std::to_string(t120 / kNsPerSecond) + "." +
                                            std::to_string(1'000'000'000 + t120 % kNsPerSecond).substr(1)}});
    REQUIRE(q.start == t50);
    REQUIRE(q.end == t120);
    const auto want = expected(st, [&](const Stored& s) {
      return between(t50, t120)(s) && (is(s.spec.src, "10.0.0.2") || is(s.spec.dst, "10.0.0.2"));
    });
    REQUIRE(!want.empty());
    check_slice(st, run(st, q), want);
  }
  SECTION("start only, end only") {
    SliceQuery q;
    q.start = t120;
    check_slice(st, run(st, q), expected(st, [&](const Stored& s) { return s.pkt.ts >= t120; }));
    SliceQuery r;
    r.end = t50;
    check_slice(st, run(st, r), expected(st, [&](const Stored& s) { return s.pkt.ts <= t50; }));
  }
}

TEST_CASE("A slice without start and end covers the default window up to the newest packet", "[slice][executor]") {
  Store st(1);
  st.cfg.default_window_s = 10;
  // Half-second steps over 30 s: the window's start falls exactly on a packet.
  for (std::uint32_t i = 0; i <= 60; ++i) {
    PacketSpec s = conversation(i);
    s.ts = kT0 + static_cast<TimestampNs>(i) * kNsPerSecond / 2;
    st.write(0, s, 100);
  }
  st.index_all();
  const TimestampNs newest = kT0 + 30 * kNsPerSecond;
  const auto want = expected(st, [&](const Stored& s) { return s.pkt.ts >= newest - 10 * kNsPerSecond; });
  REQUIRE(want.size() == 21);
  SECTION("time-only") {
    const Slice got = run(st, SliceQuery{});
    check_slice(st, got, want);
    CHECK(got.outcome.start == newest - 10 * kNsPerSecond);
    CHECK(got.outcome.end == newest);
  }
  SECTION("filtered") {
    const Slice got = run(st, query({{"proto", "udp"}}));
    check_slice(st, got, expected(st, [&](const Stored& s) {
                  return s.pkt.ts >= newest - 10 * kNsPerSecond && s.spec.proto == 17;
                }));
    CHECK(got.outcome.start == newest - 10 * kNsPerSecond);
    CHECK(got.outcome.end == newest);
  }
}

TEST_CASE("Slice limit and limit_bytes cut exactly and say so", "[slice][executor]") {
  Store st(2);
  for (std::uint32_t i = 0; i < 300; ++i) {
    PacketSpec s = conversation(i);
    s.ts = kT0 + static_cast<TimestampNs>(i) * kMs + (i % 2);
    st.write(i % 2, s, 50 + (i * 37) % 700);
  }
  st.index_all();
  const auto all = expected(st, [](const Stored&) { return true; });
  auto first = [&](std::size_t n) { return std::vector<const Stored*>(all.begin(), all.begin() + static_cast<long>(n)); };
  auto bytes_of = [&](std::size_t n) {
    std::uint64_t b = 0;
    for (std::size_t k = 0; k < n; ++k) b += all[k]->loc.length;
    return b;
  };

  SECTION("limit") {
    SliceQuery q = everything();
    q.limit_packets = 5;
    Slice got = run(st, q);
    check_slice(st, got, first(5));
    CHECK(got.outcome.truncated == Truncation::limit);
    q.limit_packets = all.size();  // exactly everything: nothing was cut
    got = run(st, q);
    check_slice(st, got, all);
    CHECK(got.outcome.truncated == Truncation::no);
    q.limit_packets = all.size() - 1;
    got = run(st, q, 1);
    check_slice(st, got, first(all.size() - 1));
    CHECK(got.outcome.truncated == Truncation::limit);
  }
  SECTION("limit_bytes") {
    SliceQuery q = everything();
    q.limit_bytes = bytes_of(3) + all[3]->loc.length - 1;
    Slice got = run(st, q);
    check_slice(st, got, first(3));
    CHECK(got.outcome.truncated == Truncation::limit_bytes);
    CHECK(got.bytes.size() == store::kGlobalHeaderSize + bytes_of(3));
    q.limit_bytes = bytes_of(4);  // exactly four records
    got = run(st, q);
    check_slice(st, got, first(4));
    CHECK(got.outcome.truncated == Truncation::limit_bytes);
    q.limit_bytes = bytes_of(all.size());
    got = run(st, q);
    check_slice(st, got, all);
    CHECK(got.outcome.truncated == Truncation::no);
    q.limit_bytes = 1;  // not even one record
    got = run(st, q);
    CHECK(got.bytes.size() == store::kGlobalHeaderSize);
    CHECK(got.outcome.packets == 0);
    CHECK(got.outcome.truncated == Truncation::limit_bytes);
  }
  SECTION("both, with a filter: whichever comes first") {
    SliceQuery q = query({{"host", "10.0.0.1"}, {"limit", "7"}});
    q.start = 0;
    const auto matching = expected(st, [](const Stored& s) { return is(s.spec.src, "10.0.0.1") || is(s.spec.dst, "10.0.0.1"); });
    REQUIRE(matching.size() > 7);
    Slice got = run(st, q);
    check_slice(st, got, std::vector<const Stored*>(matching.begin(), matching.begin() + 7));
    CHECK(got.outcome.truncated == Truncation::limit);
    std::uint64_t two = matching[0]->loc.length + matching[1]->loc.length;
    q.limit_bytes = two;
    got = run(st, q);
    check_slice(st, got, std::vector<const Stored*>(matching.begin(), matching.begin() + 2));
    CHECK(got.outcome.truncated == Truncation::limit_bytes);
  }
}

TEST_CASE("An empty slice is the 24-byte pcap header alone", "[slice][executor]") {
  const std::uint8_t header[24] = {0x4d, 0x3c, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0,
                                   0,    0,    0,    0,    0, 0, 4, 0, 1, 0, 0, 0};
  const std::string want(reinterpret_cast<const char*>(header), sizeof header);
  SECTION("empty store") {
    Store st(1);
    st.index_all();
    const Slice a = run(st, SliceQuery{});
    CHECK(a.bytes == want);
    CHECK(a.outcome.packets == 0);
    CHECK(a.outcome.segments == 0);
    CHECK(run(st, query({{"host", "10.0.0.1"}})).bytes == want);
  }
  SECTION("nothing matches") {
    Store st(1);
    for (std::uint32_t i = 0; i < 50; ++i) {
      PacketSpec s = conversation(i);
      s.ts = kT0 + static_cast<TimestampNs>(i) * kMs;
      st.write(0, s, 64);
    }
    st.index_all();
    CHECK(run(st, query({{"host", "192.0.2.77"}})).bytes == want);
    CHECK(run(st, query({{"port", "9999"}})).bytes == want);
    SliceQuery before;
    before.end = kT0 - 1;
    CHECK(run(st, before).bytes == want);
    SliceQuery after;
    after.start = kT0 + 50 * kMs;
    CHECK(run(st, after).bytes == want);
  }
}

TEST_CASE("A segment removed between planning and reading is skipped", "[slice][executor]") {
  Store st(1);
  for (std::uint32_t i = 0; i < 1000; ++i) {
    PacketSpec s = conversation(i);
    s.ts = kT0 + static_cast<TimestampNs>(i) * kMs;
    st.write(0, s, 400 + (i * 53) % 700);
  }
  st.index_all();
  std::vector<store::SegmentId> segs;
  for (const Stored& s : st.stored)
    if (segs.empty() || segs.back() != s.loc.segment_id) segs.push_back(s.loc.segment_id);
  REQUIRE(segs.size() >= 4);
  const bool filtered = GENERATE(false, true);
  INFO((filtered ? "filtered" : "time-only"));
  SliceQuery q = filtered ? query({{"host", "10.0.0.0/8"}, {"host", "0.0.0.0/0"}}) : everything();
  q.start = 0;
  auto keep = [&](const Stored& s) { return !filtered || s.spec.src.find(':') == std::string::npos; };

  auto c = open_slice(*st.index, st.options(), q);
  REQUIRE(c);
  // Read a little, then retention (say) removes a segment not reached yet
  // and, after the first fill, the last one.
  std::string out;
  REQUIRE((*c)->fill(out, 1));
  REQUIRE(::unlink(st.segment_path(segs[1]).c_str()) == 0);
  REQUIRE(::unlink(st.segment_path(segs.back()).c_str()) == 0);
  while ((*c)->fill(out, out.size() + 4096)) {
  }
  Slice got{out, (*c)->outcome()};
  std::uint64_t lost = 0;
  for (const Stored& s : st.stored)
    if (s.loc.segment_id == segs[1] || s.loc.segment_id == segs.back()) ++lost;
  const auto want = expected(st, [&](const Stored& s) {
    return keep(s) && s.loc.segment_id != segs[1] && s.loc.segment_id != segs.back();
  });
  // check_slice reads the remaining files; the removed ones are not needed.
  check_slice(st, got, want);
  CHECK(got.outcome.skipped_records == lost);
  CHECK(got.outcome.segments == segs.size() - 2);
}

TEST_CASE("A slice reads a segment still being written, up to what the index has seen", "[slice][executor]") {
  Store st(1);
  for (std::uint32_t i = 0; i < 10; ++i) {
    PacketSpec s = conversation(i);
    s.ts = kT0 + static_cast<TimestampNs>(i) * kMs;
    st.write(0, s, 64);
  }
  st.index_all(/*keep_open=*/true);
  for (std::uint32_t i = 10; i < 15; ++i) {  // not indexed yet
    PacketSpec s = conversation(i);
    s.ts = kT0 + static_cast<TimestampNs>(i) * kMs;
    st.write(0, s, 64);
  }
  REQUIRE(st.writers[0]->has_open_segment());
  SliceQuery q = everything();
  const Slice got = run(st, q);
  const std::vector<OutRecord> recs = parse_pcap(got.bytes);
  REQUIRE(recs.size() == 10);
  for (std::size_t k = 0; k < 10; ++k) {
    CHECK(recs[k].ts == st.stored[k].pkt.ts);
    CHECK(recs[k].record.substr(store::kRecordHeaderSize) ==
          std::string(reinterpret_cast<const char*>(st.stored[k].pkt.frame.data()), st.stored[k].pkt.frame.size()));
  }
  const Slice filtered = run(st, query({{"host", "10.0.0.2"}, {"start", format_time_value(kT0)}}));
  std::size_t want = 0;
  for (std::size_t k = 0; k < 10; ++k)
    if (is(st.stored[k].spec.src, "10.0.0.2") || is(st.stored[k].spec.dst, "10.0.0.2")) ++want;
  CHECK(parse_pcap(filtered.bytes).size() == want);
}
