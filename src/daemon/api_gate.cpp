// The auth gate in front of the REST routes (see api_gate.hpp).
#include "daemon/api_gate.hpp"

#include <exception>

#include "daemon/data_scope.hpp"

namespace opensoc::daemon {

api::Response ApiGate::handle(const api::Request& request) noexcept {
  try {
    return dispatch(request);
  } catch (const std::exception& e) {
    return api::error_response(500, std::string("internal error: ") + e.what());
  } catch (...) {
    return api::error_response(500, "internal error");
  }
}

api::Response ApiGate::dispatch(const api::Request& in) {
  const TimestampNs now = wall_clock_ns();
  if (auth::AuthService::serves(in.path)) return auth_.serve(in, now);
  auto decision = auth_.authorize(in, now);
  if (decision.refusal) return std::move(*decision.refusal);

  api::Request r = in;
  r.principal = std::move(decision.principal);
  const std::string& p = r.path;
  if (p == "/api/v1/sessions" || p == "/api/v1/events" || p == "/api/v1/logs") {
    scope_search_request(r);
  } else if (p == "/api/v1/pcap" || p == "/api/v1/pcap/estimate") {
    scope_pcap_request(r);
  }
  if (p == "/api/v1/audit") {
    if (r.method != "GET") {
      api::Response resp = api::error_response(405, "method not allowed; use GET");
      resp.headers.emplace_back("Allow", "GET");
      return resp;
    }
    if (audit_ == nullptr) return api::error_response(503, "audit log disabled (audit.enabled)");
    return audit_->serve(r);
  }
  return auditor_.after(r, router_.handle(r), now);
}

}  // namespace opensoc::daemon
