#pragma once
// StatsHistory: the last hour (by default) of the daemon's main counters,
// sampled at a fixed interval, for the console's rate charts
// (GET /api/v1/stats/history). Samples hold cumulative counters; a client
// turns two neighbours into a rate. Counters are copied out of the same
// StatsSnapshot callback /api/v1/stats uses, so the charts and the stats
// page cannot disagree.
//
// Threading: a StatsHistory owns one sampler thread (start() .. stop() or
// the destructor) that calls the snapshot callback every interval; the ring
// is guarded by a mutex shared by the sampler (one push per interval) and the
// HTTP threads that render it (not a hot path). stop() wakes the sampler at
// once through a condition variable, so shutdown never waits an interval.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "api/http_types.hpp"
#include "opensoc/core/stats_snapshot.hpp"

namespace opensoc::daemon {

struct PortSample {
  std::string device;
  std::uint64_t packets = 0;
  std::uint64_t bytes = 0;
  std::uint64_t dropped = 0;  ///< nic_dropped + nic_errors + mbuf_failures, as /api/v1/stats "total"
};

/// Cumulative counters at one instant.
struct StatsSample {
  TimestampNs time = 0;       ///< the snapshot's `now`
  std::uint64_t packets = 0;  ///< capture packets, all ports
  std::uint64_t bytes = 0;
  std::uint64_t dropped = 0;  ///< capture drops, all ports (as capture.dropped.total)
  std::uint64_t sessions = 0; ///< final session records
  std::uint64_t events = 0;   ///< protocol events
  std::uint64_t alerts = 0;   ///< alerts in the store
  std::vector<PortSample> ports;
};

/// The sample a snapshot gives.
StatsSample sample_of(const StatsSnapshot& s);

/// A fixed-capacity ring of samples, oldest dropped first. Not thread-safe
/// by itself (StatsHistory guards it).
class SampleRing {
 public:
  explicit SampleRing(std::size_t capacity);
  void push(StatsSample s);
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  [[nodiscard]] std::size_t capacity() const noexcept { return slots_.size(); }
  /// Oldest first.
  [[nodiscard]] std::vector<StatsSample> ordered() const;

 private:
  std::vector<StatsSample> slots_;
  std::size_t next_ = 0;  // slot the next push writes
  std::size_t size_ = 0;
};

/// {"interval_s":N,"samples":[{"time","time_ns","packets","bytes","dropped",
/// "sessions","events","alerts","ports":[{"device","packets","bytes",
/// "dropped"}]}]}, samples oldest first. interval_s is fractional only for
/// sub-second intervals (tests).
std::string stats_history_json(std::chrono::milliseconds interval, const std::vector<StatsSample>& samples);

class StatsHistory {
 public:
  using SnapshotFn = std::function<StatsSnapshot()>;

  /// `capacity` >= 1 samples, one per `interval` (> 0). Nothing runs until start().
  StatsHistory(SnapshotFn snapshot, std::chrono::milliseconds interval, std::size_t capacity);
  /// Stops the sampler (see stop()).
  ~StatsHistory();
  StatsHistory(const StatsHistory&) = delete;
  StatsHistory& operator=(const StatsHistory&) = delete;

  /// Starts the sampler thread: a first sample at once, then one every
  /// interval. Call once; the callback must stay valid until stop().
  void start();
  /// Wakes and joins the sampler; returns at once when it is not running.
  /// Idempotent. Called from the thread that called start().
  void stop();

  /// Takes one sample now on the calling thread (the sampler's step; tests).
  void sample_now();
  /// Copy of the samples, oldest first. Any thread.
  [[nodiscard]] std::vector<StatsSample> samples() const;
  [[nodiscard]] std::chrono::milliseconds interval() const noexcept { return interval_; }

  /// Answers GET /api/v1/stats/history (query parameters are ignored). Any thread.
  api::Response serve(const api::Request& request) const;

 private:
  void run(std::stop_token token);

  SnapshotFn snapshot_;
  const std::chrono::milliseconds interval_;
  mutable std::mutex mutex_;
  std::condition_variable_any wake_;
  SampleRing ring_;  // guarded by mutex_
  std::jthread sampler_;
};

}  // namespace opensoc::daemon
