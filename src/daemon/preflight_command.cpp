#include "daemon/preflight_command.hpp"

// `opensocd preflight`: the unit's ExecStartPre. Collects what the checks
// need from the config (capture ports and EAL args, data_dir, the TLS files
// and the users file when present), runs service::run_preflight and prints
// one line per finding on stdout, so `systemctl status` and the journal show
// what is wrong and the command that fixes it. Main thread, runs once.

#include <cstdio>
#include <filesystem>
#include <string>
#include <system_error>

#include "service/preflight_check.hpp"

namespace opensoc::daemon {
namespace {

std::string under_data_dir(const config::AppConfig& config, const std::string& path) {
  if (path.empty() || path.front() == '/') return path;
  return (std::filesystem::path(config.data_dir) / path).string();
}

}  // namespace

int run_preflight_command(const config::AppConfig& config, const telemetry::Logger& log) {
  service::PreflightInput input;
  input.capture = config.capture;
  input.data_dir = config.data_dir;
  if (config.http.tls.enabled) {
    input.readable_files.push_back(config.http.tls.cert_file);
    input.readable_files.push_back(config.http.tls.key_file);
    if (!config.http.tls.client_ca_file.empty()) input.readable_files.push_back(config.http.tls.client_ca_file);
  }
  if (config.auth.enabled) {
    // The daemon creates a missing users file; an existing one must be readable.
    const std::string users = under_data_dir(config, config.auth.users_file);
    std::error_code ec;
    if (!users.empty() && std::filesystem::exists(users, ec)) input.readable_files.push_back(users);
  }

  const auto findings = service::run_preflight(input);
  int failed = 0;
  for (const auto& f : findings) {
    std::printf("%s %s: %s\n", f.ok ? "ok  " : "FAIL", f.check.c_str(), f.message.c_str());
    if (!f.ok) ++failed;
  }
  std::fflush(stdout);
  if (failed > 0) {
    log.error("preflight: {} of {} checks failed", failed, findings.size());
    return 1;
  }
  log.info("preflight: all {} checks passed", findings.size());
  return 0;
}

}  // namespace opensoc::daemon
