// The auth gate's per-user data scope and the audit entries of what users
// do: pure rewriting checked as exact strings, audit lines read back from a
// real AuditLog file.
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "audit/audit_log.hpp"
#include "daemon/data_scope.hpp"
#include "daemon/request_audit.hpp"
#include "support/temp_dir.hpp"

using namespace opensoc;
using namespace opensoc::daemon;

namespace {

api::Request scoped_request(std::string path, std::vector<std::string> networks) {
  api::Request r;
  r.method = "GET";
  r.path = std::move(path);
  r.remote_address = "192.0.2.7";
  api::Principal p;
  p.user = "carol";
  p.role = "analyst";
  p.method = "session";
  p.scope_networks = std::move(networks);
  r.principal = p;
  return r;
}

std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

class PiecesStream final : public api::BodyStream {
 public:
  explicit PiecesStream(std::vector<std::string> pieces) : pieces_(std::move(pieces)) {}
  bool next(std::string& out) override {
    if (i_ < pieces_.size()) out += pieces_[i_++];
    return i_ < pieces_.size();
  }
  std::vector<std::pair<std::string, std::string>> trailers() override { return {{"X-Opensoc-Packets", "3"}}; }

 private:
  std::vector<std::string> pieces_;
  std::size_t i_ = 0;
};

}  // namespace

TEST_CASE("scope clauses name every network of the user", "[data_scope]") {
  CHECK(scope_search_clause({}).empty());
  CHECK(scope_search_clause({"10.0.0.0/8", "2001:db8::/32"}) == "(ip:10.0.0.0/8 OR ip:2001:db8::/32)");
  CHECK(scope_pcap_query({"10.1.2.3", "10.0.0.0/8"}) == "host 10.1.2.3 or net 10.0.0.0/8");
  CHECK(scope_pcap_query({}).empty());
}

TEST_CASE("a scoped search is ANDed with the scope, every q of it", "[data_scope]") {
  api::Request r = scoped_request("/api/v1/sessions", {"10.0.0.0/8"});
  scope_search_request(r);
  REQUIRE(r.query.count("q") == 1);
  CHECK(r.query.find("q")->second == "(ip:10.0.0.0/8)");

  api::Request two = scoped_request("/api/v1/sessions", {"10.0.0.0/8"});
  two.query.emplace("q", "dns");
  two.query.emplace("q", "  ");
  scope_search_request(two);
  std::vector<std::string> qs;
  for (auto [it, end] = two.query.equal_range("q"); it != end; ++it) qs.push_back(it->second);
  CHECK(qs == std::vector<std::string>{"(dns) AND (ip:10.0.0.0/8)", "(ip:10.0.0.0/8)"});

  api::Request open = scoped_request("/api/v1/sessions", {});
  open.query.emplace("q", "dns");
  scope_search_request(open);
  CHECK(open.query.find("q")->second == "dns");
  api::Request anonymous;
  scope_search_request(anonymous);
  CHECK(anonymous.query.empty());
}

TEST_CASE("a scoped PCAP request gets one more stenographer query", "[data_scope]") {
  api::Request r = scoped_request("/api/v1/pcap", {"10.1.2.3/32", "2001:db8::/32"});
  r.query.emplace("query", "port 53");
  scope_pcap_request(r);
  std::vector<std::string> qs;
  for (auto [it, end] = r.query.equal_range("query"); it != end; ++it) qs.push_back(it->second);
  CHECK(qs == std::vector<std::string>{"port 53", "net 10.1.2.3/32 or net 2001:db8::/32"});
}

TEST_CASE("an address scope admits a record when either address is inside", "[data_scope]") {
  const auto a = *IpAddress::parse("10.1.2.3");
  const auto b = *IpAddress::parse("192.0.2.1");
  const auto c = *IpAddress::parse("198.51.100.1");
  const AddressScope scope = AddressScope::from(scoped_request("/api/v1/alerts/1", {"10.0.0.0/8"}));
  CHECK(scope.scoped());
  CHECK(scope.admits(a, b));
  CHECK(scope.admits(b, a));
  CHECK_FALSE(scope.admits(b, c));
  CHECK_FALSE(scope.admits(IpAddress{}, c));
  const AddressScope all = AddressScope::from(scoped_request("/api/v1/alerts/1", {}));
  CHECK_FALSE(all.scoped());
  CHECK(all.admits(b, c));
}

