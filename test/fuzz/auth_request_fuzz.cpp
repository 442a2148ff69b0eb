// Fuzzes the auth gate with hostile credentials: the input's lines become the
// method, path, Cookie, Authorization, X-CSRF-Token and client-certificate
// subject of a request (the rest is its body), which goes to authorize() and,
// for reads, to serve(). Nothing may crash, and every answer must be either a
// principal or a 401/403/429-class refusal. The users file holds a viewer
// with a known token (seeds use it), so authenticated paths are reached too.
// Sign-in is skipped: one scrypt run per input would stall the fuzzer.
// Seeds: test/fuzz/seeds/auth_request/.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "auth/auth_service.hpp"

namespace {

// Token "ost_0123456789ab_" + 43 × 'A', stored by its SHA-256.
constexpr const char* kUsersFile =
    R"({"version":1,"users":[{"name":"vera","role":"viewer","password":"","scope":["10.0.0.0/8"],)"
    R"("cert_subjects":["CN=vera,O=Example"],"disabled":false,"created":"2026-01-01T00:00:00Z",)"
    R"("password_changed":"2026-01-01T00:00:00Z","tokens":[{"id":"0123456789ab","label":"fuzz",)"
    R"("sha256":"5d37626719fb7a60b212e164c071e04c65e47ce0a33017d6f3e2a4150e4b563f",)"
    R"("created":"2026-01-01T00:00:00Z","expires":null,"revoked":false}]}]})";

struct Gate {
  std::string dir;
  std::unique_ptr<opensoc::auth::AuthService> service;
  Gate() {
    const char* tmp = std::getenv("TMPDIR");
    dir = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/auth_request_fuzz.XXXXXX";
    if (::mkdtemp(dir.data()) == nullptr) __builtin_trap();
    const std::string path = dir + "/users.json";
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (f == nullptr) __builtin_trap();
    std::fputs(kUsersFile, f);
    std::fclose(f);
    auto opened = opensoc::auth::AuthService::open(opensoc::auth::AuthConfig{}, path, [](const opensoc::AuditEntry& e) {
      if (e.action.empty()) __builtin_trap();
    });
    if (!opened.has_value()) __builtin_trap();
    service = std::move(*opened);
  }
  ~Gate() {
    std::remove((dir + "/users.json").c_str());
    ::rmdir(dir.c_str());
  }
};

std::string next_line(std::string_view& rest) {
  const auto nl = rest.find('\n');
  std::string line(rest.substr(0, nl));
  rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
  return line;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace opensoc;
  static Gate gate;
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  api::Request r;
  r.method = next_line(rest);
  r.path = next_line(rest);
  r.target = r.path;
  r.remote_address = "192.0.2.1";
  const std::string cookie = next_line(rest);
  const std::string authorization = next_line(rest);
  const std::string csrf = next_line(rest);
  const std::string subject = next_line(rest);
  if (!cookie.empty()) r.headers.emplace_back("cookie", cookie);
  if (!authorization.empty()) r.headers.emplace_back("authorization", authorization);
  if (!csrf.empty()) r.headers.emplace_back("x-csrf-token", csrf);
  if (!subject.empty()) {
    r.tls = true;
    r.client_cert_subject = subject;
  }
  r.body = std::string(rest);
  const TimestampNs now = 1'800'000'000 * kNsPerSecond;

  if (auth::AuthService::serves(r.path)) {
    if (r.path == "/api/v1/auth/login" || (r.method != "GET" && r.method != "HEAD")) return 0;
    const api::Response resp = gate.service->serve(r, now);
    if (resp.status < 200 || resp.status > 599) __builtin_trap();
    return 0;
  }
  const auto decision = gate.service->authorize(r, now);
  if (decision.principal.has_value() == decision.refusal.has_value()) __builtin_trap();
  if (decision.refusal && decision.refusal->status != 401 && decision.refusal->status != 403) __builtin_trap();
  return 0;
}
