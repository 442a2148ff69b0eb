#pragma once
/// AuditConfig: where the audit log goes, filled by src/config from `audit:`.
#include <string>

namespace opensoc::audit {

struct AuditConfig {
  bool enabled = true;
  /// One JSON line per audited action. A relative path is under data_dir.
  std::string path = "audit.log";
};

}  // namespace opensoc::audit
