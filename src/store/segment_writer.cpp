// Packet store, segment files: the write side.
//
// What it owns. Each capture worker has one SegmentWriter, used only by the
// worker's thread. It copies every packet it is given into the worker's
// current segment: a file that is, byte for byte, a classic pcap file with
// nanosecond timestamps (pcap_format.hpp), so `tcpdump -r` reads a closed
// segment as it is. What flows out is a RecordLocation per packet (segment id,
// offset, length) for the index, and closed segment files on disk.
//
// How a segment lives (the Stenographer pattern: write hidden, publish by
// rename):
//   1. open: create ".<first_ts>-<seq>.pcap.open", fallocate its first
//      8 MiB (more in 8 MiB steps as it fills, up to max_segment_bytes), map
//      max_segment_bytes of it MAP_SHARED, write the 24-byte pcap header.
//      Preallocation is what makes the mapping safe: the writer only touches
//      bytes already reserved, so a full disk cannot SIGBUS a write; the
//      failure happens at fallocate, where it is an error we count.
//   2. append: memcpy the frame, then the record header, caplen last (below).
//      No syscall, no allocation.
//   3. close (rotation or shutdown): munmap, ftruncate to the bytes used (the
//      zero tail goes), fdatasync, rename to "<first_ts>-<seq>.pcap", fsync
//      the directory. Only now do readers (which list "*.pcap") see it.
// Rotation happens when the next record would not fit, when a packet is
// max_segment_age_s past the segment's first packet (packet time, so replay
// shards like live capture), or when the link type changes (a pcap file has
// one).
//
// Crash safety. A kill -9 leaves the ".open" file with the preallocated
// length: records, then zeros. recover_segments() (segment_recovery.cpp)
// walks it and keeps every complete record. For that walk to be exact, a
// record must never look complete before it is: the frame bytes are copied
// first and the header after them, and within the header the caplen field is
// stored last, behind a compiler fence. The writer never stores caplen 0, so
// a header with caplen 0 means "not committed", whatever else it holds.
// (After power loss the kernel may have written pages out of order; then a
// record whose header page reached the disk but whose data page did not reads
// as zeros. pcap has no checksum to catch that; the sync at close bounds it
// to the segment that was open.)
#include "store/segment_writer.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/pcap_format.hpp"
#include "store/segment_closer.hpp"
#include "store/segment_journal.hpp"

