#pragma once
/// AppConfig: the whole validated configuration, one typed struct per module.
/// Built only by load_config(); no other module sees YAML.
#include <string>

#include "audit/audit_config.hpp"
#include "auth/auth_config.hpp"
#include "capture/capture_config.hpp"
#include "config/console_config.hpp"
#include "detect/detection_config.hpp"
#include "flow/flow_config.hpp"
#include "http/http_config.hpp"
#include "ingest/receivers_config.hpp"
#include "opensoc/core/time.hpp"
#include "pipeline/pipeline_config.hpp"
#include "service/privilege_config.hpp"
#include "session/sessions_config.hpp"
#include "store/store_config.hpp"
#include "telemetry/log_level.hpp"

namespace opensoc::config {

using LogLevel = telemetry::LogLevel;

struct AppConfig {
  std::string source_path;                 ///< file it was read from (for messages)
  /// The file's text as read at start (GET /api/v1/config shows it, secrets
  /// hidden, even after the file has changed); "" for built-in defaults.
  std::string source_text;
  TimestampNs loaded_ns = 0;               ///< wall time load_config() read the file; 0 if not from a file
  std::string data_dir = "/var/lib/opensoc";
  bool data_dir_is_temporary = false;      ///< a scratch directory the command removes when done
  LogLevel log_level = LogLevel::info;
  capture::CaptureConfig capture;
  flow::FlowConfig flow;
  pipeline::PipelineConfig pipeline;
  http::HttpConfig http;
  store::StoreConfig store;
  session::SessionsConfig sessions;
  session::SearchConfig search;
  session::ExportConfig exports;
  detect::DetectionConfig detection;
  ingest::ReceiversConfig receivers;
  auth::AuthConfig auth;
  audit::AuditConfig audit;
  service::PrivilegeConfig privileges;
  ConsoleConfig console;
};

}  // namespace opensoc::config
