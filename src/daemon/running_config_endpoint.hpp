#pragma once
// GET /api/v1/config (admin): the configuration the daemon started with, as
// JSON with its secrets hidden (config::redacted_config_json). The answer is
// made once, from the file text kept at load time: the file may have been
// edited since, and what runs is what was read.
//
// Threading: make_running_config_endpoint() on the main thread at start-up;
// the returned handler is const and safe on any HTTP thread.
#include <functional>

#include "api/http_types.hpp"
#include "config/app_config.hpp"

namespace opensoc::daemon {

/// {"path": source_path, "loaded": RFC 3339 (when the file was read; now if
/// it was not read from a file), "config": {…}} ({} for built-in defaults).
/// When the text cannot be rendered (it loaded, so only on a resource
/// limit) the handler answers 500 with the reason.
std::function<api::Response(const api::Request&)> make_running_config_endpoint(const config::AppConfig& config);

}  // namespace opensoc::daemon
