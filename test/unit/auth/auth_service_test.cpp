#include "auth/auth_service.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "auth/user_store.hpp"
#include "support/temp_dir.hpp"

using namespace opensoc;
using namespace opensoc::auth;

namespace {

constexpr const char* kViewerPassword = "viewer-secret-pw";
constexpr const char* kAnalystPassword = "analyst-secret-pw";
constexpr const char* kAdminPassword = "admin-secret-pw";

std::string header_of(const api::Response& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "";
}

struct Fixture {
  test::TempDir dir;
  std::string path = dir.file("users.json");
  AuthConfig config;
  std::vector<AuditEntry> audit;
  std::unique_ptr<AuthService> service;
  TimestampNs now = wall_clock_ns();
  std::string viewer_token;
  std::string revoked_token;
  std::vector<std::string> seen;  // every response body and header, for the no-secrets check

  explicit Fixture(AuthConfig c = {}) : config(std::move(c)) {
    auto store = UserStore::load(path);
    REQUIRE(store.has_value());
    REQUIRE(store->add_user("vera", Role::viewer, kViewerPassword, {"10.1.0.0/16"}, {}, now));
    REQUIRE(store->add_user("anna", Role::analyst, kAnalystPassword, {}, {"CN=anna,O=Example"}, now));
    REQUIRE(store->add_user("adam", Role::admin, kAdminPassword, {}, {}, now));
    viewer_token = *store->create_token("vera", "script", now);
    revoked_token = *store->create_token("vera", "old", now);
    REQUIRE(store->revoke_token(revoked_token.substr(4, 12)));
    REQUIRE(store->save());
    open();
  }

  void open() {
    auto s = AuthService::open(config, path, [this](const AuditEntry& e) { audit.push_back(e); });
    REQUIRE(s.has_value());
    service = std::move(*s);
  }

  static api::Request request(std::string method, std::string path, std::string body = "") {
    api::Request r;
    r.method = std::move(method);
    r.path = std::move(path);
    r.target = r.path;
    r.body = std::move(body);
    r.remote_address = "192.0.2.10";
    return r;
  }

  api::Response serve(const api::Request& r) {
    auto resp = service->serve(r, now);
    remember(resp);
    return resp;
  }
  AuthService::Decision authorize(const api::Request& r) {
    auto d = service->authorize(r, now);
    if (d.refusal) remember(*d.refusal);
    return d;
  }
  void remember(const api::Response& r) {
    seen.push_back(r.body);
    for (const auto& [k, v] : r.headers) seen.push_back(k + ": " + v);
  }

  struct Login {
    std::string cookie;  // "opensoc_session=<id>"
    std::string csrf;
  };
  Login login(const std::string& user, const std::string& password, const std::string& from = "192.0.2.10") {
    auto r = request("POST", "/api/v1/auth/login", "{\"user\":\"" + user + "\",\"password\":\"" + password + "\"}");
    r.remote_address = from;
    const auto resp = serve(r);
    REQUIRE(resp.status == 200);
    const std::string set_cookie = header_of(resp, "Set-Cookie");
    const auto semi = set_cookie.find(';');
    const auto csrf_at = resp.body.find("\"csrf_token\":\"") + 14;
    return {set_cookie.substr(0, semi), resp.body.substr(csrf_at, 43)};
  }

  api::Request with_cookie(api::Request r, const Login& l, std::string csrf = "") {
    r.headers.emplace_back("cookie", "theme=dark; " + l.cookie);
    if (!csrf.empty()) r.headers.emplace_back("x-csrf-token", std::move(csrf));
    return r;
  }
  static api::Request with_bearer(api::Request r, const std::string& token) {
    r.headers.emplace_back("authorization", "Bearer " + token);
    return r;
  }
};

bool has_action(const std::vector<AuditEntry>& audit, const std::string& action, const std::string& outcome,
                const std::string& user) {
  for (const auto& e : audit) {
    if (e.action == action && e.outcome == outcome && e.user == user) return true;
  }
  return false;
}

std::string detail(const AuditEntry& e, const std::string& name) {
  for (const auto& d : e.details) {
    if (d.name == name) return d.value;
  }
  return "";
}

}  // namespace

