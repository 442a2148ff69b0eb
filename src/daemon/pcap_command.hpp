#pragma once
// `opensocd pcap`: a PCAP slice written to a file or stdout, for scripts on
// the box; the same query rules and output as GET /api/v1/pcap.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "config/app_config.hpp"
#include "telemetry/logger.hpp"

namespace opensoc::daemon {

struct PcapOptions {
  std::vector<std::pair<std::string, std::string>> params;  ///< REST parameter names and values
  std::optional<std::string> output;                         ///< none or "-": stdout
};

/// Exit codes: 0 written, 1 runtime failure (index, output file), 2 bad query.
int run_pcap(const config::AppConfig& config, const PcapOptions& options, const telemetry::Logger& log);

}  // namespace opensoc::daemon
