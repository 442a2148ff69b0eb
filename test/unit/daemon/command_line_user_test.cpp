// Command-line parsing of `opensocd user ...` and `opensocd preflight`
// (src/daemon/command_line.cpp): every verb with its operands and options,
// and each usage error.
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "daemon/command_line.hpp"

using namespace opensoc::daemon;

namespace {
opensoc::Result<CommandLine> parse(std::vector<const char*> args) {
  args.insert(args.begin(), "opensocd");
  return parse_command_line(static_cast<int>(args.size()), args.data());
}
}  // namespace

TEST_CASE("parse_command_line reads user add with role, scopes, certificate subjects and --password-stdin",
          "[daemon][cli][user]") {
  auto cl = parse({"user", "-c", "x.yaml", "--data-dir", "/d", "add", "alice", "--role", "analyst", "--scope",
                   "10.0.0.0/8", "--scope=192.168.1.0/24", "--cert-subject", "CN=alice,O=SOC", "--password-stdin"});
  REQUIRE(cl);
  CHECK(cl->command == Command::user);
  CHECK(cl->user_verb == UserVerb::add);
  CHECK(*cl->config_path == "x.yaml");
  CHECK(*cl->data_dir == "/d");
  CHECK(cl->user_name == "alice");
  CHECK(cl->user_role == "analyst");
  CHECK(cl->user_scopes == std::vector<std::string>{"10.0.0.0/8", "192.168.1.0/24"});
  CHECK(cl->user_cert_subjects == std::vector<std::string>{"CN=alice,O=SOC"});
  CHECK(cl->password_stdin);
}

TEST_CASE("user add --no-password makes a certificate- or token-only user; passwd refuses it",
          "[daemon][cli][user]") {
  auto cl = parse({"user", "add", "bob", "--role", "viewer", "--cert-subject", "CN=bob", "--no-password"});
  REQUIRE(cl);
  CHECK(cl->no_password);
  CHECK_FALSE(cl->password_stdin);
  CHECK_FALSE(parse({"user", "passwd", "bob", "--no-password"}));
}

