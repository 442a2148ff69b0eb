#pragma once
// StreamBuffer: the bytes of one direction kept for a parser that needs a
// message whole (a TLS handshake, an SSH banner, a DNS-over-TCP frame, the
// first bytes for protocol detection), with a hard cap of its own and a
// share of one budget for every buffer of a session builder: beyond either
// the direction is marked overflowed, never grown. So a flood of half-sent
// handshakes costs at most the budget, however many flows carry it.
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

namespace opensoc::session {

/// Bytes held by every StreamBuffer of one session builder (single thread).
struct StreamBufferBudget {
  std::uint64_t used = 0;
  std::uint64_t cap = 64ULL << 20;
  std::uint64_t overflows = 0;  ///< appends cut short by the budget
};

class StreamBuffer {
 public:
  StreamBuffer(std::size_t cap, StreamBufferBudget* budget) : cap_(cap), budget_(budget) {}
  ~StreamBuffer() { release(); }
  StreamBuffer(StreamBuffer&& o) noexcept : cap_(o.cap_), budget_(o.budget_), bytes_(std::move(o.bytes_)),
                                            charged_(o.charged_), overflowed_(o.overflowed_) {
    o.charged_ = 0;
    o.bytes_.clear();
  }
  StreamBuffer(const StreamBuffer&) = delete;
  StreamBuffer& operator=(const StreamBuffer&) = delete;
  StreamBuffer& operator=(StreamBuffer&&) = delete;

  /// Appends what fits; false (and overflowed()) when `data` did not fit whole.
  bool append(std::span<const std::uint8_t> data) {
    std::size_t room = cap_ - bytes_.size();
    if (budget_ != nullptr) {
      const std::uint64_t left = budget_->used < budget_->cap ? budget_->cap - budget_->used : 0;
      if (left < room) room = static_cast<std::size_t>(left);
    }
    const std::size_t n = data.size() < room ? data.size() : room;
    bytes_.insert(bytes_.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(n));
    charge();
    if (n < data.size()) {
      overflowed_ = true;
      if (budget_ != nullptr && bytes_.size() < cap_) ++budget_->overflows;
    }
    return n == data.size();
  }
  void consume(std::size_t n) {
    if (n >= bytes_.size()) {
      bytes_.clear();
    } else {
      bytes_.erase(bytes_.begin(), bytes_.begin() + static_cast<std::ptrdiff_t>(n));
    }
    charge();
  }
  void release() {
    bytes_.clear();
    bytes_.shrink_to_fit();
    charge();
  }
  [[nodiscard]] std::span<const std::uint8_t> view() const { return {bytes_.data(), bytes_.size()}; }
  [[nodiscard]] bool overflowed() const { return overflowed_; }
  [[nodiscard]] bool full() const { return bytes_.size() >= cap_ || overflowed_; }

 private:
  // The budget counts bytes held, not capacity: what a flood can pin down.
  void charge() {
    if (budget_ == nullptr) return;
    budget_->used = budget_->used - charged_ + bytes_.size();
    charged_ = bytes_.size();
  }

  std::size_t cap_;
  StreamBufferBudget* budget_;
  std::vector<std::uint8_t> bytes_;
  std::size_t charged_ = 0;
  bool overflowed_ = false;
};

}  // namespace opensoc::session
