// The indexer thread: segment tailing, flow postings, commits, retention
// (see segment_indexer.hpp for why it reads the files rather than a ring).
#include "index/segment_indexer.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "decode/decode.hpp"
#include "flow/community_id.hpp"
#include "flow/flow_hash.hpp"
#include "flow/flow_key_builder.hpp"
#include "index/postings.hpp"
#include "store/pcap_format.hpp"

namespace opensoc::index {

namespace {

struct FlowKeyHash {
  std::size_t operator()(const FlowKey& k) const noexcept { return flow::hash_flow_key(k, 0x6f70656e736f63ULL); }
};

// Enough for many records per pread, and more than the largest record.
constexpr std::size_t kReadBuffer = 4u << 20;
// An open segment is mostly preallocated zeros past its last record: read
// small while catching the tail of a live segment, larger while behind.
constexpr std::size_t kFirstRead = 64u << 10;
// Per pass and segment, so one busy segment cannot starve commits.
constexpr std::uint64_t kMaxBytesPerPass = 64u << 20;

std::uint64_t allocated_bytes(const struct stat& st) noexcept { return static_cast<std::uint64_t>(st.st_blocks) * 512; }

}  // namespace

struct SegmentIndexer::FlowState {
  FlowKey key{};
  TimestampNs first_ts = 0;
  TimestampNs last_ts = 0;
  std::uint64_t packets = 0;
  bool dirty = false;
  PostingsEncoder postings;
};

struct SegmentIndexer::Tail {
  SegmentId id = 0;
  std::string dir;
  std::string closed_path;
  std::string open_path;
  store::UniqueFd fd;
  bool closed_seen = false;     // the file has its closed name: its size is final
  bool header_ok = false;
  bool broken = false;          // a damaged record: indexed up to it, then given up
  bool behind = false;          // the last read stopped at the per-pass budget, not at the end
  std::uint64_t offset = store::kGlobalHeaderSize;  // next record to read
  std::size_t read_size = kFirstRead;
  SegmentMeta meta;
  bool meta_dirty = false;
  std::unordered_map<FlowKey, std::uint32_t, FlowKeyHash> flow_ids;
  std::vector<FlowState> flows;
  std::vector<std::uint32_t> dirty_flows;
  FlowKey last_key{};
  std::uint32_t last_flow = UINT32_MAX;
};

SegmentIndexer::SegmentIndexer(IndexerOptions options, PacketIndex& index, const telemetry::Logger& log,
                               store::SegmentJournal* journal)
    : opt_(std::move(options)),
      index_(index),
      journal_(journal),
      log_(log),
      packets_dir_(opt_.data_dir + "/" + opt_.store.packets_subdir),
      buffer_(kReadBuffer) {
  stats_.enabled = true;
}

SegmentIndexer::~SegmentIndexer() { (void)stop(); }

Result<void> SegmentIndexer::reconcile() {
  auto reader = index_.read();
  if (!reader) return reader.error().context("index reconcile");
  const std::vector<SegmentMeta> metas = reader->segments();
  std::vector<SegmentId> drop;
  std::vector<SegmentId> compact;
  for (const SegmentMeta& m : metas) {
    const std::uint16_t worker = store::segment_worker(m.id);
    const std::string path = store::worker_directory(opt_.store, opt_.data_dir, worker) + "/" + m.file_name;
    struct stat st{};
    if (::stat(path.c_str(), &st) != 0) {
      drop.push_back(m.id);  // removed while we were down, or by recovery
      continue;
    }
    if (!m.closed || m.indexed_bytes != static_cast<std::uint64_t>(st.st_size)) {
      drop.push_back(m.id);  // partly indexed: start over from its first record
      continue;
    }
    if (!reader->compacted(m.id)) compact.push_back(m.id);  // e.g. a stop right after its last commit
    DoneSegment d{m.id, path, m.first_ts, m.last_ts, allocated_bytes(st), m.packets};
    done_key_[m.id] = m.first_ts;
    done_.emplace(std::make_pair(m.first_ts, m.id), std::move(d));
  }
  for (const SegmentId id : drop) {
    if (auto r = index_.drop_segment(id); !r) return r.error().context("index reconcile");
  }
  if (!drop.empty()) log_.info("index: {} segment(s) to re-index after an unclean stop or removal", drop.size());
  for (const SegmentId id : compact) {
    if (auto r = index_.compact_segment(id); !r) {
      ++errors_;
      log_.warn("index: cannot compact segment {:016x}: {}", id, r.error().message);
    }
  }
  publish_stats();
  return ok();
}

void SegmentIndexer::add_tail(SegmentId id, const std::string& dir, TimestampNs name_ts, std::uint64_t sequence,
                              bool closed) {
  if (done_key_.count(id) != 0) return;
  if (auto it = tails_.find(id); it != tails_.end()) {
    if (closed) it->second->closed_seen = true;
    return;
  }
  auto t = std::make_unique<Tail>();
  t->id = id;
  t->dir = dir;
  t->closed_path = dir + "/" + store::closed_segment_name(name_ts, sequence);
  t->open_path = dir + "/" + store::open_segment_name(name_ts, sequence);
  t->closed_seen = closed;
  // The closer may rename it between the event (or readdir) and this open.
  int fd = ::open(closed ? t->closed_path.c_str() : t->open_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 && !closed) {
    fd = ::open(t->closed_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) t->closed_seen = true;
  }
  if (fd < 0) return;  // gone already (an empty segment removed): nothing to index
  t->fd = store::UniqueFd(fd);
  t->meta.id = id;
  t->meta.file_name = store::closed_segment_name(name_ts, sequence);
  tails_.emplace(id, std::move(t));
}

void SegmentIndexer::take_journal() {
  if (journal_ == nullptr) return;
  for (const store::SegmentEvent& e : journal_->take()) {
    add_tail(e.id, e.directory, e.name_ts, e.sequence, e.kind == store::SegmentEvent::Kind::closed);
  }
}

void SegmentIndexer::discover() {
  DIR* top = ::opendir(packets_dir_.c_str());
  if (top == nullptr) return;  // nothing stored yet
  while (const dirent* we = ::readdir(top)) {
    const auto worker = store::parse_worker_directory(we->d_name);
    if (!worker) continue;
    const std::string dir = packets_dir_ + "/" + we->d_name;
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) continue;
    while (const dirent* e = ::readdir(d)) {
      const auto name = store::parse_segment_name(e->d_name);
      if (!name || name->state == store::SegmentState::corrupt) continue;
      add_tail(store::make_segment_id(*worker, name->sequence), dir, name->first_ts, name->sequence,
               name->state == store::SegmentState::closed);
    }
    ::closedir(d);
  }
  ::closedir(top);
}

