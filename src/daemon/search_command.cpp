// `opensocd search` (see search_command.hpp): the REST parameter rules of
// search_endpoint, printed as JSON lines.
#include "daemon/search_command.hpp"

#include <cstdio>

#include "daemon/command_line.hpp"
#include "daemon/search_endpoint.hpp"

namespace opensoc::daemon {

std::optional<SearchKind> search_kind_named(std::string_view name) {
  if (name == "sessions") return SearchKind::sessions;
  if (name == "events") return SearchKind::events;
  if (name == "alerts") return SearchKind::alerts;
  if (name == "logs") return SearchKind::logs;
  if (name == "all") return SearchKind::all;
  return std::nullopt;
}

int run_search_command(const config::AppConfig& config, const SearchCommandOptions& options,
                       const telemetry::Logger& log) {
  std::multimap<std::string, std::string> params;
  params.emplace("q", options.query);
  if (options.start) params.emplace("start", *options.start);
  if (options.end) params.emplace("end", *options.end);
  params.emplace("limit", options.limit.value_or("100"));
  const auto kind = search_kind_named(options.kind);
  if (!kind) {
    std::fprintf(stderr, "search: --kind: expected sessions, events, alerts or all, got '%s'\n",
                 options.kind.c_str());
    return kExitUsage;
  }
  auto parsed = parse_search_params(params, *kind, wall_clock_ns());
  if (const auto* f = std::get_if<SearchFailure>(&parsed)) {
    std::fprintf(stderr, "search: %s\n", f->message.c_str());
    return kExitUsage;
  }
  raise_open_file_limit();
  auto answer = run_search(config.data_dir + "/" + config.search.subdir, std::get<SearchParams>(parsed), true);
  if (const auto* f = std::get_if<SearchFailure>(&answer)) {
    if (f->position) {
      // Point at the error under the query, as a compiler would.
      std::fprintf(stderr, "search: %s\n  %s\n  %*s^\n", f->message.c_str(), options.query.c_str(),
                   static_cast<int>(*f->position), "");
    } else {
      log.error("search: {}", f->message);
    }
    return f->status >= 500 ? kExitRuntimeFailure : kExitUsage;
  }
  const std::string& lines = std::get<std::string>(answer);
  std::fwrite(lines.data(), 1, lines.size(), stdout);
  return std::fflush(stdout) == 0 ? kExitOk : kExitRuntimeFailure;
}

}  // namespace opensoc::daemon
