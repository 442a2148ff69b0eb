#pragma once
/// Dropping root: after the daemon has opened its ports, sockets and files,
/// switch every thread to an unprivileged user and group, keep only the
/// configured capabilities (bounding set and ambient set cleared, no_new_privs
/// set), and report what was kept.
#include <string>
#include <vector>

#include "opensoc/core/result.hpp"
#include "service/privilege_config.hpp"

namespace opensoc::service {

struct PrivilegeReport {
  bool switched = false;            ///< false: not root, or config.user empty
  std::string user;                 ///< the account now running
  unsigned uid = 0;
  unsigned gid = 0;
  std::vector<std::string> capabilities_kept;  ///< names, e.g. "CAP_NET_RAW"
  std::string summary;              ///< one line for the log
};

/// Parses a capability name ("CAP_NET_RAW" or "net_raw"); -1 if unknown.
[[nodiscard]] int capability_number(std::string_view name) noexcept;

/// `chown_paths` are given to the user (recursively for directories) first
/// when config.chown_data_dir. Errors name the step that failed; the caller
/// must then stop (running as root by accident is worse than not running).
/// Call once, on the main thread, after everything that needs root is open
/// and before capture starts. Blocks on the chown walk (one lstat per file).
/// Every existing thread changes uid/gid (glibc broadcasts set*id), but
/// capabilities, the bounding set, the ambient set and no_new_privs are
/// per-thread: only the calling thread keeps the kept capabilities and gets
/// the empty bounding set and no_new_privs; the others hold no capabilities
/// at all after the uid change. Threads started later inherit the caller's.
/// Symlinks are chowned themselves, never followed.
Result<PrivilegeReport> drop_privileges(const PrivilegeConfig& config, const std::vector<std::string>& chown_paths);

}  // namespace opensoc::service