TEST_CASE("parse_command_line reads every user verb", "[daemon][cli][user]") {
  SECTION("passwd") {
    auto cl = parse({"user", "passwd", "bob"});
    REQUIRE(cl);
    CHECK(cl->user_verb == UserVerb::passwd);
    CHECK(cl->user_name == "bob");
    CHECK_FALSE(cl->password_stdin);
  }
  SECTION("passwd --password-stdin before the name") {
    auto cl = parse({"user", "passwd", "--password-stdin", "bob"});
    REQUIRE(cl);
    CHECK(cl->password_stdin);
    CHECK(cl->user_name == "bob");
  }
  SECTION("del") {
    auto cl = parse({"user", "del", "bob"});
    REQUIRE(cl);
    CHECK(cl->user_verb == UserVerb::del);
    CHECK(cl->user_name == "bob");
  }
  SECTION("list") {
    auto cl = parse({"user", "list"});
    REQUIRE(cl);
    CHECK(cl->user_verb == UserVerb::list);
    CHECK_FALSE(cl->json);
  }
  SECTION("list --json") {
    auto cl = parse({"user", "list", "--json"});
    REQUIRE(cl);
    CHECK(cl->json);
  }
  SECTION("role") {
    auto cl = parse({"user", "role", "bob", "admin"});
    REQUIRE(cl);
    CHECK(cl->user_verb == UserVerb::role);
    CHECK(cl->user_name == "bob");
    CHECK(cl->user_role == "admin");
  }
  SECTION("scope with networks") {
    auto cl = parse({"user", "scope", "bob", "10.1.0.0/16", "2001:db8::/32"});
    REQUIRE(cl);
    CHECK(cl->user_verb == UserVerb::scope);
    CHECK(cl->user_name == "bob");
    CHECK(cl->user_scopes == std::vector<std::string>{"10.1.0.0/16", "2001:db8::/32"});
  }
  SECTION("scope without networks clears it") {
    auto cl = parse({"user", "scope", "bob"});
    REQUIRE(cl);
    CHECK(cl->user_scopes.empty());
  }
  SECTION("certs") {
    auto cl = parse({"user", "certs", "bob", "CN=bob,O=SOC", "sha256:00ff"});
    REQUIRE(cl);
    CHECK(cl->user_verb == UserVerb::certs);
    CHECK(cl->user_name == "bob");
    CHECK(cl->user_cert_subjects == std::vector<std::string>{"CN=bob,O=SOC", "sha256:00ff"});
  }
  SECTION("disable and enable") {
    auto d = parse({"user", "disable", "bob"});
    REQUIRE(d);
    CHECK(d->user_verb == UserVerb::disable);
    CHECK(d->user_name == "bob");
    auto e = parse({"user", "enable", "bob"});
    REQUIRE(e);
    CHECK(e->user_verb == UserVerb::enable);
  }
  SECTION("token add") {
    auto cl = parse({"user", "token", "add", "bob", "--label", "grafana", "--expires", "30d"});
    REQUIRE(cl);
    CHECK(cl->user_verb == UserVerb::token_add);
    CHECK(cl->user_name == "bob");
    CHECK(*cl->token_label == "grafana");
    CHECK(*cl->token_expires == "30d");
  }
  SECTION("token add without options never expires") {
    auto cl = parse({"user", "token", "add", "bob"});
    REQUIRE(cl);
    CHECK_FALSE(cl->token_label);
    CHECK_FALSE(cl->token_expires);
  }
  SECTION("token revoke") {
    auto cl = parse({"user", "token", "revoke", "0123456789ab"});
    REQUIRE(cl);
    CHECK(cl->user_verb == UserVerb::token_revoke);
    CHECK(cl->token_id == "0123456789ab");
  }
  SECTION("token list for all users") {
    auto cl = parse({"user", "token", "list"});
    REQUIRE(cl);
    CHECK(cl->user_verb == UserVerb::token_list);
    CHECK(cl->user_name.empty());
  }
  SECTION("token list for one user, as JSON") {
    auto cl = parse({"user", "token", "list", "bob", "--json"});
    REQUIRE(cl);
    CHECK(cl->user_name == "bob");
    CHECK(cl->json);
  }
  SECTION("a name after --") {
    auto cl = parse({"user", "del", "--", "-odd"});
    REQUIRE(cl);
    CHECK(cl->user_name == "-odd");
  }
}

