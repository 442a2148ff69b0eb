// `opensocd user ...` (src/daemon/user_command.cpp) against a temporary data
// directory: each verb's effect on the users file as auth::UserStore reads it
// back, what is printed, the audit entries, exit codes, and that a password
// never appears in any output or file.
#include "daemon/user_command.hpp"

#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "auth/user_store.hpp"

namespace opensoc::daemon {
namespace {

constexpr const char* kPassword = "correct horse battery staple";
constexpr const char* kNewPassword = "Tr0ub4dor&3-but-longer";

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string read_stream(std::FILE* f) {
  std::fflush(f);
  std::rewind(f);
  std::string s;
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) s.append(buf, n);
  return s;
}

// A scratch data directory with the default users.json and audit.log names.
class Fixture {
 public:
  Fixture() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "opensoc-user-cmd-XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    dir_ = tmpl;
    config_.data_dir = dir_;
    config_.privileges.user = "";  // never chown in tests
  }
  ~Fixture() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  Fixture(const Fixture&) = delete;
  Fixture& operator=(const Fixture&) = delete;

  struct Outcome {
    int code = -1;
    std::string out;
    std::string err;
  };

  // Runs one command line (after "opensocd user") with `stdin_text` as stdin.
  Outcome run(std::vector<const char*> args, const std::string& stdin_text = "") {
    args.insert(args.begin(), {"opensocd", "user"});
    auto cl = parse_command_line(static_cast<int>(args.size()), args.data());
    if (!cl) FAIL(cl.error().message);
    std::FILE* in = std::tmpfile();
    std::FILE* out = std::tmpfile();
    std::FILE* err = std::tmpfile();
    REQUIRE((in && out && err));
    std::fwrite(stdin_text.data(), 1, stdin_text.size(), in);
    std::rewind(in);
    UserCommandIo io;
    io.in = in;
    io.out = out;
    io.err = err;
    io.tty_path = dir_ + "/no-such-tty";
    io.actor = "tester";
    Outcome o;
    o.code = run_user_command(config_, *cl, log_, io);
    o.out = read_stream(out);
    o.err = read_stream(err);
    stdin_consumed_ = std::ftell(in);
    std::fclose(in);
    std::fclose(out);
    std::fclose(err);
    return o;
  }

  auth::UserStore store() const {
    auto s = auth::UserStore::load(users_path());
    if (!s) FAIL(s.error().message);
    return std::move(*s);
  }
  std::string users_path() const { return dir_ + "/users.json"; }
  std::string audit_path() const { return dir_ + "/audit.log"; }
  std::vector<std::string> audit_lines() const {
    std::vector<std::string> lines;
    std::istringstream in(read_file(audit_path()));
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    return lines;
  }
  long stdin_consumed() const { return stdin_consumed_; }
  config::AppConfig& config() { return config_; }

