// systemd watchdog fed on worker progress (see watchdog_feeder.hpp).
#include "daemon/watchdog_feeder.hpp"

#include <pthread.h>

namespace opensoc::daemon {

WatchdogFeeder::WatchdogFeeder(service::SystemdNotifier& notifier,
                               std::function<std::vector<unsigned long long>()> progress)
    : notifier_(notifier), progress_(std::move(progress)) {
  if (notifier_.watchdog_interval().count() <= 0) return;
  thread_ = std::thread([this] { run(); });
  pthread_setname_np(thread_.native_handle(), "opensoc-wdog");
}

WatchdogFeeder::~WatchdogFeeder() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void WatchdogFeeder::run() {
  service::ProgressWatch watch;
  const auto period = notifier_.watchdog_interval() / 2;
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, period, [this] { return stop_; })) {
    if (watch.all_progressed(progress_())) {
      notifier_.watchdog();
      fed_.fetch_add(1, std::memory_order_relaxed);
    } else {
      withheld_.fetch_add(1, std::memory_order_relaxed);
    }
  }
}

}  // namespace opensoc::daemon
