#include "detect/volume_detector.hpp"

// Volume detection. Exfiltration shows up as bytes leaving: either in one
// big session (large_upload) or as an hour in which a host sends far more
// than it usually does at that time of day (volume_baseline). Both look only
// at internal -> external sessions, as marked by enrichment.
//
// large_upload judges every record of a session (interim records of a long
// transfer alert while it is still running) and remembers the last 4096
// alerted session ids so that a session raises once.
//
// volume_baseline adds each final record's source bytes to its host's
// current clock hour (the hour of the record's last packet; a late record
// for an earlier hour counts in the current one). When an hour ends, its
// total is folded into an EWMA mean and variance for that hour of day, and
// hours without any session fold in as zero (up to a week of them). Once a
// host has min_baseline_hours of history, an hour whose running total
// exceeds max(min_hour_bytes, mean + sigma * stddev) raises once.
// Runs on the indexer thread.

#include <algorithm>
#include <array>
#include <cmath>
#include <deque>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "detect/detector_support.hpp"
#include "opensoc/core/json_writer.hpp"

namespace opensoc::detect {
namespace {

constexpr std::size_t kMaxHosts = 65536;
constexpr std::size_t kMaxRememberedUploads = 4096;
constexpr std::size_t kEvidencePerHour = 8;  // the largest sessions of the hour
constexpr TimestampNs kNsPerHour = 3600 * kNsPerSecond;
constexpr std::int64_t kMaxGapHours = 24 * 7;

struct HourSlot {
  double mean = 0;
  double variance = 0;
  std::uint32_t samples = 0;
};

struct HostVolume {
  std::int64_t hour = 0;         // hours since the epoch of the hour being summed
  std::uint64_t bytes = 0;       // sent to external hosts in that hour
  bool alerted = false;          // this hour already raised
  std::uint32_t history_hours = 0;
  TimestampNs last_seen = 0;
  std::array<HourSlot, 24> slots{};
  std::vector<AlertEvidence> largest;  // <= kEvidencePerHour
};

double megabytes(double bytes) { return bytes / 1e6; }

bool is_final(const SessionRecord& r) { return !r.provisional && r.flow.end_reason != FlowEndReason::active; }

void fold(HourSlot& slot, double x, double alpha) {
  if (slot.samples == 0) {
    slot.mean = x;
    slot.variance = 0;
  } else {
    // Incremental EWMA variance (West 1979 / Finch 2009).
    const double diff = x - slot.mean;
    const double incr = alpha * diff;
    slot.mean += incr;
    slot.variance = (1 - alpha) * (slot.variance + diff * incr);
  }
  if (slot.samples < UINT32_MAX) ++slot.samples;
}

}  // namespace

struct VolumeDetector::State {
  VolumeConfig config;
  std::unordered_map<IpAddress, HostVolume, IpAddressHash> hosts;
  std::unordered_set<std::uint64_t> uploads_seen;
  std::deque<std::uint64_t> uploads_order;  // FIFO over uploads_seen
  std::uint64_t evictions = 0;

