#pragma once
/// Loading the config a subcommand runs with: the file (or the built-in
/// defaults), then the command-line overrides (--data-dir, --listen,
/// --flow-log), validated the same way as the file's values.
#include "config/app_config.hpp"
#include "daemon/command_line.hpp"
#include "opensoc/core/result.hpp"

namespace opensoc::daemon {

/// An Error is a config or usage error (exit code 2).
Result<config::AppConfig> load_effective_config(const CommandLine& cl);

}  // namespace opensoc::daemon