TEST_CASE("AuthService refuses a request without credentials with 401 and a Bearer challenge", "[auth][service]") {
  Fixture f;
  const auto d = f.authorize(Fixture::request("GET", "/api/v1/stats"));
  CHECK_FALSE(d.principal.has_value());
  REQUIRE(d.refusal.has_value());
  CHECK(d.refusal->status == 401);
  CHECK(header_of(*d.refusal, "WWW-Authenticate") == "Bearer realm=\"opensoc\"");
  CHECK(d.refusal->body.find("authentication required") != std::string::npos);
  REQUIRE(f.audit.size() == 1);
  CHECK(f.audit[0].action == "access");
  CHECK(f.audit[0].outcome == "denied");
  CHECK(f.audit[0].target == "/api/v1/stats");
  CHECK(f.audit[0].source == "192.0.2.10");
  CHECK(detail(f.audit[0], "status") == "401");
  CHECK(f.service->counters().denied_401 == 1);
}

TEST_CASE("AuthService lets public routes through without credentials", "[auth][service]") {
  Fixture f;
  const auto d = f.authorize(Fixture::request("GET", "/api/v1/health"));
  REQUIRE(d.principal.has_value());
  CHECK(d.principal->method == "anonymous");
  CHECK(d.principal->user.empty());
  CHECK_FALSE(f.authorize(Fixture::request("GET", "/metrics")).principal.has_value());
  AuthConfig open_metrics;
  open_metrics.metrics_public = true;
  Fixture g(open_metrics);
  CHECK(g.authorize(Fixture::request("GET", "/metrics")).principal.has_value());
}

TEST_CASE("AuthService authenticates API tokens and audits their use", "[auth][service]") {
  Fixture f;
  SECTION("a live token") {
    const auto d = f.authorize(Fixture::with_bearer(Fixture::request("GET", "/api/v1/sessions"), f.viewer_token));
    REQUIRE(d.principal.has_value());
    CHECK(d.principal->user == "vera");
    CHECK(d.principal->role == "viewer");
    CHECK(d.principal->method == "token");
    CHECK(d.principal->token_id == f.viewer_token.substr(4, 12));
    CHECK(d.principal->scope_networks == std::vector<std::string>{"10.1.0.0/16"});
    REQUIRE(f.audit.size() == 1);
    CHECK(f.audit[0].action == "token.use");
    CHECK(f.audit[0].user == "vera");
    CHECK(f.audit[0].target == "/api/v1/sessions");
    CHECK(detail(f.audit[0], "token") == f.viewer_token.substr(4, 12));
  }
  SECTION("a token whose role is too low") {
    const auto d = f.authorize(Fixture::with_bearer(Fixture::request("GET", "/api/v1/pcap"), f.viewer_token));
    REQUIRE(d.refusal.has_value());
    CHECK(d.refusal->status == 403);
    CHECK(d.refusal->body.find("role viewer may not GET /api/v1/pcap (needs analyst)") != std::string::npos);
    CHECK(has_action(f.audit, "access", "denied", "vera"));
    CHECK(f.service->counters().denied_403 == 1);
  }
  SECTION("token-authenticated writes need no CSRF token") {
    auto store = UserStore::load(f.path);
    auto admin_token = *store->create_token("adam", "ops", f.now);
    REQUIRE(store->save());
    f.now += 2 * kNsPerSecond;  // past the reload check interval
    const auto d = f.authorize(Fixture::with_bearer(Fixture::request("POST", "/api/v1/reload"), admin_token));
    REQUIRE(d.principal.has_value());
    CHECK(d.principal->user == "adam");
  }
  SECTION("revoked, forged, malformed and non-Bearer credentials") {
    for (const std::string& auth : {"Bearer " + f.revoked_token, "Bearer " + f.viewer_token.substr(0, 59) + "x",
                                   std::string("Bearer "), std::string("Basic dmVyYTp4"), std::string("Bearer ost_zz")}) {
      auto r = Fixture::request("GET", "/api/v1/stats");
      r.headers.emplace_back("authorization", auth);
      const auto d = f.authorize(r);
      INFO(auth);
      REQUIRE(d.refusal.has_value());
      CHECK(d.refusal->status == 401);
    }
    CHECK_FALSE(has_action(f.audit, "token.use", "ok", "vera"));
  }
}

