#include "daemon/detection_endpoints.hpp"

#include <chrono>

#include "alert/alert_api.hpp"
#include "daemon/data_scope.hpp"
#include "daemon/search_endpoint.hpp"

namespace opensoc::daemon {
namespace {

TimestampNs wall_now() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

api::Response json(std::string body, int status = 200) {
  api::Response r;
  r.status = status;
  r.body = std::move(body);
  r.body.push_back('\n');
  return r;
}

}  // namespace

DetectionEndpoints make_detection_endpoints(detect::DetectionStage& stage, std::string search_dir,
                                            std::function<detect::LoadReport()> reload) {
  DetectionEndpoints e;
  e.alerts = [&stage, search_dir](const api::Request& request) -> api::Response {
    static constexpr std::string_view kPrefix = "/api/v1/alerts";
    const AddressScope scope = AddressScope::from(request);
    if (request.path == kPrefix) {
      // A scoped user's list always goes through the alert documents, with
      // the scope ANDed to whatever q= says.
      api::Request r = request;
      if (scope.scoped()) {
        if (search_dir.empty()) return api::error_response(503, "a scoped user's alert list needs search.enabled");
        scope_search_request(r);
      }
      const auto q = r.query.find("q");
      if (q == r.query.end() || q->second.empty()) return alert::serve_alert_list(r, stage.alerts());
      // `q` is the search language over the alert documents (rule.name,
      // source.ip, threat.indicator.*, ...): the index gives the ids, the
      // store the current alerts (status lives only in the store).
      if (search_dir.empty()) return api::error_response(400, "q needs search.enabled", "q");
      SearchParams params;
      params.kind = SearchKind::alerts;
      params.q = q->second;
      auto ids = search_alert_ids(search_dir, params);
      if (const auto* f = std::get_if<SearchFailure>(&ids)) {
        api::Response resp = api::error_response(f->status, f->message, "q");
        return resp;
      }
      return alert::serve_alert_list(r, stage.alerts(), std::get<0>(std::move(ids)));
    }
    const api::Request& r = request;
    const std::string_view id = std::string_view(r.path).substr(kPrefix.size() + 1);
    if (scope.scoped()) {
      // Out of scope looks exactly like absent: 404, no hint it exists.
      std::uint64_t n = 0;
      bool numeric = !id.empty() && id.size() <= 19;
      for (const char c : id) {
        if (c < '0' || c > '9') numeric = false;
        if (numeric) n = n * 10 + static_cast<std::uint64_t>(c - '0');
      }
      const auto a = numeric ? stage.alerts().get(n) : std::nullopt;
      if (a) {
        const alert::AlertSummary sum = alert::summarize(*a);
        if (!scope.admits(sum.src_ip, sum.dst_ip)) return api::error_response(404, "no such alert");
      }
    }
    const std::string actor = r.principal && !r.principal->user.empty() ? r.principal->user : "anonymous";
    if (r.method == "PATCH") return alert::serve_alert_patch(r, stage.alerts(), id, actor, wall_now());
    return alert::serve_alert_get(r, stage.alerts(), id);
  };
  e.intel = [&stage](const api::Request& r) -> api::Response {
    if (r.method == "GET") return json(stage.intel_json());
    auto result = stage.add_indicators(r.body);
    if (result.index() == 1) return api::error_response(400, std::get<1>(result));
    return json(std::get<0>(std::move(result)));
  };
  e.rules = [&stage](const api::Request&) -> api::Response { return json(stage.rules_json()); };
  e.reload = [reload](const api::Request&) -> api::Response {
    const detect::LoadReport rep = reload();
    // A reload that failed is the operator's files' fault, not the server's.
    return json(rep.to_json(), rep.ok ? 200 : 422);
  };
  return e;
}

}  // namespace opensoc::daemon
