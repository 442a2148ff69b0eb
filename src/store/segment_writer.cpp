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
//   1. open: create ".<first_ts>-<seq>.pcap.open", fallocate it to
//      max_segment_bytes, map it MAP_SHARED, write the 24-byte pcap header.
//      Preallocation is what makes the mapping safe: writes into a file whose
//      blocks are already reserved cannot fail with SIGBUS when the disk
//      fills; the failure happens at fallocate, where it is an error we count.
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

#include <atomic>
#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/pcap_format.hpp"

namespace opensoc::store {

namespace {

// pcap stores seconds in 32 unsigned bits.
constexpr TimestampNs kMaxPcapTs = (static_cast<TimestampNs>(1) << 32) * kNsPerSecond - 1;

// Reserves `size` bytes for `fd`. fallocate first; where the file system
// lacks it, glibc's posix_fallocate writes a byte per block, which is slow
// but reserves the space just the same.
int preallocate(int fd, std::uint64_t size) noexcept {
  if (::fallocate(fd, 0, 0, static_cast<off_t>(size)) == 0) return 0;
  if (errno != EOPNOTSUPP) return errno;
  return ::posix_fallocate(fd, 0, static_cast<off_t>(size));
}

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
  if (pkt.caplen == 0 || pkt.data == nullptr || pkt.ts < 0 || pkt.ts > kMaxPcapTs) {
    stats_.dropped_packets.add();
    return {AppendStatus::dropped_invalid, {}};
  }
  const std::uint32_t caplen = pkt.caplen < kSegmentSnaplen ? pkt.caplen : kSegmentSnaplen;
  const std::uint32_t wirelen = pkt.wirelen > caplen ? pkt.wirelen : caplen;
  const std::uint64_t record_size = kRecordHeaderSize + caplen;

  if (has_open_segment()) {
    const bool full = used_ + record_size > map_.size();
    const bool old = pkt.ts - segment_first_ts_ >= max_age_ns_;
    if (full || old || pkt.link != segment_link_) {
      if (!finish_segment()) {
        // The old segment stays ".open" for recovery; the packet still goes
        // to a new one below.
      }
    }
  }
  if (!has_open_segment()) {
    if (in_backoff_ && pkt.ts < retry_at_ts_ && pkt.ts >= retry_at_ts_ - config_.reopen_backoff_ns) {
      stats_.dropped_packets.add();
      return {AppendStatus::dropped_no_segment, {}};
    }
    if (!open_segment(pkt.ts, pkt.link)) {
      in_backoff_ = true;
      retry_at_ts_ = pkt.ts + config_.reopen_backoff_ns;
      stats_.dropped_packets.add();
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
  std::atomic_signal_fence(std::memory_order_seq_cst);
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
  if (const int err = preallocate(fd.get(), config_.max_segment_bytes); err != 0) {
    errno = err;
    record_failure(errno_error("preallocate " + std::to_string(config_.max_segment_bytes) + " bytes for " + path));
    ::unlink(path.c_str());
    return false;
  }
  auto m = Mapping::map(fd.get(), config_.max_segment_bytes, true, path);
  if (!m) {
    record_failure(m.error());
    ::unlink(path.c_str());
    return false;
  }
  fd_ = std::move(fd);
  map_ = std::move(*m);
  encode_global_header(map_.data(), link);
  used_ = kGlobalHeaderSize;
  segment_sequence_ = seq;
  segment_id_ = make_segment_id(worker_, seq);
  segment_first_ts_ = first_ts;
  segment_link_ = link;
  stats_.segments_opened.add();
  return true;
}

Result<void> SegmentWriter::close() {
  if (!has_open_segment()) return ok();
  return finish_segment();
}

Result<void> SegmentWriter::finish_segment() {
  const std::string open_path = dir_ + "/" + open_segment_name(segment_first_ts_, segment_sequence_);
  const std::string closed_path = dir_ + "/" + closed_segment_name(segment_first_ts_, segment_sequence_);
  map_.reset();
  UniqueFd fd = std::move(fd_);
  Result<void> result = ok();
  if (::ftruncate(fd.get(), static_cast<off_t>(used_)) != 0) {
    result = errno_error("truncate " + open_path);
  } else if (config_.sync_on_close && ::fdatasync(fd.get()) != 0) {
    result = errno_error("fdatasync " + open_path);
  } else if (::rename(open_path.c_str(), closed_path.c_str()) != 0) {
    result = errno_error("rename " + open_path);
  } else if (config_.sync_on_close) {
    result = sync_directory(dir_);
  }
  used_ = 0;
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
