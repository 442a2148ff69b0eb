// PcapFileSource: offline capture from pcap and pcapng files.
//
// Classic pcap files are streamed: read(2) into one reusable buffer that
// stays in cache, and PacketViews point into it. (A mapping of the whole
// file costs a page-table entry per 4 KiB, set up and torn down again: about
// a sixth of the time of an ingest on a cached multi-GB file, and what kept
// us behind `tcpdump -r`, which reads this way.) pcapng files, whose blocks
// may be of any size, are mapped read-only and private (madvise SEQUENTIAL,
// populated a window ahead of the reader). Either way a batch is a walk over
// record headers, with no allocation. It runs on the one capture worker that
// owns it (`opensocd ingest`, golden tests); the stats thread reads its
// counters.
//
// Formats (decided once at open by the magic, which picks the batch loop):
//   - pcap: both byte orders, microsecond (a1b2c3d4) and nanosecond
//     (a1b23c4d) timestamps; the link type is the low 16 bits of the header's
//     link field (the upper bits may carry an FCS length, which we ignore).
//   - pcapng: any number of sections, each with its own byte order and its own
//     interfaces. EPB, SPB and the obsolete PB carry packets; IDBs give each
//     interface its link type, snaplen, if_tsresol and if_tsoffset; every
//     other block is skipped. Each PacketView carries its interface's link.
//
// The file is untrusted. Every length is checked against the bytes that are
// really there before it is used. A record that runs past the end of the
// file is a torn last record (a capture cut short): reading stops, it is
// counted in truncated_records and error() says where. A record that is
// impossible (oversized caplen, bad block length, unknown interface) stops
// reading with an error too; nothing after it is trusted.
#include "capture/pcap_file_source.hpp"

#include <algorithm>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include <fmt/format.h>

