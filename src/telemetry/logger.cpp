// Log line formatting and output (see logger.hpp).
#include "telemetry/logger.hpp"

#include <unistd.h>

#include <chrono>
#include <string>

#include "opensoc/core/json_writer.hpp"

namespace opensoc::telemetry {

void Logger::write(LogLevel l, std::string_view msg) const {
  static constexpr std::string_view kNames[] = {"debug", "info", "warning", "error"};
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  std::string line = format_rfc3339_ns(std::chrono::duration_cast<std::chrono::nanoseconds>(now).count());
  line.resize(line.size() - 7);  // keep milliseconds: "...:20.123"
  line += "Z opensocd ";
  line += kNames[static_cast<int>(l)];
  line += ": ";
  line += msg;
  line += '\n';
  // One write per line so concurrent lines do not interleave.
  [[maybe_unused]] auto n = ::write(STDERR_FILENO, line.data(), line.size());
}

}  // namespace opensoc::telemetry
