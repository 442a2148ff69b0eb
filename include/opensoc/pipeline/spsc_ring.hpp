#pragma once
/// SpscRing<T>: a bounded, typed, lock-free single-producer/single-consumer
/// ring. The producer is a capture worker, the consumer another thread; each
/// index lives on its own cache line and each side caches the other's index
/// so the common case touches no shared line (after rigtorp/SPSCQueue).
///
/// Full-ring policy is the caller's: try_push returns false and the caller
/// counts a drop (live capture) or retries (offline ingest).
#include <atomic>
#include <cstddef>
#include <memory>
#include <type_traits>

namespace opensoc {

template <typename T>
class SpscRing {
  static_assert(std::is_nothrow_copy_assignable_v<T> || std::is_nothrow_move_assignable_v<T>);
  static constexpr std::size_t kLine = 64;

 public:
  /// capacity is rounded up to a power of two. Allocates once, here.
  explicit SpscRing(std::size_t capacity) {
    std::size_t c = 2;
    while (c < capacity) c <<= 1;
    mask_ = c - 1;
    slots_ = std::make_unique<T[]>(c);
  }
  SpscRing(const SpscRing&) = delete;
  SpscRing& operator=(const SpscRing&) = delete;

  /// Producer side only. Never blocks, never allocates.
  [[nodiscard]] bool try_push(const T& v) noexcept {
    const std::size_t head = head_.load(std::memory_order_relaxed);
    if (head - tail_cache_ > mask_) {
      tail_cache_ = tail_.load(std::memory_order_acquire);
      if (head - tail_cache_ > mask_) return false;
    }
    slots_[head & mask_] = v;
    head_.store(head + 1, std::memory_order_release);
    return true;
  }

  /// Consumer side only. Copies the oldest element out, or returns false.
  [[nodiscard]] bool try_pop(T& out) noexcept {
    const std::size_t tail = tail_.load(std::memory_order_relaxed);
    if (tail == head_cache_) {
      head_cache_ = head_.load(std::memory_order_acquire);
      if (tail == head_cache_) return false;
    }
    out = slots_[tail & mask_];
    tail_.store(tail + 1, std::memory_order_release);
    return true;
  }

  /// Approximate occupancy; any thread.
  [[nodiscard]] std::size_t size() const noexcept {
    return head_.load(std::memory_order_acquire) - tail_.load(std::memory_order_acquire);
  }
  [[nodiscard]] std::size_t capacity() const noexcept { return mask_ + 1; }

 private:
  std::unique_ptr<T[]> slots_;
  std::size_t mask_ = 0;
  alignas(kLine) std::atomic<std::size_t> head_{0};
  std::size_t tail_cache_ = 0;  // producer's copy of tail_
  alignas(kLine) std::atomic<std::size_t> tail_{0};
  std::size_t head_cache_ = 0;  // consumer's copy of head_
  char pad_[kLine - sizeof(std::size_t) * 2];
};

}  // namespace opensoc