namespace opensoc::capture {
namespace {

constexpr std::uint32_t kPcapMagicMicro = 0xa1b2c3d4;
constexpr std::uint32_t kPcapMagicNano = 0xa1b23c4d;
constexpr std::uint32_t kPcapngShb = 0x0a0d0d0a;   // also the pcapng file magic
constexpr std::uint32_t kPcapngByteOrder = 0x1a2b3c4d;
constexpr std::uint32_t kPcapngIdb = 1;
constexpr std::uint32_t kPcapngPb = 2;             // obsolete Packet Block
constexpr std::uint32_t kPcapngSpb = 3;
constexpr std::uint32_t kPcapngEpb = 6;

constexpr std::size_t kPcapFileHeaderLen = 24;
constexpr std::size_t kPcapRecordHeaderLen = 16;
constexpr std::size_t kBlockOverhead = 12;          // type, length, trailing length
constexpr std::size_t kShbMinLen = 28;
constexpr std::size_t kEpbFixedLen = 20;            // interface, ts hi/lo, caplen, origlen
constexpr std::size_t kPbFixedLen = 20;             // interface(16), drops(16), ts hi/lo, caplen, len
constexpr std::size_t kSpbFixedLen = 4;             // original length
constexpr std::size_t kIdbFixedLen = 8;             // link, reserved, snaplen

constexpr std::uint16_t kOptEnd = 0;
constexpr std::uint16_t kOptIfTsresol = 9;
constexpr std::uint16_t kOptIfTsoffset = 14;

constexpr std::uint64_t kNs = 1'000'000'000;

// Loads never cast packet-file pointers: the mapping has no alignment promise
// for records, and a misaligned load is undefined behaviour.
inline std::uint16_t load16(const std::uint8_t* p, bool swapped) noexcept {
  std::uint16_t v;
  std::memcpy(&v, p, sizeof v);
  return swapped ? __builtin_bswap16(v) : v;
}
inline std::uint32_t load32(const std::uint8_t* p, bool swapped) noexcept {
  std::uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return swapped ? __builtin_bswap32(v) : v;
}
inline std::uint64_t load64(const std::uint8_t* p, bool swapped) noexcept {
  std::uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return swapped ? __builtin_bswap64(v) : v;
}

std::string base_name(const std::string& path) {
  const auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Padding rounds option values and packet data up to 32 bits in pcapng.
constexpr std::size_t pad4(std::size_t n) noexcept { return (n + 3) & ~std::size_t{3}; }

}  // namespace

PcapFileSource::PcapFileSource(const std::uint8_t* data, std::size_t size, void* map_base,
                               std::size_t map_len, std::string path, std::uint16_t port_index)
    : data_(data),
      size_(size),
      map_base_(map_base),
      map_len_(map_len),
      path_(std::move(path)),
      name_("file:" + base_name(path_)),
      port_(port_index) {}

PcapFileSource::~PcapFileSource() {
  if (map_base_ != nullptr) ::munmap(map_base_, map_len_);
  if (stream_fd_ >= 0) ::close(stream_fd_);
}

bool PcapFileSource::is_classic_pcap_magic(const std::uint8_t* p) noexcept {
  std::uint32_t m;
  std::memcpy(&m, p, sizeof m);
  return m == kPcapMagicMicro || m == kPcapMagicNano || m == __builtin_bswap32(kPcapMagicMicro) ||
         m == __builtin_bswap32(kPcapMagicNano);
}

void PcapFileSource::refill(std::size_t& pos) noexcept {
  // Only between batches: the views of the last batch are released.
  const std::size_t keep = size_ - pos;
  std::memmove(stream_buf_.get(), stream_buf_.get() + pos, keep);
  file_base_ += pos;
  size_ = keep;
  pos = 0;
  while (size_ < kStreamBufferLen) {
    const ssize_t r = ::read(stream_fd_, stream_buf_.get() + size_, kStreamBufferLen - size_);
    if (r > 0) {
      size_ += static_cast<std::size_t>(r);
      continue;
    }
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) stream_read_errno_ = errno;
    stream_eof_ = true;
    break;
  }
  data_ = stream_buf_.get();
}

Result<std::unique_ptr<PcapFileSource>> PcapFileSource::open(const std::string& path,
                                                             std::uint16_t port_index) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error{fmt::format("{}: cannot open: {}", path, std::strerror(errno))};
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return Error{fmt::format("{}: cannot stat: {}", path, std::strerror(err))};
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return Error{fmt::format("{}: not a regular file", path)};
  }
  const auto size = static_cast<std::size_t>(st.st_size);
  if (size == 0) {
    ::close(fd);
    return Error{fmt::format("{}: empty file (0 bytes), not a pcap or pcapng capture", path)};
  }
  std::uint8_t magic[4] = {0, 0, 0, 0};
  if (size >= 4 && ::pread(fd, magic, sizeof magic, 0) == 4 && is_classic_pcap_magic(magic)) {
    (void)::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    std::unique_ptr<PcapFileSource> src(new PcapFileSource(nullptr, 0, nullptr, 0, path, port_index));
    src->stream_fd_ = fd;
    src->stream_buf_ = std::make_unique<std::uint8_t[]>(kStreamBufferLen);
    std::size_t pos = 0;
    src->refill(pos);
    if (src->stream_read_errno_ != 0) {
      return Error{fmt::format("{}: cannot read: {}", path, std::strerror(src->stream_read_errno_))};
    }
    return from_bytes(std::move(src));
  }
  void* base = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  const int map_err = errno;
  ::close(fd);  // the mapping keeps the file referenced
  if (base == MAP_FAILED) return Error{fmt::format("{}: cannot mmap: {}", path, std::strerror(map_err))};
  // Advice only: a failure costs read-ahead, not correctness.
  (void)::madvise(base, size, MADV_SEQUENTIAL);

  std::unique_ptr<PcapFileSource> src(
      new PcapFileSource(static_cast<const std::uint8_t*>(base), size, base, size, path, port_index));
  return from_bytes(std::move(src));
}

Result<std::unique_ptr<PcapFileSource>> PcapFileSource::open_memory(std::span<const std::uint8_t> bytes,
                                                                    const std::string& name,
                                                                    std::uint16_t port_index) {
  if (bytes.empty()) return Error{fmt::format("{}: empty file (0 bytes), not a pcap or pcapng capture", name)};
  std::unique_ptr<PcapFileSource> src(
      new PcapFileSource(bytes.data(), bytes.size(), nullptr, 0, name, port_index));
  return from_bytes(std::move(src));
}

Result<std::unique_ptr<PcapFileSource>> PcapFileSource::from_bytes(std::unique_ptr<PcapFileSource> src) {
  if (auto r = src->read_file_header(); !r) return r.error();
  return src;
}

