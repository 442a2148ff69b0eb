#pragma once
// The detection routes (alerts, intel, rules, reload) as api::ApiServices
// callbacks over one DetectionStage: request in, JSON out. One home for
// them, so `run` wires a line per route.
#include <functional>
#include <string>

#include "api/http_types.hpp"
#include "detect/detection_stage.hpp"

namespace opensoc::daemon {

struct DetectionEndpoints {
  std::function<api::Response(const api::Request&)> alerts;  ///< /api/v1/alerts[/{id}]
  std::function<api::Response(const api::Request&)> intel;   ///< GET|POST /api/v1/intel
  std::function<api::Response(const api::Request&)> rules;   ///< GET /api/v1/rules
  std::function<api::Response(const api::Request&)> reload;  ///< POST /api/v1/reload
};

/// `reload_config` re-reads the config file for a reload (so changed paths
/// and thresholds take effect); it returns an error message or "".
/// `search_dir` is "" when search is off (then `q=` on alerts is refused).
DetectionEndpoints make_detection_endpoints(detect::DetectionStage& stage, std::string search_dir,
                                            std::function<detect::LoadReport()> reload);

}  // namespace opensoc::daemon
