#pragma once
/// SystemdNotifier: the sd_notify protocol spoken by hand (a datagram to
/// $NOTIFY_SOCKET; no libsystemd), and the watchdog interval from
/// $WATCHDOG_USEC/$WATCHDOG_PID. Outside systemd every call is a no-op.
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace opensoc::service {

class SystemdNotifier {
 public:
  /// Reads NOTIFY_SOCKET, WATCHDOG_USEC, WATCHDOG_PID from the environment.
  SystemdNotifier();
  ~SystemdNotifier();
  SystemdNotifier(const SystemdNotifier&) = delete;
  SystemdNotifier& operator=(const SystemdNotifier&) = delete;

  [[nodiscard]] bool active() const noexcept { return fd_ >= 0; }
  /// Sends "READY=1\nSTATUS=...", "RELOADING=1", "STOPPING=1", "STATUS=...", "WATCHDOG=1".
  bool ready(std::string_view status);
  bool reloading();
  bool stopping();
  bool status(std::string_view text);
  bool watchdog();
  /// The watchdog's period when systemd asked for one (for this pid), else zero.
  [[nodiscard]] std::chrono::microseconds watchdog_interval() const noexcept { return watchdog_; }
  /// Any state string (for tests).
  bool notify(std::string_view state);

 private:
  int fd_ = -1;
  std::string socket_path_;  ///< '@' prefix: abstract namespace
  std::chrono::microseconds watchdog_{0};
};

/// The watchdog's rule: feed only when every worker made progress since the
/// last check. Callers pass a monotonically growing progress count per
/// worker (e.g. bursts + idle polls).
class ProgressWatch {
 public:
  /// True when every count grew since the previous call (the first call: true).
  bool all_progressed(const std::vector<unsigned long long>& counts);
 private:
  std::vector<unsigned long long> last_;
};

}  // namespace opensoc::service
