// AuthService: the daemon's auth gate (see auth_service.hpp). It decides, for
// each HTTP request, who is asking (API token, session cookie + CSRF token, or
// a verified client certificate) and whether their role reaches the route's
// (route_policy.cpp); it serves sign-in, sign-out, the users API and the
// tokens API, and writes what happened to the audit sink.
//
// Threading: the HTTP server's thread only. Sign-in costs one scrypt run
// (~0.1 s) on that thread by design; the limiter refuses before hashing.
#include "auth/auth_service.hpp"

#include <sys/stat.h>

#include <simdjson.h>

#include <algorithm>
#include <limits>

#include "auth/login_limiter.hpp"
#include "auth/secret_text.hpp"
#include "auth/session_table.hpp"
#include "auth/user_rules.hpp"
#include "auth/user_store.hpp"
#include "auth/users_file_json.hpp"
#include "opensoc/core/json_writer.hpp"

namespace opensoc::auth {
namespace {

constexpr std::size_t kMaxBodyBytes = 64 * 1024;
constexpr std::string_view kRealm = "Bearer realm=\"opensoc\"";
constexpr std::uint32_t kMaxTokenDays = 3650;

struct FileSignature {
  bool exists = false;
  dev_t dev = 0;
  ino_t ino = 0;
  off_t size = 0;
  std::int64_t mtime_ns = 0;
  friend bool operator==(const FileSignature&, const FileSignature&) = default;
};

FileSignature signature_of(const std::string& path) {
  FileSignature sig;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return sig;
  sig.exists = true;
  sig.dev = st.st_dev;
  sig.ino = st.st_ino;
  sig.size = st.st_size;
  sig.mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * kNsPerSecond + st.st_mtim.tv_nsec;
  return sig;
}

bool state_changing(std::string_view method) noexcept {
  return method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE";
}

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The first cookie called `name` across all Cookie header fields, or "".
std::string_view find_cookie(const api::Request& request, std::string_view name) {
  for (const auto& [k, v] : request.headers) {
    if (k != "cookie") continue;
    std::string_view rest = v;
    while (!rest.empty()) {
      const auto semi = rest.find(';');
      const std::string_view pair = trim(rest.substr(0, semi));
      rest = semi == std::string_view::npos ? std::string_view{} : rest.substr(semi + 1);
      const auto eq = pair.find('=');
      if (eq == std::string_view::npos) continue;
      if (trim(pair.substr(0, eq)) == name) {
        std::string_view value = trim(pair.substr(eq + 1));
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
        return value;
      }
    }
  }
  return {};
}

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// application/x-www-form-urlencoded value decoding; nullopt for a bad escape.
std::optional<std::string> form_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out.push_back(' ');
    } else if (s[i] == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      const int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::string time_text(TimestampNs t) { return format_rfc3339_ns(t); }


api::Response json_response(int status, std::string body) {
  api::Response r;
  r.status = status;
  r.body = std::move(body);
  r.body += '\n';
  return r;
}

api::Response no_content() {
  api::Response r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

api::Response method_not_allowed(const char* allow) {
  api::Response r = api::error_response(405, std::string("method not allowed; use ") + allow);
  r.headers.emplace_back("Allow", allow);
  return r;
}

void write_token(JsonWriter& w, const std::string& user, const ApiToken& t) {
  w.begin_object().field("id", t.id).field("user", user).field("label", t.label);
  w.field("created", time_text(t.created));
  write_time_or_null(w, "expires", t.expires);
  w.field("revoked", t.revoked).end_object();
}

void write_user(JsonWriter& w, const UserRecord& u) {
  w.begin_object().field("name", u.name).field("role", role_name(u.role));
  w.key("scope").begin_array();
  for (const auto& s : u.scope_networks) w.value(s);
  w.end_array();
  w.key("cert_subjects").begin_array();
  for (const auto& s : u.cert_subjects) w.value(s);
  w.end_array();
  w.field("disabled", u.disabled).field("password_set", !u.password_hash.empty());
  w.field("created", time_text(u.created)).field("password_changed", time_text(u.password_changed));
  w.key("tokens").begin_array();
  for (const auto& t : u.tokens) write_token(w, u.name, t);
  w.end_array().end_object();
}

// A JSON body as an object, or the 400 to answer.
struct JsonBody {
  simdjson::dom::object object;
  std::optional<api::Response> error;
};

JsonBody parse_object(simdjson::dom::parser& parser, const std::string& body) {
  JsonBody out;
  if (body.size() > kMaxBodyBytes) {
    out.error = api::error_response(400, "body larger than 64 KiB", "body");
    return out;
  }
  simdjson::dom::element root;
  if (parser.parse(body).get(root) != simdjson::SUCCESS) {
    out.error = api::error_response(400, "body is not valid JSON", "body");
    return out;
  }
  if (root.get_object().get(out.object) != simdjson::SUCCESS) {
    out.error = api::error_response(400, "body must be a JSON object", "body");
  }
  return out;
}

std::optional<std::vector<std::string>> string_array(simdjson::dom::element e) {
  simdjson::dom::array arr;
  if (e.get_array().get(arr) != simdjson::SUCCESS) return std::nullopt;
  std::vector<std::string> out;
  for (const auto item : arr) {
    std::string_view s;
    if (item.get_string().get(s) != simdjson::SUCCESS) return std::nullopt;
    out.emplace_back(s);
  }
  return out;
}

}  // namespace

// At namespace scope, not inside Impl: clang cannot default-construct a
// nested class with member initialisers while the outer one is incomplete.
// A named namespace (not an anonymous one): Impl's members take these types.
namespace service_detail {
// Who is asking, before any role check.
struct Identity {
  api::Principal principal;
  const Session* session = nullptr;  ///< valid until the next SessionTable change
  const UserRecord* user = nullptr;  ///< valid until the store changes
  TimestampNs token_expires = 0;
};
struct Authentication {
  std::optional<Identity> identity;
  std::optional<api::Response> refusal;
};
}  // namespace service_detail

struct AuthService::Impl {
  using Identity = service_detail::Identity;
  using Authentication = service_detail::Authentication;

  Impl(const AuthConfig& c, UserStore s, AuditSink a)
      : config(c),
        audit(std::move(a)),
        store(std::move(s)),
        sessions(c.session_ttl_s, c.session_idle_s, c.max_sessions),
        limiter(c.login_max_failures, c.login_window_s) {}

  AuthConfig config;
  AuditSink audit;
  UserStore store;
  SessionTable sessions;
  LoginLimiter limiter;
  AuthCounters counters;
  FileSignature file_signature;
  TimestampNs last_file_check = std::numeric_limits<TimestampNs>::min();
  simdjson::dom::parser parser;

  // Built in place: assigning a whole Identity into the optional makes GCC 12
  // at -O3 warn (falsely) that its string may be used uninitialised.
  static void set_identity(Authentication& out, api::Principal principal, const Session* session,
                           const UserRecord* user, TimestampNs token_expires) {
    Identity& id = out.identity.emplace();
    id.principal = std::move(principal);
    id.session = session;
    id.user = user;
    id.token_expires = token_expires;
  }

  void emit(TimestampNs now, std::string user, const api::Request& request, std::string action, std::string outcome,
            std::string target, std::vector<AuditEntry::Detail> details = {}) {
    if (!audit) return;
    AuditEntry e;
    e.time = now;
    e.user = std::move(user);
    e.source = request.remote_address;
    e.action = std::move(action);
    e.outcome = std::move(outcome);
    e.target = std::move(target);
    e.details = std::move(details);
    audit(e);
  }

  api::Response refuse(int status, const std::string& reason, const std::string& user, const api::Request& request,
                       TimestampNs now) {
    api::Response r = api::error_response(status, reason);
    if (status == 401) {
      r.headers.emplace_back("WWW-Authenticate", std::string(kRealm));
      ++counters.denied_401;
    } else {
      ++counters.denied_403;
    }
    emit(now, user, request, "access", "denied", request.path,
         {{"status", std::to_string(status), true}, {"reason", reason, false}});
    return r;
  }

  Result<void> reload() {
    file_signature = signature_of(store.path());
    auto loaded = UserStore::load(store.path());
    if (!loaded) {
      ++counters.users_file_errors;
      return loaded.error();
    }
    store = std::move(*loaded);
    ++counters.users_file_reloads;
    return ok();
  }

  void maybe_reload(TimestampNs now) {
    if (last_file_check != std::numeric_limits<TimestampNs>::min() && now - last_file_check < kNsPerSecond &&
        now >= last_file_check) {
      return;
    }
    last_file_check = now;
    if (signature_of(store.path()) != file_signature) (void)reload();
  }

  static api::Principal principal_for(const UserRecord& u, std::string method) {
    api::Principal p;
    p.user = u.name;
    p.role = std::string(role_name(u.role));
    p.method = std::move(method);
    p.scope_networks = u.scope_networks;
    return p;
  }

  Authentication authenticate(const api::Request& request, TimestampNs now) {
    Authentication out;
    const std::string_view authorization = trim(request.header("authorization"));
    if (!authorization.empty()) {
      const auto space = authorization.find(' ');
      if (space == std::string_view::npos || !iequals(authorization.substr(0, space), "bearer")) {
        out.refusal = refuse(401, "unsupported authorization scheme; use Bearer <token>", "", request, now);
        return out;
      }
      const auto match = store.find_token(trim(authorization.substr(space + 1)), now);
      if (!match) {
        out.refusal = refuse(401, "invalid, expired or revoked token", "", request, now);
        return out;
      }
      api::Principal principal = principal_for(*match->user, "token");
      principal.token_id = match->token->id;
      emit(now, match->user->name, request, "token.use", "ok", request.path, {{"token", match->token->id, false}});
      set_identity(out, std::move(principal), nullptr, match->user, match->token->expires);
      return out;
    }
    const std::string_view cookie = find_cookie(request, config.cookie_name);
    if (!cookie.empty()) {
      SessionTable::Lookup lookup{};
      const Session* s = sessions.touch(cookie, now, lookup);
      if (s == nullptr) {
        out.refusal = refuse(401, lookup == SessionTable::Lookup::expired ? "session expired; sign in again"
                                                                         : "unknown session; sign in again",
                             "", request, now);
        return out;
      }
      const UserRecord* u = store.find(s->user);
      if (u == nullptr || u->disabled || u->password_hash != s->password_hash) {
        const std::string name = s->user;
        sessions.remove(cookie);
        out.refusal = refuse(401, "session no longer valid; sign in again", name, request, now);
        return out;
      }
      if (state_changing(request.method) && !constant_time_equal(request.header("x-csrf-token"), s->csrf_token)) {
        out.refusal = refuse(403, "missing or wrong CSRF token", u->name, request, now);
        return out;
      }
      set_identity(out, principal_for(*u, "session"), s, u, 0);
      return out;
    }
    if (request.tls && (!request.client_cert_subject.empty() || !request.client_cert_sha256.empty())) {
      const UserRecord* u = store.find_by_certificate(request.client_cert_subject, request.client_cert_sha256);
      if (u == nullptr) {
        out.refusal = refuse(401, "client certificate is not mapped to a user", "", request, now);
        return out;
      }
      set_identity(out, principal_for(*u, "certificate"), nullptr, u, 0);
      return out;
    }
    out.refusal = refuse(401, "authentication required", "", request, now);
    return out;
  }

  // authenticate + the route's role.
  Authentication check(const api::Request& request, TimestampNs now) {
    // One named result on every path: returned in place (no move of the
    // optional, which GCC 12 -O3 misreads as a use of uninitialised fields).
    Authentication out;
    const auto need = required_role(request.method, request.path, config);
    if (!need) {
      api::Principal anonymous;
      anonymous.method = "anonymous";
      set_identity(out, std::move(anonymous), nullptr, nullptr, 0);
      return out;
    }
    out = authenticate(request, now);
    if (!out.identity) return out;
    const UserRecord& u = *out.identity->user;
    if (!role_allows(u.role, *need)) {
      out.refusal = refuse(403,
                           "role " + std::string(role_name(u.role)) + " may not " + request.method + " " +
                               request.path.substr(0, 200) + " (needs " + std::string(role_name(*need)) + ")",
                           u.name, request, now);
      out.identity.reset();
    }
    return out;
  }

  // Saves after a change; on failure puts `before` back and answers 500.
  std::optional<api::Response> save_or_undo(UserStore before) {
    auto saved = store.save();
    if (!saved) {
      store = std::move(before);
      return api::error_response(500, "could not save the users file: " + saved.error().message);
    }
    file_signature = signature_of(store.path());
    counters.users = store.users().size();
    return std::nullopt;
  }

  api::Response login(const api::Request& request, TimestampNs now);
  api::Response me(const Identity& id);
  api::Response users_route(const api::Request& request, const Identity& id, TimestampNs now);
  api::Response tokens_route(const api::Request& request, const Identity& id, TimestampNs now);
};

api::Response AuthService::Impl::login(const api::Request& request, TimestampNs now) {
  std::string user, password;
  const std::string_view content_type = request.header("content-type");
  if (request.body.size() > kMaxBodyBytes) return api::error_response(400, "body larger than 64 KiB", "body");
  // `curl -d '{"user":…}'` labels JSON as a form: a body that opens like a
  // JSON object is read as one whatever its label says.
  const std::size_t first = request.body.find_first_not_of(" \t\r\n");
  const bool looks_like_json = first != std::string::npos && request.body[first] == '{';
  if (content_type.substr(0, 33) == "application/x-www-form-urlencoded" && !looks_like_json) {
    std::string_view rest = request.body;
    bool have_user = false, have_password = false;
    while (!rest.empty()) {
      const auto amp = rest.find('&');
      const std::string_view pair = rest.substr(0, amp);
      rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
      const auto eq = pair.find('=');
      const auto key = form_decode(pair.substr(0, eq));
      const auto value = form_decode(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1));
      if (!key || !value) return api::error_response(400, "body is not valid form encoding", "body");
      if (*key == "user" && !have_user) {
        user = *value;
        have_user = true;
      } else if (*key == "password" && !have_password) {
        password = *value;
        have_password = true;
      }
    }
    if (!have_user || !have_password) return api::error_response(400, "user and password are required", "body");
  } else {
    auto body = parse_object(parser, request.body);
    if (body.error) return *body.error;
    std::string_view u, p;
    if (body.object["user"].get_string().get(u) != simdjson::SUCCESS ||
        body.object["password"].get_string().get(p) != simdjson::SUCCESS) {
      return api::error_response(400, "user and password are required strings", "body");
    }
    user = std::string(u);
    password = std::string(p);
  }
  // Only names that could exist reach the audit log verbatim.
  const std::string audit_user = check_user_name(user) ? user : std::string("(invalid name)");

  if (const auto wait = limiter.retry_after_s(request.remote_address, now); wait > 0) {
    ++counters.logins_throttled;
    emit(now, audit_user, request, "login", "denied", "/api/v1/auth/login",
         {{"status", "429", true}, {"reason", "too many failed sign-ins", false}});
    api::Response r = api::error_response(429, "too many failed sign-ins from this address; retry later");
    r.headers.emplace_back("Retry-After", std::to_string(wait));
    return r;
  }
  const UserRecord* u = store.check_password(user, password);
  if (u == nullptr) {
    limiter.record_failure(request.remote_address, now);
    ++counters.logins_failed;
    emit(now, audit_user, request, "login", "failed", "/api/v1/auth/login");
    api::Response r = api::error_response(401, "wrong user name or password");
    r.headers.emplace_back("WWW-Authenticate", std::string(kRealm));
    return r;
  }
  const Session& s = sessions.create(u->name, u->password_hash, now);
  counters.sessions_active = sessions.size();
  ++counters.logins_ok;
  emit(now, u->name, request, "login", "ok", "/api/v1/auth/login");
  std::string body;
  JsonWriter w(body);
  w.begin_object().field("user", u->name).field("role", role_name(u->role)).field("csrf_token", s.csrf_token);
  w.field("expires", time_text(s.expires)).end_object();
  api::Response r = json_response(200, std::move(body));
  r.headers.emplace_back("Set-Cookie", config.cookie_name + "=" + s.id + "; Path=/; Max-Age=" +
                                           std::to_string(config.session_ttl_s) +
                                           "; Secure; HttpOnly; SameSite=Strict");
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

api::Response AuthService::Impl::me(const Identity& id) {
  std::string body;
  JsonWriter w(body);
  w.begin_object().field("user", id.principal.user).field("role", id.principal.role).field("method", id.principal.method);
  w.key("scope").begin_array();
  for (const auto& s : id.principal.scope_networks) w.value(s);
  w.end_array();
  if (!id.principal.token_id.empty()) w.field("token_id", id.principal.token_id);
  if (id.session != nullptr) {
    w.field("csrf_token", id.session->csrf_token);
    write_time_or_null(w, "expires", id.session->expires);
  } else {
    write_time_or_null(w, "expires", id.token_expires);
  }
  w.end_object();
  api::Response r = json_response(200, std::move(body));
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

api::Response AuthService::Impl::users_route(const api::Request& request, const Identity& id, TimestampNs now) {
  const std::string& actor = id.principal.user;
  const std::string_view path = request.path;
  if (path == "/api/v1/users") {
    if (request.method == "GET" || request.method == "HEAD") {
      std::string body;
      JsonWriter w(body);
      w.begin_array();
      for (const auto& u : store.users()) write_user(w, u);
      w.end_array();
      return json_response(200, std::move(body));
    }
    if (request.method != "POST") return method_not_allowed("GET, POST");
    auto parsed = parse_object(parser, request.body);
    if (parsed.error) return *parsed.error;
    std::string name, password;
    std::optional<Role> role;
    std::vector<std::string> scope, subjects;
    for (const auto field : parsed.object) {
      const std::string_view k = field.key;
      std::string_view s;
      if (k == "name" || k == "password" || k == "role") {
        if (field.value.get_string().get(s) != simdjson::SUCCESS) {
          return api::error_response(400, std::string(k) + " must be a string", std::string(k));
        }
        if (k == "name") name = std::string(s);
        if (k == "password") password = std::string(s);
        if (k == "role") {
          role = parse_role(s);
          if (!role) return api::error_response(400, "role must be viewer, analyst or admin", "role");
        }
      } else if (k == "scope" || k == "cert_subjects") {
        auto list = string_array(field.value);
        if (!list) return api::error_response(400, std::string(k) + " must be an array of strings", std::string(k));
        (k == "scope" ? scope : subjects) = std::move(*list);
      } else {
        return api::error_response(400, "unknown field '" + std::string(k.substr(0, 64)) + "'", std::string(k.substr(0, 64)));
      }
    }
    if (name.empty()) return api::error_response(400, "name is required", "name");
    if (!role) return api::error_response(400, "role is required", "role");
    if (store.find(name) != nullptr) return api::error_response(409, "user '" + name + "' already exists", "name");
    UserStore before = store;
    if (auto added = store.add_user(name, *role, password, std::move(scope), std::move(subjects), now); !added) {
      return api::error_response(400, added.error().message);
    }
    if (auto failed = save_or_undo(std::move(before))) return *failed;
    emit(now, actor, request, "user.add", "ok", name, {{"role", std::string(role_name(*role)), false}});
    std::string body;
    JsonWriter w(body);
    write_user(w, *store.find(name));
    return json_response(201, std::move(body));
  }
  const std::string name(path.substr(std::string_view("/api/v1/users/").size()));
  const UserRecord* existing = store.find(name);
  if (existing == nullptr) return api::error_response(404, "no such user");
  if (request.method == "GET" || request.method == "HEAD") {
    std::string body;
    JsonWriter w(body);
    write_user(w, *existing);
    return json_response(200, std::move(body));
  }
  if (request.method == "DELETE") {
    UserStore before = store;
    if (auto removed = store.remove_user(name); !removed) return api::error_response(404, removed.error().message);
    if (auto failed = save_or_undo(std::move(before))) return *failed;
    sessions.remove_user(name);
    counters.sessions_active = sessions.size();
    emit(now, actor, request, "user.del", "ok", name);
    return no_content();
  }
  if (request.method != "PATCH") return method_not_allowed("GET, PATCH, DELETE");
  auto parsed = parse_object(parser, request.body);
  if (parsed.error) return *parsed.error;
  UserStore before = store;
  std::vector<std::string> actions;
  for (const auto field : parsed.object) {
    const std::string_view k = field.key;
    const std::string key(k.substr(0, 64));
    Result<void> changed = ok();
    if (k == "role") {
      std::string_view s;
      std::optional<Role> role;
      if (field.value.get_string().get(s) == simdjson::SUCCESS) role = parse_role(s);
      if (!role) {
        store = std::move(before);
        return api::error_response(400, "role must be viewer, analyst or admin", "role");
      }
      changed = store.set_role(name, *role);
      actions.emplace_back("user.role");
    } else if (k == "password") {
      std::string_view s;
      if (field.value.get_string().get(s) != simdjson::SUCCESS) {
        store = std::move(before);
        return api::error_response(400, "password must be a string", "password");
      }
      changed = store.set_password(name, s, now);
      actions.emplace_back("user.passwd");
    } else if (k == "scope" || k == "cert_subjects") {
      auto list = string_array(field.value);
      if (!list) {
        store = std::move(before);
        return api::error_response(400, key + " must be an array of strings", key);
      }
      changed = k == "scope" ? store.set_scope(name, std::move(*list)) : store.set_cert_subjects(name, std::move(*list));
      actions.emplace_back("user.update");
    } else if (k == "disabled") {
      bool b = false;
      if (field.value.get_bool().get(b) != simdjson::SUCCESS) {
        store = std::move(before);
        return api::error_response(400, "disabled must be true or false", "disabled");
      }
      changed = store.set_disabled(name, b);
      actions.emplace_back("user.update");
    } else {
      store = std::move(before);
      return api::error_response(400, "unknown field '" + key + "'", key);
    }
    if (!changed) {
      store = std::move(before);
      return api::error_response(400, changed.error().message, key);
    }
  }
  if (actions.empty()) return api::error_response(400, "nothing to change", "body");
  if (auto failed = save_or_undo(std::move(before))) return *failed;
  std::sort(actions.begin(), actions.end());
  actions.erase(std::unique(actions.begin(), actions.end()), actions.end());
  const UserRecord* u = store.find(name);
  for (const auto& action : actions) {
    std::vector<AuditEntry::Detail> details;
    if (action == "user.role") details.push_back({"role", std::string(role_name(u->role)), false});
    emit(now, actor, request, action, "ok", name, std::move(details));
  }
  std::string body;
  JsonWriter w(body);
  write_user(w, *u);
  return json_response(200, std::move(body));
}

api::Response AuthService::Impl::tokens_route(const api::Request& request, const Identity& id, TimestampNs now) {
  const std::string& actor = id.principal.user;
  const bool admin = id.user != nullptr && id.user->role == Role::admin;
  if (request.path == "/api/v1/tokens") {
    if (request.method == "GET" || request.method == "HEAD") {
      std::string only = actor;
      if (const auto it = request.query.find("user"); it != request.query.end()) {
        if (!admin && it->second != actor) return api::error_response(403, "only an admin may list other users' tokens");
        only = it->second;
      } else if (admin) {
        only.clear();  // all users
      }
      std::string body;
      JsonWriter w(body);
      w.begin_array();
      for (const auto& u : store.users()) {
        if (!only.empty() && u.name != only) continue;
        for (const auto& t : u.tokens) write_token(w, u.name, t);
      }
      w.end_array();
      return json_response(200, std::move(body));
    }
    if (request.method != "POST") return method_not_allowed("GET, POST");
    auto parsed = parse_object(parser, request.body);
    if (parsed.error) return *parsed.error;
    std::string owner = actor, label;
    std::uint64_t days = 0;
    for (const auto field : parsed.object) {
      const std::string_view k = field.key;
      std::string_view s;
      if (k == "label" || k == "user") {
        if (field.value.get_string().get(s) != simdjson::SUCCESS) {
          return api::error_response(400, std::string(k) + " must be a string", std::string(k));
        }
        (k == "label" ? label : owner) = std::string(s);
      } else if (k == "expires_days") {
        if (field.value.is_null()) continue;
        if (field.value.get_uint64().get(days) != simdjson::SUCCESS || days > kMaxTokenDays) {
          return api::error_response(400, "expires_days must be 0 (never) to 3650", "expires_days");
        }
      } else {
        return api::error_response(400, "unknown field '" + std::string(k.substr(0, 64)) + "'", std::string(k.substr(0, 64)));
      }
    }
    if (owner != actor && !admin) return api::error_response(403, "only an admin may create tokens for other users");
    if (store.find(owner) == nullptr) return api::error_response(404, "no such user", "user");
    const TimestampNs expires = days == 0 ? 0 : now + static_cast<TimestampNs>(days) * 86400 * kNsPerSecond;
    UserStore before = store;
    auto text = store.create_token(owner, label, now, expires);
    if (!text) return api::error_response(400, text.error().message);
    if (auto failed = save_or_undo(std::move(before))) return *failed;
    const std::string token_id = text->substr(4, 12);
    emit(now, actor, request, "token.create", "ok", owner, {{"token", token_id, false}});
    std::string body;
    JsonWriter w(body);
    w.begin_object().field("id", token_id).field("token", *text).field("user", owner).field("label", label);
    write_time_or_null(w, "expires", expires);
    w.end_object();
    api::Response r = json_response(201, std::move(body));
    r.headers.emplace_back("Cache-Control", "no-store");
    return r;
  }
  const std::string token_id(request.path.substr(std::string_view("/api/v1/tokens/").size()));
  if (request.method != "DELETE") return method_not_allowed("DELETE");
  const UserRecord* owner = nullptr;
  for (const auto& u : store.users()) {
    for (const auto& t : u.tokens) {
      if (t.id == token_id) owner = &u;
    }
  }
  // Someone else's token looks like no token at all to a non-admin.
  if (owner == nullptr || (!admin && owner->name != actor)) return api::error_response(404, "no such token");
  const std::string owner_name = owner->name;
  UserStore before = store;
  if (auto revoked = store.revoke_token(token_id); !revoked) return api::error_response(404, "no such token");
  if (auto failed = save_or_undo(std::move(before))) return *failed;
  emit(now, actor, request, "token.revoke", "ok", token_id, {{"owner", owner_name, false}});
  return no_content();
}

AuthService::AuthService(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
AuthService::~AuthService() = default;

Result<std::unique_ptr<AuthService>> AuthService::open(const AuthConfig& config, std::string users_path,
                                                       AuditSink audit) {
  const FileSignature sig = signature_of(users_path);
  auto store = UserStore::load(users_path);
  if (!store) return store.error();
  auto impl = std::make_unique<Impl>(config, std::move(*store), std::move(audit));
  impl->file_signature = sig;
  impl->counters.users = impl->store.users().size();
  return std::unique_ptr<AuthService>(new AuthService(std::move(impl)));
}

AuthService::Decision AuthService::authorize(const api::Request& request, TimestampNs now) {
  Decision d;
  if (!impl_->config.enabled) {
    api::Principal p;
    p.role = "admin";
    p.method = "none";
    d.principal = std::move(p);
    return d;
  }
  impl_->maybe_reload(now);
  auto result = impl_->check(request, now);
  impl_->counters.sessions_active = impl_->sessions.size();
  if (result.refusal) {
    d.refusal = std::move(result.refusal);
  } else if (result.identity) {
    d.principal = std::move(result.identity->principal);
  }
  return d;
}

bool AuthService::serves(std::string_view path) noexcept {
  const auto under = [&](std::string_view base) {
    return path == base || (path.size() > base.size() && path.substr(0, base.size()) == base && path[base.size()] == '/');
  };
  return under("/api/v1/auth") || under("/api/v1/users") || under("/api/v1/tokens");
}

api::Response AuthService::serve(const api::Request& request, TimestampNs now) {
  Impl& impl = *impl_;
  const std::string& p = request.path;
  try {
    if (!impl.config.enabled) {
      if (p == "/api/v1/auth/me" && (request.method == "GET" || request.method == "HEAD")) {
        Impl::Identity none;
        none.principal.role = "admin";
        none.principal.method = "none";
        return impl.me(none);
      }
      return api::error_response(404, "auth disabled");
    }
    impl.maybe_reload(now);
    if (p == "/api/v1/auth/login") {
      if (request.method != "POST") return method_not_allowed("POST");
      return impl.login(request, now);
    }
    auto result = impl.check(request, now);
    impl.counters.sessions_active = impl.sessions.size();
    if (result.refusal) return *result.refusal;
    const Impl::Identity& id = *result.identity;
    if (p == "/api/v1/auth/logout") {
      if (request.method != "POST") return method_not_allowed("POST");
      if (id.session != nullptr) impl.sessions.remove(std::string(id.session->id));
      impl.counters.sessions_active = impl.sessions.size();
      impl.emit(now, id.principal.user, request, "logout", "ok", p);
      api::Response r = no_content();
      r.headers.emplace_back("Set-Cookie", impl.config.cookie_name +
                                               "=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Strict");
      return r;
    }
    if (p == "/api/v1/auth/me") {
      if (request.method != "GET" && request.method != "HEAD") return method_not_allowed("GET");
      return impl.me(id);
    }
    if (p == "/api/v1/users" || p.rfind("/api/v1/users/", 0) == 0) return impl.users_route(request, id, now);
    if (p == "/api/v1/tokens" || p.rfind("/api/v1/tokens/", 0) == 0) return impl.tokens_route(request, id, now);
    return api::error_response(404, "no such endpoint: " + p.substr(0, 200));
  } catch (const std::exception& e) {
    return api::error_response(500, std::string("internal error: ") + e.what());
  }
}

Result<void> AuthService::reload_users() {
  auto r = impl_->reload();
  impl_->counters.users = impl_->store.users().size();
  return r;
}

AuthCounters AuthService::counters() const {
  AuthCounters c = impl_->counters;
  c.users = impl_->store.users().size();
  c.sessions_active = impl_->sessions.size();
  return c;
}

}  // namespace opensoc::auth
