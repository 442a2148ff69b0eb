// Alert deduplication over a sliding window of packet time (docs/ALERTS.md,
// "Deduplication"). A hash map from key to (alert, latest ts) plus a list in
// remember order, so the oldest key is evicted in O(1) when the map is full.
// One thread (the alert stage).
#include "alert/alert_deduplicator.hpp"

#include <algorithm>

namespace opensoc::alert {

std::string alert_dedup_key(const DetectionHit& hit) {
  if (!hit.dedup_key.empty()) return hit.dedup_key;
  std::string key = hit.rule_id;
  key += '|';
  if (hit.endpoints.src_ip.version != 0) key += hit.endpoints.src_ip.to_string();
  key += '|';
  if (hit.endpoints.dst_ip.version != 0) key += hit.endpoints.dst_ip.to_string();
  return key;
}

AlertDeduplicator::AlertDeduplicator(TimestampNs window, std::size_t capacity)
    : window_(std::max<TimestampNs>(window, 0)), capacity_(std::max<std::size_t>(capacity, 1)) {}

std::optional<std::uint64_t> AlertDeduplicator::find(const std::string& key, TimestampNs ts) const {
  const auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  // Distance without overflow: both are ns since the epoch, far from the limits
  // in practice, but a forged pcap timestamp can be anything.
  const TimestampNs last = it->second.last_ts;
  const bool within = ts >= last ? (ts - last <= window_) : (last - ts <= window_);
  if (!within) return std::nullopt;
  return it->second.alert_id;
}

void AlertDeduplicator::remember(const std::string& key, std::uint64_t alert_id, TimestampNs ts) {
  const auto it = entries_.find(key);
  if (it != entries_.end()) {
    // A new alert for the key restarts its window; a fold only moves it on.
    it->second.last_ts = it->second.alert_id == alert_id ? std::max(it->second.last_ts, ts) : ts;
    it->second.alert_id = alert_id;
    order_.splice(order_.end(), order_, it->second.order);
    return;
  }
  if (entries_.size() >= capacity_) {
    entries_.erase(order_.front());
    order_.pop_front();
    ++evictions_;
  }
  order_.push_back(key);
  entries_.emplace(key, Entry{alert_id, ts, std::prev(order_.end())});
}

void AlertDeduplicator::forget(const std::string& key) {
  const auto it = entries_.find(key);
  if (it == entries_.end()) return;
  order_.erase(it->second.order);
  entries_.erase(it);
}

}  // namespace opensoc::alert