 private:
  std::string dir_;
  config::AppConfig config_;
  telemetry::Logger log_{telemetry::LogLevel::error};
  long stdin_consumed_ = 0;
};

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("user add stores the user with its role, scope and hashed password, and audits it", "[daemon][user]") {
  Fixture f;
  const auto r = f.run({"add", "alice", "--role", "analyst", "--scope", "10.0.0.0/8", "--cert-subject", "CN=alice",
                        "--password-stdin"},
                       std::string(kPassword) + "\r\n");
  INFO(r.err);
  REQUIRE(r.code == kExitOk);
  CHECK(r.out.empty());
  const auto store = f.store();
  const auth::UserRecord* alice = store.find("alice");
  REQUIRE(alice != nullptr);
  CHECK(alice->role == auth::Role::analyst);
  CHECK(alice->scope_networks.size() == 1);
  CHECK(alice->cert_subjects == std::vector<std::string>{"CN=alice"});
  // The line end (\r\n) is not part of the password.
  CHECK(store.check_password("alice", kPassword) == alice);
  CHECK(store.check_password("alice", std::string(kPassword) + "\r") == nullptr);

  CHECK((std::filesystem::status(f.users_path()).permissions() & std::filesystem::perms::all) ==
        (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
  const auto audit = f.audit_lines();
  REQUIRE(audit.size() == 1);
  CHECK(contains(audit[0], "\"user\":\"tester\""));
  CHECK(contains(audit[0], "\"source\":\"cli\""));
  CHECK(contains(audit[0], "\"action\":\"user.add\""));
  CHECK(contains(audit[0], "\"outcome\":\"ok\""));
  CHECK(contains(audit[0], "\"target\":\"alice\""));
  CHECK(contains(audit[0], "\"role\":\"analyst\""));
  for (const std::string& text : {read_file(f.users_path()), read_file(f.audit_path()), r.out, r.err}) {
    CHECK_FALSE(contains(text, kPassword));
  }
}

TEST_CASE("user add of an existing name fails with exit 1 and leaves the file unchanged", "[daemon][user]") {
  Fixture f;
  REQUIRE(f.run({"add", "alice", "--role", "viewer", "--password-stdin"}, kPassword).code == kExitOk);
  const std::string before = read_file(f.users_path());
  const auto r = f.run({"add", "alice", "--role", "admin", "--password-stdin"}, kNewPassword);
  CHECK(r.code == kExitRuntimeFailure);
  CHECK(r.err == "opensocd: user add: user 'alice' already exists\n");
  CHECK(read_file(f.users_path()) == before);
  CHECK(f.stdin_consumed() == 0);  // refused before a password was read
  CHECK(f.store().find("alice")->role == auth::Role::viewer);
}

TEST_CASE("user list prints a table and JSON with role, scope, tokens and state", "[daemon][user]") {
  Fixture f;
  REQUIRE(f.run({"add", "alice", "--role", "admin", "--password-stdin"}, kPassword).code == kExitOk);
  REQUIRE(f.run({"add", "bob", "--role", "viewer", "--scope", "192.168.0.0/16", "--password-stdin"}, kPassword).code ==
          kExitOk);
  REQUIRE(f.run({"token", "add", "bob"}).code == kExitOk);
  REQUIRE(f.run({"token", "add", "bob"}).code == kExitOk);
  const std::string first_id = f.store().find("bob")->tokens.at(0).id;
  REQUIRE(f.run({"token", "revoke", first_id.c_str()}).code == kExitOk);

  const auto table = f.run({"list"});
  REQUIRE(table.code == kExitOk);
  std::istringstream lines(table.out);
  std::vector<std::string> rows;
  for (std::string l; std::getline(lines, l);) rows.push_back(l);
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].rfind("NAME", 0) == 0);
  CHECK(rows[1].rfind("alice ", 0) == 0);
  CHECK(contains(rows[1], " admin "));
  CHECK(contains(rows[1], " all "));
  CHECK(contains(rows[1], " 0/0 "));
  CHECK(rows[2].rfind("bob ", 0) == 0);
  CHECK(contains(rows[2], " viewer "));
  CHECK(contains(rows[2], " 192.168.0.0/16 "));
  CHECK(contains(rows[2], " 1/2 "));
  CHECK(rows[2].substr(rows[2].size() - 2) == "no");

  const auto json = f.run({"list", "--json"});
  REQUIRE(json.code == kExitOk);
  CHECK(contains(json.out, R"({"name":"bob","role":"viewer","scope":["192.168.0.0/16"],"cert_subjects":[],)"
                           R"("has_password":true,"tokens_live":1,"tokens_total":2,"disabled":false,)"));
  CHECK_FALSE(contains(json.out, "scrypt"));
  CHECK(json.out.back() == '\n');
}

TEST_CASE("user passwd replaces the password; the old one stops working", "[daemon][user]") {
  Fixture f;
  REQUIRE(f.run({"add", "alice", "--role", "viewer", "--password-stdin"}, kPassword).code == kExitOk);
  const auto r = f.run({"passwd", "alice", "--password-stdin"}, std::string(kNewPassword) + "\n");
  REQUIRE(r.code == kExitOk);
  const auto store = f.store();
  CHECK(store.check_password("alice", kNewPassword) != nullptr);
  CHECK(store.check_password("alice", kPassword) == nullptr);
  const auto audit = f.audit_lines();
  REQUIRE(audit.size() == 2);
  CHECK(contains(audit[1], "\"action\":\"user.passwd\""));
  CHECK_FALSE(contains(read_file(f.audit_path()), kNewPassword));
}

TEST_CASE("user passwd without --password-stdin needs a terminal", "[daemon][user]") {
  Fixture f;
  REQUIRE(f.run({"add", "alice", "--role", "viewer", "--password-stdin"}, kPassword).code == kExitOk);
  const std::string before = read_file(f.users_path());
  const auto r = f.run({"passwd", "alice"}, kNewPassword);
  CHECK(r.code == kExitRuntimeFailure);
  CHECK(contains(r.err, "use --password-stdin"));
  CHECK(f.stdin_consumed() == 0);  // stdin is never read for a prompt
  CHECK(read_file(f.users_path()) == before);
}