bool SegmentIndexer::read_tail(Tail& t) {
  if (t.broken) return false;
  if (!t.header_ok) {
    std::uint8_t h[store::kGlobalHeaderSize];
    const ssize_t n = ::pread(t.fd.get(), h, sizeof h, 0);
    if (n != static_cast<ssize_t>(sizeof h)) return false;  // not written yet
    store::GlobalHeader gh;
    if (!store::decode_global_header(std::span<const std::uint8_t>(h, sizeof h), gh)) {
      // The writer stores the header right after mapping the file: while it
      // is open, a bad header may be one read half-written; try again later.
      if (!t.closed_seen) return false;
      t.broken = true;
      ++errors_;
      log_.warn("index: segment {} has no valid pcap header; not indexed", t.closed_path);
      return false;
    }
    t.header_ok = true;
    t.meta.link = gh.link;
    t.meta_dirty = true;
  }
  bool any = false;
  const bool live = !t.closed_seen;  // a closed file has no writer
  std::uint64_t budget = kMaxBytesPerPass;
  while (budget > 0) {
    const std::size_t asked = t.read_size;
    const ssize_t n = ::pread(t.fd.get(), buffer_.data(), asked, static_cast<off_t>(t.offset));
    if (n <= 0) break;
    const std::uint8_t* b = buffer_.data();
    const std::size_t len = static_cast<std::size_t>(n);
    std::size_t pos = 0;
    bool stop = false;
    // Pass 1: how far do records with caplen set reach?
    while (pos + store::kRecordHeaderSize <= len) {
      const std::uint32_t caplen = store::load_le32(b + pos + 8);
      if (caplen == 0) {  // not committed yet (or the zero tail)
        stop = true;
        break;
      }
      if (caplen > store::kSegmentSnaplen) break;  // judged in pass 2, on bytes read after the commit
      if (pos + store::kRecordHeaderSize + caplen > len) {
        // The rest comes with the next read; make sure it fits.
        if (pos == 0 && t.read_size < buffer_.size()) t.read_size = buffer_.size();
        break;
      }
      pos += store::kRecordHeaderSize + caplen;
    }
    // While the segment may be written, that copy can be stale or torn near
    // the writer: pread copies upwards, so a record's time (bytes 0-7) is
    // read before its caplen (8-11), the reverse of the writer's commit
    // order, and a caplen straddling a cache line may be seen half-stored.
    // Read the prefix again (every store in it happened before a caplen we
    // saw) and take the records from this copy, up to where it agrees.
    std::size_t end = live ? pos : len;
    if (live && pos > 0 &&
        ::pread(t.fd.get(), buffer_.data(), pos, static_cast<off_t>(t.offset)) != static_cast<ssize_t>(pos)) {
      break;  // cannot happen for committed bytes; retry next pass
    }
    // Pass 2: index every complete, well-formed record of the copy.
    std::size_t r = 0;
    while (r + store::kRecordHeaderSize <= end) {
      const std::uint32_t ts_nsec = store::load_le32(b + r + 4);
      const std::uint32_t caplen = store::load_le32(b + r + 8);
      if (caplen == 0 || r + store::kRecordHeaderSize + caplen > end) break;
      if (caplen > store::kSegmentSnaplen || ts_nsec >= 1'000'000'000u) {
        t.broken = true;
        ++errors_;
        log_.warn("index: damaged record at offset {} of {}; indexed up to it", t.offset + r, t.closed_path);
        stop = true;
        break;
      }
      const TimestampNs ts = static_cast<TimestampNs>(store::load_le32(b + r)) * kNsPerSecond + ts_nsec;
      index_record(t, static_cast<std::uint32_t>(t.offset + r), b + r + store::kRecordHeaderSize, caplen,
                   store::load_le32(b + r + 12), ts);
      r += store::kRecordHeaderSize + caplen;
    }
    pos = r;
    t.offset += pos;
    if (pos > 0) {
      any = true;
      t.meta_dirty = true;
    }
    budget = pos >= budget ? 0 : budget - pos;
    if (stop) {
      t.read_size = kFirstRead;  // caught up with the writer
      break;
    }
    if (len < asked) break;  // end of file
    if (pos == 0) {
      if (asked >= buffer_.size()) break;  // cannot happen: the buffer holds the largest record
      continue;  // read_size was raised for a large record: read it now
    }
    if (t.read_size < buffer_.size()) t.read_size *= 2;  // behind: read more per call
  }
  t.behind = budget == 0;
  t.meta.indexed_bytes = t.offset;
  return any;
}

