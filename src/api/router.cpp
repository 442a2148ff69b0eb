// REST routes of opensocd. Each route is a small function; the table below is
// the whole API surface of this stage:
//   GET /api/v1/health   liveness, no secrets, always cheap
//   GET /api/v1/stats    every counter as JSON
//   GET /metrics         the same counters in Prometheus text format
//   GET|POST /api/v1/pcap  a PCAP slice, streamed by the packet store's handler
//   GET /api/v1/sessions, /api/v1/events  search (the daemon's search handler)
//   GET /api/v1/alerts, GET|PATCH /api/v1/alerts/{id}  alerts and their triage
//   GET|POST /api/v1/intel, GET /api/v1/rules, POST /api/v1/reload  detection tables
//   GET /api/v1/logs, POST /api/v1/ingest  received telemetry (logs, flows)
//   GET /api/v1/fields, /api/v1/pcap/estimate, /api/v1/stats/history,
//       /api/v1/config  what the console needs beside the above
//   GET / and /console/…   the web console
#include "api/router.hpp"

#include <exception>

#include "api/stats_render.hpp"

namespace opensoc::api {

Router::Router(ApiServices services) : services_(std::move(services)) {}

Response Router::handle(const Request& request) const noexcept {
  try {
    return dispatch(request);
  } catch (const std::exception& e) {
    return error_response(500, std::string("internal error: ") + e.what());
  } catch (...) {
    return error_response(500, "internal error");
  }
}

namespace {
bool method_allowed(const Request& r) { return r.method == "GET" || r.method == "HEAD"; }

Response method_not_allowed(const char* allow) {
  Response r = error_response(405, std::string("method not allowed; use ") + allow);
  r.headers.emplace_back("Allow", allow);
  return r;
}
}  // namespace

Response Router::dispatch(const Request& request) const {
  const std::string& p = request.path;
  if (p == "/api/v1/health") {
    if (!method_allowed(request)) return method_not_allowed("GET, HEAD");
    Response r;
    r.body = "{\"status\":\"ok\"}\n";
    return r;
  }
  if (p == "/api/v1/stats") {
    if (!method_allowed(request)) return method_not_allowed("GET, HEAD");
    if (!request.query.empty()) return error_response(400, "unknown query parameter '" + request.query.begin()->first + "'");
    Response r;
    r.body = render_stats_json(services_.stats());
    return r;
  }
  if (p == "/metrics") {
    if (!method_allowed(request)) return method_not_allowed("GET, HEAD");
    Response r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = render_prometheus(services_.stats());
    return r;
  }
  if (p == "/api/v1/pcap") {
    // No HEAD: answering it would cost the same index query as GET.
    if (request.method != "GET" && request.method != "POST") return method_not_allowed("GET, POST");
    if (!services_.pcap) return error_response(503, "packet store disabled");
    return services_.pcap(request);
  }
  if (p == "/api/v1/sessions" || p == "/api/v1/events") {
    if (request.method != "GET") return method_not_allowed("GET");
    const auto& service = p == "/api/v1/sessions" ? services_.sessions : services_.events;
    if (!service) return error_response(503, "search disabled (sessions.enabled, search.enabled and store.enabled)");
    return service(request);
  }
  if (p == "/api/v1/alerts" || p.rfind("/api/v1/alerts/", 0) == 0) {
    if (p == "/api/v1/alerts" && request.method != "GET") return method_not_allowed("GET");
    if (p != "/api/v1/alerts" && request.method != "GET" && request.method != "PATCH") {
      return method_not_allowed("GET, PATCH");
    }
    if (!services_.alerts) return error_response(503, "detection disabled (detectors.enabled, sessions.enabled, store.enabled)");
    return services_.alerts(request);
  }
  if (p == "/api/v1/intel") {
    if (request.method != "GET" && request.method != "POST") return method_not_allowed("GET, POST");
    if (!services_.intel) return error_response(503, "detection disabled");
    return services_.intel(request);
  }
  if (p == "/api/v1/rules") {
    if (request.method != "GET") return method_not_allowed("GET");
    if (!services_.rules) return error_response(503, "detection disabled");
    return services_.rules(request);
  }
  if (p == "/api/v1/reload") {
    if (request.method != "POST") return method_not_allowed("POST");
    if (!services_.reload) return error_response(503, "detection disabled");
    return services_.reload(request);
  }
  if (p == "/api/v1/logs") {
    if (request.method != "GET") return method_not_allowed("GET");
    if (!services_.logs) return error_response(503, "log search disabled (receivers, search.enabled)");
    return services_.logs(request);
  }
  if (p == "/api/v1/ingest") {
    if (request.method != "POST") return method_not_allowed("POST");
    if (!services_.ingest) return error_response(503, "API ingest disabled (receivers.api_ingest)");
    return services_.ingest(request);
  }
  if (p == "/api/v1/fields" || p == "/api/v1/pcap/estimate" || p == "/api/v1/stats/history" ||
      p == "/api/v1/config") {
    if (!method_allowed(request)) return method_not_allowed("GET, HEAD");
    const auto& service = p == "/api/v1/fields"          ? services_.fields
                          : p == "/api/v1/pcap/estimate" ? services_.pcap_estimate
                          : p == "/api/v1/stats/history" ? services_.stats_history
                                                         : services_.running_config;
    if (!service) return error_response(503, "not available in this configuration: " + p);
    return service(request);
  }
  if (p == "/" || p == "/console" || p.rfind("/console/", 0) == 0) {
    if (!method_allowed(request)) return method_not_allowed("GET, HEAD");
    if (!services_.console) return error_response(404, "the web console is disabled (console.enabled)");
    return services_.console(request);
  }
  return error_response(404, "no such endpoint: " + p);
}

}  // namespace opensoc::api
