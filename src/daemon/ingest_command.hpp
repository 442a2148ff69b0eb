#pragma once
/// `opensocd ingest`: capture files through the same worker code as live
/// capture, as fast as one core allows, then a summary.
#include <string>
#include <vector>

#include "config/app_config.hpp"
#include "telemetry/logger.hpp"

namespace opensoc::daemon {

struct IngestOptions {
  std::vector<std::string> captures;
  bool json = false;  ///< summary as one JSON object on stdout
  std::vector<std::string> rule_files;   ///< --rules, on top of the config's
  std::vector<std::string> intel_files;  ///< --intel
};

/// Returns the process exit code.
int run_ingest(const config::AppConfig& config, const IngestOptions& options, const telemetry::Logger& log);

}  // namespace opensoc::daemon
