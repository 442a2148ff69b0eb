// Segment closing, off the capture cores (see segment_closer.hpp).
#include "store/segment_closer.hpp"

#include <cstdio>
#include <unistd.h>

namespace opensoc::store {

Result<void> finish_segment_file(FinishedSegment& s, bool sync) {
  s.mapping.reset();
  UniqueFd fd = std::move(s.fd);
  if (::ftruncate(fd.get(), static_cast<off_t>(s.used)) != 0) return errno_error("truncate " + s.open_path);
  if (sync && ::fdatasync(fd.get()) != 0) return errno_error("fdatasync " + s.open_path);
  if (::rename(s.open_path.c_str(), s.closed_path.c_str()) != 0) return errno_error("rename " + s.open_path);
  Result<void> r = sync ? sync_directory(s.directory) : ok();
  if (s.journal != nullptr) s.journal->post(s.closed_event);
  return r;
}

SegmentCloser::SegmentCloser(bool sync_on_close) : sync_(sync_on_close), thread_([this] { loop(); }) {}

SegmentCloser::~SegmentCloser() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  work_cv_.notify_one();
  thread_.join();
}

void SegmentCloser::submit(FinishedSegment segment) {
  {
    std::lock_guard lock(mu_);
    queue_.push_back(std::move(segment));
  }
  work_cv_.notify_one();
}

void SegmentCloser::drain() {
  std::unique_lock lock(mu_);
  idle_cv_.wait(lock, [this] { return queue_.empty() && !busy_; });
}

std::size_t SegmentCloser::pending() const {
  std::lock_guard lock(mu_);
  return queue_.size() + (busy_ ? 1 : 0);
}

std::string SegmentCloser::last_error() const {
  std::lock_guard lock(mu_);
  return last_error_;
}

void SegmentCloser::loop() {
  std::unique_lock lock(mu_);
  for (;;) {
    work_cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and everything is done
    FinishedSegment s = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    lock.unlock();
    const Result<void> r = finish_segment_file(s, sync_);
    lock.lock();
    busy_ = false;
    if (r) {
      stats_.closed.add();
    } else {
      stats_.errors.add();
      last_error_ = r.error().message;
    }
    if (queue_.empty()) idle_cv_.notify_all();
  }
}

}  // namespace opensoc::store