TEST_CASE("user passwd, del, role and token add refuse an unknown user with exit 1", "[daemon][user]") {
  Fixture f;
  for (const auto& args : std::vector<std::vector<const char*>>{{"passwd", "ghost", "--password-stdin"},
                                                                 {"del", "ghost"},
                                                                 {"role", "ghost", "admin"},
                                                                 {"token", "add", "ghost"},
                                                                 {"token", "list", "ghost"}}) {
    const auto r = f.run(args, kPassword);
    CHECK(r.code == kExitRuntimeFailure);
    CHECK(contains(r.err, "no user 'ghost'"));
  }
  CHECK_FALSE(std::filesystem::exists(f.users_path()));
}

TEST_CASE("user add refuses a password the store refuses, audits the failure and writes nothing", "[daemon][user]") {
  Fixture f;
  const auto r = f.run({"add", "alice", "--role", "viewer", "--password-stdin"}, "Xq7#zW\n");  // < 8 bytes
  CHECK(r.code == kExitRuntimeFailure);
  CHECK(r.err.rfind("opensocd: user add: ", 0) == 0);
  CHECK_FALSE(contains(r.err, "Xq7#zW"));
  CHECK_FALSE(std::filesystem::exists(f.users_path()));
  const auto audit = f.audit_lines();
  REQUIRE(audit.size() == 1);
  CHECK(contains(audit[0], "\"action\":\"user.add\""));
  CHECK(contains(audit[0], "\"outcome\":\"error\""));
  CHECK_FALSE(contains(audit[0], "Xq7#zW"));
}

TEST_CASE("user add and role refuse an unknown role, token add a bad --expires, with exit 2", "[daemon][user]") {
  Fixture f;
  auto r = f.run({"add", "alice", "--role", "root", "--password-stdin"}, kPassword);
  CHECK(r.code == kExitUsage);
  CHECK(r.err == "opensocd: user add: unknown role 'root' (viewer, analyst or admin)\n");
  CHECK(f.stdin_consumed() == 0);
  REQUIRE(f.run({"add", "alice", "--role", "viewer", "--password-stdin"}, kPassword).code == kExitOk);
  r = f.run({"role", "alice", "superuser"});
  CHECK(r.code == kExitUsage);
  r = f.run({"token", "add", "alice", "--expires", "soon"});
  CHECK(r.code == kExitUsage);
  CHECK(r.err == "opensocd: user token add: --expires: expected a duration such as 90d, 12h or 3600, got 'soon'\n");
  CHECK(f.store().find("alice")->tokens.empty());
}

TEST_CASE("user role and scope change the stored user", "[daemon][user]") {
  Fixture f;
  REQUIRE(f.run({"add", "alice", "--role", "viewer", "--password-stdin"}, kPassword).code == kExitOk);
  REQUIRE(f.run({"role", "alice", "admin"}).code == kExitOk);
  CHECK(f.store().find("alice")->role == auth::Role::admin);
  REQUIRE(f.run({"scope", "alice", "10.1.0.0/16", "10.2.0.0/16"}).code == kExitOk);
  CHECK(f.store().find("alice")->scope_networks.size() == 2);
  REQUIRE(f.run({"scope", "alice"}).code == kExitOk);
  CHECK(f.store().find("alice")->scope_networks.empty());
  const auto audit = f.audit_lines();
  REQUIRE(audit.size() == 4);
  CHECK(contains(audit[1], "\"action\":\"user.role\""));
  CHECK(contains(audit[2], "\"action\":\"user.scope\""));
}

TEST_CASE("user disable, enable and certs change the stored user", "[daemon][user]") {
  Fixture f;
  REQUIRE(f.run({"add", "alice", "--role", "viewer", "--password-stdin"}, kPassword).code == kExitOk);
  REQUIRE(f.run({"disable", "alice"}).code == kExitOk);
  CHECK(f.store().find("alice")->disabled);
  CHECK(f.store().check_password("alice", kPassword) == nullptr);
  CHECK(contains(f.run({"list"}).out, " yes\n"));
  REQUIRE(f.run({"enable", "alice"}).code == kExitOk);
  CHECK_FALSE(f.store().find("alice")->disabled);
  CHECK(f.store().check_password("alice", kPassword) != nullptr);
  REQUIRE(f.run({"certs", "alice", "CN=alice,O=SOC"}).code == kExitOk);
  CHECK(f.store().find("alice")->cert_subjects == std::vector<std::string>{"CN=alice,O=SOC"});
  const auto audit = f.audit_lines();
  REQUIRE(audit.size() == 4);
  CHECK(contains(audit[1], "\"action\":\"user.disable\""));
  CHECK(contains(audit[2], "\"action\":\"user.enable\""));
  CHECK(contains(audit[3], "\"action\":\"user.certs\""));
}