TEST_CASE("AuthService signs in with a session cookie and enforces CSRF on writes", "[auth][service]") {
  Fixture f;
  auto r = Fixture::request("POST", "/api/v1/auth/login", "{\"user\":\"adam\",\"password\":\"admin-secret-pw\"}");
  const auto resp = f.serve(r);
  REQUIRE(resp.status == 200);
  const std::string cookie = header_of(resp, "Set-Cookie");
  REQUIRE(cookie.rfind("opensoc_session=", 0) == 0);
  const std::string id = cookie.substr(16, 43);
  CHECK(cookie == "opensoc_session=" + id + "; Path=/; Max-Age=28800; Secure; HttpOnly; SameSite=Strict");
  CHECK(resp.body.find("\"user\":\"adam\"") != std::string::npos);
  CHECK(resp.body.find("\"role\":\"admin\"") != std::string::npos);
  CHECK(resp.body.find("\"expires\":\"") != std::string::npos);
  CHECK(has_action(f.audit, "login", "ok", "adam"));
  CHECK(f.service->counters().logins_ok == 1);
  CHECK(f.service->counters().sessions_active == 1);
  const auto csrf_at = resp.body.find("\"csrf_token\":\"") + 14;
  const Fixture::Login l{"opensoc_session=" + id, resp.body.substr(csrf_at, 43)};
  CHECK(l.csrf != id);

  SECTION("reads need no CSRF token") {
    const auto d = f.authorize(f.with_cookie(Fixture::request("GET", "/api/v1/stats"), l));
    REQUIRE(d.principal.has_value());
    CHECK(d.principal->method == "session");
    CHECK(d.principal->user == "adam");
    CHECK(d.principal->role == "admin");
  }
  SECTION("a write without the CSRF token") {
    const auto d = f.authorize(f.with_cookie(Fixture::request("POST", "/api/v1/reload"), l));
    REQUIRE(d.refusal.has_value());
    CHECK(d.refusal->status == 403);
    CHECK(d.refusal->body.find("missing or wrong CSRF token") != std::string::npos);
  }
  SECTION("a write with a wrong CSRF token") {
    std::string wrong = l.csrf;
    wrong[0] = wrong[0] == 'A' ? 'B' : 'A';
    const auto d = f.authorize(f.with_cookie(Fixture::request("DELETE", "/api/v1/alerts/1"), l, wrong));
    REQUIRE(d.refusal.has_value());
    CHECK(d.refusal->status == 403);
    CHECK(f.authorize(f.with_cookie(Fixture::request("PATCH", "/api/v1/alerts/1"), l, l.csrf.substr(1))).refusal->status == 403);
  }
  SECTION("a write with the right CSRF token") {
    const auto d = f.authorize(f.with_cookie(Fixture::request("POST", "/api/v1/reload"), l, l.csrf));
    REQUIRE(d.principal.has_value());
    CHECK(d.principal->user == "adam");
  }
  SECTION("auth/me shows the session's csrf token") {
    const auto me = f.serve(f.with_cookie(Fixture::request("GET", "/api/v1/auth/me"), l));
    REQUIRE(me.status == 200);
    CHECK(me.body.find("\"method\":\"session\"") != std::string::npos);
    CHECK(me.body.find("\"csrf_token\":\"" + l.csrf + "\"") != std::string::npos);
  }
  SECTION("an unknown session id") {
    Fixture::Login bogus{"opensoc_session=AAAA", ""};
    const auto d = f.authorize(f.with_cookie(Fixture::request("GET", "/api/v1/stats"), bogus));
    REQUIRE(d.refusal.has_value());
    CHECK(d.refusal->status == 401);
  }
  SECTION("logout ends the session and clears the cookie") {
    CHECK(f.serve(f.with_cookie(Fixture::request("POST", "/api/v1/auth/logout"), l)).status == 403);
    const auto out = f.serve(f.with_cookie(Fixture::request("POST", "/api/v1/auth/logout"), l, l.csrf));
    CHECK(out.status == 204);
    CHECK(header_of(out, "Set-Cookie") == "opensoc_session=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Strict");
    CHECK(has_action(f.audit, "logout", "ok", "adam"));
    CHECK(f.authorize(f.with_cookie(Fixture::request("GET", "/api/v1/stats"), l)).refusal->status == 401);
    CHECK(f.service->counters().sessions_active == 0);
  }
}

