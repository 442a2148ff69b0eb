// PCAP slice execution: plan over the index, per-worker streams, k-way merge
// (see slice_executor.hpp).
#include "slice/slice_executor.hpp"

#include <algorithm>
#include <cerrno>
#include <ctime>
#include <limits>
#include <optional>

#include "flow/community_id.hpp"
#include "opensoc/core/ip_protocol.hpp"
#include "store/pcap_format.hpp"
#include "store/segment_reader.hpp"

namespace opensoc::slice {

namespace {

using index::FlowEntry;
using index::PacketIndex;
using index::Posting;
using index::SegmentMeta;

void unite(std::vector<std::uint32_t>& a, const std::vector<std::uint32_t>& b) {
  std::vector<std::uint32_t> out;
  out.reserve(a.size() + b.size());
  std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  a.swap(out);
}

void intersect(std::vector<std::uint32_t>& a, const std::vector<std::uint32_t>& b) {
  std::vector<std::uint32_t> out;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  a.swap(out);
}

void sort_unique(std::vector<std::uint32_t>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

// The flows of `seg` that may hold a matching packet: a superset, checked
// exactly afterwards. Children precede their parent in `nodes`; depth is
// bounded by the parsers (kMaxParsedFilterDepth).
std::vector<std::uint32_t> candidates(const FilterExpr& f, std::uint32_t node, store::SegmentId seg,
                                      const PacketIndex::Reader& r, std::size_t depth) {
  std::vector<std::uint32_t> out;
  if (node >= f.nodes.size() || depth > kMaxEvalDepth) return out;
  const FilterExpr::Node& n = f.nodes[node];
  switch (n.op) {
    case FilterExpr::Node::Op::all_of: {
      if (n.left >= node || n.right >= node) return out;
      out = candidates(f, n.left, seg, r, depth + 1);
      if (!out.empty()) intersect(out, candidates(f, n.right, seg, r, depth + 1));
      return out;
    }
    case FilterExpr::Node::Op::any_of: {
      if (n.left >= node || n.right >= node) return out;
      out = candidates(f, n.left, seg, r, depth + 1);
      unite(out, candidates(f, n.right, seg, r, depth + 1));
      return out;
    }
    case FilterExpr::Node::Op::leaf:
      break;
  }
  const Predicate& p = n.leaf;
  switch (p.kind) {
    case Predicate::Kind::host: {
      std::uint8_t lo[16], hi[16];
      p.net.bounds(lo, hi);
      r.flows_with_ip(seg, p.net.version, lo, hi, out);
      break;
    }
    case Predicate::Kind::port:
      r.flows_with_port(seg, p.port, out);
      break;
    case Predicate::Kind::proto:
      if (p.icmp_any) {
        r.flows_with_proto(seg, 1, out);
        r.flows_with_proto(seg, 58, out);
      } else {
        r.flows_with_proto(seg, p.proto, out);
      }
      break;
    case Predicate::Kind::vlan:
      // Untagged flows are not in the VLAN attribute table.
      if (p.vlan == 0) {
        r.all_flows(seg, out);
      } else {
        r.flows_with_vlan(seg, p.vlan, out);
      }
      break;
    case Predicate::Kind::community_id: {
      std::array<std::uint8_t, 8> prefix{};
      std::copy_n(p.community_id.begin(), prefix.size(), prefix.begin());
      r.flows_with_community_id(seg, prefix, out);
      break;
    }
  }
  sort_unique(out);
  return out;
}

// The flow key's fields in one direction of the flow.
PacketFacts facts_of(const FlowKey& k, bool swapped, const std::array<std::uint8_t, 20>* cid) noexcept {
  PacketFacts f;
  f.ip_version = k.ip_version;
  const std::size_t alen = k.ip_version == 6 ? 16 : 4;
  std::copy_n(swapped ? k.hi_addr : k.lo_addr, alen, f.src);
  std::copy_n(swapped ? k.lo_addr : k.hi_addr, alen, f.dst);
  f.proto = k.ip_proto;
  f.has_ports = has_transport_ports(k.ip_proto);
  f.sport = swapped ? k.hi_port : k.lo_port;
  f.dport = swapped ? k.lo_port : k.hi_port;
  f.vlan = k.vlan;
  f.community_id = cid;
  return f;
}

std::string compact_utc(TimestampNs t) {
  // Open-ended ranges: keep the name readable.
  constexpr TimestampNs kMax = 4102444799LL * kNsPerSecond;  // 2099-12-31T23:59:59Z
  t = std::clamp<TimestampNs>(t, 0, kMax);
  const std::time_t secs = static_cast<std::time_t>(t / kNsPerSecond - (t % kNsPerSecond < 0 ? 1 : 0));
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

// One segment's matching records, in time order (storage order for equal
// times). A segment is opened only when the merge reaches its first packet
// time, so only segments overlapping in time are open together.
struct SegmentStream {
  SegmentMeta meta;
  std::optional<store::SegmentReader> reader;
  // Checked when planned: the output copies [offset, offset + length) as is.
  struct Planned {
    TimestampNs ts;
    std::uint32_t offset;
    std::uint32_t length;
    // Time first, storage order for equal times.
    friend bool operator<(const Planned& x, const Planned& y) noexcept {
      return x.ts != y.ts ? x.ts < y.ts : x.offset < y.offset;
    }
  };
  std::vector<Planned> records;
  std::size_t pos = 0;
  std::size_t order = 0;  // tie-break between segments: the plan order
};

}  // namespace

const char* to_string(Truncation t) noexcept {
  switch (t) {
    case Truncation::no: return "no";
    case Truncation::limit: return "limit";
    case Truncation::limit_bytes: return "limit_bytes";
  }
  return "no";
}

struct SliceCursor::Impl {
  PacketIndex::Reader reader;
  SliceOptions options;
  SliceQuery query;
  SliceOutcome outcome;
  LinkType link = LinkType::ethernet;
  std::vector<SegmentMeta> plan;      // overlapping segments by first packet time
  std::size_t next_in_plan = 0;
  std::vector<std::unique_ptr<SegmentStream>> active;  // opened, with records left
  bool header_written = false;
  bool finished = false;
  bool use_cid = false;
  std::vector<Posting> posting_scratch;

  Impl(PacketIndex::Reader r, SliceOptions o, SliceQuery q)
      : reader(std::move(r)), options(std::move(o)), query(std::move(q)) {}

  bool in_time(TimestampNs t) const noexcept { return t >= outcome.start && t <= outcome.end; }

  // Opens a segment and collects its matching records in time order; false
  // (and nothing to merge) when it has none or cannot be read.
  bool open_segment(SegmentStream& st) {
    const SegmentMeta& m = st.meta;
    const std::string dir = store::worker_directory(options.store, options.data_dir, store::segment_worker(m.id));
    auto r = store::SegmentReader::open(dir + "/" + m.file_name);
    // Still being written (or being renamed right now): the hidden name.
    if (!r) r = store::SegmentReader::open(dir + "/." + m.file_name + ".open");
    if (!r) r = store::SegmentReader::open(dir + "/" + m.file_name);
    if (!r || r->link() != link) {
      outcome.skipped_records += m.packets;  // removed by retention meanwhile, or another link type
      return false;
    }
    st.reader.emplace(std::move(*r));
    // Only what the index has seen: the records and the index agree.
    const std::uint64_t limit = std::min<std::uint64_t>(m.indexed_bytes, st.reader->size());
    ++outcome.segments;
    store::StoredRecord rec;
    if (query.filter.empty()) {
      st.records.reserve(m.packets);
      std::uint64_t off = store::SegmentReader::kFirstRecordOffset;
      while (off < limit) {
        if (st.reader->read_at(off, rec) != store::RecordStatus::ok) {
          ++outcome.skipped_records;  // damaged: recovery and the indexer stop here too
          break;
        }
        if (in_time(rec.packet.ts)) st.records.push_back({rec.packet.ts, static_cast<std::uint32_t>(off), rec.length});
        off += rec.length;
      }
    } else {
      const std::vector<std::uint32_t> flows =
          candidates(query.filter, static_cast<std::uint32_t>(query.filter.nodes.size() - 1), m.id, reader, 0);
      for (const std::uint32_t no : flows) {
        const std::optional<FlowEntry> e = reader.flow(m.id, no);
        if (!e) continue;
        if (e->last_ts < outcome.start || e->first_ts > outcome.end) continue;
        std::array<std::uint8_t, 20> cid{};
        if (use_cid) cid = flow::community_id_digest(e->key, options.community_id_seed);
        const bool fwd = matches(query.filter, facts_of(e->key, false, use_cid ? &cid : nullptr));
        const bool rev = matches(query.filter, facts_of(e->key, true, use_cid ? &cid : nullptr));
        if (!fwd && !rev) continue;
        posting_scratch.clear();
        if (!reader.postings(m.id, no, posting_scratch)) {
          ++outcome.skipped_records;
          continue;
        }
        for (const Posting& p : posting_scratch) {
          if (!(p.swapped ? rev : fwd) || p.offset >= limit) continue;
          if (st.reader->read_at(p.offset, rec) != store::RecordStatus::ok) {
            ++outcome.skipped_records;
            continue;
          }
          if (in_time(rec.packet.ts)) st.records.push_back({rec.packet.ts, p.offset, rec.length});
        }
      }
    }
    // (time, offset) order: time first, storage order for equal times.
    std::sort(st.records.begin(), st.records.end());
    return !st.records.empty();
  }

  // The active stream with the earliest next record; opens every planned
  // segment that could hold an earlier one first.
  SegmentStream* earliest() {
    for (;;) {
      SegmentStream* best = nullptr;
      for (auto& s : active) {
        const auto& a = s->records[s->pos];
        if (best == nullptr || a.ts < best->records[best->pos].ts ||
            (a.ts == best->records[best->pos].ts && s->order < best->order)) {
          best = s.get();
        }
      }
      if (next_in_plan < plan.size() && (best == nullptr || plan[next_in_plan].first_ts <= best->records[best->pos].ts)) {
        auto st = std::make_unique<SegmentStream>();
        st->meta = plan[next_in_plan];
        st->order = next_in_plan++;
        if (open_segment(*st)) active.push_back(std::move(st));
        continue;
      }
      return best;
    }
  }

  bool fill(std::string& out, std::size_t target) {
    if (!header_written) {
      std::uint8_t h[store::kGlobalHeaderSize];
      store::encode_global_header(h, link);
      out.append(reinterpret_cast<const char*>(h), sizeof h);
      outcome.bytes += sizeof h;
      header_written = true;
    }
    if (finished) return false;
    while (out.size() < target) {
      SegmentStream* best = earliest();
      if (best == nullptr) {
        finished = true;
        return false;
      }
      const auto& rec = best->records[best->pos];
      if (query.limit_packets && outcome.packets >= *query.limit_packets) {
        outcome.truncated = Truncation::limit;
        finished = true;
        return false;
      }
      if (query.limit_bytes && outcome.bytes - store::kGlobalHeaderSize + rec.length > *query.limit_bytes) {
        outcome.truncated = Truncation::limit_bytes;
        finished = true;
        return false;
      }
      const auto bytes = best->reader->bytes();
      out.append(reinterpret_cast<const char*>(bytes.data() + rec.offset), rec.length);
      outcome.bytes += rec.length;
      ++outcome.packets;
      if (++best->pos == best->records.size()) {
        for (auto it = active.begin(); it != active.end(); ++it) {
          if (it->get() == best) {
            active.erase(it);  // unmaps the segment: memory follows the merge front
            break;
          }
        }
      }
    }
    return true;
  }
};

SliceCursor::SliceCursor(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SliceCursor::~SliceCursor() = default;
bool SliceCursor::fill(std::string& out, std::size_t target_bytes) { return impl_->fill(out, target_bytes); }
const SliceOutcome& SliceCursor::outcome() const noexcept { return impl_->outcome; }

Result<std::unique_ptr<SliceCursor>> open_slice(const PacketIndex& index, const SliceOptions& options,
                                                const SliceQuery& query) {
  auto reader = index.read();
  if (!reader) return reader.error().context("pcap slice");
  auto impl = std::make_unique<SliceCursor::Impl>(std::move(*reader), options, query);
  std::vector<SegmentMeta> all = impl->reader.segments();

  TimestampNs newest = 0;
  for (const SegmentMeta& m : all) {
    if (m.packets > 0) newest = std::max(newest, m.last_ts);
  }
  SliceOutcome& o = impl->outcome;
  if (!query.start && !query.end) {
    o.end = newest;
    o.start = newest - static_cast<TimestampNs>(options.store.default_window_s) * kNsPerSecond;
  } else {
    o.start = query.start.value_or(std::numeric_limits<TimestampNs>::min());
    o.end = query.end.value_or(std::numeric_limits<TimestampNs>::max());
  }
  impl->use_cid = query.filter.uses(Predicate::Kind::community_id);

  // Segments overlapping the range, by first packet time (then id, so the
  // order is stable); the merge opens them as it reaches their first time.
  std::sort(all.begin(), all.end(), [](const SegmentMeta& a, const SegmentMeta& b) {
    return a.first_ts != b.first_ts ? a.first_ts < b.first_ts : a.id < b.id;
  });
  bool link_chosen = false;
  for (const SegmentMeta& m : all) {
    if (m.packets == 0 || m.last_ts < o.start || m.first_ts > o.end) continue;
    if (!link_chosen) {
      impl->link = m.link;
      link_chosen = true;
    }
    impl->plan.push_back(m);
  }
  return std::make_unique<SliceCursor>(std::move(impl));
}

std::string slice_file_name(const SliceOutcome& o) {
  return "opensoc-" + compact_utc(o.start) + "-" + compact_utc(o.end) + ".pcap";
}

}  // namespace opensoc::slice
