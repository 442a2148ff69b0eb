#pragma once
/// Counter: a 64-bit statistic written by exactly one thread (its owner, e.g.
/// a capture worker) and read by any other (the stats endpoint). The owner
/// increments with a relaxed load + store, which compiles to a plain add with
/// no locked instruction; readers see a recent, never torn, value.
#include <atomic>
#include <cstdint>

namespace opensoc {

class Counter {
 public:
  Counter() = default;
  Counter(const Counter&) = delete;
  Counter& operator=(const Counter&) = delete;

  /// Owner thread only.
  void add(std::uint64_t n = 1) noexcept {
    v_.store(v_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  /// Owner thread only: for gauges (current occupancy and the like).
  void set(std::uint64_t n) noexcept { v_.store(n, std::memory_order_relaxed); }
  /// Any thread.
  [[nodiscard]] std::uint64_t get() const noexcept { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> v_{0};
};

}  // namespace opensoc
