// JSON-lines output files with size-based rotation, for the EVE and ECS
// exporters. Runs on the exporter thread; blocking file I/O is expected
// there. Failures (disk full, permissions) come back as Result errors and
// are counted; nothing is thrown.
#include "session/json_lines_file.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace opensoc::session {
namespace {

Error errno_error(std::string_view what, const std::string& path) {
  return Error{std::string(what) + " " + path + ": " + std::strerror(errno)};
}

int open_append(const std::string& path) {
  return ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
}

}  // namespace

Result<std::unique_ptr<JsonLinesFile>> JsonLinesFile::open(std::string path, std::uint64_t rotate_bytes,
                                                           std::uint32_t keep_files) {
  const int fd = open_append(path);
  if (fd < 0) return errno_error("open", path);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    Error e = errno_error("stat", path);
    ::close(fd);
    return e;
  }
  return std::unique_ptr<JsonLinesFile>(
      new JsonLinesFile(std::move(path), rotate_bytes, keep_files, fd, static_cast<std::uint64_t>(st.st_size)));
}

JsonLinesFile::JsonLinesFile(std::string path, std::uint64_t rotate_bytes, std::uint32_t keep_files, int fd,
                             std::uint64_t file_bytes)
    : path_(std::move(path)), rotate_bytes_(rotate_bytes), keep_files_(keep_files), fd_(fd), file_bytes_(file_bytes) {
  buffer_.reserve(kBufferBytes);
}

JsonLinesFile::~JsonLinesFile() {
  if (fd_ >= 0) {
    (void)flush();  // a failure is counted; a destructor has no one to tell
    ::close(fd_);
  }
}

Result<void> JsonLinesFile::write_line(std::string_view json) {
  if (json.find('\n') != std::string_view::npos) {
    ++counters_.errors;
    return Error{"json line contains a newline: " + path_};
  }
  const std::uint64_t line_bytes = json.size() + 1;
  const std::uint64_t current = file_bytes_ + buffer_.size();
  // A failed rotation is reported, but the line is still kept: in the new
  // file, or appended to the old one when no new one could be started.
  Result<void> rotated = ok();
  if (rotate_bytes_ != 0 && current > 0 && current + line_bytes > rotate_bytes_) rotated = rotate();
  if (fd_ < 0) {
    // A failed rotation left no file open: try once more to start one.
    fd_ = open_append(path_);
    if (fd_ < 0) {
      ++counters_.errors;
      return errno_error("open", path_);
    }
    file_bytes_ = 0;
  }
  buffer_.append(json);
  buffer_.push_back('\n');
  ++counters_.lines;
  counters_.bytes += line_bytes;
  if (buffer_.size() >= kBufferBytes) {
    if (auto flushed = flush(); !flushed) return flushed;
  }
  return rotated;
}

Result<void> JsonLinesFile::flush() {
  std::size_t done = 0;
  while (done < buffer_.size()) {
    if (fd_ < 0) break;
    const ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      Error e = errno_error("write", path_);
      file_bytes_ += done;
      buffer_.clear();  // dropped: keeping them would grow without bound while the disk is full
      ++counters_.errors;
      return e;
    }
    done += static_cast<std::size_t>(n);
  }
  if (done < buffer_.size()) {
    buffer_.clear();
    ++counters_.errors;
    return Error{"no open file: " + path_};
  }
  file_bytes_ += done;
  buffer_.clear();
  return ok();
}

Result<void> JsonLinesFile::rotate() {
  auto flushed = flush();
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  // Shift path.(k-1) -> path.k down to path -> path.1; the oldest falls off.
  const auto numbered = [this](std::uint32_t i) { return path_ + "." + std::to_string(i); };
  if (keep_files_ == 0) {
    if (::unlink(path_.c_str()) != 0 && errno != ENOENT) {
      ++counters_.errors;
      return errno_error("unlink", path_);
    }
  } else {
    if (::unlink(numbered(keep_files_).c_str()) != 0 && errno != ENOENT) {
      ++counters_.errors;
      return errno_error("unlink", numbered(keep_files_));
    }
    for (std::uint32_t i = keep_files_ - 1; i >= 1; --i) {
      if (::rename(numbered(i).c_str(), numbered(i + 1).c_str()) != 0 && errno != ENOENT) {
        ++counters_.errors;
        return errno_error("rename", numbered(i));
      }
    }
    if (::rename(path_.c_str(), numbered(1).c_str()) != 0) {
      ++counters_.errors;
      return errno_error("rename", path_);
    }
  }
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    ++counters_.errors;
    return errno_error("open", path_);
  }
  file_bytes_ = 0;
  ++counters_.rotations;
  return flushed;
}

}  // namespace opensoc::session
