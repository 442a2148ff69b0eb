#pragma once
/// Enrichment, intel, rules, detector and alert settings, filled by src/config
/// from the `enrichment:`, `intel:`, `rules:`, `detectors:` and `alerts:`
/// sections. Relative paths are under data_dir.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "detect/behaviour_config.hpp"

namespace opensoc::detect {

struct SyslogOutputConfig {
  std::string host;  ///< "" = off
  std::uint16_t port = 514;
  std::string transport = "udp";  ///< udp | tcp
  std::string format = "rfc5424";  ///< rfc5424 | cef
};

struct DetectionConfig {
  /// Enrichment and detection run on the session stage (needs sessions).
  bool enabled = true;
  // enrichment:
  std::vector<std::string> geoip;              ///< .mmdb files (city/country and/or ASN)
  std::string assets;                          ///< CSV or YAML inventory, "" = none
  std::vector<std::string> internal_networks;  ///< empty: the private ranges
  // intel:
  std::vector<std::string> intel_files;        ///< CSV, STIX 2.1 bundles, JSON
  // rules:
  std::vector<std::string> rule_files;         ///< Suricata-subset .rules
  std::map<std::string, std::string> rule_vars;  ///< HOME_NET, EXTERNAL_NET, HTTP_PORTS ... (names ending in _PORTS are port variables)
  // detectors:
  BehaviourConfig behaviour;
  // alerts:
  std::string alerts_subdir = "alerts";
  std::uint32_t dedup_window_s = 3600;
  std::uint64_t alerts_map_bytes = 1ULL << 30;
  std::uint32_t alert_retention_days = 90;    ///< alerts whose last hit is older are dropped; 0 = keep
  SyslogOutputConfig syslog;
};

}  // namespace opensoc::detect