void SegmentIndexer::index_record(Tail& t, std::uint32_t offset, const std::uint8_t* frame, std::uint32_t caplen,
                                  std::uint32_t wirelen, TimestampNs ts) {
  SegmentMeta& m = t.meta;
  if (m.packets == 0 || ts < m.first_ts) m.first_ts = ts;
  if (m.packets == 0 || ts > m.last_ts) m.last_ts = ts;
  ++m.packets;

  PacketView pkt;
  pkt.data = frame;
  pkt.caplen = caplen;
  pkt.wirelen = wirelen;
  pkt.ts = ts;
  pkt.link = m.link;
  const DecodedPacket d = decode::decode_packet(pkt);
  if (opt_.observer != nullptr) opt_.observer->on_packet(store::segment_worker(t.id), pkt, d);
  if (d.ip_version != 4 && d.ip_version != 6) return;  // found by time-range scans only
  const std::uint64_t alen = d.ip_version == 6 ? 16 : 4;
  if (std::uint64_t{d.src_ip_offset} + alen > caplen || std::uint64_t{d.dst_ip_offset} + alen > caplen) return;
  bool swapped = false;
  const FlowKey key = flow::make_flow_key(frame, d, swapped);

  std::uint32_t no;
  if (t.last_flow != UINT32_MAX && key == t.last_key) {
    no = t.last_flow;
  } else {
    auto [it, inserted] = t.flow_ids.try_emplace(key, static_cast<std::uint32_t>(t.flows.size()));
    no = it->second;
    if (inserted) {
      FlowState& f = t.flows.emplace_back();
      f.key = key;
      f.first_ts = ts;
      IndexBatch::NewFlow nf;
      nf.segment = t.id;
      nf.flow_no = no;
      nf.key = key;
      const auto digest = flow::community_id_digest(key, opt_.community_id_seed);
      std::memcpy(nf.community_id_prefix.data(), digest.data(), nf.community_id_prefix.size());
      pending_new_flows_.push_back(nf);
      ++m.flows;
    }
    t.last_key = key;
    t.last_flow = no;
  }
  FlowState& f = t.flows[no];
  f.postings.add(offset, swapped);
  ++f.packets;
  if (ts < f.first_ts) f.first_ts = ts;
  if (ts > f.last_ts) f.last_ts = ts;
  if (!f.dirty) {
    f.dirty = true;
    t.dirty_flows.push_back(no);
  }
}

