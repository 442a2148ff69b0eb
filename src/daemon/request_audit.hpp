#pragma once
/// RequestAuditor: which API requests the audit log records, and with what
/// (issue 7 §3). Sign-ins, token use and refusals are the auth gate's to
/// record; this covers what an authenticated user did:
///   search  (sessions, events, logs, alerts with q=): the query and status;
///   pcap    the slice's parameters and, when the stream ends, bytes and
///           packets sent (outcome "aborted" when the client went away);
///   alert.update, intel.upload, reload, ingest: target, status.
/// Runs on the HTTP thread.
#include "api/http_types.hpp"
#include "audit/audit_log.hpp"
#include "opensoc/core/time.hpp"

namespace opensoc::daemon {

class RequestAuditor {
 public:
  explicit RequestAuditor(audit::AuditLog* log) : log_(log) {}
  /// Records `request` and its `response` when the route is audited; a PCAP
  /// stream is wrapped so its entry is written when it ends.
  [[nodiscard]] api::Response after(const api::Request& request, api::Response response, TimestampNs now) const;

 private:
  audit::AuditLog* log_;
};

/// The entry's who/where/when from a request.
[[nodiscard]] AuditEntry audit_entry_for(const api::Request& request, std::string action, TimestampNs now);

}  // namespace opensoc::daemon
