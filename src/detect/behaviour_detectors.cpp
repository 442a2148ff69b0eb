#include "detect/behaviour_detectors.hpp"

// Behavioural detection: the detectors that look at how hosts behave over
// time rather than at one packet or one message. BehaviourDetectors fans
// each enriched session record and protocol event out to the detectors that
// use it and counts the hits by signature id:
//   SessionRecord -> volume (large_upload, volume_baseline), beacon, scans,
//                    new external destination
//   ProtocolEvent -> DNS tunnel (DNS queries)
// Everything runs on the indexer thread, in packet time. See
// docs/DETECTORS.md for thresholds and false positives.

namespace opensoc::detect {

BehaviourDetectors::BehaviourDetectors(const BehaviourConfig& config)
    : volume_(config.volume),
      dns_tunnel_(config.dns_tunnel),
      beacon_(config.beacon),
      scan_(config.scan),
      new_destination_(config.new_destination) {}

void BehaviourDetectors::count(const std::vector<DetectionHit>& out, std::size_t from) {
  for (std::size_t i = from; i < out.size(); ++i) {
    const std::uint32_t sid = out[i].signature_id;
    if (sid >= kSidVolumeBaseline && sid <= kSidNewExternalDestination) ++hits_[sid - kSidVolumeBaseline];
  }
}

void BehaviourDetectors::on_session(const SessionRecord& record, std::vector<DetectionHit>& out) {
  const std::size_t before = out.size();
  volume_.on_session(record, out);
  beacon_.on_session(record, out);
  scan_.on_session(record, out);
  new_destination_.on_session(record, out);
  count(out, before);
}

void BehaviourDetectors::on_event(const ProtocolEvent& event, std::vector<DetectionHit>& out) {
  const std::size_t before = out.size();
  dns_tunnel_.on_event(event, out);
  count(out, before);
}

void BehaviourDetectors::advance(TimestampNs now, std::vector<DetectionHit>& out) {
  const std::size_t before = out.size();
  dns_tunnel_.advance(now);
  scan_.advance(now);
  count(out, before);
}

BehaviourDetectors::Stats BehaviourDetectors::stats() const {
  Stats s{};
  for (std::size_t i = 0; i < 7; ++i) s.hits[i] = hits_[i];
  s.evictions = volume_.evictions() + dns_tunnel_.evictions() + beacon_.evictions() + scan_.evictions() +
                new_destination_.evictions();
  s.tracked_hosts = volume_.tracked_hosts() + new_destination_.tracked_hosts() + scan_.tracked_sources() +
                    beacon_.tracked_keys() + dns_tunnel_.tracked_domains();
  return s;
}

void BehaviourDetectors::reconfigure(const BehaviourConfig& config) {
  volume_.reconfigure(config.volume);
  dns_tunnel_.reconfigure(config.dns_tunnel);
  beacon_.reconfigure(config.beacon);
  scan_.reconfigure(config.scan);
  new_destination_.reconfigure(config.new_destination);
}

}  // namespace opensoc::detect
