#pragma once
// BehaviourConfig: the thresholds of the behavioural detectors (volume,
// DNS tunnel, beacon, scan, new destination). Plain values filled by
// src/config and handed to BehaviourDetectors at startup and on reload.
// Defaults, units and the false positives each threshold guards against are
// documented in docs/DETECTORS.md.
#include <cstdint>
#include <vector>

#include "opensoc/core/enrichment.hpp"

namespace opensoc::detect {

/// large_upload (one session) and volume_baseline (per internal host, per hour of day).
struct VolumeConfig {
  bool enabled = true;
  // large_upload
  std::uint64_t session_bytes_out = 20'000'000;  ///< bytes internal -> external in one session
  double min_out_in_ratio = 10;                  ///< bytes out / bytes in (a download is not an upload)
  // volume_baseline
  double sigma = 4;                        ///< standard deviations above the hour-of-day mean
  std::uint32_t min_baseline_hours = 24;   ///< hours of history before the baseline may alert
  std::uint64_t min_hour_bytes = 50'000'000;  ///< floor: an hour below this never alerts
  double ewma_alpha = 0.2;                 ///< weight of the newest hour in the EWMA mean/variance
};

struct DnsTunnelConfig {
  bool enabled = true;
  std::uint32_t window_s = 300;                   ///< per registered domain, tumbling
  std::uint32_t unique_subdomains = 100;          ///< distinct names under one domain in a window
  std::uint32_t long_label = 40;                  ///< label length (chars) that counts as long
  double entropy_bits = 3.5;                      ///< Shannon entropy per char of such a label
  std::uint32_t long_high_entropy_queries = 20;   ///< queries with a long high-entropy label in a window
  std::uint32_t txt_null_queries = 50;            ///< TXT (16) / NULL (10) queries in a window
};

struct BeaconConfig {
  bool enabled = true;
  std::uint32_t min_connections = 8;  ///< sessions per (src, dst, port) before judging
  double max_jitter = 0.15;           ///< stddev / mean of the intervals between session starts
  std::uint32_t min_interval_s = 5, max_interval_s = 3600;
  bool external_only = true;          ///< only internal -> external (internal pollers are periodic by design)
  /// Destination ports never judged: NTP polls are periodic by design.
  std::vector<std::uint16_t> ignore_ports = {123};
};

struct ScanConfig {
  bool enabled = true;
  std::uint32_t window_s = 60;           ///< per source, tumbling
  std::uint32_t horizontal_hosts = 30;   ///< distinct hosts probed on one port
  std::uint32_t vertical_ports = 50;     ///< distinct ports probed on one host
};

struct NewDestinationConfig {
  bool enabled = true;
  Criticality min_criticality = Criticality::high;  ///< only assets at least this critical
  std::uint32_t learning_s = 86400;                 ///< per host, from when it was first seen
};

struct BehaviourConfig {
  VolumeConfig volume;
  DnsTunnelConfig dns_tunnel;
  BeaconConfig beacon;
  ScanConfig scan;
  NewDestinationConfig new_destination;
};

}  // namespace opensoc::detect