  void large_upload(const SessionRecord& r, std::vector<DetectionHit>& out);
  void baseline(const SessionRecord& r, std::vector<DetectionHit>& out);
  void roll(HostVolume& h, std::int64_t hour) const;
  HostVolume& host(const IpAddress& ip);
};

void VolumeDetector::State::large_upload(const SessionRecord& r, std::vector<DetectionHit>& out) {
  const FlowRecord& f = r.flow;
  if (f.src_bytes < config.session_bytes_out) return;
  const double ratio = static_cast<double>(f.src_bytes) / static_cast<double>(std::max<std::uint64_t>(f.dst_bytes, 1));
  if (ratio < config.min_out_in_ratio) return;
  if (!uploads_seen.insert(r.session_id).second) return;
  uploads_order.push_back(r.session_id);
  if (uploads_order.size() > kMaxRememberedUploads) {
    uploads_seen.erase(uploads_order.front());
    uploads_order.pop_front();
  }

  DetectionHit hit = behaviour_hit("large_upload", kSidLargeUpload, "exfiltration", 2, 50, f.last_ts);
  const std::string src = f.src_ip.to_string();
  const std::string dst = f.dst_ip.to_string();
  hit.signature = fmt::format("{} sent {:.1f} MB to {} in one session ({:.1f} MB received)", src,
                              megabytes(static_cast<double>(f.src_bytes)), dst, megabytes(static_cast<double>(f.dst_bytes)));
  hit.evidence.push_back(session_evidence(r));
  hit.endpoints = hit.evidence.back().endpoints;
  hit.dedup_key = fmt::format("large_upload|{}|{}", src, dst);
  JsonWriter w(hit.details_json);
  w.begin_object()
      .field("observed_bytes_out", f.src_bytes)
      .field("observed_bytes_in", f.dst_bytes)
      .field("observed_ratio", ratio)
      .field("threshold_bytes_out", config.session_bytes_out)
      .field("threshold_ratio", config.min_out_in_ratio)
      .field("session_final", is_final(r))
      .end_object();
  out.push_back(std::move(hit));
}

HostVolume& VolumeDetector::State::host(const IpAddress& ip) {
  auto it = hosts.find(ip);
  if (it != hosts.end()) return it->second;
  if (hosts.size() >= kMaxHosts) {
    evictions += evict_stalest_eighth(hosts);
  }
  return hosts[ip];
}

void VolumeDetector::State::roll(HostVolume& h, std::int64_t hour) const {
  fold(h.slots[static_cast<std::size_t>(h.hour % 24)], static_cast<double>(h.bytes), config.ewma_alpha);
  ++h.history_hours;
  const std::int64_t silent_end = std::min(hour, h.hour + 1 + kMaxGapHours);
  for (std::int64_t s = h.hour + 1; s < silent_end; ++s) {
    fold(h.slots[static_cast<std::size_t>(s % 24)], 0.0, config.ewma_alpha);
    ++h.history_hours;
  }
  h.hour = hour;
  h.bytes = 0;
  h.alerted = false;
  h.largest.clear();
}

void VolumeDetector::State::baseline(const SessionRecord& r, std::vector<DetectionHit>& out) {
  const FlowRecord& f = r.flow;
  const std::int64_t hour = std::max<TimestampNs>(f.last_ts, 0) / kNsPerHour;
  const bool fresh = hosts.find(f.src_ip) == hosts.end();
  HostVolume& h = host(f.src_ip);
  if (fresh) h.hour = hour;
  if (hour > h.hour) roll(h, hour);
  h.last_seen = std::max(h.last_seen, f.last_ts);
  h.bytes += f.src_bytes;

  // Keep the largest sessions of the hour as the evidence.
  auto smallest = std::min_element(h.largest.begin(), h.largest.end(),
                                   [](const AlertEvidence& a, const AlertEvidence& b) { return a.bytes_out < b.bytes_out; });
  if (h.largest.size() < kEvidencePerHour) {
    h.largest.push_back(session_evidence(r));
  } else if (smallest != h.largest.end() && smallest->bytes_out < f.src_bytes) {
    *smallest = session_evidence(r);
  }

  if (h.alerted || h.history_hours < config.min_baseline_hours) return;
  const HourSlot& slot = h.slots[static_cast<std::size_t>(h.hour % 24)];
  if (slot.samples == 0) return;
  const double stddev = std::sqrt(std::max(slot.variance, 0.0));
  const double threshold = std::max(static_cast<double>(config.min_hour_bytes), slot.mean + config.sigma * stddev);
  if (static_cast<double>(h.bytes) <= threshold) return;
  h.alerted = true;

  DetectionHit hit = behaviour_hit("volume_baseline", kSidVolumeBaseline, "anomaly", 3, 40, f.last_ts);
  const std::string src = f.src_ip.to_string();
  const auto hour_of_day = static_cast<unsigned>(h.hour % 24);
  hit.signature = fmt::format("{} sent {:.1f} MB to external hosts in the hour from {:02}:00 UTC; usual {:.1f} MB, threshold {:.1f} MB",
                              src, megabytes(static_cast<double>(h.bytes)), hour_of_day, megabytes(slot.mean), megabytes(threshold));
  hit.endpoints.src_ip = f.src_ip;
  hit.evidence = h.largest;
  std::sort(hit.evidence.begin(), hit.evidence.end(),
            [](const AlertEvidence& a, const AlertEvidence& b) { return a.bytes_out > b.bytes_out; });
  hit.dedup_key = fmt::format("volume_baseline|{}", src);
  JsonWriter w(hit.details_json);
  w.begin_object()
      .field("observed_bytes", h.bytes)
      .field("baseline_mean_bytes", slot.mean)
      .field("baseline_stddev_bytes", stddev)
      .field("threshold_bytes", threshold)
      .field("sigma", config.sigma)
      .field("hour_of_day", hour_of_day)
      .field("history_hours", h.history_hours)
      .end_object();
  out.push_back(std::move(hit));
}

VolumeDetector::VolumeDetector(const VolumeConfig& config) : state_(std::make_unique<State>()) { state_->config = config; }
VolumeDetector::~VolumeDetector() = default;
VolumeDetector::VolumeDetector(VolumeDetector&&) noexcept = default;
VolumeDetector& VolumeDetector::operator=(VolumeDetector&&) noexcept = default;

void VolumeDetector::on_session(const SessionRecord& record, std::vector<DetectionHit>& out) {
  if (!state_->config.enabled) return;
  const Enrichment& en = record.enrichment;
  if (!en.source.internal || en.destination.internal) return;
  state_->large_upload(record, out);
  if (is_final(record)) state_->baseline(record, out);
}

void VolumeDetector::reconfigure(const VolumeConfig& config) { state_->config = config; }
std::uint64_t VolumeDetector::evictions() const noexcept { return state_->evictions; }
std::size_t VolumeDetector::tracked_hosts() const noexcept { return state_->hosts.size(); }

}  // namespace opensoc::detect
