// config::redacted_config_json: YAML -> JSON with secrets hidden at any
// depth and inside lists, paths to secrets shown, scalar types kept, and
// hostile documents refused instead of exploding.
#include "config/config_redaction.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace opensoc::config;

namespace {

std::string render(const std::string& yaml) {
  auto r = redacted_config_json(yaml);
  if (!r) FAIL(r.error().message);
  return *r;
}

}  // namespace

TEST_CASE("is_secret_key knows secret names, in any spelling, and that paths are not secrets",
          "[config][redaction]") {
  for (const char* k : {"password", "Password", "admin_password", "passwd", "passphrase", "key_passphrase", "secret",
                        "client_secret", "session-secret", "token", "api_token", "bearerToken", "tokens", "psk",
                        "wpa_psk", "api_key", "apiKey", "API-KEY", "apikey", "private_key", "privateKey",
                        "access_key", "aws_secret_access_key", "hmac_key", "credentials", "password_hash"}) {
    INFO(k);
    CHECK(is_secret_key(k));
  }
  for (const char* k : {"key_file", "password_file", "token_file", "secret_path", "private_key_file", "tls_key_path",
                        "secrets_dir", "key", "keys", "cert", "users_file", "cookie_name", "keep_files", "monkey",
                        "passive", "tokenizer", "secretary", "", "host", "keep_capabilities"}) {
    INFO(k);
    CHECK_FALSE(is_secret_key(k));
  }
}

TEST_CASE("redacted config hides secrets at every depth and inside lists", "[config][redaction]") {
  const std::string yaml = R"(password: hunter2
http:
  listen: 127.0.0.1:8080
  tls:
    enabled: true
    cert: /etc/opensoc/tls.crt
    key: /etc/opensoc/tls.key
    key_file: /etc/opensoc/other.key
    passphrase: "open sesame"
receivers:
  listeners:
    - name: a
      api_token: tok-123
      port: 514
    - name: b
      auth:
        psk: s3cr3t
        deeper:
          - {client_secret: xyz, id: 7}
secrets:
  one: 1
  two: [a, b]
tokens: [t1, t2]
empty_password: ""
null_password:
)";
  const std::string expected =
      R"({"password":"***","http":{"listen":"127.0.0.1:8080","tls":{"enabled":true,"cert":"/etc/opensoc/tls.crt",)"
      R"("key":"/etc/opensoc/tls.key","key_file":"/etc/opensoc/other.key","passphrase":"***"}},)"
      R"("receivers":{"listeners":[{"name":"a","api_token":"***","port":514},{"name":"b","auth":{"psk":"***",)"
      R"("deeper":[{"client_secret":"***","id":7}]}}]},"secrets":"***","tokens":"***","empty_password":"",)"
      R"("null_password":null})";
  CHECK(render(yaml) == expected);
  CHECK(render(yaml).find("hunter2") == std::string::npos);
}

TEST_CASE("redacted config hides an inline key, PEM private keys and URL passwords", "[config][redaction]") {
  SECTION("a bare key holding key material") {
    CHECK(render("hmac: {key: c2VjcmV0a2V5}\n") == R"({"hmac":{"key":"***"}})");
    CHECK(render("tls: {key: server.pem}\n") == R"({"tls":{"key":"server.pem"}})");
    CHECK(render("tls: {key: ./tls.key}\n") == R"({"tls":{"key":"./tls.key"}})");
    CHECK(render("tls: {key: \"\"}\n") == R"({"tls":{"key":""}})");
  }
  SECTION("a PEM private key under any name") {
    const std::string yaml =
        "tls:\n  certificate: |\n    -----BEGIN CERTIFICATE-----\n    MIIB\n    -----END CERTIFICATE-----\n"
        "  material: |\n    -----BEGIN EC PRIVATE KEY-----\n    MHcC\n    -----END EC PRIVATE KEY-----\n";
    const std::string out = render(yaml);
    CHECK(out.find("MHcC") == std::string::npos);
    CHECK(out.find(R"("material":"***")") != std::string::npos);
    CHECK(out.find("MIIB") != std::string::npos);  // a certificate is public
  }
  SECTION("the password of a URL, and only that") {
    CHECK(render("forward: syslog+tls://alice:pa55@logs.example.com:6514/x\n") ==
          R"({"forward":"syslog+tls://alice:***@logs.example.com:6514/x"})");
    CHECK(render("forward: https://logs.example.com:443/path@x\n") ==
          R"({"forward":"https://logs.example.com:443/path@x"})");
    CHECK(render("forward: https://bob@logs.example.com/\n") == R"({"forward":"https://bob@logs.example.com/"})");
    CHECK(render("urls: [\"a://u:p@h\", \"b://v:q@i/j\"]\n") == R"({"urls":["a://u:***@h","b://v:***@i/j"]})");
  }
}

TEST_CASE("redacted config keeps scalar types as the YAML wrote them", "[config][redaction]") {
  CHECK(render("a: 8080\nb: \"8080\"\nc: -1.5e3\nd: 10s\ne: true\nf: false\ng: ~\nh: null\ni:\nj: 'true'\n"
               "k: 0x1F\nl: 007\nm: yes\nn: [1, two, 3.0]\n") ==
        R"({"a":8080,"b":"8080","c":-1.5e3,"d":"10s","e":true,"f":false,"g":null,"h":null,"i":null,"j":"true",)"
        R"("k":"0x1F","l":"007","m":"yes","n":[1,"two",3.0]})");
  CHECK(render("quote: \"a \\\"b\\\" \\\\ c\"\n") == R"({"quote":"a \"b\" \\ c"})");
  CHECK(render("? [a, b]\n: secret-value\n") == R"x({"(complex key)":"***"})x");
}

TEST_CASE("redacted config refuses bad YAML, deep nesting and alias bombs", "[config][redaction]") {
  CHECK_FALSE(redacted_config_json("a: [1, 2\n"));
  CHECK_FALSE(redacted_config_json("a: b: c\n"));
  std::string deep;
  for (int i = 0; i < 100; ++i) deep += "[";
  for (int i = 0; i < 100; ++i) deep += "]";
  const auto d = redacted_config_json(deep);
  REQUIRE_FALSE(d);
  CHECK(d.error().message.find("nested deeper") != std::string::npos);
  // Each level doubles the rendering: 2^40 leaves if nothing stopped it.
  std::string bomb = "l0: &l0 [x, x]\n";
  for (int i = 1; i <= 40; ++i)
    bomb += "l" + std::to_string(i) + ": &l" + std::to_string(i) + " [*l" + std::to_string(i - 1) + ", *l" +
            std::to_string(i - 1) + "]\n";
  const auto b = redacted_config_json(bomb);
  REQUIRE_FALSE(b);
  CHECK(b.error().message.find("too large") != std::string::npos);
}
