#pragma once
// MessageQueue: the bounded queue between the receiver threads (many
// producers) and the log pipeline thread (one consumer). Bounded so that a
// flood costs counted drops (UDP) or a slowed sender (TCP), never memory.
// Producers push whole batches so the lock is taken once per datagram burst
// or TCP read, not per message.
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <vector>

#include "ingest/received_message.hpp"

namespace opensoc::ingest {

class MessageQueue {
 public:
  explicit MessageQueue(std::size_t capacity);

  /// Moves as many of `batch` (from the front) as fit; returns how many were
  /// taken. The rest stay in `batch` (moved-from entries are erased).
  std::size_t try_push(std::vector<ReceivedMessage>& batch);
  /// Blocks until every message is in, or `timeout_ms` passed (returns false
  /// and leaves the rest in `batch`). For the REST API's ingest.
  bool push_wait(std::vector<ReceivedMessage>& batch, std::uint32_t timeout_ms);
  /// Consumer: moves up to `max` messages into `out` (appended); waits up to
  /// `timeout_ms` for the first one. Returns how many.
  std::size_t pop(std::vector<ReceivedMessage>& out, std::size_t max, std::uint32_t timeout_ms);
  /// Wakes a waiting consumer for good; pushes after close are refused.
  void close();

  [[nodiscard]] std::size_t size() const;
  [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }
  [[nodiscard]] std::size_t high_water() const;  ///< the most it ever held

 private:
  const std::size_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable not_empty_;
  std::condition_variable not_full_;
  std::deque<ReceivedMessage> q_;
  std::size_t high_water_ = 0;
  bool closed_ = false;
};

}  // namespace opensoc::ingest