Result<void> SegmentIndexer::commit() {
  IndexBatch batch;
  batch.new_flows = pending_new_flows_;
  for (auto& [id, tp] : tails_) {
    Tail& t = *tp;
    if (t.meta_dirty) batch.segments.push_back(t.meta);
    for (const std::uint32_t no : t.dirty_flows) {
      FlowState& f = t.flows[no];
      FlowEntry e;
      e.flow_no = no;
      e.key = f.key;
      e.first_ts = f.first_ts;
      e.last_ts = f.last_ts;
      e.packets = f.packets;
      batch.flow_updates.push_back({t.id, e});
      if (!f.postings.dirty()) continue;
      const auto bytes = f.postings.bytes();
      batch.postings.push_back(
          {t.id, no, f.postings.chunk_no(), std::vector<std::uint8_t>(bytes.begin(), bytes.end())});
    }
  }
  last_commit_wall_ = wall_clock_ns();
  if (batch.empty()) return ok();
  if (auto r = index_.commit(batch); !r) {
    // Nothing is cleared: the same changes (and more) go into the next try.
    ++errors_;
    return r.error().context("index commit");
  }
  ++commits_;
  pending_new_flows_.clear();
  std::vector<SegmentId> finished;
  for (auto& [id, tp] : tails_) {
    Tail& t = *tp;
    t.meta_dirty = false;
    for (const std::uint32_t no : t.dirty_flows) {
      FlowState& f = t.flows[no];
      f.dirty = false;
      f.postings.committed();
    }
    t.dirty_flows.clear();
    if (t.meta.closed || t.broken) finished.push_back(id);
  }
  std::vector<SegmentId> compact;
  for (const SegmentId id : finished) {
    auto it = tails_.find(id);
    Tail& t = *it->second;
    struct stat st{};
    DoneSegment d{t.id, t.closed_path, t.meta.first_ts, t.meta.last_ts, 0, t.meta.packets};
    if (::fstat(t.fd.get(), &st) == 0) d.alloc_bytes = allocated_bytes(st);
    done_key_[t.id] = t.meta.first_ts;
    if (t.meta.closed) compact.push_back(t.id);
    done_.emplace(std::make_pair(t.meta.first_ts, t.id), std::move(d));
    tails_.erase(it);
  }
  // A finished segment never changes again: pack its index entries (2.5x
  // smaller on small flows). On failure the uncompacted entries stay valid.
  for (const SegmentId id : compact) {
    if (auto r = index_.compact_segment(id); !r) {
      ++errors_;
      log_.warn("index: cannot compact segment {:016x}: {}", id, r.error().message);
    }
  }
  return ok();
}