namespace opensoc::store {

namespace {

// pcap stores seconds in 32 unsigned bits.
constexpr TimestampNs kMaxPcapTs = (static_cast<TimestampNs>(1) << 32) * kNsPerSecond - 1;

// Reserves `size` bytes for `fd`. fallocate first; where the file system
// lacks it, glibc's posix_fallocate writes a byte per block, which is slow
// but reserves the space just the same.
int preallocate(int fd, std::uint64_t offset, std::uint64_t size) noexcept {
  if (::fallocate(fd, 0, static_cast<off_t>(offset), static_cast<off_t>(size)) == 0) return 0;
  if (errno != EOPNOTSUPP) return errno;
  return ::posix_fallocate(fd, static_cast<off_t>(offset), static_cast<off_t>(size));
}

// A segment is reserved in steps, not all at once: a slow link or a replay
// whose packet times jump rotates segments by age long before they are full,
// and reserving max_segment_bytes for each would make the file system churn
// (and count) gigabytes that are truncated away at close. The first step and
// each growth are at most this much: one fallocate per 8 MiB written.
constexpr std::uint64_t kReserveStep = 8ULL << 20;

}  // namespace

Result<std::unique_ptr<SegmentWriter>> SegmentWriter::open(const StoreConfig& config, std::string data_dir,
                                                           std::uint16_t worker) {
  if (config.max_segment_bytes < kGlobalHeaderSize + kMaxRecordSize) {
    return Error{"store.max_segment_bytes must be at least " + std::to_string(kGlobalHeaderSize + kMaxRecordSize) +
                 " (one full-size record), got " + std::to_string(config.max_segment_bytes)};
  }
  if (config.max_segment_age_s == 0) return Error{"store.max_segment_age_s must be at least 1"};
  const std::string dir = worker_directory(config, data_dir, worker);
  if (auto r = make_directories(dir); !r) return r.error().context("segment writer");

  std::uint64_t next = 0;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return errno_error("segment writer: open directory " + dir);
  while (const dirent* e = ::readdir(d)) {
    if (const auto name = parse_segment_name(e->d_name); name && name->sequence >= next) {
      next = name->sequence + 1;
    }
  }
  ::closedir(d);
  if (next > kMaxSegmentSequence) return Error{"segment writer: sequence numbers exhausted in " + dir};
  return std::unique_ptr<SegmentWriter>(new SegmentWriter(config, std::move(data_dir), worker, next));
}

SegmentWriter::SegmentWriter(const StoreConfig& config, std::string data_dir, std::uint16_t worker,
                             std::uint64_t next_sequence)
    : config_(config),
      data_dir_(std::move(data_dir)),
      dir_(worker_directory(config_, data_dir_, worker)),
      worker_(worker),
      next_sequence_(next_sequence),
      max_age_ns_(static_cast<TimestampNs>(config.max_segment_age_s) * kNsPerSecond) {}

SegmentWriter::~SegmentWriter() {
  if (has_open_segment()) (void)finish_segment();
}

AppendResult SegmentWriter::append(const PacketView& pkt) noexcept {
  const AppendResult r = try_append(pkt);
  if (!r.stored()) stats_.dropped_packets.add();
  return r;
}

AppendResult SegmentWriter::try_append(const PacketView& pkt) noexcept {
  if (pkt.caplen == 0 || pkt.data == nullptr || pkt.ts < 0 || pkt.ts > kMaxPcapTs) {
    return {AppendStatus::dropped_invalid, {}};
  }
  const std::uint32_t caplen = pkt.caplen < kSegmentSnaplen ? pkt.caplen : kSegmentSnaplen;
  const std::uint32_t wirelen = pkt.wirelen > caplen ? pkt.wirelen : caplen;
  const std::uint64_t record_size = kRecordHeaderSize + caplen;

  if (has_open_segment()) {
    const bool full = used_ + record_size > map_.size();
    const bool old = pkt.ts - segment_first_ts_ >= max_age_ns_;
    if (full || old || pkt.link != segment_link_) {
      // On failure the old segment stays ".open" for recovery; the packet
      // still goes to a new one below.
      (void)finish_segment();
    } else if (used_ + record_size > reserved_ && !reserve_more(used_ + record_size)) {
      // Could not grow (disk full): finish what we have; the reopen below
      // fails the same way and starts the back-off.
      (void)finish_segment();
    }
  }
  if (!has_open_segment()) {
    if (in_backoff_ && pkt.ts < retry_at_ts_ && pkt.ts >= retry_at_ts_ - config_.reopen_backoff_ns) {
      return {AppendStatus::dropped_no_segment, {}};
    }
    if (!open_segment(pkt.ts, pkt.link)) {
      in_backoff_ = true;
      retry_at_ts_ = pkt.ts + config_.reopen_backoff_ns;
      return {AppendStatus::dropped_no_segment, {}};
    }
    in_backoff_ = false;
  }

  std::uint8_t* rec = map_.data() + used_;
  std::memcpy(rec + kRecordHeaderSize, pkt.data, caplen);
  store_le32(rec + 0, static_cast<std::uint32_t>(pkt.ts / kNsPerSecond));
  store_le32(rec + 4, static_cast<std::uint32_t>(pkt.ts % kNsPerSecond));
  store_le32(rec + 12, wirelen);
  // caplen last: until it is non-zero the record does not exist (see above).
  // A release fence, not just a compiler fence: the indexer thread reads
  // records while they are written (a no-op instruction on x86).
  std::atomic_thread_fence(std::memory_order_release);
  store_le32(rec + 8, caplen);

  const RecordLocation loc{segment_id_, used_, static_cast<std::uint32_t>(record_size)};
  used_ += record_size;
  stats_.packets.add();
  stats_.bytes.add(record_size);
  return {AppendStatus::stored, loc};
}

bool SegmentWriter::open_segment(TimestampNs first_ts, LinkType link) noexcept {
  if (next_sequence_ > kMaxSegmentSequence) {
    record_failure(Error{"segment sequence numbers exhausted in " + dir_});
    return false;
  }
  const std::uint64_t seq = next_sequence_++;
  const std::string path = dir_ + "/" + open_segment_name(first_ts, seq);
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (!fd.valid()) {
    record_failure(errno_error("create segment " + path));
    return false;
  }
  const std::uint64_t first = std::min(config_.max_segment_bytes, kReserveStep);
  if (const int err = preallocate(fd.get(), 0, first); err != 0) {
    errno = err;
    record_failure(errno_error("preallocate " + std::to_string(first) + " bytes for " + path));
    // The file is gone again, so its number is free: no gap in the sequence
    // however often a full disk makes this fail.
    if (::unlink(path.c_str()) == 0) next_sequence_ = seq;
    return false;
  }
  auto m = Mapping::map(fd.get(), config_.max_segment_bytes, true, path);
  if (!m) {
    record_failure(m.error());
    if (::unlink(path.c_str()) == 0) next_sequence_ = seq;
    return false;
  }
  fd_ = std::move(fd);
  map_ = std::move(*m);
  encode_global_header(map_.data(), link);
  used_ = kGlobalHeaderSize;
  reserved_ = first;
  segment_sequence_ = seq;
  segment_id_ = make_segment_id(worker_, seq);
  segment_first_ts_ = first_ts;
  segment_link_ = link;
  stats_.segments_opened.add();
  if (journal_ != nullptr) journal_->post({SegmentEvent::Kind::opened, segment_id_, dir_, first_ts, seq});
  return true;
}

bool SegmentWriter::reserve_more(std::uint64_t needed) noexcept {
  std::uint64_t target = reserved_ + kReserveStep;
  if (target < needed) target = needed;
  if (target > map_.size()) target = map_.size();
  if (const int err = preallocate(fd_.get(), reserved_, target - reserved_); err != 0) {
    errno = err;
    record_failure(errno_error("extend segment of " + dir_ + " to " + std::to_string(target) + " bytes"));
    return false;
  }
  reserved_ = target;
  return true;
}

Result<void> SegmentWriter::close() {
  if (!has_open_segment()) return ok();
  return finish_segment();
}

Result<void> SegmentWriter::finish_segment() {
  FinishedSegment done;
  done.directory = dir_;
  done.open_path = dir_ + "/" + open_segment_name(segment_first_ts_, segment_sequence_);
  done.closed_path = dir_ + "/" + closed_segment_name(segment_first_ts_, segment_sequence_);
  done.mapping = std::move(map_);
  done.fd = std::move(fd_);
  done.used = used_;
  done.journal = journal_;
  done.closed_event = {SegmentEvent::Kind::closed, segment_id_, dir_, segment_first_ts_, segment_sequence_};
  used_ = 0;
  // A closer far behind (a disk slower than the rotation rate) would let
  // reserved-but-unused space pile up: close this one here instead, which
  // slows the writer down to the disk's pace.
  constexpr std::size_t kMaxPendingCloses = 16;
  if (closer_ != nullptr && closer_->pending() < kMaxPendingCloses) {
    // The slow part (munmap of dirty pages, truncate, sync, rename) happens
    // on the closer's thread; counted as closed once handed over.
    closer_->submit(std::move(done));
    stats_.segments_closed.add();
    return ok();
  }
  Result<void> result = finish_segment_file(done, config_.sync_on_close);
  if (!result) {
    record_failure(result.error());
    return result;
  }
  stats_.segments_closed.add();
  return result;
}

void SegmentWriter::abandon_for_test() noexcept {
  map_.reset();
  fd_.reset();
  used_ = 0;
}

void SegmentWriter::record_failure(const Error& e) noexcept {
  stats_.write_errors.add();
  last_error_ = e.message;
}

}  // namespace opensoc::store
