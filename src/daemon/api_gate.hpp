#pragma once
/// ApiGate: the one function the HTTP server calls. It puts every request
/// through the same steps, in this order:
///   1. the auth routes (/api/v1/auth/*, /users, /tokens) go to AuthService;
///   2. everything else is authorized (401/403/429 end it here);
///   3. a scoped user's forced filter is applied (data_scope.hpp);
///   4. /api/v1/audit (admin) is answered from the audit log, the rest by the
///      Router;
///   5. the RequestAuditor records what was done.
/// Runs on the HTTP thread.
#include "api/router.hpp"
#include "audit/audit_log.hpp"
#include "auth/auth_service.hpp"
#include "daemon/request_audit.hpp"

namespace opensoc::daemon {

class ApiGate {
 public:
  /// `audit` may be null (audit disabled): /api/v1/audit answers 503.
  ApiGate(auth::AuthService& auth, const api::Router& router, audit::AuditLog* audit)
      : auth_(auth), router_(router), audit_(audit), auditor_(audit) {}
  [[nodiscard]] api::Response handle(const api::Request& request) noexcept;

 private:
  api::Response dispatch(const api::Request& request);
  auth::AuthService& auth_;
  const api::Router& router_;
  audit::AuditLog* audit_;
  RequestAuditor auditor_;
};

}  // namespace opensoc::daemon