Result<void> PcapFileSource::read_file_header() {
  if (size_ < 4) {
    return Error{fmt::format("{}: too short to be a pcap or pcapng file ({} bytes)", path_, size_)};
  }
  std::uint32_t magic;
  std::memcpy(&magic, data_, sizeof magic);

  if (magic == kPcapngShb) {
    format_ = FileFormat::pcapng;
    next_ = &PcapFileSource::next_pcapng;
    // The first section header must be whole: without it nothing can be read.
    if (!read_section_header(0)) return Error{error_};
    if (pos_ == size_) finish(Stop::eof, pos_, "");
    return ok();
  }

  bool swapped = false;
  if (magic == kPcapMagicMicro || magic == kPcapMagicNano) {
    swapped = false;
  } else if (magic == __builtin_bswap32(kPcapMagicMicro) || magic == __builtin_bswap32(kPcapMagicNano)) {
    swapped = true;
  } else {
    return Error{fmt::format("{}: not a pcap or pcapng file (magic {:02x} {:02x} {:02x} {:02x})", path_,
                             data_[0], data_[1], data_[2], data_[3])};
  }
  if (size_ < kPcapFileHeaderLen) {
    return Error{fmt::format("{}: pcap file header cut short ({} of {} bytes)", path_, size_,
                             kPcapFileHeaderLen)};
  }
  format_ = FileFormat::pcap;
  const bool nano = (swapped ? __builtin_bswap32(magic) : magic) == kPcapMagicNano;
  pcap_frac_ns_ = nano ? 1 : 1'000;
  // Low 16 bits: the LINKTYPE_ value; the upper bits may hold FCS information.
  pcap_link_ = static_cast<LinkType>(load32(data_ + 20, swapped) & 0xffffu);
  next_ = swapped ? &PcapFileSource::next_pcap<true> : &PcapFileSource::next_pcap<false>;
  pos_ = kPcapFileHeaderLen;
  if (pos_ == size_) finish(Stop::eof, pos_, "");
  return ok();
}

void PcapFileSource::populate_ahead() noexcept {
  // Map the next window of the file in one madvise call instead of taking a
  // page fault per 64 KiB inside the record loop; mapped pages also let the
  // prefetches in next_pcap reach bytes not yet touched. One system call per
  // window (not per packet); a kernel without MADV_POPULATE_READ (before
  // 5.14) just falls back to faulting.
  if (map_base_ == nullptr || populated_ >= size_ || pos_ + kPopulateWindow / 2 < populated_) return;
  const std::size_t page = 4096;
  const std::size_t from = populated_ & ~(page - 1);
  const std::size_t len = std::min(size_ - from, kPopulateWindow);
  (void)::madvise(static_cast<std::uint8_t*>(map_base_) + from, len, MADV_POPULATE_READ);
  populated_ = from + len;
}

std::uint32_t PcapFileSource::next_batch(PacketBatch& batch) noexcept {
  batch.count = 0;
  if (exhausted_.load(std::memory_order_relaxed)) return 0;
  populate_ahead();
  const std::uint32_t n = (this->*next_)(batch);
  batch.count = n;
  if (n != 0) {
    std::uint64_t bytes = 0;
    for (std::uint32_t i = 0; i < n; ++i) bytes += batch.packets[i].wirelen;
    packets_.add(n);
    bytes_.add(bytes);
  }
  return n;
}

