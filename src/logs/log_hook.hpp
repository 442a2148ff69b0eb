#pragma once
// LogHook: what the log pipeline asks of detection for every log event
// before it is indexed: enrichment (GeoIP, assets, internal networks) and
// threat-intel matching, the same tables the packet side uses. The logs
// module knows only this interface; the daemon adapts the detection stage.
//
// Threading: every call on the log pipeline thread.
#include "opensoc/core/log_event.hpp"

namespace opensoc::logs {

class LogHook {
 public:
  virtual ~LogHook() = default;
  /// Before each batch: pick up reloaded tables (one atomic/lock per batch).
  virtual void on_batch() noexcept = 0;
  /// Fills `event.enrichment`; hits become alerts (raised elsewhere).
  virtual void on_log(LogEvent& event) noexcept = 0;
};

}  // namespace opensoc::logs
