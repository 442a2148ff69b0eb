#include "detect/new_destination_detector.hpp"

// New external destination. For every internal source whose inventory
// criticality is at least min_criticality, the detector remembers the
// external addresses it talks to. The first learning_s of packet time after
// the host was first seen only learn; afterwards an address outside the set
// raises one hit and is added, so each new destination raises once. A
// session is placed by its start time, so one that began while learning is
// learned even if its record arrives later. Runs on the indexer thread.

#include <algorithm>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "detect/detector_support.hpp"
#include "opensoc/core/json_writer.hpp"

namespace opensoc::detect {
namespace {

constexpr std::size_t kMaxHosts = 65536;
constexpr std::size_t kMaxDestinationsPerHost = 4096;

struct HostDestinations {
  TimestampNs first_seen = 0;
  TimestampNs last_seen = 0;
  std::unordered_set<IpAddress, IpAddressHash> known;
};

}  // namespace

struct NewDestinationDetector::State {
  NewDestinationConfig config;
  std::unordered_map<IpAddress, HostDestinations, IpAddressHash> hosts;
  std::uint64_t evictions = 0;
  std::uint64_t saturated = 0;
};

NewDestinationDetector::NewDestinationDetector(const NewDestinationConfig& config) : state_(std::make_unique<State>()) {
  state_->config = config;
}
NewDestinationDetector::~NewDestinationDetector() = default;
NewDestinationDetector::NewDestinationDetector(NewDestinationDetector&&) noexcept = default;
NewDestinationDetector& NewDestinationDetector::operator=(NewDestinationDetector&&) noexcept = default;

void NewDestinationDetector::on_session(const SessionRecord& record, std::vector<DetectionHit>& out) {
  State& s = *state_;
  const Enrichment& en = record.enrichment;
  if (!s.config.enabled || !en.source.internal || en.destination.internal) return;
  const Criticality crit = en.source.asset.criticality;
  if (crit < s.config.min_criticality) return;  // min unknown: every internal host

  const FlowRecord& f = record.flow;
  auto it = s.hosts.find(f.src_ip);
  if (it == s.hosts.end()) {
    if (s.hosts.size() >= kMaxHosts) s.evictions += evict_stalest_eighth(s.hosts);
    it = s.hosts.emplace(f.src_ip, HostDestinations{}).first;
    it->second.first_seen = f.first_ts;
  }
  HostDestinations& h = it->second;
  h.last_seen = std::max(h.last_seen, f.last_ts);
  if (h.known.contains(f.dst_ip)) return;
  if (h.known.size() >= kMaxDestinationsPerHost) {
    ++s.saturated;
    return;
  }
  h.known.insert(f.dst_ip);
  const TimestampNs learning_end = h.first_seen + static_cast<TimestampNs>(s.config.learning_s) * kNsPerSecond;
  if (f.first_ts < learning_end) return;

  DetectionHit hit = behaviour_hit("new_external_destination", kSidNewExternalDestination, "anomaly", 3, 30, f.last_ts);
  const std::string src = f.src_ip.to_string();
  const std::string dst = f.dst_ip.to_string();
  const std::string_view name = en.source.asset.name.empty() ? std::string_view(src) : std::string_view(en.source.asset.name);
  hit.signature = fmt::format("{} asset {} ({}) contacted new external destination {} port {} (after learning {} destinations)",
                              criticality_name(crit), name, src, dst, f.dst_port, h.known.size() - 1);
  hit.evidence.push_back(session_evidence(record));
  hit.endpoints = hit.evidence.back().endpoints;
  hit.asset_criticality = crit;
  hit.dedup_key = fmt::format("new_external_destination|{}|{}", src, dst);
  JsonWriter w(hit.details_json);
  w.begin_object()
      .field("destination", dst)
      .field("known_destinations", static_cast<std::uint64_t>(h.known.size() - 1))
      .field("learning_s", s.config.learning_s)
      .field("host_first_seen", format_rfc3339_ns(h.first_seen))
      .field("criticality", criticality_name(crit))
      .field("min_criticality", criticality_name(s.config.min_criticality))
      .end_object();
  out.push_back(std::move(hit));
}

void NewDestinationDetector::reconfigure(const NewDestinationConfig& config) { state_->config = config; }
std::uint64_t NewDestinationDetector::evictions() const noexcept { return state_->evictions; }
std::uint64_t NewDestinationDetector::saturated() const noexcept { return state_->saturated; }
std::size_t NewDestinationDetector::tracked_hosts() const noexcept { return state_->hosts.size(); }

}  // namespace opensoc::detect
