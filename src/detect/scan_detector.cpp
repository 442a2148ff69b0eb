#include "detect/scan_detector.hpp"

// Scan detection. Per source, over a tumbling window of window_s that starts
// with its first probe, the detector keeps the distinct (destination,
// port) pairs it probed and, from them, how many hosts it probed per port
// (horizontal) and how many ports per host (vertical). Reaching
// horizontal_hosts or vertical_ports raises once per port / host per window.
//
// A probe is a session that carried no data: ordinary clients complete
// handshakes and talk, so a browser opening 40 connections to 40 CDNs does
// not count, while nmap -sS (SYN, then RST or nothing) and -sT (handshake
// and an immediate RST, or a refused SYN) do. UDP to multicast or broadcast
// addresses never counts (nobody is expected to answer).
// Runs on the indexer thread.

#include <algorithm>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "opensoc/core/decoded_packet.hpp"
#include "detect/detector_support.hpp"
#include "opensoc/core/json_writer.hpp"

namespace opensoc::detect {
namespace {

constexpr std::size_t kMaxSources = 1024;
constexpr std::size_t kMaxPairsPerSource = 4096;
constexpr std::size_t kEvidencePerSource = 32;
constexpr std::uint8_t kProtoTcp = 6;
constexpr std::uint8_t kProtoUdp = 17;
// A frame without payload: Ethernet + VLAN + IPv6 + TCP with options stays below this.
constexpr std::uint64_t kMaxEmptyFrameBytes = 110;

std::uint64_t pair_key(const IpAddress& dst, std::uint16_t port) {
  return static_cast<std::uint64_t>(IpAddressHash{}(dst)) ^ (static_cast<std::uint64_t>(port) * 0x9E3779B97F4A7C15ULL);
}

bool multicast_or_broadcast(const IpAddress& a) {
  if (a.version == 4) return a.bytes[0] >= 224 || (a.bytes[0] == 255 && a.bytes[3] == 255);
  return a.version == 6 && a.bytes[0] == 0xff;
}

struct SourceWindow {
  TimestampNs window_start = 0;
  TimestampNs last_seen = 0;
  std::unordered_set<std::uint64_t> pairs;
  std::unordered_map<std::uint16_t, std::uint32_t> hosts_per_port;
  std::unordered_map<IpAddress, std::uint32_t, IpAddressHash> ports_per_host;
  std::unordered_set<std::uint16_t> alerted_ports;
  std::unordered_set<IpAddress, IpAddressHash> alerted_hosts;
  std::vector<AlertEvidence> evidence;  // the last kEvidencePerSource probes
};

}  // namespace

bool is_probe_session(const FlowRecord& f) noexcept {
  if (f.ip_proto == kProtoUdp) return f.dst_packets == 0 && !multicast_or_broadcast(f.dst_ip);
  if (f.ip_proto != kProtoTcp) return false;
  const std::uint8_t sf = f.src_tcp_flags;
  const std::uint8_t df = f.dst_tcp_flags;
  if ((sf & kTcpSyn) == 0) return false;  // picked up mid-stream: not a connection attempt we saw
  // Any payload means a conversation took place.
  if (((sf | df) & kTcpPsh) != 0) return false;
  if (f.src_bytes > f.src_packets * kMaxEmptyFrameBytes || f.dst_bytes > f.dst_packets * kMaxEmptyFrameBytes) return false;
  if (f.tcp_state == TcpState::syn_sent || f.tcp_state == TcpState::syn_received) return true;  // never completed
  if ((df & kTcpRst) != 0 && (df & kTcpSyn) == 0) return true;  // refused: SYN -> RST
  // Handshake then an immediate reset by the initiator (nmap -sS open port, -sT).
  return (sf & kTcpRst) != 0 && f.src_packets <= 3;
}

struct ScanDetector::State {
  ScanConfig config;
  std::unordered_map<IpAddress, SourceWindow, IpAddressHash> sources;
  std::uint64_t evictions = 0;

