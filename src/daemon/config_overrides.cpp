// Config file + command-line overrides (see config_overrides.hpp).
#include "daemon/config_overrides.hpp"

#include "config/config_loader.hpp"

namespace opensoc::daemon {

Result<config::AppConfig> load_effective_config(const CommandLine& cl) {
  config::AppConfig cfg;
  if (cl.config_path) {
    auto loaded = config::load_config(*cl.config_path);
    if (!loaded) return loaded.error();
    cfg = std::move(*loaded);
  } else if (cl.command != Command::ingest) {
    auto loaded = config::load_config(kDefaultConfigPath);
    if (!loaded) return loaded.error();
    cfg = std::move(*loaded);
  } else {
    cfg.source_path = "(built-in defaults)";
    // A quick `ingest FILE` with neither a config nor --data-dir counts and
    // decodes; it does not fill /var/lib/opensoc with a store.
    if (cl.command == Command::ingest && !cl.data_dir) cfg.store.enabled = false;
  }
  if (cl.data_dir) cfg.data_dir = *cl.data_dir;
  if (cl.listen) {
    auto l = config::parse_listen(*cl.listen);
    if (!l) return l.error().context("--listen");
    cfg.http.listen_address = l->first;
    cfg.http.listen_port = l->second;
  }
  if (cl.flow_log) cfg.pipeline.flow_log_path = *cl.flow_log;
  return cfg;
}

}  // namespace opensoc::daemon
