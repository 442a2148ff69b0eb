// Tests for the appliance sections of the config (issue 7): `auth:`,
// `audit:`, `http.tls:` and `privileges:` (src/config/config_loader.cpp
// read_auth, read_audit, read_http_tls, read_privileges): every key read into
// its field, the defaults, and each refusal with its line, column and key path.
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

#include "config/config_loader.hpp"

namespace opensoc::config {
namespace {

AppConfig parsed(std::string_view yaml) {
  auto result = parse_config(yaml, "t.yaml");
  if (!result) FAIL(result.error().message);
  return std::move(result).value();
}

std::string errors_of(std::string_view yaml) {
  const auto result = parse_config(yaml, "t.yaml");
  REQUIRE_FALSE(result.has_value());
  return result.error().message;
}

struct Refusal {
  const char* yaml;
  const char* message;
};

void check_refusals(std::initializer_list<Refusal> cases) {
  for (const Refusal& c : cases) {
    INFO("yaml:\n" << c.yaml);
    CHECK(errors_of(c.yaml) == c.message);
  }
}

}  // namespace

TEST_CASE("parse_config reads every auth, audit, tls and privileges key into its field", "[config][auth]") {
  // Every value differs from its default.
  const AppConfig c = parsed(R"(auth:
  enabled: false
  users_file: /etc/opensoc/users.json
  session_ttl: 12h
  session_idle: 5m
  max_sessions: 20
  login_max_failures: 3
  login_window: 10m
  metrics_public: true
  cookie_name: soc_sid
audit:
  enabled: false
  path: /var/log/opensoc/audit.log
http:
  tls:
    enabled: true
    cert: /etc/opensoc/tls/cert.pem
    key: /etc/opensoc/tls/key.pem
    client_ca: /etc/opensoc/tls/clients.pem
    require_client_cert: true
privileges:
  user: socd
  group: soc-admins
  keep_capabilities: [CAP_NET_RAW, ipc_lock]
  chown_data_dir: false
)");
  CHECK_FALSE(c.auth.enabled);
  CHECK(c.auth.users_file == "/etc/opensoc/users.json");
  CHECK(c.auth.session_ttl_s == 12 * 3600);
  CHECK(c.auth.session_idle_s == 300);
  CHECK(c.auth.max_sessions == 20);
  CHECK(c.auth.login_max_failures == 3);
  CHECK(c.auth.login_window_s == 600);
  CHECK(c.auth.metrics_public);
  CHECK(c.auth.cookie_name == "soc_sid");
  CHECK_FALSE(c.audit.enabled);
  CHECK(c.audit.path == "/var/log/opensoc/audit.log");
  CHECK(c.http.tls.enabled);
  CHECK(c.http.tls.cert_file == "/etc/opensoc/tls/cert.pem");
  CHECK(c.http.tls.key_file == "/etc/opensoc/tls/key.pem");
  CHECK(c.http.tls.client_ca_file == "/etc/opensoc/tls/clients.pem");
  CHECK(c.http.tls.require_client_cert);
  CHECK(c.privileges.user == "socd");
  CHECK(c.privileges.group == "soc-admins");
  CHECK(c.privileges.keep_capabilities == std::vector<std::string>{"CAP_NET_RAW", "ipc_lock"});
  CHECK_FALSE(c.privileges.chown_data_dir);
}

TEST_CASE("parse_config keeps the appliance defaults when the sections are absent or empty", "[config][auth]") {
  const AppConfig defaults;
  for (const char* yaml : {"{}", "auth:\naudit:\nprivileges:\nhttp:\n  tls:\n"}) {
    INFO(yaml);
    const AppConfig c = parsed(yaml);
    CHECK(c.auth.enabled);
    CHECK(c.auth.users_file == "users.json");
    CHECK(c.auth.session_ttl_s == defaults.auth.session_ttl_s);
    CHECK(c.auth.cookie_name == "opensoc_session");
    CHECK(c.audit.enabled);
    CHECK(c.audit.path == "audit.log");
    CHECK_FALSE(c.http.tls.enabled);
    CHECK(c.privileges.user == "opensoc");
    CHECK(c.privileges.keep_capabilities.empty());
    CHECK(c.privileges.chown_data_dir);
  }
}

TEST_CASE("parse_config leaves relative users_file and audit.path relative (the daemon resolves them under data_dir)",
          "[config][auth]") {
  const AppConfig c = parsed("data_dir: /srv/soc\nauth:\n  users_file: etc/users.json\naudit:\n  path: logs/audit.log\n");
  CHECK(c.auth.users_file == "etc/users.json");
  CHECK(c.audit.path == "logs/audit.log");
}

TEST_CASE("parse_config accepts the demo's empty privileges.user and an empty keep_capabilities list", "[config][auth]") {
  const AppConfig c = parsed("privileges: {user: \"\", keep_capabilities: []}\n");
  CHECK(c.privileges.user.empty());
  CHECK(c.privileges.keep_capabilities.empty());
}

TEST_CASE("parse_config accepts RFC 6265 token characters in auth.cookie_name", "[config][auth]") {
  CHECK(parsed("auth:\n  cookie_name: \"__Host-soc.sid!#$%&'*+^`|~\"\n").auth.cookie_name == "__Host-soc.sid!#$%&'*+^`|~");
}

TEST_CASE("parse_config refuses each bad auth value with its position and key path", "[config][auth]") {
  check_refusals({
      {"auth:\n  enabled: yes\n", "t.yaml:2:12: auth.enabled: expected true or false, got 'yes'"},
      {"auth:\n  users_file: ''\n", "t.yaml:2:15: auth.users_file: expected a non-empty file path, got ''"},
      {"auth:\n  session_ttl: 1s\n",
       "t.yaml:2:16: auth.session_ttl: expected a duration between 2 and 2592000 seconds (an integer, or a number "
       "with unit s, m, h or d), got '1s' (= 1 seconds)"},
      {"auth:\n  session_idle: forever\n",
       "t.yaml:2:17: auth.session_idle: expected a duration between 2 and 2592000 seconds (an integer, or a number "
       "with unit s, m, h or d), got 'forever'"},
      {"auth:\n  max_sessions: 0\n",
       "t.yaml:2:17: auth.max_sessions: expected an integer between 1 and 10000000, got '0'"},
      {"auth:\n  login_max_failures: 0\n",
       "t.yaml:2:23: auth.login_max_failures: expected an integer between 1 and 1000000, got '0'"},
      {"auth:\n  login_window: 2d\n",
       "t.yaml:2:17: auth.login_window: expected a duration between 1 and 86400 seconds (an integer, or a number with "
       "unit s, m, h or d), got '2d' (= 172800 seconds)"},
      {"auth:\n  metrics_public: 1\n", "t.yaml:2:19: auth.metrics_public: expected true or false, got '1'"},
      {"auth:\n  cookie_name: \"sid;evil\"\n",
       "t.yaml:2:16: auth.cookie_name: expected a cookie name of 1-64 letters, digits or !#$%&'*+-.^_`|~, got "
       "'sid;evil'"},
      {"auth:\n  cookie_name: \"a b\"\n",
       "t.yaml:2:16: auth.cookie_name: expected a cookie name of 1-64 letters, digits or !#$%&'*+-.^_`|~, got 'a b'"},
      {"auth:\n  cookie_name: ''\n",
       "t.yaml:2:16: auth.cookie_name: expected a cookie name of 1-64 letters, digits or !#$%&'*+-.^_`|~, got ''"},
      {"auth:\n  realm: x\n",
       "t.yaml:2:3: auth.realm: unknown key (expected one of: enabled, users_file, session_ttl, session_idle, "
       "max_sessions, login_max_failures, login_window, metrics_public, cookie_name)"},
      {"auth: on\n", "t.yaml:1:7: auth: expected a mapping of auth settings, got 'on'"},
  });
}

TEST_CASE("parse_config refuses each bad audit value with its position and key path", "[config][audit]") {
  check_refusals({
      {"audit:\n  enabled: no\n", "t.yaml:2:12: audit.enabled: expected true or false, got 'no'"},
      {"audit:\n  path: ''\n", "t.yaml:2:9: audit.path: expected a non-empty file path, got ''"},
      {"audit:\n  path: [a, b]\n", "t.yaml:2:9: audit.path: expected a non-empty file path, got a list"},
      {"audit:\n  file: x\n", "t.yaml:2:3: audit.file: unknown key (expected one of: enabled, path)"},
  });
}

TEST_CASE("parse_config refuses incoherent or malformed http.tls settings", "[config][tls]") {
  check_refusals({
      {"http:\n  tls:\n    enabled: true\n    key: k.pem\n",
       "t.yaml:3:5: http.tls.cert: TLS is enabled but no certificate file is given"},
      {"http:\n  tls:\n    enabled: true\n    cert: c.pem\n",
       "t.yaml:3:5: http.tls.key: TLS is enabled but no private key file is given"},
      {"http:\n  tls:\n    enabled: true\n    cert: ''\n    key: ''\n",
       "t.yaml:3:5: http.tls.cert: TLS is enabled but no certificate file is given\n"
       "t.yaml:3:5: http.tls.key: TLS is enabled but no private key file is given"},
      {"http:\n  tls:\n    require_client_cert: true\n",
       "t.yaml:3:5: http.tls.client_ca: require_client_cert needs client_ca (the CA that signs the client "
       "certificates)"},
      {"http:\n  tls:\n    enabled: 1\n", "t.yaml:3:14: http.tls.enabled: expected true or false, got '1'"},
      {"http:\n  tls:\n    cert: [a]\n",
       "t.yaml:3:11: http.tls.cert: expected a PEM file path (\"\" for none), got a list"},
      {"http:\n  tls:\n    certificate: c.pem\n",
       "t.yaml:3:5: http.tls.certificate: unknown key (expected one of: enabled, cert, key, client_ca, "
       "require_client_cert)"},
      {"http:\n  tls: true\n",
       "t.yaml:2:8: http.tls: expected a mapping of TLS settings (enabled, cert, key, client_ca, "
       "require_client_cert), got 'true'"},
  });
}

TEST_CASE("parse_config accepts TLS settings without opening the files they name", "[config][tls]") {
  const AppConfig c = parsed(
      "http:\n  tls: {enabled: true, cert: /no/such/cert.pem, key: /no/such/key.pem, client_ca: /no/ca.pem}\n");
  CHECK(c.http.tls.enabled);
  CHECK(c.http.tls.cert_file == "/no/such/cert.pem");
  CHECK_FALSE(c.http.tls.require_client_cert);
  // Files named while TLS is off are kept for when it is switched on.
  CHECK(parsed("http:\n  tls: {cert: c.pem}\n").http.tls.cert_file == "c.pem");
}

TEST_CASE("parse_config refuses each bad privileges value with its position and key path", "[config][privileges]") {
  check_refusals({
      {"privileges:\n  user: \"soc user\"\n",
       "t.yaml:2:9: privileges.user: expected an account name (letters, digits, _ - .; not all digits) or \"\", got "
       "'soc user'"},
      {"privileges:\n  user: \"0\"\n",
       "t.yaml:2:9: privileges.user: expected an account name (letters, digits, _ - .; not all digits) or \"\", got "
       "'0'"},
      {"privileges:\n  user: -x\n",
       "t.yaml:2:9: privileges.user: expected an account name (letters, digits, _ - .; not all digits) or \"\", got "
       "'-x'"},
      {"privileges:\n  group: \"a:b\"\n",
       "t.yaml:2:10: privileges.group: expected a group name (letters, digits, _ - .; not all digits) or \"\", got "
       "'a:b'"},
      {"privileges:\n  keep_capabilities: CAP_NET_RAW\n",
       "t.yaml:2:22: privileges.keep_capabilities: expected a list of capability names such as [CAP_NET_RAW], got "
       "'CAP_NET_RAW'"},
      {"privileges:\n  keep_capabilities: [CAP_NET_RAW, Net_Admin, CAP_, cap-sys-nice, '']\n",
       "t.yaml:2:36: privileges.keep_capabilities[1]: expected a capability name such as CAP_NET_RAW or net_raw, got "
       "'Net_Admin'\n"
       "t.yaml:2:47: privileges.keep_capabilities[2]: expected a capability name such as CAP_NET_RAW or net_raw, got "
       "'CAP_'\n"
       "t.yaml:2:53: privileges.keep_capabilities[3]: expected a capability name such as CAP_NET_RAW or net_raw, got "
       "'cap-sys-nice'\n"
       "t.yaml:2:67: privileges.keep_capabilities[4]: expected a capability name such as CAP_NET_RAW or net_raw, got "
       "''"},
      {"privileges:\n  chown_data_dir: maybe\n",
       "t.yaml:2:19: privileges.chown_data_dir: expected true or false, got 'maybe'"},
      {"privileges:\n  uid: 0\n",
       "t.yaml:2:3: privileges.uid: unknown key (expected one of: user, group, keep_capabilities, chown_data_dir)"},
  });
}

}  // namespace opensoc::config
