// Config file + command-line overrides (see config_overrides.hpp).
#include "daemon/config_overrides.hpp"

#include <stdlib.h>

#include <filesystem>

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
  // Paths on the command line are relative to the working directory, not
  // to data_dir as in the config file.
  if (cl.eve_out) cfg.exports.eve.path = std::filesystem::absolute(*cl.eve_out).string();
  if (cl.ecs_out) cfg.exports.ecs.path = std::filesystem::absolute(*cl.ecs_out).string();
  if (cl.command == Command::ingest && !cl.config_path && !cl.data_dir && (cl.eve_out || cl.ecs_out)) {
    // `ingest --eve-out F CAPTURE` alone: sessions need the store (they are
    // built from the stored packets), so it gets a scratch data directory
    // that the ingest removes when done.
    std::string tmpl = (std::filesystem::temp_directory_path() / "opensocd-ingest-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) return Error{"cannot create a scratch data directory under /tmp"};
    cfg.data_dir = tmpl;
    cfg.data_dir_is_temporary = true;
    cfg.store.enabled = true;
    cfg.store.sync_on_close = false;
    cfg.store.min_free_bytes = 0;
    cfg.search.enabled = false;
  }
  return cfg;
}

}  // namespace opensoc::daemon
