#pragma once
// `opensocd search`: the matching sessions, events or alerts as JSON lines on stdout,
// for scripts on the box; reads the search shards while a daemon may be
// writing them.
#include <optional>
#include <string>
#include <string_view>

#include "config/app_config.hpp"
#include "daemon/search_endpoint.hpp"
#include "telemetry/logger.hpp"

namespace opensoc::daemon {

struct SearchCommandOptions {
  std::string query;
  std::optional<std::string> start;
  std::optional<std::string> end;
  std::optional<std::string> limit;
  std::string kind = "sessions";  ///< sessions, events, alerts or all (`--kind K`, or `--sessions` ...)
};

/// "sessions", "events", "alerts", "all" -> the kind; nullopt for anything else.
std::optional<SearchKind> search_kind_named(std::string_view name);

/// Exit codes: 0 printed (even none), 1 runtime failure, 2 bad query or option.
int run_search_command(const config::AppConfig& config, const SearchCommandOptions& options,
                       const telemetry::Logger& log);

}  // namespace opensoc::daemon