template <bool kSwapped>
std::uint32_t PcapFileSource::next_pcap(PacketBatch& batch) noexcept {
  const std::uint8_t* data = data_;
  std::size_t size = size_;
  std::size_t pos = pos_;
  std::uint32_t n = 0;
  const auto capacity = static_cast<std::uint32_t>(batch.packets.size());
  while (n < capacity) {
    std::size_t remain = size - pos;
    if (stream_fd_ >= 0 && !stream_eof_ &&
        (remain < kPcapRecordHeaderLen ||
         (load32(data + pos + 8, kSwapped) <= kMaxCaplen &&
          load32(data + pos + 8, kSwapped) > remain - kPcapRecordHeaderLen))) {
      // The next record is not all in the buffer: hand out what we have, or,
      // at the start of a batch, move the tail down and read more.
      if (n > 0) break;
      refill(pos);
      if (stream_read_errno_ != 0) {
        finish(Stop::corrupt, size_, fmt::format("read error: {}", std::strerror(stream_read_errno_)).c_str());
        break;
      }
      data = data_;
      size = size_;
      remain = size - pos;
    }
    if (remain < kPcapRecordHeaderLen) {
      if (remain == 0) {
        finish(Stop::eof, pos, "");
      } else {
        finish(Stop::torn, pos,
               fmt::format("record header cut short ({} of {} bytes)", remain, kPcapRecordHeaderLen).c_str());
      }
      break;
    }
    const std::uint8_t* rec = data + pos;
    // Records are read once, in order: ask for the bytes a few records ahead
    // so the worker's decode finds them in cache (a hint: never faults).
    __builtin_prefetch(rec + 16384);
    __builtin_prefetch(rec + 32768);
    const std::uint32_t caplen = load32(rec + 8, kSwapped);
    if (caplen > kMaxCaplen) {
      finish(Stop::corrupt, pos,
             fmt::format("record caplen {} exceeds the maximum of {}", caplen, kMaxCaplen).c_str());
      break;
    }
    if (caplen > remain - kPcapRecordHeaderLen) {
      finish(Stop::torn, pos,
             fmt::format("record of {} bytes cut short ({} bytes remain)", caplen,
                         remain - kPcapRecordHeaderLen)
                 .c_str());
      break;
    }
    const std::uint32_t wirelen = load32(rec + 12, kSwapped);
    PacketView& v = batch.packets[n++];
    v.data = rec + kPcapRecordHeaderLen;
    v.caplen = caplen;
    v.wirelen = wirelen < caplen ? caplen : wirelen;
    v.ts = static_cast<TimestampNs>(load32(rec, kSwapped)) * kNsPerSecond +
           static_cast<TimestampNs>(load32(rec + 4, kSwapped)) * pcap_frac_ns_;
    v.link = pcap_link_;
    v.port = port_;
    v.queue = 0;
    pos += kPcapRecordHeaderLen + caplen;
  }
  pos_ = pos;
  if (n == capacity && pos == size && (stream_fd_ < 0 || stream_eof_)) finish(Stop::eof, pos, "");
  return n;
}

std::uint32_t PcapFileSource::next_pcapng(PacketBatch& batch) noexcept {
  std::uint32_t n = 0;
  const auto capacity = static_cast<std::uint32_t>(batch.packets.size());
  while (n < capacity) {
    const std::size_t at = pos_;
    const std::size_t remain = size_ - at;
    if (remain == 0) {
      finish(Stop::eof, at, "");
      break;
    }
    if (remain < kBlockOverhead) {
      finish(Stop::torn, at, fmt::format("block header cut short ({} bytes remain)", remain).c_str());
      break;
    }
    const std::uint8_t* block = data_ + at;
    const bool sw = ng_swapped_;
    const std::uint32_t type = load32(block, sw);
    if (type == kPcapngShb) {
      // A new section: its own byte order, its own interfaces.
      if (!read_section_header(at)) break;
      continue;
    }
    const std::uint32_t len = load32(block + 4, sw);
    if (len < kBlockOverhead || len % 4 != 0) {
      finish(Stop::corrupt, at, fmt::format("block type {:#x} has invalid length {}", type, len).c_str());
      break;
    }
    if (len > remain) {
      finish(Stop::torn, at,
             fmt::format("block type {:#x} of {} bytes cut short ({} bytes remain)", type, len, remain).c_str());
      break;
    }
    if (load32(block + len - 4, sw) != len) {
      finish(Stop::corrupt, at,
             fmt::format("block type {:#x}: trailing length {} differs from leading length {}", type,
                         load32(block + len - 4, sw), len)
                 .c_str());
      break;
    }
    const std::uint8_t* body = block + 8;
    const std::size_t body_len = len - kBlockOverhead;

    std::uint32_t if_id = 0;
    std::uint64_t ticks = 0;
    std::uint32_t caplen = 0;
    std::uint32_t wirelen = 0;
    const std::uint8_t* frame = nullptr;
    bool has_ts = true;
    switch (type) {
      case kPcapngEpb:
        if (body_len < kEpbFixedLen) {
          finish(Stop::corrupt, at, fmt::format("enhanced packet block too short ({} bytes)", len).c_str());
          return n;
        }
        if_id = load32(body, sw);
        ticks = (std::uint64_t{load32(body + 4, sw)} << 32) | load32(body + 8, sw);
        caplen = load32(body + 12, sw);
        wirelen = load32(body + 16, sw);
        frame = body + kEpbFixedLen;
        if (caplen > body_len - kEpbFixedLen) {
          finish(Stop::corrupt, at,
                 fmt::format("packet caplen {} runs past its {}-byte block", caplen, len).c_str());
          return n;
        }
        break;
      case kPcapngPb:
        if (body_len < kPbFixedLen) {
          finish(Stop::corrupt, at, fmt::format("packet block too short ({} bytes)", len).c_str());
          return n;
        }
        if_id = load16(body, sw);
        ticks = (std::uint64_t{load32(body + 4, sw)} << 32) | load32(body + 8, sw);
        caplen = load32(body + 12, sw);
        wirelen = load32(body + 16, sw);
        frame = body + kPbFixedLen;
        if (caplen > body_len - kPbFixedLen) {
          finish(Stop::corrupt, at,
                 fmt::format("packet caplen {} runs past its {}-byte block", caplen, len).c_str());
          return n;
        }
        break;
      case kPcapngSpb: {
        if (body_len < kSpbFixedLen) {
          finish(Stop::corrupt, at, fmt::format("simple packet block too short ({} bytes)", len).c_str());
          return n;
        }
        if (interfaces_.empty()) {
          finish(Stop::corrupt, at, "simple packet block before any interface description block");
          return n;
        }
        // An SPB has no captured length: it is the packet length cut to
        // interface 0's snaplen, and never more than the block holds.
        wirelen = load32(body, sw);
        caplen = wirelen;
        const std::uint32_t snaplen = interfaces_[0].snaplen;
        if (snaplen != 0 && caplen > snaplen) caplen = snaplen;
        if (caplen > body_len - kSpbFixedLen) caplen = static_cast<std::uint32_t>(body_len - kSpbFixedLen);
        frame = body + kSpbFixedLen;
        has_ts = false;
        break;
      }
      case kPcapngIdb:
        if (!read_interface(body, body_len, at)) return n;
        pos_ = at + len;
        continue;
      default:
        // NRB, ISB, DSB, custom and unknown blocks carry no frames.
        pos_ = at + len;
        continue;
    }

    if (if_id >= interfaces_.size()) {
      finish(Stop::corrupt, at,
             fmt::format("packet on interface {} but the section has {} interfaces", if_id,
                         interfaces_.size())
                 .c_str());
      break;
    }
    if (caplen > kMaxCaplen) {
      finish(Stop::corrupt, at,
             fmt::format("packet caplen {} exceeds the maximum of {}", caplen, kMaxCaplen).c_str());
      break;
    }
    const Interface& itf = interfaces_[if_id];
    if (has_ts) last_ts_ = pcapng_ts(itf, ticks);
    PacketView& v = batch.packets[n++];
    v.data = frame;
    v.caplen = caplen;
    v.wirelen = wirelen < caplen ? caplen : wirelen;
    v.ts = last_ts_;
    v.link = itf.link;
    v.port = port_;
    v.queue = 0;
    pos_ = at + len;
  }
  if (n == capacity && pos_ == size_) finish(Stop::eof, pos_, "");
  return n;
}

