// opensocd: parse the command line, load the config, run the subcommand.
// Wiring only; every stage lives in its module (docs/DESIGN.md).
#include <cstdio>

#include "daemon/command_line.hpp"
#include "daemon/config_overrides.hpp"
#include "daemon/ingest_command.hpp"
#include "daemon/pcap_command.hpp"
#include "daemon/preflight_command.hpp"
#include "daemon/search_command.hpp"
#include "daemon/run_command.hpp"
#include "daemon/user_command.hpp"
#include "telemetry/logger.hpp"

int main(int argc, char** argv) {
  using namespace opensoc;
  using daemon::Command;

  auto cl = daemon::parse_command_line(argc, argv);
  if (!cl) {
    std::fprintf(stderr, "opensocd: %s\n", cl.error().message.c_str());
    return daemon::kExitUsage;
  }
  switch (cl->command) {
    case Command::help:
      std::fputs(daemon::help_text(cl->help_topic).c_str(), stdout);
      return daemon::kExitOk;
    case Command::version:
      std::printf("opensocd %s\n", OPENSOC_VERSION);
      return daemon::kExitOk;
    default:
      break;
  }

  auto cfg = daemon::load_effective_config(*cl);
  if (!cfg) {
    std::fprintf(stderr, "opensocd: configuration error:\n%s\n", cfg.error().message.c_str());
    return daemon::kExitUsage;
  }
  telemetry::Logger log(cfg->log_level);

  switch (cl->command) {
    case Command::check_config:
      std::printf("%s: OK\n", cfg->source_path.c_str());
      return daemon::kExitOk;
    case Command::ingest:
      return daemon::run_ingest(*cfg, daemon::IngestOptions{cl->captures, cl->json, cl->rule_files, cl->intel_files}, log);
    case Command::run:
      return daemon::run_daemon(*cfg, log);
    case Command::pcap:
      return daemon::run_pcap(*cfg, daemon::PcapOptions{cl->slice_params, cl->output}, log);
    case Command::search:
      return daemon::run_search_command(
          *cfg, daemon::SearchCommandOptions{cl->search_query, cl->search_start, cl->search_end, cl->search_limit,
                                             cl->search_kind},
          log);
    case Command::user:
      return daemon::run_user_command(*cfg, *cl, log);
    case Command::preflight:
      return daemon::run_preflight_command(*cfg, log);
    default:
      return daemon::kExitUsage;
  }
}