TEST_CASE("AuthService refuses an expired or idle session with 401", "[auth][service]") {
  AuthConfig c;
  c.session_ttl_s = 600;
  c.session_idle_s = 120;
  Fixture f(c);
  const auto l = f.login("vera", kViewerPassword);
  const auto get = [&] { return f.authorize(f.with_cookie(Fixture::request("GET", "/api/v1/stats"), l)); };
  SECTION("idle") {
    f.now += 119 * kNsPerSecond;
    CHECK(get().principal.has_value());
    f.now += 120 * kNsPerSecond;
    const auto d = get();
    REQUIRE(d.refusal.has_value());
    CHECK(d.refusal->status == 401);
    CHECK(d.refusal->body.find("session expired") != std::string::npos);
  }
  SECTION("absolute") {
    for (int i = 0; i < 5; ++i) {
      f.now += 100 * kNsPerSecond;
      REQUIRE(get().principal.has_value());
    }
    f.now += 100 * kNsPerSecond;
    CHECK(get().refusal->status == 401);
  }
}

TEST_CASE("AuthService maps a verified client certificate to its user", "[auth][service]") {
  Fixture f;
  auto r = Fixture::request("POST", "/api/v1/pcap");
  r.tls = true;
  r.client_cert_subject = "CN=anna,O=Example";
  r.client_cert_sha256 = std::string(64, 'c');
  const auto d = f.authorize(r);
  REQUIRE(d.principal.has_value());
  CHECK(d.principal->user == "anna");
  CHECK(d.principal->method == "certificate");
  r.client_cert_subject = "CN=stranger";
  const auto refused = f.authorize(r);
  REQUIRE(refused.refusal.has_value());
  CHECK(refused.refusal->status == 401);
  // Without TLS the fields mean nothing.
  r.tls = false;
  r.client_cert_subject = "CN=anna,O=Example";
  CHECK(f.authorize(r).refusal->status == 401);
}

TEST_CASE("AuthService login failures and bad bodies", "[auth][service]") {
  Fixture f;
  const auto wrong = f.serve(Fixture::request("POST", "/api/v1/auth/login", "{\"user\":\"vera\",\"password\":\"guess-one\"}"));
  CHECK(wrong.status == 401);
  CHECK(header_of(wrong, "WWW-Authenticate") == "Bearer realm=\"opensoc\"");
  CHECK(header_of(wrong, "Set-Cookie").empty());
  CHECK(has_action(f.audit, "login", "failed", "vera"));
  CHECK(f.serve(Fixture::request("POST", "/api/v1/auth/login", "{\"user\":\"nobody\",\"password\":\"guess-one\"}")).status == 401);
  CHECK(f.serve(Fixture::request("POST", "/api/v1/auth/login", "{\"user\":\"vera\"")).status == 400);
  CHECK(f.serve(Fixture::request("POST", "/api/v1/auth/login", "[1]")).status == 400);
  CHECK(f.serve(Fixture::request("POST", "/api/v1/auth/login", "{\"user\":\"vera\",\"password\":1}")).status == 400);
  CHECK(f.serve(Fixture::request("GET", "/api/v1/auth/login")).status == 405);
  CHECK(f.service->counters().logins_failed == 2);

  auto form = Fixture::request("POST", "/api/v1/auth/login", "user=vera&password=viewer-secret-pw");
  form.headers.emplace_back("content-type", "application/x-www-form-urlencoded");
  CHECK(f.serve(form).status == 200);
  form.body = "user=vera&password=%zz";
  CHECK(f.serve(form).status == 400);
}

TEST_CASE("AuthService throttles a source after repeated failures, then recovers", "[auth][service]") {
  AuthConfig c;
  c.login_max_failures = 3;
  c.login_window_s = 60;
  Fixture f(c);
  const auto attempt = [&](const char* password, const char* from) {
    auto r = Fixture::request("POST", "/api/v1/auth/login",
                              std::string("{\"user\":\"vera\",\"password\":\"") + password + "\"}");
    r.remote_address = from;
    return f.serve(r);
  };
  for (int i = 0; i < 3; ++i) CHECK(attempt("wrong-password", "198.51.100.7").status == 401);
  const auto throttled = attempt(kViewerPassword, "198.51.100.7");
  CHECK(throttled.status == 429);
  CHECK(header_of(throttled, "Retry-After") == "60");
  CHECK(has_action(f.audit, "login", "denied", "vera"));
  CHECK(f.service->counters().logins_throttled == 1);
  // Other sources are unaffected, and their success resets nothing.
  CHECK(attempt(kViewerPassword, "198.51.100.8").status == 200);
  f.now += 30 * kNsPerSecond;
  const auto later = attempt(kViewerPassword, "198.51.100.7");
  CHECK(later.status == 429);
  CHECK(header_of(later, "Retry-After") == "30");
  f.now += 30 * kNsPerSecond;
  CHECK(attempt(kViewerPassword, "198.51.100.7").status == 200);
}

