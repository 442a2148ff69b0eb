#pragma once
/// `opensocd run`: the appliance daemon. DPDK capture on the configured
/// lcores, the flow consumer, and the HTTP API, until SIGINT/SIGTERM.
#include "config/app_config.hpp"
#include "telemetry/logger.hpp"

namespace opensoc::daemon {

/// Returns the process exit code.
int run_daemon(const config::AppConfig& config, const telemetry::Logger& log);

}  // namespace opensoc::daemon
