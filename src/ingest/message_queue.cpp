// MessageQueue: the bounded, mutex-guarded queue from the receiver thread (and
// the REST API's ingest) to the log pipeline thread. Batches move under one
// lock; the consumer waits on a condition variable, producers never block
// except in push_wait.
#include "ingest/message_queue.hpp"

#include <algorithm>
#include <chrono>
#include <iterator>

namespace opensoc::ingest {

namespace {

using Clock = std::chrono::steady_clock;

// Moves what fits under the held lock; the caller notifies.
std::size_t move_in(std::deque<ReceivedMessage>& q, std::size_t capacity, std::vector<ReceivedMessage>& batch,
                    std::size_t& high_water) {
  const std::size_t room = q.size() < capacity ? capacity - q.size() : 0;
  const std::size_t n = std::min(room, batch.size());
  if (n == 0) return 0;
  const auto end = batch.begin() + static_cast<std::ptrdiff_t>(n);
  q.insert(q.end(), std::make_move_iterator(batch.begin()), std::make_move_iterator(end));
  batch.erase(batch.begin(), end);
  high_water = std::max(high_water, q.size());
  return n;
}

}  // namespace

MessageQueue::MessageQueue(std::size_t capacity) : capacity_(std::max<std::size_t>(capacity, 1)) {}

std::size_t MessageQueue::try_push(std::vector<ReceivedMessage>& batch) {
  std::size_t n = 0;
  {
    std::lock_guard lock(mu_);
    if (closed_) return 0;
    n = move_in(q_, capacity_, batch, high_water_);
  }
  if (n > 0) not_empty_.notify_one();
  return n;
}

bool MessageQueue::push_wait(std::vector<ReceivedMessage>& batch, std::uint32_t timeout_ms) {
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  std::unique_lock lock(mu_);
  for (;;) {
    if (closed_) return batch.empty();
    if (move_in(q_, capacity_, batch, high_water_) > 0) not_empty_.notify_one();
    if (batch.empty()) return true;
    if (!not_full_.wait_until(lock, deadline, [&] { return closed_ || q_.size() < capacity_; })) return false;
  }
}

std::size_t MessageQueue::pop(std::vector<ReceivedMessage>& out, std::size_t max, std::uint32_t timeout_ms) {
  if (max == 0) return 0;
  std::size_t n = 0;
  {
    std::unique_lock lock(mu_);
    not_empty_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] { return closed_ || !q_.empty(); });
    n = std::min(max, q_.size());
    const auto end = q_.begin() + static_cast<std::ptrdiff_t>(n);
    out.insert(out.end(), std::make_move_iterator(q_.begin()), std::make_move_iterator(end));
    q_.erase(q_.begin(), end);
  }
  // Several producers may wait in push_wait, each for its own room.
  if (n > 0) not_full_.notify_all();
  return n;
}

void MessageQueue::close() {
  {
    std::lock_guard lock(mu_);
    closed_ = true;
  }
  not_empty_.notify_all();
  not_full_.notify_all();
}

std::size_t MessageQueue::size() const {
  std::lock_guard lock(mu_);
  return q_.size();
}

std::size_t MessageQueue::high_water() const {
  std::lock_guard lock(mu_);
  return high_water_;
}

}  // namespace opensoc::ingest