TEST_CASE("AuthService users API is admin-only and saves each change", "[auth][service]") {
  Fixture f;
  const auto admin = f.login("adam", kAdminPassword);
  const auto viewer = f.login("vera", kViewerPassword);

  CHECK(f.serve(f.with_cookie(Fixture::request("GET", "/api/v1/users"), viewer)).status == 403);
  CHECK(f.serve(Fixture::request("GET", "/api/v1/users")).status == 401);

  const auto list = f.serve(f.with_cookie(Fixture::request("GET", "/api/v1/users"), admin));
  REQUIRE(list.status == 200);
  CHECK(list.body.find("\"name\":\"vera\"") != std::string::npos);
  CHECK(list.body.find("$scrypt$") == std::string::npos);
  CHECK(list.body.find("sha256\":\"") == std::string::npos);

  const std::string add_body = "{\"name\":\"newbie\",\"role\":\"analyst\",\"password\":\"newbie-secret-pw\",\"scope\":[\"10.9.8.7/24\"]}";
  auto add = f.serve(f.with_cookie(Fixture::request("POST", "/api/v1/users", add_body), admin, admin.csrf));
  REQUIRE(add.status == 201);
  CHECK(add.body.find("\"scope\":[\"10.9.8.0/24\"]") != std::string::npos);
  CHECK(has_action(f.audit, "user.add", "ok", "adam"));
  CHECK(f.serve(f.with_cookie(Fixture::request("POST", "/api/v1/users", add_body), admin, admin.csrf)).status == 409);
  CHECK(f.serve(f.with_cookie(Fixture::request("POST", "/api/v1/users", "{\"name\":\"x\",\"role\":\"admin\",\"password\":\"short\"}"),
                              admin, admin.csrf)).status == 400);
  CHECK(UserStore::load(f.path)->find("newbie") != nullptr);
  f.login("newbie", "newbie-secret-pw");

  auto patch = f.serve(f.with_cookie(Fixture::request("PATCH", "/api/v1/users/vera", "{\"role\":\"analyst\",\"password\":\"vera-new-password\"}"),
                                     admin, admin.csrf));
  REQUIRE(patch.status == 200);
  CHECK(patch.body.find("\"role\":\"analyst\"") != std::string::npos);
  CHECK(UserStore::load(f.path)->find("vera")->role == Role::analyst);
  CHECK(has_action(f.audit, "user.role", "ok", "adam"));
  CHECK(has_action(f.audit, "user.passwd", "ok", "adam"));
  // The password change ended vera's session.
  CHECK(f.authorize(f.with_cookie(Fixture::request("GET", "/api/v1/stats"), viewer)).refusal->status == 401);
  CHECK(f.serve(f.with_cookie(Fixture::request("PATCH", "/api/v1/users/vera", "{\"colour\":\"red\"}"), admin, admin.csrf)).status == 400);
  CHECK(f.serve(f.with_cookie(Fixture::request("PATCH", "/api/v1/users/ghost", "{\"role\":\"admin\"}"), admin, admin.csrf)).status == 404);

  CHECK(f.serve(f.with_cookie(Fixture::request("DELETE", "/api/v1/users/newbie"), admin, admin.csrf)).status == 204);
  CHECK(has_action(f.audit, "user.del", "ok", "adam"));
  CHECK(UserStore::load(f.path)->find("newbie") == nullptr);
  CHECK(f.serve(f.with_cookie(Fixture::request("DELETE", "/api/v1/users/newbie"), admin, admin.csrf)).status == 404);
}

