// /api/v1/config (see running_config_endpoint.hpp).
#include "daemon/running_config_endpoint.hpp"

#include <memory>
#include <string>

#include "config/config_redaction.hpp"
#include "opensoc/core/json_writer.hpp"

namespace opensoc::daemon {

std::function<api::Response(const api::Request&)> make_running_config_endpoint(const config::AppConfig& config) {
  api::Response answer;
  std::string rendered = "{}";
  if (!config.source_text.empty()) {
    auto json = config::redacted_config_json(config.source_text);
    if (!json) {
      answer = api::error_response(500, "cannot show the configuration: " + json.error().message);
      return [answer](const api::Request&) { return answer; };
    }
    rendered = std::move(*json);
  }
  JsonWriter w(answer.body);
  w.begin_object();
  w.field("path", config.source_path);
  w.field("loaded", format_rfc3339_ns(config.loaded_ns != 0 ? config.loaded_ns : wall_clock_ns()));
  w.key("config").raw(rendered);
  w.end_object();
  // Shared, so copying the handler (std::function) does not copy the body.
  auto shared = std::make_shared<const api::Response>(std::move(answer));
  return [shared](const api::Request&) { return *shared; };
}

}  // namespace opensoc::daemon