TEST_CASE("searches, alert changes and refused routes are audited as they happened", "[request_audit]") {
  test::TempDir tmp;
  auto log = audit::AuditLog::open(tmp.file("audit.log"));
  REQUIRE(log);
  RequestAuditor auditor(log->get());

  api::Request search = scoped_request("/api/v1/sessions", {});
  search.query.emplace("q", "dns.question.name:*.example.com");
  api::Response ok;
  ok.body = "{}";
  (void)auditor.after(search, ok, 1'800'000'000'000'000'000);

  api::Request patch = scoped_request("/api/v1/alerts/42", {});
  patch.method = "PATCH";
  patch.body = R"({"status":"closed","note":"benign"})";
  (void)auditor.after(patch, api::error_response(404, "no such alert"), 1'800'000'001'000'000'000);

  api::Request stats = scoped_request("/api/v1/stats", {});
  (void)auditor.after(stats, ok, 1'800'000'002'000'000'000);  // not an audited action

  const auto lines = lines_of(tmp.file("audit.log"));
  REQUIRE(lines.size() == 2);
  CHECK(lines[0] ==
        R"({"@timestamp":"2027-01-15T08:00:00.000000000Z","user":"carol","source":"192.0.2.7","action":"search",)"
        R"("outcome":"ok","target":"/api/v1/sessions","status":200,"query":"q=dns.question.name:*.example.com"})");
  CHECK(lines[1] ==
        R"({"@timestamp":"2027-01-15T08:00:01.000000000Z","user":"carol","source":"192.0.2.7","action":"alert.update",)"
        R"("outcome":"error","target":"42","status":404,"change":"{\"status\":\"closed\",\"note\":\"benign\"}"})");
}

TEST_CASE("a PCAP download is audited when its stream ends, with the bytes really sent", "[request_audit]") {
  test::TempDir tmp;
  auto log = audit::AuditLog::open(tmp.file("audit.log"));
  REQUIRE(log);
  RequestAuditor auditor(log->get());
  api::Request r = scoped_request("/api/v1/pcap", {});
  r.query.emplace("host", "10.1.2.3");
  {
    api::Response resp;
    resp.stream = std::make_shared<PiecesStream>(std::vector<std::string>{"abcd", "efghij", "k"});
    api::Response audited = auditor.after(r, std::move(resp), 1'800'000'000'000'000'000);
    CHECK(lines_of(tmp.file("audit.log")).empty());  // nothing until the stream is done
    std::string body;
    while (audited.stream->next(body)) {
    }
    (void)audited.stream->trailers();
    CHECK(body == "abcdefghijk");
  }
  {
    api::Response resp;
    resp.stream = std::make_shared<PiecesStream>(std::vector<std::string>{"abcd", "efghij", "k"});
    api::Response audited = auditor.after(r, std::move(resp), 1'800'000'001'000'000'000);
    std::string body;
    (void)audited.stream->next(body);  // the client goes away after one piece
  }
  const auto lines = lines_of(tmp.file("audit.log"));
  REQUIRE(lines.size() == 2);
  CHECK(lines[0] ==
        R"({"@timestamp":"2027-01-15T08:00:00.000000000Z","user":"carol","source":"192.0.2.7","action":"pcap",)"
        R"("outcome":"ok","target":"/api/v1/pcap","status":200,"query":"host=10.1.2.3","bytes":11,"packets":3})");
  CHECK(lines[1] ==
        R"({"@timestamp":"2027-01-15T08:00:01.000000000Z","user":"carol","source":"192.0.2.7","action":"pcap",)"
        R"("outcome":"aborted","target":"/api/v1/pcap","status":200,"query":"host=10.1.2.3","bytes":4})");
}
