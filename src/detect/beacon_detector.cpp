#include "detect/beacon_detector.hpp"

// Beacon detection. For each (internal source, destination, destination
// port) the start times of its last 32 final sessions are kept in order.
// With at least min_connections of them, the intervals between consecutive
// starts must all lie in [min_interval_s, max_interval_s] and their
// coefficient of variation (stddev / mean) must be at most max_jitter: a
// timer, not a person. Parallel connections (interval ~0) and people
// (irregular gaps) fail one test or the other. A key raises at most once per
// day of packet time. Runs on the indexer thread.

#include <algorithm>
#include <cmath>
#include <string_view>
#include <unordered_map>

#include <fmt/format.h>

#include "detect/detector_support.hpp"
#include "opensoc/core/json_writer.hpp"

namespace opensoc::detect {
namespace {

constexpr std::size_t kMaxKeys = 32768;
constexpr std::size_t kHistory = 32;
constexpr TimestampNs kRealertNs = 86400 * kNsPerSecond;

struct BeaconKey {
  IpAddress src;
  IpAddress dst;
  std::uint16_t port = 0;
  friend bool operator==(const BeaconKey&, const BeaconKey&) = default;
};

struct BeaconKeyHash {
  std::size_t operator()(const BeaconKey& k) const noexcept {
    const std::string_view s(reinterpret_cast<const char*>(k.src.bytes.data()), k.src.bytes.size());
    const std::string_view d(reinterpret_cast<const char*>(k.dst.bytes.data()), k.dst.bytes.size());
    const std::hash<std::string_view> h;
    return h(s) ^ (h(d) * 31) ^ (static_cast<std::size_t>(k.port) << 1);
  }
};

struct BeaconHistory {
  std::vector<CompactEvidence> sessions;  // sorted by first_ts, <= kHistory
  TimestampNs last_seen = 0;
  TimestampNs last_alert = 0;
  bool alerted = false;
};

}  // namespace

struct BeaconDetector::State {
  BeaconConfig config;
  std::unordered_map<BeaconKey, BeaconHistory, BeaconKeyHash> keys;
  std::uint64_t evictions = 0;

  void judge(const BeaconKey& key, BeaconHistory& h, TimestampNs now, std::vector<DetectionHit>& out) const;
};

void BeaconDetector::State::judge(const BeaconKey& key, BeaconHistory& h, TimestampNs now,
                                  std::vector<DetectionHit>& out) const {
  const std::size_t n = h.sessions.size();
  if (n < std::max<std::size_t>(config.min_connections, 3)) return;
  if (h.alerted && now - h.last_alert < kRealertNs) return;
  const double min_s = config.min_interval_s;
  const double max_s = config.max_interval_s;
  double sum = 0;
  for (std::size_t i = 1; i < n; ++i) {
    const double gap = static_cast<double>(h.sessions[i].first_ts - h.sessions[i - 1].first_ts) / kNsPerSecond;
    if (gap < min_s || gap > max_s) return;
    sum += gap;
  }
  const double intervals = static_cast<double>(n - 1);
  const double mean = sum / intervals;
  double squares = 0;
  for (std::size_t i = 1; i < n; ++i) {
    const double gap = static_cast<double>(h.sessions[i].first_ts - h.sessions[i - 1].first_ts) / kNsPerSecond;
    squares += (gap - mean) * (gap - mean);
  }
  const double stddev = std::sqrt(squares / intervals);
  const double jitter = mean > 0 ? stddev / mean : 1e9;
  if (jitter > config.max_jitter) return;

  h.alerted = true;
  h.last_alert = now;
  DetectionHit hit = behaviour_hit("beacon", kSidBeacon, "command-and-control", 2, 50, now);
  const std::string src = key.src.to_string();
  const std::string dst = key.dst.to_string();
  hit.signature = fmt::format("{} connected to {} port {} {} times at regular {:.1f} s intervals (jitter {:.3f})", src, dst,
                              key.port, n, mean, jitter);
  hit.endpoints = h.sessions.back().endpoints;
  hit.evidence.reserve(h.sessions.size());
  for (const CompactEvidence& e : h.sessions) hit.evidence.push_back(expand_evidence(e));
  hit.dedup_key = fmt::format("beacon|{}|{}|{}", src, dst, key.port);
  JsonWriter w(hit.details_json);
  w.begin_object()
      .field("observed_connections", static_cast<std::uint64_t>(n))
      .field("observed_mean_interval_s", mean)
      .field("observed_stddev_interval_s", stddev)
      .field("observed_jitter", jitter)
      .field("threshold_jitter", config.max_jitter)
      .field("min_connections", config.min_connections)
      .field("min_interval_s", config.min_interval_s)
      .field("max_interval_s", config.max_interval_s)
      .end_object();
  out.push_back(std::move(hit));
}

BeaconDetector::BeaconDetector(const BeaconConfig& config) : state_(std::make_unique<State>()) { state_->config = config; }
BeaconDetector::~BeaconDetector() = default;
BeaconDetector::BeaconDetector(BeaconDetector&&) noexcept = default;
BeaconDetector& BeaconDetector::operator=(BeaconDetector&&) noexcept = default;

void BeaconDetector::on_session(const SessionRecord& record, std::vector<DetectionHit>& out) {
  State& s = *state_;
  const BeaconConfig& c = s.config;
  const FlowRecord& f = record.flow;
  if (!c.enabled || record.provisional || f.end_reason == FlowEndReason::active) return;
  if (!record.enrichment.source.internal) return;
  if (c.external_only && record.enrichment.destination.internal) return;
  if (std::find(c.ignore_ports.begin(), c.ignore_ports.end(), f.dst_port) != c.ignore_ports.end()) return;

  const BeaconKey key{f.src_ip, f.dst_ip, f.dst_port};
  auto it = s.keys.find(key);
  if (it == s.keys.end()) {
    if (s.keys.size() >= kMaxKeys) s.evictions += evict_stalest_eighth(s.keys);
    it = s.keys.emplace(key, BeaconHistory{}).first;
  }
  BeaconHistory& h = it->second;
  h.last_seen = std::max(h.last_seen, f.last_ts);
  // Final records come in end order; keep the history in start order.
  auto pos = std::upper_bound(h.sessions.begin(), h.sessions.end(), f.first_ts,
                              [](TimestampNs t, const CompactEvidence& e) { return t < e.first_ts; });
  for (const CompactEvidence& e : h.sessions)
    if (e.session_id == record.session_id) return;
  h.sessions.insert(pos, compact_session_evidence(record));
  if (h.sessions.size() > kHistory) h.sessions.erase(h.sessions.begin());
  s.judge(key, h, f.last_ts, out);
}

void BeaconDetector::reconfigure(const BeaconConfig& config) { state_->config = config; }
std::uint64_t BeaconDetector::evictions() const noexcept { return state_->evictions; }
std::size_t BeaconDetector::tracked_keys() const noexcept { return state_->keys.size(); }

}  // namespace opensoc::detect
