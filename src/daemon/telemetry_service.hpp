#pragma once
// TelemetryService: the daemon's non-packet intake as one unit: the bounded
// queue, the receiver thread (syslog / JSON lines / NetFlow listeners), the
// log pipeline thread, and the REST API's ingest, wired to the detection
// stage for enrichment and intel. Started before capture (a port clash is
// reported at once) and stopped before the packet store finishes.
//
// Threading: start()/stop() on the control thread; serve_ingest() on HTTP
// threads; snapshot() from any thread.
#include <memory>

#include "api/http_types.hpp"
#include "config/app_config.hpp"
#include "detect/detection_stage.hpp"
#include "ingest/message_queue.hpp"
#include "ingest/telemetry_receivers.hpp"
#include "logs/log_pipeline.hpp"
#include "opensoc/core/result.hpp"
#include "opensoc/core/stats_snapshot.hpp"
#include "telemetry/logger.hpp"

namespace opensoc::daemon {

class TelemetryService {
 public:
  /// Null (and no error) when there is nothing to run: no listeners and no API ingest.
  /// `detection` may be null (detection off): records are then not enriched.
  static Result<std::unique_ptr<TelemetryService>> start(const config::AppConfig& config,
                                                         detect::DetectionStage* detection,
                                                         const telemetry::Logger& log);
  ~TelemetryService();
  /// Stops listening, lets the pipeline drain what was queued, commits.
  void stop();

  [[nodiscard]] TelemetrySnapshot snapshot() const;
  /// POST /api/v1/ingest[?parser=auto|eve|zeek|json]: JSON lines.
  [[nodiscard]] api::Response serve_ingest(const api::Request& request);
  [[nodiscard]] bool api_ingest() const noexcept { return api_ingest_; }

 private:
  TelemetryService() = default;
  class DetectionHook;
  std::unique_ptr<ingest::MessageQueue> queue_;
  std::unique_ptr<DetectionHook> hook_;
  std::unique_ptr<logs::LogPipeline> pipeline_;
  std::unique_ptr<ingest::TelemetryReceivers> receivers_;
  bool api_ingest_ = false;
};

}  // namespace opensoc::daemon