Result<bool> SegmentIndexer::pass(bool full_scan) {
  // Events first: a segment opened and closed since the last pass is then
  // known by both names before its records are read.
  take_journal();
  if (full_scan || journal_ == nullptr) discover();
  bool any = false;
  // A worker's records must reach the observer in capture order: a newer
  // segment waits while an older one of the same worker is still behind.
  std::vector<std::uint16_t> behind_workers;
  for (auto& [id, tp] : tails_) {
    Tail& t = *tp;
    const std::uint16_t worker = store::segment_worker(id);
    if (std::find(behind_workers.begin(), behind_workers.end(), worker) != behind_workers.end()) continue;
    // Read the size before the records: if the file is closed now, every
    // record it will ever have is below this size.
    struct stat st{};
    const bool have_size = t.closed_seen && ::fstat(t.fd.get(), &st) == 0;
    if (read_tail(t)) any = true;
    if (t.behind) behind_workers.push_back(worker);
    if (t.closed_seen && have_size && !t.meta.closed &&
        (t.broken || t.offset >= static_cast<std::uint64_t>(st.st_size))) {
      t.meta.closed = true;
      t.meta_dirty = true;
      segment_finished_ = true;
    }
  }
  return any;
}

Result<void> SegmentIndexer::apply_retention() {
  const auto& cfg = opt_.store;
  if (cfg.max_bytes == 0 && cfg.min_free_bytes == 0 && cfg.max_age_s == 0) return ok();
  std::uint64_t used = 0;
  TimestampNs newest = 0;
  for (const auto& [k, d] : done_) {
    used += d.alloc_bytes;
    newest = std::max(newest, d.last_ts);
  }
  for (const auto& [id, t] : tails_) {
    struct stat st{};
    if (::fstat(t->fd.get(), &st) == 0) used += allocated_bytes(st);
    newest = std::max(newest, t->meta.last_ts);
  }
  std::uint64_t free_bytes = UINT64_MAX;
  if (cfg.min_free_bytes != 0) {
    struct statvfs vfs{};
    if (::statvfs(packets_dir_.c_str(), &vfs) == 0) free_bytes = static_cast<std::uint64_t>(vfs.f_bavail) * vfs.f_frsize;
  }
  const TimestampNs max_age_ns = static_cast<TimestampNs>(cfg.max_age_s) * kNsPerSecond;
  bool removed = false;
  while (!done_.empty()) {
    const DoneSegment& oldest = done_.begin()->second;
    const bool over_budget = cfg.max_bytes != 0 && used > cfg.max_bytes;
    const bool low_space = cfg.min_free_bytes != 0 && free_bytes < cfg.min_free_bytes;
    const bool too_old = cfg.max_age_s != 0 && newest - oldest.last_ts > max_age_ns;
    if (!over_budget && !low_space && !too_old) break;
    // Index entries first: a crash between the two leaves a file that the
    // next start re-indexes (and retention removes again), never an index
    // entry pointing at nothing.
    if (auto r = index_.drop_segment(oldest.id); !r) {
      ++errors_;
      return r.error().context("retention");
    }
    if (::unlink(oldest.path.c_str()) != 0 && errno != ENOENT) {
      ++errors_;
      log_.warn("retention: cannot remove {}: {}", oldest.path, std::strerror(errno));
    }
    used -= std::min(used, oldest.alloc_bytes);
    if (free_bytes != UINT64_MAX) free_bytes += oldest.alloc_bytes;
    ++removed_segments_;
    removed_bytes_ += oldest.alloc_bytes;
    done_key_.erase(oldest.id);
    done_.erase(done_.begin());
    removed = true;
  }
  if (removed && opt_.observer != nullptr) {
    TimestampNs oldest_kept = done_.empty() ? newest : done_.begin()->second.first_ts;
    for (const auto& [id, t] : tails_) {
      if (t->meta.packets != 0) oldest_kept = std::min(oldest_kept, t->meta.first_ts);
    }
    opt_.observer->on_retention(oldest_kept);
  }
  return ok();
}

