#pragma once
/// AuditEntry: one line of the audit log (src/audit), as the modules that
/// act on a user's behalf (auth, the daemon's endpoints, the user command)
/// describe it. A plain value, so those modules need not know the log.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "opensoc/core/time.hpp"

namespace opensoc {

struct AuditEntry {
  TimestampNs time = 0;
  std::string user;     ///< "" when nobody was authenticated
  std::string source;   ///< remote address ("cli" for the user command)
  /// What was attempted: "login", "logout", "token.use", "access" (a refused
  /// request), "search", "pcap", "alert.update", "intel.upload", "reload",
  /// "user.add", "user.passwd", "user.del", "token.create", "token.revoke",
  /// "config.reload", "tls.reload".
  std::string action;
  std::string outcome;  ///< "ok", "failed" (bad credentials), "denied" (401/403/429), "error"
  std::string target;   ///< what it was done to: a path, an alert id, a user name
  /// Further facts as name/value text pairs (query, kind, bytes, status,
  /// reason, …). Numbers are written as JSON numbers when `numeric` is set.
  struct Detail {
    std::string name;
    std::string value;
    bool numeric = false;
  };
  std::vector<Detail> details;
};

}  // namespace opensoc
