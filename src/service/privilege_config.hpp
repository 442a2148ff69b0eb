#pragma once
/// PrivilegeConfig: whom the daemon becomes after it has opened what needs
/// root (DPDK ports, listening sockets, stores), filled by src/config from
/// the `privileges:` section.
#include <string>
#include <vector>

namespace opensoc::service {

struct PrivilegeConfig {
  /// The unprivileged account to switch to when started as root; "" keeps
  /// running as whoever started it (the demo, tests). Ignored when not root.
  std::string user = "opensoc";
  std::string group;           ///< "" = the user's primary group
  /// Capabilities kept after the switch, e.g. ["CAP_NET_RAW"]; none by default.
  std::vector<std::string> keep_capabilities;
  /// Give the data directory (and the users file and audit log) to the user
  /// before switching, so it can create new segments and shards.
  bool chown_data_dir = true;
};

}  // namespace opensoc::service
