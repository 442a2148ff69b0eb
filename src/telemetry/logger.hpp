#pragma once
/// Logger: leveled, timestamped log lines on stderr (journald adds its own
/// metadata when run under systemd). Control-plane only: never called per
/// packet. Thread-safe: each line is one write(2).
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "telemetry/log_level.hpp"

namespace opensoc::telemetry {

class Logger {
 public:
  explicit Logger(LogLevel min_level = LogLevel::info) : min_(min_level) {}
  void set_level(LogLevel l) noexcept { min_ = l; }
  [[nodiscard]] bool enabled(LogLevel l) const noexcept { return l >= min_; }

  template <typename... Args>
  void log(LogLevel l, fmt::format_string<Args...> f, Args&&... args) const {
    if (!enabled(l)) return;
    write(l, fmt::format(f, std::forward<Args>(args)...));
  }
  template <typename... Args>
  void debug(fmt::format_string<Args...> f, Args&&... a) const { log(LogLevel::debug, f, std::forward<Args>(a)...); }
  template <typename... Args>
  void info(fmt::format_string<Args...> f, Args&&... a) const { log(LogLevel::info, f, std::forward<Args>(a)...); }
  template <typename... Args>
  void warn(fmt::format_string<Args...> f, Args&&... a) const { log(LogLevel::warning, f, std::forward<Args>(a)...); }
  template <typename... Args>
  void error(fmt::format_string<Args...> f, Args&&... a) const { log(LogLevel::error, f, std::forward<Args>(a)...); }

 private:
  void write(LogLevel l, std::string_view msg) const;
  LogLevel min_;
};

}  // namespace opensoc::telemetry
