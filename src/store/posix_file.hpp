#pragma once
// Thin RAII over the POSIX calls the store makes: an owned file descriptor,
// an owned mmap region, and the errno-to-Error conversion, written once.
// Control-plane code (segment open/close, recovery); nothing here runs per
// packet.
#include <cstddef>
#include <cstdint>
#include <string>

#include "opensoc/core/result.hpp"

namespace opensoc::store {

/// Error{"<what>: <strerror(errno)>"}, reading errno now.
Error errno_error(const std::string& what);

/// Owns one file descriptor; closes it on destruction. Move-only.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) noexcept : fd_(fd) {}
  ~UniqueFd() { reset(); }
  UniqueFd(UniqueFd&& o) noexcept : fd_(o.release()) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept {
    if (this != &o) {
      reset();
      fd_ = o.release();
    }
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  [[nodiscard]] int get() const noexcept { return fd_; }
  [[nodiscard]] bool valid() const noexcept { return fd_ >= 0; }
  int release() noexcept {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void reset() noexcept;

 private:
  int fd_ = -1;
};

/// Owns one mmap'ed region; unmaps it on destruction. Move-only.
class Mapping {
 public:
  Mapping() = default;
  Mapping(void* base, std::size_t size) noexcept : base_(base), size_(size) {}
  ~Mapping() { reset(); }
  Mapping(Mapping&& o) noexcept : base_(o.base_), size_(o.size_) {
    o.base_ = nullptr;
    o.size_ = 0;
  }
  Mapping& operator=(Mapping&& o) noexcept {
    if (this != &o) {
      reset();
      base_ = o.base_;
      size_ = o.size_;
      o.base_ = nullptr;
      o.size_ = 0;
    }
    return *this;
  }
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;

  /// Maps [0, size) of `fd`: read-write MAP_SHARED when `writable`, else
  /// read-only MAP_PRIVATE. size 0 gives an empty mapping, not an error.
  static Result<Mapping> map(int fd, std::size_t size, bool writable, const std::string& what);

  [[nodiscard]] std::uint8_t* data() const noexcept { return static_cast<std::uint8_t*>(base_); }
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  void reset() noexcept;

 private:
  void* base_ = nullptr;
  std::size_t size_ = 0;
};

/// fsyncs a directory so that a rename or unlink in it survives power loss.
Result<void> sync_directory(const std::string& dir);

/// Creates `dir` and its parents (mode 0755); ok if it exists.
Result<void> make_directories(const std::string& dir);

}  // namespace opensoc::store