TEST_CASE("AuthService undoes a change the users file could not take", "[auth][service]") {
  Fixture f;
  const auto admin = f.login("adam", kAdminPassword);
  // The users file's directory becomes a plain file: the save cannot even
  // create its temporary file (works as root too, unlike a chmod).
  std::filesystem::remove_all(f.dir.path());
  { std::ofstream(f.dir.path()) << "in the way"; }
  const auto add = f.serve(f.with_cookie(
      Fixture::request("POST", "/api/v1/users", "{\"name\":\"newbie\",\"role\":\"viewer\",\"password\":\"newbie-secret-pw\"}"),
      admin, admin.csrf));
  CHECK(add.status == 500);
  CHECK(add.body.find("could not save the users file") != std::string::npos);
  const auto list = f.serve(f.with_cookie(Fixture::request("GET", "/api/v1/users"), admin));
  CHECK(list.status == 200);
  CHECK(list.body.find("newbie") == std::string::npos);
  CHECK(list.body.find("\"name\":\"vera\"") != std::string::npos);
  CHECK_FALSE(has_action(f.audit, "user.add", "ok", "adam"));
  std::filesystem::remove(f.dir.path());
  std::filesystem::create_directory(f.dir.path());
}

TEST_CASE("AuthService tokens API: own tokens, admin any, shown once", "[auth][service]") {
  Fixture f;
  const auto viewer = f.login("vera", kViewerPassword);
  const auto admin = f.login("adam", kAdminPassword);
  auto created = f.serve(f.with_cookie(Fixture::request("POST", "/api/v1/tokens", "{\"label\":\"cron\",\"expires_days\":30}"),
                                       viewer, viewer.csrf));
  REQUIRE(created.status == 201);
  const auto at = created.body.find("\"token\":\"") + 9;
  const std::string token = created.body.substr(at, 60);
  const std::string id = token.substr(4, 12);
  CHECK(created.body.find("\"id\":\"" + id + "\"") != std::string::npos);
  CHECK(has_action(f.audit, "token.create", "ok", "vera"));
  CHECK(f.authorize(Fixture::with_bearer(Fixture::request("GET", "/api/v1/stats"), token)).principal.has_value());

  const auto mine = f.serve(f.with_cookie(Fixture::request("GET", "/api/v1/tokens"), viewer));
  REQUIRE(mine.status == 200);
  CHECK(mine.body.find(id) != std::string::npos);
  CHECK(mine.body.find(token) == std::string::npos);
  CHECK(mine.body.find("\"user\":\"adam\"") == std::string::npos);

  auto other = Fixture::request("GET", "/api/v1/tokens");
  other.query.emplace("user", "adam");
  CHECK(f.serve(f.with_cookie(other, viewer)).status == 403);
  CHECK(f.serve(f.with_cookie(Fixture::request("POST", "/api/v1/tokens", "{\"user\":\"adam\"}"), viewer, viewer.csrf)).status == 403);
  auto for_anna = f.serve(f.with_cookie(Fixture::request("POST", "/api/v1/tokens", "{\"user\":\"anna\",\"label\":\"x\"}"), admin, admin.csrf));
  CHECK(for_anna.status == 201);
  const std::string anna_id = for_anna.body.substr(for_anna.body.find("\"id\":\"") + 6, 12);
  // A viewer cannot see or revoke anna's token.
  CHECK(f.serve(f.with_cookie(Fixture::request("DELETE", "/api/v1/tokens/" + anna_id), viewer, viewer.csrf)).status == 404);

  CHECK(f.serve(f.with_cookie(Fixture::request("DELETE", "/api/v1/tokens/" + id), viewer, viewer.csrf)).status == 204);
  CHECK(has_action(f.audit, "token.revoke", "ok", "vera"));
  CHECK(f.authorize(Fixture::with_bearer(Fixture::request("GET", "/api/v1/stats"), token)).refusal->status == 401);
  CHECK(f.serve(f.with_cookie(Fixture::request("DELETE", "/api/v1/tokens/" + anna_id), admin, admin.csrf)).status == 204);
  CHECK(f.serve(f.with_cookie(Fixture::request("POST", "/api/v1/tokens", "{\"expires_days\":-1}"), viewer, viewer.csrf)).status == 400);
}