  SourceWindow& window_for(const IpAddress& src, TimestampNs ts);
  DetectionHit make_hit(const SourceWindow& w, const SessionRecord& r, bool horizontal, std::uint32_t observed) const;
};

SourceWindow& ScanDetector::State::window_for(const IpAddress& src, TimestampNs ts) {
  return tumbling_window(sources, src, ts, static_cast<TimestampNs>(config.window_s) * kNsPerSecond, kMaxSources,
                         evictions);
}

DetectionHit ScanDetector::State::make_hit(const SourceWindow& w, const SessionRecord& r, bool horizontal,
                                           std::uint32_t observed) const {
  const FlowRecord& f = r.flow;
  DetectionHit hit = behaviour_hit(horizontal ? "horizontal_scan" : "vertical_scan",
                                   horizontal ? kSidHorizontalScan : kSidVerticalScan, "reconnaissance", 3, 70, f.last_ts);
  const std::string src = f.src_ip.to_string();
  const std::string dst = f.dst_ip.to_string();
  const std::string_view proto = f.ip_proto == kProtoTcp ? "tcp" : "udp";
  if (horizontal) {
    hit.signature = fmt::format("{} probed {} hosts on {} port {} within {} s", src, observed, proto, f.dst_port, config.window_s);
    hit.dedup_key = fmt::format("horizontal_scan|{}|{}", src, f.dst_port);
    hit.endpoints.src_ip = f.src_ip;
    hit.endpoints.dst_port = f.dst_port;
    hit.endpoints.ip_proto = f.ip_proto;
  } else {
    hit.signature = fmt::format("{} probed {} {} ports on {} within {} s", src, observed, proto, dst, config.window_s);
    hit.dedup_key = fmt::format("vertical_scan|{}|{}", src, dst);
    hit.endpoints.src_ip = f.src_ip;
    hit.endpoints.dst_ip = f.dst_ip;
    hit.endpoints.ip_proto = f.ip_proto;
  }
  for (const AlertEvidence& e : w.evidence) {
    const bool same = horizontal ? e.endpoints.dst_port == f.dst_port : e.endpoints.dst_ip == f.dst_ip;
    if (same) hit.evidence.push_back(e);
  }
  JsonWriter j(hit.details_json);
  j.begin_object();
  if (horizontal) {
    j.field("observed_hosts", observed).field("threshold_hosts", config.horizontal_hosts).field("port", f.dst_port);
  } else {
    j.field("observed_ports", observed).field("threshold_ports", config.vertical_ports).field("destination", dst);
  }
  j.field("ip_proto", f.ip_proto).field("window_s", config.window_s).end_object();
  return hit;
}

ScanDetector::ScanDetector(const ScanConfig& config) : state_(std::make_unique<State>()) { state_->config = config; }
ScanDetector::~ScanDetector() = default;
ScanDetector::ScanDetector(ScanDetector&&) noexcept = default;
ScanDetector& ScanDetector::operator=(ScanDetector&&) noexcept = default;

void ScanDetector::on_session(const SessionRecord& record, std::vector<DetectionHit>& out) {
  State& s = *state_;
  const FlowRecord& f = record.flow;
  if (!s.config.enabled || record.provisional || f.end_reason == FlowEndReason::active) return;
  if (!is_probe_session(f)) return;

  // The window is keyed by the probe's start: records arrive when flows end,
  // which for unanswered probes is an idle timeout later.
  SourceWindow& w = s.window_for(f.src_ip, f.first_ts);
  if (w.evidence.size() >= kEvidencePerSource) w.evidence.erase(w.evidence.begin());
  w.evidence.push_back(session_evidence(record));
  if (w.pairs.size() >= kMaxPairsPerSource) return;
  if (!w.pairs.insert(pair_key(f.dst_ip, f.dst_port)).second) return;
  const std::uint32_t hosts = ++w.hosts_per_port[f.dst_port];
  const std::uint32_t ports = ++w.ports_per_host[f.dst_ip];

  if (s.config.horizontal_hosts > 0 && hosts >= s.config.horizontal_hosts && w.alerted_ports.insert(f.dst_port).second)
    out.push_back(s.make_hit(w, record, true, hosts));
  if (s.config.vertical_ports > 0 && ports >= s.config.vertical_ports && w.alerted_hosts.insert(f.dst_ip).second)
    out.push_back(s.make_hit(w, record, false, ports));
}

void ScanDetector::advance(TimestampNs now) {
  const TimestampNs window = static_cast<TimestampNs>(state_->config.window_s) * kNsPerSecond;
  std::erase_if(state_->sources, [&](const auto& kv) { return now - kv.second.window_start >= window; });
}

void ScanDetector::reconfigure(const ScanConfig& config) { state_->config = config; }
std::uint64_t ScanDetector::evictions() const noexcept { return state_->evictions; }
std::size_t ScanDetector::tracked_sources() const noexcept { return state_->sources.size(); }

}  // namespace opensoc::detect