bool PcapFileSource::read_section_header(std::size_t at) noexcept {
  const std::size_t remain = size_ - at;
  if (remain < kBlockOverhead) {
    finish(Stop::torn, at, fmt::format("section header block cut short ({} bytes remain)", remain).c_str());
    return false;
  }
  const std::uint8_t* block = data_ + at;
  std::uint32_t order;
  std::memcpy(&order, block + 8, sizeof order);
  bool sw = false;
  if (order == kPcapngByteOrder) {
    sw = false;
  } else if (order == __builtin_bswap32(kPcapngByteOrder)) {
    sw = true;
  } else {
    finish(Stop::corrupt, at,
           fmt::format("section header has bad byte-order magic {:02x} {:02x} {:02x} {:02x}", block[8],
                       block[9], block[10], block[11])
               .c_str());
    return false;
  }
  const std::uint32_t len = load32(block + 4, sw);
  if (len < kShbMinLen || len % 4 != 0) {
    finish(Stop::corrupt, at, fmt::format("section header block has invalid length {}", len).c_str());
    return false;
  }
  if (len > remain) {
    finish(Stop::torn, at,
           fmt::format("section header block of {} bytes cut short ({} bytes remain)", len, remain).c_str());
    return false;
  }
  if (load32(block + len - 4, sw) != len) {
    finish(Stop::corrupt, at, "section header block: trailing length differs from leading length");
    return false;
  }
  const std::uint16_t major = load16(block + 12, sw);
  if (major != 1) {
    finish(Stop::corrupt, at, fmt::format("unsupported pcapng version {}.{}", major, load16(block + 14, sw)).c_str());
    return false;
  }
  ng_swapped_ = sw;
  interfaces_.clear();
  pos_ = at + len;
  return true;
}