void SegmentIndexer::publish_stats() {
  StoreSnapshot s;
  s.enabled = true;
  bool have = false;
  auto widen = [&](TimestampNs first, TimestampNs last, std::uint64_t packets) {
    if (packets == 0) return;
    if (!have || first < s.oldest_packet_ns) s.oldest_packet_ns = first;
    if (!have || last > s.newest_packet_ns) s.newest_packet_ns = last;
    have = true;
  };
  for (const auto& [k, d] : done_) {
    s.bytes_used += d.alloc_bytes;
    s.indexed_packets += d.packets;
    widen(d.first_ts, d.last_ts, d.packets);
  }
  for (const auto& [id, t] : tails_) {
    struct stat st{};
    if (::fstat(t->fd.get(), &st) == 0) s.bytes_used += allocated_bytes(st);
    s.indexed_packets += t->meta.packets;
    widen(t->meta.first_ts, t->meta.last_ts, t->meta.packets);
  }
  s.segments = done_.size() + tails_.size();
  if (auto b = index_.file_bytes()) s.index_bytes = *b;
  s.index_commits = commits_;
  s.index_errors = errors_;
  s.segments_removed = removed_segments_;
  s.bytes_removed = removed_bytes_;
  s.last_commit_ns = last_commit_wall_;
  std::lock_guard lock(stats_mu_);
  stats_ = s;
}

StoreSnapshot SegmentIndexer::snapshot() const {
  std::lock_guard lock(stats_mu_);
  return stats_;
}

Result<void> SegmentIndexer::catch_up() {
  bool full_scan = true;  // whatever a crash or another process left, too
  for (;;) {
    auto any = pass(full_scan);
    full_scan = false;
    if (!any) return any.error();
    if (opt_.observer != nullptr) opt_.observer->on_pass_end(wall_clock_ns(), !*any);
    if (!*any) {
      // Nothing new: one more commit marks finished segments closed.
      if (auto r = commit(); !r) return r;
      break;
    }
    if (auto r = commit(); !r) return r;
  }
  auto r = apply_retention();
  publish_stats();
  return r;
}

void SegmentIndexer::start() {
  if (started_) return;
  started_ = true;
  stop_.store(false);
  thread_ = std::thread([this] { loop(); });
}

Result<void> SegmentIndexer::stop() {
  if (!started_) return ok();
  stop_.store(true);
  thread_.join();
  started_ = false;
  return catch_up();
}

void SegmentIndexer::loop() {
  const TimestampNs interval = static_cast<TimestampNs>(opt_.store.index_commit_ms) * 1'000'000;
  std::string last_error;
  // A directory listing at start and then now and then: the journal tells of
  // every segment this process writes; the listing is the safety net.
  TimestampNs last_scan = 0;
  constexpr TimestampNs kScanInterval = 30 * kNsPerSecond;
  while (!stop_.load(std::memory_order_relaxed)) {
    const bool full_scan = wall_clock_ns() - last_scan >= kScanInterval;
    if (full_scan) last_scan = wall_clock_ns();
    auto any = pass(full_scan);
    Result<void> r = ok();
    if (!any) r = any.error();
    // A finished segment is committed at once: only then can retention
    // remove older ones, and a writer short of space may be waiting for that.
    if (r && (segment_finished_ || wall_clock_ns() - last_commit_wall_ >= interval)) {
      segment_finished_ = false;
      r = commit();
      if (r) r = apply_retention();
      publish_stats();
    }
    if (opt_.observer != nullptr) opt_.observer->on_pass_end(wall_clock_ns(), any && !*any);
    if (!r && r.error().message != last_error) {
      last_error = r.error().message;
      log_.error("{}", last_error);
    }
    // Idle or not, a short sleep: the indexer is not a polling core, and a
    // pass that found nothing costs a readdir per worker.
    if (!any || !*any) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace opensoc::index
