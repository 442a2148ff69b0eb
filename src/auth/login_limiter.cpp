// LoginLimiter: failed sign-ins per source (see login_limiter.hpp). HTTP thread.
#include "auth/login_limiter.hpp"

#include <algorithm>

namespace opensoc::auth {

LoginLimiter::LoginLimiter(std::uint32_t max_failures, std::uint32_t window_s, std::size_t max_sources) noexcept
    : max_failures_(std::max<std::uint32_t>(max_failures, 1)),
      window_ns_(TimestampNs{window_s} * kNsPerSecond),
      max_sources_(std::max<std::size_t>(max_sources, 1)) {}

std::uint32_t LoginLimiter::retry_after_s(std::string_view source, TimestampNs now) const {
  const auto it = entries_.find(std::string(source));
  if (it == entries_.end() || it->second.failures < max_failures_) return 0;
  const TimestampNs end = it->second.window_start + window_ns_;
  if (now >= end) return 0;
  return static_cast<std::uint32_t>((end - now + kNsPerSecond - 1) / kNsPerSecond);
}

void LoginLimiter::record_failure(std::string_view source, TimestampNs now) {
  auto it = entries_.find(std::string(source));
  if (it == entries_.end()) {
    if (entries_.size() >= max_sources_) {
      // Sweep finished windows first; evict the oldest only if that frees nothing.
      for (auto e = entries_.begin(); e != entries_.end();) {
        e = now >= e->second.window_start + window_ns_ ? entries_.erase(e) : std::next(e);
      }
      if (entries_.size() >= max_sources_) {
        entries_.erase(std::min_element(entries_.begin(), entries_.end(), [](const auto& a, const auto& b) {
          return a.second.window_start < b.second.window_start;
        }));
      }
    }
    it = entries_.emplace(std::string(source), Entry{now, 0}).first;
  }
  Entry& e = it->second;
  if (now >= e.window_start + window_ns_) e = Entry{now, 0};
  if (e.failures < UINT32_MAX) ++e.failures;
}

}  // namespace opensoc::auth
