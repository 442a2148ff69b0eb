// StatsHistory (see stats_history.hpp): the sampler thread and the ring the
// HTTP threads render.
#include "daemon/stats_history.hpp"

#include <utility>

#include "opensoc/core/json_writer.hpp"

namespace opensoc::daemon {

StatsSample sample_of(const StatsSnapshot& s) {
  StatsSample out;
  out.time = s.now;
  out.ports.reserve(s.ports.size());
  for (const PortSnapshot& p : s.ports) {
    PortSample ps;
    ps.device = p.device;
    ps.packets = p.packets;
    ps.bytes = p.bytes;
    ps.dropped = p.nic_dropped + p.nic_errors + p.mbuf_failures;
    out.packets += ps.packets;
    out.bytes += ps.bytes;
    out.dropped += ps.dropped;
    out.ports.push_back(std::move(ps));
  }
  out.sessions = s.sessions.sessions;
  out.events = s.sessions.events;
  out.alerts = s.detection.alerts_total;
  return out;
}

SampleRing::SampleRing(std::size_t capacity) : slots_(capacity == 0 ? 1 : capacity) {}

void SampleRing::push(StatsSample s) {
  slots_[next_] = std::move(s);
  next_ = (next_ + 1) % slots_.size();
  if (size_ < slots_.size()) ++size_;
}

std::vector<StatsSample> SampleRing::ordered() const {
  std::vector<StatsSample> out;
  out.reserve(size_);
  // The oldest sample sits where the next push goes once the ring is full.
  const std::size_t first = size_ < slots_.size() ? 0 : next_;
  for (std::size_t i = 0; i < size_; ++i) out.push_back(slots_[(first + i) % slots_.size()]);
  return out;
}

std::string stats_history_json(std::chrono::milliseconds interval, const std::vector<StatsSample>& samples) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  const auto ms = interval.count();
  if (ms % 1000 == 0) {
    w.field("interval_s", static_cast<std::int64_t>(ms / 1000));
  } else {
    w.field("interval_s", static_cast<double>(ms) / 1000.0);
  }
  w.key("samples").begin_array();
  for (const StatsSample& s : samples) {
    w.begin_object();
    w.field("time", format_rfc3339_ns(s.time)).field("time_ns", static_cast<std::int64_t>(s.time));
    w.field("packets", s.packets).field("bytes", s.bytes).field("dropped", s.dropped);
    w.field("sessions", s.sessions).field("events", s.events).field("alerts", s.alerts);
    w.key("ports").begin_array();
    for (const PortSample& p : s.ports) {
      w.begin_object();
      w.field("device", p.device).field("packets", p.packets).field("bytes", p.bytes).field("dropped", p.dropped);
      w.end_object();
    }
    w.end_array();
    w.end_object();
  }
  w.end_array();
  w.end_object();
  return out;
}

StatsHistory::StatsHistory(SnapshotFn snapshot, std::chrono::milliseconds interval, std::size_t capacity)
    : snapshot_(std::move(snapshot)),
      interval_(interval.count() > 0 ? interval : std::chrono::milliseconds(1)),
      ring_(capacity) {}

StatsHistory::~StatsHistory() { stop(); }

void StatsHistory::start() {
  if (sampler_.joinable()) return;
  sampler_ = std::jthread([this](std::stop_token token) { run(std::move(token)); });
}

void StatsHistory::stop() {
  if (!sampler_.joinable()) return;
  sampler_.request_stop();  // the stop callback notifies wake_
  sampler_.join();
}

void StatsHistory::sample_now() {
  // The snapshot is taken outside the lock: it visits every stage and must
  // not hold up an HTTP thread reading the ring.
  StatsSample s = sample_of(snapshot_());
  if (s.time == 0) s.time = wall_clock_ns();
  std::lock_guard lock(mutex_);
  ring_.push(std::move(s));
}

std::vector<StatsSample> StatsHistory::samples() const {
  std::lock_guard lock(mutex_);
  return ring_.ordered();
}

api::Response StatsHistory::serve(const api::Request& /*request*/) const {
  api::Response r;
  r.body = stats_history_json(interval_, samples());
  return r;
}

void StatsHistory::run(std::stop_token token) {
  auto next = std::chrono::steady_clock::now();
  while (!token.stop_requested()) {
    sample_now();
    next += interval_;
    // After a stall (a slow snapshot, a suspended machine) start afresh
    // rather than catching up with a burst of samples at the same instant.
    const auto now = std::chrono::steady_clock::now();
    if (next < now) next = now + interval_;
    std::unique_lock lock(mutex_);
    wake_.wait_until(lock, token, next, [] { return false; });
  }
}

}  // namespace opensoc::daemon
