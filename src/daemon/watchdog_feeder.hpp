#pragma once
/// WatchdogFeeder: the thread that pets systemd's watchdog (WatchdogSec=),
/// but only while the capture workers make progress: a worker's loop count
/// (bursts + idle polls) grows every microsecond it runs, so a worker stuck
/// in a loop or a deadlock stops the feeding and systemd restarts the
/// daemon. Half the watchdog period between checks, as sd_watchdog_enabled(3)
/// advises. Outside systemd (no WATCHDOG_USEC) it starts no thread.
#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "service/systemd_notifier.hpp"

namespace opensoc::daemon {

class WatchdogFeeder {
 public:
  /// `progress` returns one growing count per worker; called on the feeder thread.
  WatchdogFeeder(service::SystemdNotifier& notifier, std::function<std::vector<unsigned long long>()> progress);
  ~WatchdogFeeder();
  WatchdogFeeder(const WatchdogFeeder&) = delete;
  WatchdogFeeder& operator=(const WatchdogFeeder&) = delete;

  [[nodiscard]] std::uint64_t fed() const noexcept { return fed_.load(std::memory_order_relaxed); }
  [[nodiscard]] std::uint64_t withheld() const noexcept { return withheld_.load(std::memory_order_relaxed); }

 private:
  void run();
  service::SystemdNotifier& notifier_;
  std::function<std::vector<unsigned long long>()> progress_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::atomic<std::uint64_t> fed_{0};
  std::atomic<std::uint64_t> withheld_{0};
  std::thread thread_;
};

}  // namespace opensoc::daemon
