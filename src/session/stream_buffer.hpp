#pragma once
// StreamBuffer: the bytes of one direction kept for a parser that needs a
// message whole (a TLS handshake, an SSH banner, a DNS-over-TCP frame), with
// a hard cap: beyond it the direction is marked overflowed, never grown.
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

namespace opensoc::session {

class StreamBuffer {
 public:
  explicit StreamBuffer(std::size_t cap) : cap_(cap) {}

  /// Appends what fits; false (and overflowed()) when `data` did not fit whole.
  bool append(std::span<const std::uint8_t> data) {
    const std::size_t room = cap_ - bytes_.size();
    const std::size_t n = data.size() < room ? data.size() : room;
    bytes_.insert(bytes_.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(n));
    if (n < data.size()) overflowed_ = true;
    return n == data.size();
  }
  void consume(std::size_t n) {
    if (n >= bytes_.size()) {
      bytes_.clear();
    } else {
      bytes_.erase(bytes_.begin(), bytes_.begin() + static_cast<std::ptrdiff_t>(n));
    }
  }
  void release() {
    bytes_.clear();
    bytes_.shrink_to_fit();
  }
  [[nodiscard]] std::span<const std::uint8_t> view() const { return {bytes_.data(), bytes_.size()}; }
  [[nodiscard]] bool overflowed() const { return overflowed_; }
  [[nodiscard]] bool full() const { return bytes_.size() >= cap_; }

 private:
  std::size_t cap_;
  std::vector<std::uint8_t> bytes_;
  bool overflowed_ = false;
};

}  // namespace opensoc::session
