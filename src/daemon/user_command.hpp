#pragma once
/// `opensocd user add|passwd|del|list|role|scope|token ...`: edits the users
/// file named by auth.users_file and writes each change to the audit log.
#include "config/app_config.hpp"
#include "daemon/command_line.hpp"
#include "telemetry/logger.hpp"

namespace opensoc::daemon {

int run_user_command(const config::AppConfig& config, const CommandLine& command_line, const telemetry::Logger& log);

}  // namespace opensoc::daemon
