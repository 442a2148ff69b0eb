#pragma once
/// `opensocd user add|passwd|del|list|role|scope|certs|disable|enable|token ...`: edits the users
/// file named by auth.users_file and writes each change to the audit log.
/// Runs on the main thread of a short-lived process; blocks on the terminal
/// when it asks for a password, and on the file system.
#include <cstdio>
#include <string>

#include "config/app_config.hpp"
#include "daemon/command_line.hpp"
#include "telemetry/logger.hpp"

namespace opensoc::daemon {

/// Where the command reads passwords and writes its output. The defaults are
/// the process's own streams and its controlling terminal; tests swap them.
/// The streams are borrowed, not closed.
struct UserCommandIo {
  std::FILE* in = stdin;               ///< --password-stdin reads its first line here
  std::FILE* out = stdout;             ///< results (the table, the JSON, a new token)
  std::FILE* err = stderr;             ///< problems, one line each, prefixed "opensocd: user VERB: "
  std::string tty_path = "/dev/tty";   ///< the interactive prompt (echo off) without --password-stdin
  std::string actor;                   ///< the audit entry's user; "" = $SUDO_USER, else the login name
};

/// Carries out `command_line.user_verb`. Returns kExitOk, kExitRuntimeFailure
/// (a message on io.err; the users file is left as it was) or kExitUsage (an
/// unknown role name or a malformed --expires). A password is never
/// written to any stream, file or log; a new token is printed once, alone on
/// io.out.
int run_user_command(const config::AppConfig& config, const CommandLine& command_line, const telemetry::Logger& log,
                     const UserCommandIo& io);
inline int run_user_command(const config::AppConfig& config, const CommandLine& command_line,
                            const telemetry::Logger& log) {
  return run_user_command(config, command_line, log, UserCommandIo{});
}

/// auth.users_file, under data_dir when relative (what the daemon opens too).
[[nodiscard]] std::string users_file_path(const config::AppConfig& config);
/// audit.path, under data_dir when relative.
[[nodiscard]] std::string audit_log_path(const config::AppConfig& config);

}  // namespace opensoc::daemon
