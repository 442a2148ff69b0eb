// The users file's JSON form (see users_file_json.hpp). Runs where UserStore
// loads and saves: the HTTP thread on reload, the `user` command.
#include "auth/users_file_json.hpp"

#include <simdjson.h>

#include "auth/password_hash.hpp"
#include "auth/secret_text.hpp"
#include "auth/user_rules.hpp"
#include "opensoc/core/json_writer.hpp"

namespace opensoc::auth {
namespace {

using simdjson::dom::element;

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct Fail {
  std::string where;
  Error operator()(const std::string& what) const { return Error{where + ": " + what}; }
};

Result<std::string> get_string(element e, const Fail& fail, const char* what) {
  std::string_view s;
  if (e.get_string().get(s) != simdjson::SUCCESS) return fail(std::string(what) + " must be a string");
  return std::string(s);
}

Result<bool> get_bool(element e, const Fail& fail, const char* what) {
  bool b = false;
  if (e.get_bool().get(b) != simdjson::SUCCESS) return fail(std::string(what) + " must be true or false");
  return b;
}

Result<TimestampNs> get_time(element e, const Fail& fail, const char* what, bool null_is_zero) {
  if (null_is_zero && e.is_null()) return TimestampNs{0};
  std::string_view s;
  if (e.get_string().get(s) != simdjson::SUCCESS) return fail(std::string(what) + " must be an RFC 3339 time string");
  if (null_is_zero && s.empty()) return TimestampNs{0};
  const auto t = parse_rfc3339_utc(s);
  if (!t) return fail(std::string(what) + " is not an RFC 3339 UTC time (e.g. 2026-01-31T12:00:00Z)");
  return *t;
}

Result<std::vector<std::string>> get_strings(element e, const Fail& fail, const char* what) {
  simdjson::dom::array arr;
  if (e.get_array().get(arr) != simdjson::SUCCESS) return fail(std::string(what) + " must be an array of strings");
  std::vector<std::string> out;
  for (const element item : arr) {
    std::string_view s;
    if (item.get_string().get(s) != simdjson::SUCCESS) return fail(std::string(what) + " must be an array of strings");
    out.emplace_back(s);
  }
  return out;
}

Result<ApiToken> parse_token(element e, const Fail& fail) {
  simdjson::dom::object obj;
  if (e.get_object().get(obj) != simdjson::SUCCESS) return fail("must be an object");
  ApiToken t;
  bool have_id = false, have_hash = false;
  for (const auto field : obj) {
    const std::string_view k = field.key;
    if (k == "id") {
      auto s = get_string(field.value, fail, "id");
      if (!s) return s.error();
      if (!is_lower_hex(*s, 12)) return fail("id must be 12 lower-case hex digits");
      t.id = std::move(*s);
      have_id = true;
    } else if (k == "label") {
      auto s = get_string(field.value, fail, "label");
      if (!s) return s.error();
      if (auto c = check_token_label(*s); !c) return fail(c.error().message);
      t.label = std::move(*s);
    } else if (k == "sha256") {
      auto s = get_string(field.value, fail, "sha256");
      if (!s) return s.error();
      if (!is_lower_hex(*s, 64)) return fail("sha256 must be 64 lower-case hex digits");
      t.secret_sha256 = std::move(*s);
      have_hash = true;
    } else if (k == "created") {
      auto v = get_time(field.value, fail, "created", false);
      if (!v) return v.error();
      t.created = *v;
    } else if (k == "expires") {
      auto v = get_time(field.value, fail, "expires", true);
      if (!v) return v.error();
      t.expires = *v;
    } else if (k == "revoked") {
      auto v = get_bool(field.value, fail, "revoked");
      if (!v) return v.error();
      t.revoked = *v;
    } else {
      return fail("unknown key '" + std::string(k.substr(0, 64)) + "'");
    }
  }
  if (!have_id) return fail("id is missing");
  if (!have_hash) return fail("sha256 is missing");
  return t;
}

Result<UserRecord> parse_user(element e, const Fail& fail) {
  simdjson::dom::object obj;
  if (e.get_object().get(obj) != simdjson::SUCCESS) return fail("must be an object");
  UserRecord u;
  bool have_name = false, have_role = false;
  for (const auto field : obj) {
    const std::string_view k = field.key;
    if (k == "name") {
      auto s = get_string(field.value, fail, "name");
      if (!s) return s.error();
      if (auto c = check_user_name(*s); !c) return fail(c.error().message);
      u.name = std::move(*s);
      have_name = true;
    } else if (k == "role") {
      auto s = get_string(field.value, fail, "role");
      if (!s) return s.error();
      const auto role = parse_role(*s);
      if (!role) return fail("role '" + s->substr(0, 32) + "' is not viewer, analyst or admin");
      u.role = *role;
      have_role = true;
    } else if (k == "password") {
      auto s = get_string(field.value, fail, "password");
      if (!s) return s.error();
      if (!s->empty() && !password_hash_well_formed(*s)) {
        return fail("password is not a valid $scrypt$ hash (or its parameters are out of bounds)");
      }
      u.password_hash = std::move(*s);
    } else if (k == "scope") {
      auto list = get_strings(field.value, fail, "scope");
      if (!list) return list.error();
      auto norm = normalise_scope(*list);
      if (!norm) return fail(norm.error().message);
      u.scope_networks = std::move(*norm);
    } else if (k == "cert_subjects") {
      auto list = get_strings(field.value, fail, "cert_subjects");
      if (!list) return list.error();
      auto norm = normalise_cert_subjects(*list);
      if (!norm) return fail(norm.error().message);
      u.cert_subjects = std::move(*norm);
    } else if (k == "disabled") {
      auto v = get_bool(field.value, fail, "disabled");
      if (!v) return v.error();
      u.disabled = *v;
    } else if (k == "created") {
      auto v = get_time(field.value, fail, "created", false);
      if (!v) return v.error();
      u.created = *v;
    } else if (k == "password_changed") {
      auto v = get_time(field.value, fail, "password_changed", false);
      if (!v) return v.error();
      u.password_changed = *v;
    } else if (k == "tokens") {
      simdjson::dom::array arr;
      if (field.value.get_array().get(arr) != simdjson::SUCCESS) return fail("tokens must be an array");
      std::size_t i = 0;
      for (const element item : arr) {
        auto t = parse_token(item, Fail{fail.where + ".tokens[" + std::to_string(i++) + "]"});
        if (!t) return t.error();
        u.tokens.push_back(std::move(*t));
      }
    } else {
      return fail("unknown key '" + std::string(k.substr(0, 64)) + "'");
    }
  }
  if (!have_name) return fail("name is missing");
  if (!have_role) return fail("role is missing");
  return u;
}


}  // namespace

std::optional<TimestampNs> parse_rfc3339_utc(std::string_view s) noexcept {
  // YYYY-MM-DDTHH:MM:SS[.fffffffff]Z
  if (s.size() < 20 || s.size() > 30 || s.back() != 'Z') return std::nullopt;
  const auto num = [&](std::size_t at, std::size_t n, unsigned& out) {
    out = 0;
    for (std::size_t i = at; i < at + n; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      out = out * 10 + static_cast<unsigned>(s[i] - '0');
    }
    return true;
  };
  unsigned y, mo, d, h, mi, se;
  if (!num(0, 4, y) || s[4] != '-' || !num(5, 2, mo) || s[7] != '-' || !num(8, 2, d) ||
      (s[10] != 'T' && s[10] != 't') || !num(11, 2, h) || s[13] != ':' || !num(14, 2, mi) || s[16] != ':' ||
      !num(17, 2, se)) {
    return std::nullopt;
  }
  // Past 2200 nanoseconds since 1970 would overflow 64 bits.
  if (y < 1970 || y > 2200 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return std::nullopt;
  std::int64_t frac = 0;
  const std::string_view rest = s.substr(19, s.size() - 20);
  if (!rest.empty()) {
    if (rest[0] != '.' || rest.size() < 2 || rest.size() > 10) return std::nullopt;
    std::int64_t scale = 100'000'000;
    for (std::size_t i = 1; i < rest.size(); ++i) {
      if (rest[i] < '0' || rest[i] > '9') return std::nullopt;
      frac += (rest[i] - '0') * scale;
      scale /= 10;
    }
  }
  const std::int64_t days = days_from_civil(y, mo, d);
  return ((days * 86400 + h * 3600 + mi * 60 + se) * kNsPerSecond) + frac;
}

Result<std::vector<UserRecord>> parse_users_file(std::string_view text) {
  simdjson::dom::parser parser;
  element root;
  const simdjson::padded_string padded(text);
  if (const auto err = parser.parse(padded).get(root); err != simdjson::SUCCESS) {
    return Error{std::string("not valid JSON: ") + simdjson::error_message(err)};
  }
  simdjson::dom::object obj;
  if (root.get_object().get(obj) != simdjson::SUCCESS) return Error{"top level must be an object"};
  bool have_version = false;
  std::vector<UserRecord> users;
  for (const auto field : obj) {
    const std::string_view k = field.key;
    if (k == "version") {
      std::uint64_t v = 0;
      if (field.value.get_uint64().get(v) != simdjson::SUCCESS || v != 1) return Error{"version must be 1"};
      have_version = true;
    } else if (k == "users") {
      simdjson::dom::array arr;
      if (field.value.get_array().get(arr) != simdjson::SUCCESS) return Error{"users must be an array"};
      std::size_t i = 0;
      for (const element item : arr) {
        const std::string where = "users[" + std::to_string(i++) + "]";
        auto u = parse_user(item, Fail{where});
        if (!u) return u.error();
        for (const auto& other : users) {
          if (other.name == u->name) return Error{where + ": duplicate user '" + u->name + "'"};
          for (const auto& t : other.tokens) {
            for (const auto& mine : u->tokens) {
              if (t.id == mine.id) return Error{where + ": duplicate token id " + t.id};
            }
          }
        }
        for (std::size_t a = 0; a < u->tokens.size(); ++a) {
          for (std::size_t b = a + 1; b < u->tokens.size(); ++b) {
            if (u->tokens[a].id == u->tokens[b].id) return Error{where + ": duplicate token id " + u->tokens[a].id};
          }
        }
        users.push_back(std::move(*u));
      }
    } else {
      return Error{"unknown top-level key '" + std::string(k.substr(0, 64)) + "'"};
    }
  }
  if (!have_version) return Error{"version is missing"};
  return users;
}

std::string render_users_file(const std::vector<UserRecord>& users) {
  std::string out;
  JsonWriter w(out);
  w.begin_object().field("version", std::uint64_t{1}).key("users").begin_array();
  for (const auto& u : users) {
    w.begin_object();
    w.field("name", u.name).field("role", role_name(u.role)).field("password", u.password_hash);
    w.key("scope").begin_array();
    for (const auto& s : u.scope_networks) w.value(s);
    w.end_array();
    w.key("cert_subjects").begin_array();
    for (const auto& s : u.cert_subjects) w.value(s);
    w.end_array();
    w.field("disabled", u.disabled);
    w.field("created", format_rfc3339_ns(u.created)).field("password_changed", format_rfc3339_ns(u.password_changed));
    w.key("tokens").begin_array();
    for (const auto& t : u.tokens) {
      w.begin_object().field("id", t.id).field("label", t.label).field("sha256", t.secret_sha256);
      w.field("created", format_rfc3339_ns(t.created));
      write_time_or_null(w, "expires", t.expires);
      w.field("revoked", t.revoked).end_object();
    }
    w.end_array();
    w.end_object();
  }
  w.end_array().end_object();
  out += '\n';
  return out;
}

void write_time_or_null(JsonWriter& w, std::string_view key, TimestampNs t) {
  w.key(key);
  if (t == 0) {
    w.null();
  } else {
    w.value(format_rfc3339_ns(t));
  }
}

}  // namespace opensoc::auth