TEST_CASE("parse_command_line reports user usage errors", "[daemon][cli][user]") {
  struct Case {
    std::vector<const char*> args;
    const char* message;
  };
  const Case cases[] = {
      {{"user"}, "user: no verb given (add, passwd, del, list, role, scope, certs, disable, enable, token; see 'opensocd user --help')"},
      {{"user", "frob"}, "user: unknown verb 'frob' (see 'opensocd user --help')"},
      {{"user", "token"}, "user token: no verb given (add, revoke, list)"},
      {{"user", "token", "frob"}, "user: unknown verb 'token frob' (see 'opensocd user --help')"},
      {{"user", "add", "--role", "admin"}, "user add: missing operand (usage: opensocd user add NAME --role R)"},
      {{"user", "add", "alice"}, "user add: --role is required (viewer, analyst or admin)"},
      {{"user", "add", "alice", "bob", "--role", "admin"},
       "user add: unexpected argument 'bob' (usage: opensocd user add NAME --role R)"},
      {{"user", "add", "alice", "--role"}, "user: option --role needs a value"},
      {{"user", "add", "alice", "--role", "admin", "--label", "x"},
       "user add: option --label is not accepted here (see 'opensocd user --help')"},
      {{"user", "passwd"}, "user passwd: missing operand (usage: opensocd user passwd NAME)"},
      {{"user", "passwd", "bob", "--role", "admin"},
       "user passwd: option --role is not accepted here (see 'opensocd user --help')"},
      {{"user", "del"}, "user del: missing operand (usage: opensocd user del NAME)"},
      {{"user", "del", "bob", "--password-stdin"},
       "user del: option --password-stdin is not accepted here (see 'opensocd user --help')"},
      {{"user", "list", "bob"}, "user list: unexpected argument 'bob' (usage: opensocd user list)"},
      {{"user", "role", "bob"}, "user role: missing operand (usage: opensocd user role NAME ROLE)"},
      {{"user", "role", "bob", "admin", "x"}, "user role: unexpected argument 'x' (usage: opensocd user role NAME ROLE)"},
      {{"user", "scope"}, "user scope: missing operand (usage: opensocd user scope NAME [CIDR]...)"},
      {{"user", "certs"}, "user certs: missing operand (usage: opensocd user certs NAME [DN]...)"},
      {{"user", "disable"}, "user disable: missing operand (usage: opensocd user disable NAME)"},
      {{"user", "enable", "a", "b"}, "user enable: unexpected argument 'b' (usage: opensocd user enable NAME)"},
      {{"user", "token", "add"}, "user token add: missing operand (usage: opensocd user token add NAME)"},
      {{"user", "token", "add", "bob", "--json"},
       "user token add: option --json is not accepted here (see 'opensocd user --help')"},
      {{"user", "token", "revoke"}, "user token revoke: missing operand (usage: opensocd user token revoke ID)"},
      {{"user", "token", "list", "a", "b"},
       "user token list: unexpected argument 'b' (usage: opensocd user token list [NAME])"},
      {{"user", "list", "--password-stdin=x"}, "user: option --password-stdin takes no value"},
      {{"user", "list", "--listen", "1.2.3.4:5"}, "user: option --listen is not accepted here (see 'opensocd user --help')"},
      {{"user", "list", "--bogus"}, "user: unknown option '--bogus' (see 'opensocd user --help')"},
      {{"user", "add", "a", "--role", "admin", "--scope="}, "user: option --scope needs a non-empty value"},
      {{"run", "--role", "admin"}, "run: unknown option '--role' (see 'opensocd run --help')"},
  };
  for (const auto& c : cases) {
    auto cl = parse(c.args);
    REQUIRE_FALSE(cl);
    CHECK(cl.error().message == c.message);
  }
}

TEST_CASE("parse_command_line reads preflight like check-config", "[daemon][cli]") {
  auto cl = parse({"preflight", "-c", "/etc/opensoc/opensoc.yaml"});
  REQUIRE(cl);
  CHECK(cl->command == Command::preflight);
  CHECK(*cl->config_path == "/etc/opensoc/opensoc.yaml");
  auto bare = parse({"preflight"});
  REQUIRE(bare);
  CHECK_FALSE(bare->config_path);
  auto extra = parse({"preflight", "extra"});
  REQUIRE_FALSE(extra);
  CHECK(extra.error().message == "preflight: unexpected argument 'extra'");
  auto dd = parse({"preflight", "--data-dir", "/d"});
  REQUIRE_FALSE(dd);
  CHECK(dd.error().message == "preflight: option --data-dir is not accepted here (see 'opensocd preflight --help')");
}

TEST_CASE("help text documents user verbs and preflight", "[daemon][cli][user]") {
  auto cl = parse({"user", "--help"});
  REQUIRE(cl);
  CHECK(cl->command == Command::help);
  CHECK(cl->help_topic == "user");
  const std::string user = help_text("user");
  CHECK(user.rfind("usage: opensocd user [-c FILE] [--data-dir DIR] VERB ...", 0) == 0);
  for (const char* verb : {"add NAME --role R", "passwd NAME", "del NAME", "list [--json]", "role NAME R",
                           "scope NAME [CIDR]...", "certs NAME [DN]...", "disable NAME", "enable NAME", "token add NAME", "token revoke ID", "token list [NAME]",
                           "--password-stdin", "--data-dir DIR"}) {
    INFO(verb);
    CHECK(user.find(verb) != std::string::npos);
  }
  CHECK(help_text("preflight").rfind("usage: opensocd preflight [-c FILE]", 0) == 0);
  const std::string overview = help_text("");
  CHECK(overview.find("  user ") != std::string::npos);
  CHECK(overview.find("  preflight ") != std::string::npos);
}