bool PcapFileSource::read_interface(const std::uint8_t* body, std::size_t body_len, std::size_t at) noexcept {
  const bool sw = ng_swapped_;
  if (body_len < kIdbFixedLen) {
    finish(Stop::corrupt, at, "interface description block too short");
    return false;
  }
  Interface itf;
  itf.link = static_cast<LinkType>(load16(body, sw));
  itf.snaplen = load32(body + 4, sw);

  const std::uint8_t* opt = body + kIdbFixedLen;
  std::size_t left = body_len - kIdbFixedLen;
  while (left >= 4) {
    const std::uint16_t code = load16(opt, sw);
    const std::uint16_t olen = load16(opt + 2, sw);
    if (code == kOptEnd) break;
    if (olen > left - 4) {
      finish(Stop::corrupt, at, fmt::format("interface option {} of {} bytes runs past its block", code, olen).c_str());
      return false;
    }
    const std::uint8_t* value = opt + 4;
    if (code == kOptIfTsresol && olen >= 1) {
      // High bit clear: 10^-n seconds; set: 2^-n seconds.
      const std::uint8_t v = value[0];
      const unsigned exp = v & 0x7fu;
      std::uint64_t units = 1;
      if ((v & 0x80u) != 0) {
        if (exp > 63) {
          finish(Stop::corrupt, at, fmt::format("if_tsresol 2^-{} is out of range", exp).c_str());
          return false;
        }
        units = std::uint64_t{1} << exp;
      } else {
        if (exp > 19) {  // 10^20 does not fit in 64 bits
          finish(Stop::corrupt, at, fmt::format("if_tsresol 10^-{} is out of range", exp).c_str());
          return false;
        }
        for (unsigned i = 0; i < exp; ++i) units *= 10;
      }
      itf.units_per_second = units;
      itf.ns_per_unit = (units <= kNs && kNs % units == 0) ? kNs / units : 0;
    } else if (code == kOptIfTsoffset && olen == 8) {
      itf.offset_seconds = static_cast<std::int64_t>(load64(value, sw));
    }
    const std::size_t step = 4 + pad4(olen);
    if (step >= left) break;  // the last option's padding may be missing
    left -= step;
    opt += step;
  }
  interfaces_.push_back(itf);
  return true;
}

TimestampNs PcapFileSource::pcapng_ts(const Interface& itf, std::uint64_t ticks) const noexcept {
  // Unsigned arithmetic wraps instead of overflowing: a hostile timestamp is a
  // wrong value, never undefined behaviour.
  std::uint64_t ns;
  if (itf.ns_per_unit != 0) {
    ns = ticks * itf.ns_per_unit;
  } else {
    // Units finer than 1 ns, or not dividing a second evenly (2^-n, n > 9):
    // whole seconds, then the remainder scaled exactly in 128 bits (floor).
    __extension__ using U128 = unsigned __int128;
    const std::uint64_t secs = ticks / itf.units_per_second;
    const std::uint64_t rem = ticks % itf.units_per_second;
    ns = secs * kNs + static_cast<std::uint64_t>(static_cast<U128>(rem) * kNs / itf.units_per_second);
  }
  ns += static_cast<std::uint64_t>(itf.offset_seconds) * kNs;
  return static_cast<TimestampNs>(ns);
}

void PcapFileSource::finish(Stop why, std::size_t offset, const char* what) noexcept {
  switch (why) {
    case Stop::eof:
      break;
    case Stop::torn:
      truncated_records_.add(1);
      error_ = fmt::format("{}: truncated at byte offset {}: {}", path_, file_base_ + offset, what);
      break;
    case Stop::corrupt:
      error_ = fmt::format("{}: corrupt at byte offset {}: {}", path_, file_base_ + offset, what);
      break;
  }
  exhausted_.store(true, std::memory_order_release);
}

void PcapFileSource::release(PacketBatch& batch) noexcept { batch.count = 0; }

bool PcapFileSource::exhausted() const noexcept { return exhausted_.load(std::memory_order_acquire); }

SourceStats PcapFileSource::stats() const noexcept {
  SourceStats s;
  s.packets = packets_.get();
  s.bytes = bytes_.get();
  s.truncated_records = truncated_records_.get();
  return s;
}

const std::string& PcapFileSource::name() const noexcept { return name_; }

const std::string& PcapFileSource::error() const noexcept { return error_; }

}  // namespace opensoc::capture
