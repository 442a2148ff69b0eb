// Audit entries for what authenticated users do (see request_audit.hpp).
#include "daemon/request_audit.hpp"

#include <memory>

namespace opensoc::daemon {

namespace {

constexpr std::size_t kMaxDetailBytes = 2048;  // an audit line is evidence, not a copy of the request

std::string clipped(std::string_view s) {
  if (s.size() <= kMaxDetailBytes) return std::string(s);
  return std::string(s.substr(0, kMaxDetailBytes)) + "…";
}

std::string outcome_of(int status) { return status < 400 ? "ok" : (status == 401 || status == 403) ? "denied" : "error"; }

std::string query_text(const api::Request& r) {
  std::string out;
  for (const auto& [k, v] : r.query) {
    if (!out.empty()) out += '&';
    out += k + "=" + v;
  }
  return out;
}

// Counts what a PCAP slice really sent and writes the audit line when the
// stream is done with (ended, failed or abandoned by the client).
class AuditedStream final : public api::BodyStream {
 public:
  AuditedStream(std::shared_ptr<api::BodyStream> inner, audit::AuditLog* log, AuditEntry entry)
      : inner_(std::move(inner)), log_(log), entry_(std::move(entry)) {}
  ~AuditedStream() override {
    entry_.outcome = ended_ ? "ok" : "aborted";
    entry_.details.push_back({"bytes", std::to_string(bytes_), true});
    if (!packets_.empty()) entry_.details.push_back({"packets", packets_, true});
    log_->record(entry_);
  }
  bool next(std::string& out) override {
    const std::size_t before = out.size();
    const bool more = inner_->next(out);
    bytes_ += out.size() - before;
    if (!more) ended_ = true;
    return more;
  }
  std::vector<std::pair<std::string, std::string>> trailers() override {
    auto t = inner_->trailers();
    for (const auto& [k, v] : t) {
      if (k == "X-Opensoc-Packets") packets_ = v;
    }
    return t;
  }

 private:
  std::shared_ptr<api::BodyStream> inner_;
  audit::AuditLog* log_;
  AuditEntry entry_;
  std::uint64_t bytes_ = 0;
  std::string packets_;
  bool ended_ = false;
};

}  // namespace

AuditEntry audit_entry_for(const api::Request& request, std::string action, TimestampNs now) {
  AuditEntry e;
  e.time = now;
  if (request.principal) e.user = request.principal->user;
  e.source = request.remote_address;
  e.action = std::move(action);
  e.target = request.path;
  if (request.principal && !request.principal->token_id.empty()) {
    e.details.push_back({"token", request.principal->token_id, false});
  }
  return e;
}

api::Response RequestAuditor::after(const api::Request& r, api::Response resp, TimestampNs now) const {
  if (log_ == nullptr) return resp;
  const std::string& p = r.path;
  std::string action;
  if (p == "/api/v1/sessions" || p == "/api/v1/events" || p == "/api/v1/logs" ||
      (p == "/api/v1/alerts" && r.query.count("q") != 0)) {
    action = "search";
  } else if (p == "/api/v1/pcap") {
    action = "pcap";
  } else if (p.rfind("/api/v1/alerts/", 0) == 0 && r.method == "PATCH") {
    action = "alert.update";
  } else if (p == "/api/v1/intel" && r.method == "POST") {
    action = "intel.upload";
  } else if (p == "/api/v1/reload") {
    action = "reload";
  } else if (p == "/api/v1/ingest") {
    action = "ingest";
  } else {
    return resp;
  }
  AuditEntry e = audit_entry_for(r, action, now);
  e.details.push_back({"status", std::to_string(resp.status), true});
  if (action == "search") {
    e.details.push_back({"query", clipped(query_text(r)), false});
  } else if (action == "pcap") {
    std::string q = query_text(r);
    if (r.method == "POST") q += (q.empty() ? "" : "&") + std::string("body=") + r.body;
    e.details.push_back({"query", clipped(q), false});
    if (resp.stream && resp.status < 400) {
      resp.stream = std::make_shared<AuditedStream>(std::move(resp.stream), log_, std::move(e));
      return resp;
    }
  } else if (action == "alert.update") {
    e.target = p.substr(std::string_view("/api/v1/alerts/").size());
    e.details.push_back({"change", clipped(r.body), false});
  } else if (action == "intel.upload" || action == "ingest") {
    e.details.push_back({"bytes", std::to_string(r.body.size()), true});
  }
  e.outcome = outcome_of(resp.status);
  log_->record(e);
  return resp;
}

}  // namespace opensoc::daemon
