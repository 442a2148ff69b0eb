#pragma once
/// `opensocd preflight`: runs service::run_preflight on the config and prints
/// each finding; exit 0 when all pass, 1 otherwise (systemd's ExecStartPre).
#include "config/app_config.hpp"
#include "telemetry/logger.hpp"

namespace opensoc::daemon {

int run_preflight_command(const config::AppConfig& config, const telemetry::Logger& log);

}  // namespace opensoc::daemon
