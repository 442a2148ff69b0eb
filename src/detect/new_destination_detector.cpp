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

#include "opensoc/core/json_writer.hpp"

namespace opensoc::detect {
namespace {

constexpr std::size_t kMaxHosts = 65536;
constexpr std::size_t kMaxDestinationsPerHost = 4096;
constexpr std::uint32_t kNewDestinationSid = 9000007;

struct IpHash {
  std::size_t operator()(const IpAddress& a) const noexcept {
    const std::string_view bytes(reinterpret_cast<const char*>(a.bytes.data()), a.bytes.size());
    return std::hash<std::string_view>{}(bytes) ^ a.version;
  }
};

struct HostDestinations {
  TimestampNs first_seen = 0;
  TimestampNs last_seen = 0;
  std::unordered_set<IpAddress, IpHash> known;
};

}  // namespace

struct NewDestinationDetector::State {
  NewDestinationConfig config;
  std::unordered_map<IpAddress, HostDestinations, IpHash> hosts;
  std::uint64_t evictions = 0;
  std::uint64_t saturated = 0;

  void evict_stalest();
};

void NewDestinationDetector::State::evict_stalest() {
  std::vector<TimestampNs> seen;
  seen.reserve(hosts.size());
  for (const auto& [_, h] : hosts) seen.push_back(h.last_seen);
  auto cut = seen.begin() + static_cast<std::ptrdiff_t>(seen.size() / 8);
  std::nth_element(seen.begin(), cut, seen.end());
  const TimestampNs cutoff = *cut;
  for (auto it = hosts.begin(); it != hosts.end();) {
    if (it->second.last_seen <= cutoff) {
      it = hosts.erase(it);
      ++evictions;
    } else {
      ++it;
    }
  }
}

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
    if (s.hosts.size() >= kMaxHosts) s.evict_stalest();
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

  DetectionHit hit;
  hit.kind = DetectionKind::behaviour;
  hit.rule_id = "new_external_destination";
  hit.signature_id = kNewDestinationSid;
  hit.rev = 1;
  const std::string src = f.src_ip.to_string();
  const std::string dst = f.dst_ip.to_string();
  const std::string_view name = en.source.asset.name.empty() ? std::string_view(src) : std::string_view(en.source.asset.name);
  hit.signature = fmt::format("{} asset {} ({}) contacted new external destination {} port {} (after learning {} destinations)",
                              criticality_name(crit), name, src, dst, f.dst_port, h.known.size() - 1);
  hit.category = "anomaly";
  hit.severity = 3;
  hit.confidence = 30;
  hit.ts = f.last_ts;
  AlertEvidence e;
  e.session_id = record.session_id;
  e.community_id = record.community_id;
  e.endpoints = Endpoints{f.src_ip, f.dst_ip, f.src_port, f.dst_port, f.ip_proto, f.vlan};
  e.first_ts = f.first_ts;
  e.last_ts = f.last_ts;
  e.bytes_out = f.src_bytes;
  e.bytes_in = f.dst_bytes;
  if (record.app_protocol != AppProtocol::unknown) e.app_protocol = std::string(app_protocol_name(record.app_protocol));
  hit.endpoints = e.endpoints;
  hit.evidence.push_back(std::move(e));
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