TEST_CASE("AuthService reloads a changed users file and keeps the old users on a bad one", "[auth][service]") {
  Fixture f;
  auto store = UserStore::load(f.path);
  REQUIRE(store->add_user("later", Role::viewer, "later-secret-pw", {}, {}, f.now));
  const std::string later_token = *store->create_token("later", "", f.now);
  REQUIRE(store->save());
  const auto req = Fixture::with_bearer(Fixture::request("GET", "/api/v1/stats"), later_token);
  // Checked at most once a second.
  f.now += 2 * kNsPerSecond;
  REQUIRE(f.authorize(req).principal.has_value());
  CHECK(f.service->counters().users_file_reloads == 1);
  CHECK(f.service->counters().users == 4);

  { std::ofstream(f.path, std::ios::trunc) << "{\"version\":1,\"users\":[{\"name\":"; }
  f.now += 2 * kNsPerSecond;
  CHECK(f.authorize(req).principal.has_value());
  CHECK(f.service->counters().users_file_errors == 1);
  CHECK(f.service->counters().users == 4);
  CHECK_FALSE(f.service->reload_users().has_value());
  CHECK(f.service->counters().users_file_errors == 2);
}

TEST_CASE("AuthService refuses to open a malformed users file", "[auth][service]") {
  test::TempDir dir;
  { std::ofstream(dir.file("users.json")) << "{}"; }
  auto s = AuthService::open(AuthConfig{}, dir.file("users.json"), nullptr);
  REQUIRE_FALSE(s.has_value());
  CHECK(s.error().message.find("version is missing") != std::string::npos);
  auto missing = AuthService::open(AuthConfig{}, dir.file("none.json"), nullptr);
  REQUIRE(missing.has_value());
  CHECK((*missing)->counters().users == 0);
}

TEST_CASE("AuthService with auth disabled lets everyone in as admin", "[auth][service]") {
  AuthConfig c;
  c.enabled = false;
  Fixture f(c);
  const auto d = f.authorize(Fixture::request("POST", "/api/v1/reload"));
  REQUIRE(d.principal.has_value());
  CHECK(d.principal->role == "admin");
  CHECK(d.principal->method == "none");
  CHECK(d.principal->user.empty());
  const auto me = f.serve(Fixture::request("GET", "/api/v1/auth/me"));
  CHECK(me.status == 200);
  CHECK(me.body.find("\"method\":\"none\"") != std::string::npos);
  const auto login = f.serve(Fixture::request("POST", "/api/v1/auth/login", "{\"user\":\"adam\",\"password\":\"admin-secret-pw\"}"));
  CHECK(login.status == 404);
  CHECK(login.body.find("auth disabled") != std::string::npos);
}

TEST_CASE("AuthService never puts a password or token secret in a response or audit entry", "[auth][service]") {
  Fixture f;
  const auto admin = f.login("adam", kAdminPassword);
  f.serve(Fixture::request("POST", "/api/v1/auth/login", std::string("{\"user\":\"vera\",\"password\":\"") + kAnalystPassword + "\"}"));
  f.serve(f.with_cookie(Fixture::request("POST", "/api/v1/users", "{\"name\":\"p\",\"role\":\"viewer\",\"password\":\"p-secret-password\"}"),
                        admin, admin.csrf));
  f.serve(f.with_cookie(Fixture::request("PATCH", "/api/v1/users/p", "{\"password\":\"p-second-password\"}"), admin, admin.csrf));
  f.serve(f.with_cookie(Fixture::request("GET", "/api/v1/users"), admin));
  f.serve(f.with_cookie(Fixture::request("GET", "/api/v1/tokens"), admin));
  f.authorize(Fixture::with_bearer(Fixture::request("GET", "/api/v1/stats"), f.viewer_token));
  f.authorize(Fixture::with_bearer(Fixture::request("GET", "/api/v1/stats"), f.revoked_token));
  REQUIRE_FALSE(f.audit.empty());
  for (const auto& e : f.audit) {
    f.seen.push_back(e.user + " " + e.source + " " + e.action + " " + e.outcome + " " + e.target);
    for (const auto& d : e.details) f.seen.push_back(d.name + "=" + d.value);
  }
  for (const auto& text : f.seen) {
    for (const std::string& secret : {std::string(kAdminPassword), std::string(kViewerPassword), std::string(kAnalystPassword),
                                     std::string("p-secret-password"), std::string("p-second-password"),
                                     f.viewer_token.substr(17), f.revoked_token.substr(17), std::string("$scrypt$")}) {
      INFO(text);
      CHECK(text.find(secret) == std::string::npos);
    }
  }
}
