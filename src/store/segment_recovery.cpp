#include "store/segment_recovery.hpp"

#include <algorithm>
#include <cerrno>
#include <dirent.h>
#include <fcntl.h>
#include <span>
#include <sys/stat.h>
#include <unistd.h>

#include "store/posix_file.hpp"

namespace opensoc::store {

namespace {

struct Listing {
  std::vector<std::pair<std::string, SegmentName>> open_segments;
  bool exists = true;
};

Result<Listing> list_open_segments(const std::string& dir) {
  Listing out;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) {
    if (errno == ENOENT) {
      out.exists = false;
      return out;
    }
    return errno_error("open directory " + dir);
  }
  while (const dirent* e = ::readdir(d)) {
    if (auto name = parse_segment_name(e->d_name); name && name->state == SegmentState::open) {
      out.open_segments.emplace_back(e->d_name, *name);
    }
  }
  ::closedir(d);
  std::sort(out.open_segments.begin(), out.open_segments.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

bool all_zero(std::span<const std::uint8_t> bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](std::uint8_t b) { return b == 0; });
}

Result<RecoveredSegment> recover_one(const StoreConfig& config, const std::string& dir, std::uint16_t worker,
                                     const std::string& file_name, const SegmentName& name) {
  RecoveredSegment out;
  out.segment_id = make_segment_id(worker, name.sequence);
  out.first_ts = name.first_ts;
  const std::string open_path = dir + "/" + file_name;

  UniqueFd fd(::open(open_path.c_str(), O_RDWR | O_CLOEXEC));
  if (!fd.valid()) return errno_error("open " + open_path);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return errno_error("stat " + open_path);
  const auto size = static_cast<std::uint64_t>(st.st_size);

  auto mapped = Mapping::map(fd.get(), size, false, open_path);
  if (!mapped) return mapped.error();
  const std::span<const std::uint8_t> file(mapped->data(), mapped->size());

  GlobalHeader header;
  const bool header_ok = decode_global_header(file, header);
  // A crash between create and the header write leaves nothing but zeros
  // at the start: there is nothing to keep.
  const bool never_written =
      size < kGlobalHeaderSize + kRecordHeaderSize || all_zero(file.first(kGlobalHeaderSize + kRecordHeaderSize));
  if (!header_ok && !never_written) {
    mapped->reset();
    out.outcome = RecoveredSegment::Outcome::quarantined;
    out.path = dir + "/" + corrupt_segment_name(name.first_ts, name.sequence);
    out.bytes_kept = size;
    out.stop = RecordStatus::bad_offset;
    if (::rename(open_path.c_str(), out.path.c_str()) != 0) return errno_error("rename " + open_path);
    return out;
  }

  std::uint64_t offset = kGlobalHeaderSize;
  if (header_ok) {
    RecordHeader rec;
    RecordStatus s;
    while ((s = check_record(file, offset, header.snaplen, rec)) == RecordStatus::ok) {
      const TimestampNs ts = rec.ts();
      if (out.records_kept == 0 || ts < out.min_ts) out.min_ts = ts;
      if (out.records_kept == 0 || ts > out.max_ts) out.max_ts = ts;
      ++out.records_kept;
      offset += kRecordHeaderSize + rec.caplen;
    }
    out.stop = s;
  }
  mapped->reset();
  out.bytes_cut = size - std::min(size, offset);

  if (out.records_kept == 0) {
    out.outcome = RecoveredSegment::Outcome::removed;
    out.path = open_path;
    out.bytes_kept = 0;
    out.bytes_cut = size;
    if (::unlink(open_path.c_str()) != 0) return errno_error("remove " + open_path);
    return out;
  }
  out.bytes_kept = offset;
  out.path = dir + "/" + closed_segment_name(name.first_ts, name.sequence);
  if (::ftruncate(fd.get(), static_cast<off_t>(offset)) != 0) return errno_error("truncate " + open_path);
  if (config.sync_on_close && ::fdatasync(fd.get()) != 0) return errno_error("fdatasync " + open_path);
  if (::rename(open_path.c_str(), out.path.c_str()) != 0) return errno_error("rename " + open_path);
  return out;
}

}  // namespace

Result<std::vector<RecoveredSegment>> recover_segments(const StoreConfig& config, const std::string& data_dir,
                                                       std::uint16_t worker) {
  const std::string dir = worker_directory(config, data_dir, worker);
  auto listing = list_open_segments(dir);
  if (!listing) return listing.error().context("segment recovery");
  std::vector<RecoveredSegment> out;
  for (const auto& [file_name, name] : listing->open_segments) {
    auto r = recover_one(config, dir, worker, file_name, name);
    if (!r) return r.error().context("segment recovery");
    out.push_back(std::move(*r));
  }
  if (!out.empty() && config.sync_on_close) {
    if (auto r = sync_directory(dir); !r) return r.error().context("segment recovery");
  }
  return out;
}

Result<std::vector<RecoveredSegment>> recover_all_segments(const StoreConfig& config, const std::string& data_dir) {
  const std::string root = data_dir + "/" + config.packets_subdir;
  std::vector<std::uint16_t> workers;
  DIR* d = ::opendir(root.c_str());
  if (d == nullptr) {
    if (errno == ENOENT) return std::vector<RecoveredSegment>{};
    return errno_error("segment recovery: open directory " + root);
  }
  while (const dirent* e = ::readdir(d)) {
    if (const auto w = parse_worker_directory(e->d_name)) workers.push_back(*w);
  }
  ::closedir(d);
  std::sort(workers.begin(), workers.end());
  std::vector<RecoveredSegment> out;
  for (const std::uint16_t w : workers) {
    auto r = recover_segments(config, data_dir, w);
    if (!r) return r.error();
    for (auto& s : *r) out.push_back(std::move(s));
  }
  return out;
}

}  // namespace opensoc::store