TEST_CASE("user token add prints only a working token; revoke and list act on its id", "[daemon][user]") {
  Fixture f;
  REQUIRE(f.run({"add", "alice", "--role", "analyst", "--password-stdin"}, kPassword).code == kExitOk);
  const auto added = f.run({"token", "add", "alice", "--label", "grafana", "--expires", "30d"});
  REQUIRE(added.code == kExitOk);
  REQUIRE(!added.out.empty());
  REQUIRE(added.out.back() == '\n');
  const std::string token = added.out.substr(0, added.out.size() - 1);
  CHECK(token.find('\n') == std::string::npos);
  CHECK(token.find(' ') == std::string::npos);

  const TimestampNs now = wall_clock_ns();
  auto store = f.store();
  const auto match = store.find_token(token, now);
  REQUIRE(match);
  CHECK(match->user->name == "alice");
  CHECK(match->token->label == "grafana");
  CHECK(match->token->expires > now + 29 * 86400 * kNsPerSecond);
  CHECK(match->token->expires < now + 31 * 86400 * kNsPerSecond);
  const std::string id = match->token->id;
  // Only the hash is kept, and the audit log names the id, never the secret.
  CHECK_FALSE(contains(read_file(f.users_path()), token));
  CHECK_FALSE(contains(read_file(f.audit_path()), token));
  CHECK(contains(f.audit_lines().back(), "\"action\":\"token.create\""));
  CHECK(contains(f.audit_lines().back(), "\"token_id\":\"" + id + "\""));

  const auto listed = f.run({"token", "list", "alice", "--json"});
  REQUIRE(listed.code == kExitOk);
  CHECK(contains(listed.out, "\"id\":\"" + id + "\",\"user\":\"alice\",\"label\":\"grafana\""));
  CHECK(contains(listed.out, "\"state\":\"live\""));

  const auto revoked = f.run({"token", "revoke", id.c_str()});
  REQUIRE(revoked.code == kExitOk);
  CHECK_FALSE(f.store().find_token(token, wall_clock_ns()));
  CHECK(contains(f.audit_lines().back(), "\"action\":\"token.revoke\""));
  CHECK(contains(f.audit_lines().back(), "\"target\":\"alice\""));
  CHECK(contains(f.run({"token", "list"}).out, "revoked"));

  const auto unknown = f.run({"token", "revoke", "ffffffffffff"});
  CHECK(unknown.code == kExitRuntimeFailure);
  CHECK(unknown.err == "opensocd: user token revoke: no token with id 'ffffffffffff'\n");
}

TEST_CASE("user del removes the user and its tokens", "[daemon][user]") {
  Fixture f;
  REQUIRE(f.run({"add", "alice", "--role", "viewer", "--password-stdin"}, kPassword).code == kExitOk);
  const std::string token = f.run({"token", "add", "alice"}).out;
  REQUIRE(f.run({"del", "alice"}).code == kExitOk);
  const auto store = f.store();
  CHECK(store.find("alice") == nullptr);
  CHECK_FALSE(store.find_token(token.substr(0, token.size() - 1), wall_clock_ns()));
  CHECK(contains(f.audit_lines().back(), "\"action\":\"user.del\""));
}

TEST_CASE("user commands follow auth.users_file and audit.path, relative to data_dir or absolute", "[daemon][user]") {
  Fixture f;
  f.config().auth.users_file = "etc/people.json";
  f.config().audit.path = f.config().data_dir + "/logs/audit.jsonl";
  REQUIRE(f.run({"add", "alice", "--role", "viewer", "--password-stdin"}, kPassword).code == kExitOk);
  CHECK(users_file_path(f.config()) == f.config().data_dir + "/etc/people.json");
  CHECK(std::filesystem::exists(f.config().data_dir + "/etc/people.json"));
  CHECK(std::filesystem::exists(f.config().data_dir + "/logs/audit.jsonl"));
  CHECK_FALSE(std::filesystem::exists(f.users_path()));
}

TEST_CASE("user commands write no audit entry when audit is off", "[daemon][user]") {
  Fixture f;
  f.config().audit.enabled = false;
  REQUIRE(f.run({"add", "alice", "--role", "viewer", "--password-stdin"}, kPassword).code == kExitOk);
  CHECK_FALSE(std::filesystem::exists(f.audit_path()));
}

}  // namespace opensoc::daemon
