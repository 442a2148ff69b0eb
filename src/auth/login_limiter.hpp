#pragma once
/// LoginLimiter: failed sign-ins per source address. After max_failures
/// failures inside one window the source is refused (429, even with the right
/// password) until the window that began with its first failure has passed.
/// A success resets nothing: one known password must not buy more guesses at
/// others from the same address. At most max_sources addresses are tracked;
/// the one whose window began first goes when a new one arrives.
/// Owned by AuthService; one thread (the HTTP thread).
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "opensoc/core/time.hpp"

namespace opensoc::auth {

class LoginLimiter {
 public:
  LoginLimiter(std::uint32_t max_failures, std::uint32_t window_s, std::size_t max_sources = 65536) noexcept;

  /// 0: the source may try; otherwise the seconds until it may (Retry-After).
  [[nodiscard]] std::uint32_t retry_after_s(std::string_view source, TimestampNs now) const;
  void record_failure(std::string_view source, TimestampNs now);
  [[nodiscard]] std::size_t sources() const noexcept { return entries_.size(); }

 private:
  struct Entry {
    TimestampNs window_start = 0;
    std::uint32_t failures = 0;
  };
  std::uint32_t max_failures_;
  TimestampNs window_ns_;
  std::size_t max_sources_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace opensoc::auth
