#include "auth/user_store.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "auth/secret_text.hpp"
#include "support/temp_dir.hpp"

using namespace opensoc;
using namespace opensoc::auth;

namespace {

constexpr TimestampNs kNow = 1'780'000'000 * kNsPerSecond;

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string load_error(const std::string& path, const std::string& text) {
  write_file(path, text);
  auto r = UserStore::load(path);
  REQUIRE_FALSE(r.has_value());
  return r.error().message;
}

}  // namespace

TEST_CASE("UserStore treats a missing file as an empty store", "[auth][store]") {
  test::TempDir dir;
  auto store = UserStore::load(dir.file("users.json"));
  REQUIRE(store.has_value());
  CHECK(store->users().empty());
  CHECK(store->path() == dir.file("users.json"));
}

TEST_CASE("UserStore save and load round-trip every field", "[auth][store]") {
  test::TempDir dir;
  const std::string path = dir.file("sub/users.json");
  auto store = UserStore::load(path);
  REQUIRE(store.has_value());
  REQUIRE(store->add_user("alice", Role::analyst, "alice-password", {"10.1.2.3/8", "2001:db8::1/32", "192.168.1.7"},
                          {"CN=alice,O=Example"}, kNow));
  REQUIRE(store->add_user("bob", Role::admin, "", {}, {}, kNow + 1));
  auto token = store->create_token("alice", "nightly export", kNow, kNow + 86400 * kNsPerSecond);
  REQUIRE(token.has_value());
  REQUIRE(store->set_disabled("bob", true));
  REQUIRE(store->save());

  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);

  auto again = UserStore::load(path);
  REQUIRE(again.has_value());
  REQUIRE(again->users().size() == 2);
  const UserRecord* a = again->find("alice");
  REQUIRE(a != nullptr);
  CHECK(a->role == Role::analyst);
  CHECK(a->scope_networks == std::vector<std::string>{"10.0.0.0/8", "2001:db8::/32", "192.168.1.7/32"});
  CHECK(a->cert_subjects == std::vector<std::string>{"CN=alice,O=Example"});
  CHECK(a->created == kNow);
  CHECK(a->password_changed == kNow);
  CHECK_FALSE(a->disabled);
  REQUIRE(a->tokens.size() == 1);
  CHECK(a->tokens[0].label == "nightly export");
  CHECK(a->tokens[0].expires == kNow + 86400 * kNsPerSecond);
  CHECK(a->tokens[0].created == kNow);
  CHECK(a->tokens[0].secret_sha256 == sha256_hex(*token));
  const UserRecord* b = again->find("bob");
  REQUIRE(b != nullptr);
  CHECK(b->disabled);
  CHECK(b->password_hash.empty());
  CHECK(again->check_password("alice", "alice-password") == a);
  CHECK(again->find_token(*token, kNow + 1)->user == a);

  // Neither the password nor the token text is in the file.
  const std::string text = read_file(path);
  CHECK(text.find("alice-password") == std::string::npos);
  CHECK(text.find(token->substr(17)) == std::string::npos);
  CHECK(text.find("\"version\":1") != std::string::npos);
}

TEST_CASE("UserStore save replaces the file atomically and leaves no temp files", "[auth][store]") {
  test::TempDir dir;
  const std::string path = dir.file("users.json");
  auto store = UserStore::load(path);
  REQUIRE(store.has_value());
  REQUIRE(store->add_user("alice", Role::viewer, "alice-password", {}, {}, kNow));
  REQUIRE(store->save());
  const auto inode_before = std::filesystem::status(path).type();
  REQUIRE(store->set_role("alice", Role::admin));
  REQUIRE(store->save());
  CHECK(inode_before == std::filesystem::file_type::regular);
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) names.push_back(e.path().filename().string());
  CHECK(names == std::vector<std::string>{"users.json"});
  CHECK(UserStore::load(path)->find("alice")->role == Role::admin);
}

TEST_CASE("UserStore save failure reports the file and leaves no temp file", "[auth][store]") {
  test::TempDir dir;
  auto store = UserStore::load(dir.file("blocker/users.json"));
  REQUIRE(store.has_value());
  REQUIRE(store->add_user("alice", Role::viewer, "alice-password", {}, {}, kNow));
  // The parent directory cannot be created: a file is in the way.
  write_file(dir.file("blocker"), "not a directory");
  auto saved = store->save();
  REQUIRE_FALSE(saved.has_value());
  CHECK(saved.error().message.find("users file " + dir.file("blocker/users.json")) == 0);
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) names.push_back(e.path().filename().string());
  CHECK(names == std::vector<std::string>{"blocker"});

  SECTION("an unwritable directory") {
    if (::geteuid() == 0) return;  // root ignores directory modes
    test::TempDir locked;
    auto other = UserStore::load(locked.file("users.json"));
    REQUIRE(other.has_value());
    REQUIRE(other->add_user("alice", Role::viewer, "alice-password", {}, {}, kNow));
    REQUIRE(::chmod(locked.path().c_str(), 0500) == 0);
    auto failed = other->save();
    REQUIRE(::chmod(locked.path().c_str(), 0700) == 0);
    REQUIRE_FALSE(failed.has_value());
    CHECK(failed.error().message.find("cannot create a temporary file") != std::string::npos);
    CHECK(std::filesystem::is_empty(locked.path()));
  }
}

TEST_CASE("UserStore load names what is wrong with a malformed file", "[auth][store]") {
  test::TempDir dir;
  const std::string path = dir.file("users.json");
  const std::string hash = "$scrypt$ln=15,r=8,p=1$fsQgVth/2Vg8mFkz34BE5A==$IYazsuWncadXn4un2ghPY48nvRtaABsZxF5z0F6Zqs0=";
  CHECK_THAT(load_error(path, "{\"version\":1,"), Catch::Contains("users file " + path) && Catch::Contains("not valid JSON"));
  CHECK_THAT(load_error(path, "[]"), Catch::Contains("top level must be an object"));
  CHECK_THAT(load_error(path, "{\"users\":[]}"), Catch::Contains("version is missing"));
  CHECK_THAT(load_error(path, "{\"version\":2,\"users\":[]}"), Catch::Contains("version must be 1"));
  CHECK_THAT(load_error(path, "{\"version\":1,\"users\":{}}"), Catch::Contains("users must be an array"));
  CHECK_THAT(load_error(path, "{\"version\":1,\"users\":[{\"name\":\"a\",\"role\":\"boss\"}]}"),
             Catch::Contains("users[0]: role 'boss' is not viewer, analyst or admin"));
  CHECK_THAT(load_error(path, "{\"version\":1,\"users\":[{\"name\":\"a b\",\"role\":\"admin\"}]}"),
             Catch::Contains("users[0]: user name 'a b' may only contain"));
  CHECK_THAT(load_error(path, "{\"version\":1,\"users\":[{\"role\":\"admin\"}]}"), Catch::Contains("users[0]: name is missing"));
  CHECK_THAT(load_error(path, "{\"version\":1,\"users\":[{\"name\":\"a\",\"role\":\"admin\",\"disabeld\":true}]}"),
             Catch::Contains("users[0]: unknown key 'disabeld'"));
  CHECK_THAT(load_error(path, "{\"version\":1,\"users\":[{\"name\":\"a\",\"role\":\"admin\"},{\"name\":\"a\",\"role\":\"viewer\"}]}"),
             Catch::Contains("users[1]: duplicate user 'a'"));
  CHECK_THAT(load_error(path, "{\"version\":1,\"users\":[{\"name\":\"a\",\"role\":\"admin\",\"password\":\"hunter2\"}]}"),
             Catch::Contains("users[0]: password is not a valid $scrypt$ hash"));
  CHECK_THAT(load_error(path, "{\"version\":1,\"users\":[{\"name\":\"a\",\"role\":\"admin\",\"scope\":[\"10.0.0.0/33\"]}]}"),
             Catch::Contains("users[0]: scope '10.0.0.0/33' is not an address or CIDR network"));
  CHECK_THAT(load_error(path, "{\"version\":1,\"users\":[{\"name\":\"a\",\"role\":\"admin\",\"created\":\"yesterday\"}]}"),
             Catch::Contains("users[0]: created is not an RFC 3339 UTC time"));
  CHECK_THAT(load_error(path, "{\"version\":1,\"users\":[{\"name\":\"a\",\"role\":\"admin\",\"tokens\":[{\"id\":\"xyz\",\"sha256\":\"00\"}]}]}"),
             Catch::Contains("users[0].tokens[0]: id must be 12 lower-case hex digits"));
  // A good hash parses.
  write_file(path, "{\"version\":1,\"users\":[{\"name\":\"a\",\"role\":\"admin\",\"password\":\"" + hash +
                       "\",\"created\":\"2026-01-31T12:00:00Z\"}]}");
  auto ok = UserStore::load(path);
  REQUIRE(ok.has_value());
  CHECK(ok->find("a")->created == 1'769'860'800 * kNsPerSecond);
}

TEST_CASE("UserStore refuses duplicate users and breaks of the field rules", "[auth][store]") {
  UserStore store;
  REQUIRE(store.add_user("alice", Role::viewer, "alice-password", {}, {}, kNow));
  auto dup = store.add_user("alice", Role::admin, "other-password", {}, {}, kNow);
  REQUIRE_FALSE(dup.has_value());
  CHECK(dup.error().message == "user 'alice' already exists");
  CHECK(store.add_user("", Role::viewer, "longenough").error().message == "user name must be 1-64 characters");
  CHECK(store.add_user(std::string(65, 'a'), Role::viewer, "longenough").error().message == "user name must be 1-64 characters");
  CHECK(store.add_user("bob", Role::viewer, "short").error().message == "password must be at least 8 bytes");
  CHECK(store.add_user("bob", Role::viewer, std::string(1025, 'x')).error().message == "password must be at most 1024 bytes");
  CHECK(store.add_user("bob", Role::viewer, "longenough", {"not-a-net"}).error().message ==
        "scope 'not-a-net' is not an address or CIDR network");
  CHECK(store.add_user("bob", Role::viewer, "longenough", {}, {"sha256:12"}).error().message ==
        "certificate fingerprint must be sha256: and 64 hex digits");
  CHECK(store.set_role("nobody", Role::admin).error().message == "no user 'nobody'");
  CHECK(store.remove_user("nobody").error().message == "no user 'nobody'");
  CHECK(store.users().size() == 1);
  REQUIRE(store.remove_user("alice"));
  CHECK(store.users().empty());
}

TEST_CASE("UserStore checks passwords and refuses disabled users", "[auth][store]") {
  UserStore store;
  REQUIRE(store.add_user("alice", Role::viewer, "alice-password", {}, {}, kNow));
  REQUIRE(store.add_user("certonly", Role::viewer, "", {}, {}, kNow));
  CHECK(store.check_password("alice", "alice-password") == store.find("alice"));
  CHECK(store.check_password("alice", "wrong-password") == nullptr);
  CHECK(store.check_password("nobody", "alice-password") == nullptr);
  CHECK(store.check_password("certonly", "") == nullptr);
  REQUIRE(store.set_password("alice", "new-password", kNow + 5));
  CHECK(store.find("alice")->password_changed == kNow + 5);
  CHECK(store.check_password("alice", "alice-password") == nullptr);
  CHECK(store.check_password("alice", "new-password") != nullptr);
  REQUIRE(store.set_disabled("alice", true));
  CHECK(store.check_password("alice", "new-password") == nullptr);
}

TEST_CASE("UserStore tokens are found by text, expire and revoke", "[auth][store]") {
  UserStore store;
  REQUIRE(store.add_user("alice", Role::analyst, "alice-password", {}, {}, kNow));
  const TimestampNs expires = kNow + 10 * kNsPerSecond;
  auto text = store.create_token("alice", "ci", kNow, expires);
  REQUIRE(text.has_value());
  REQUIRE(text->size() == 60);
  CHECK(text->rfind("ost_", 0) == 0);
  CHECK((*text)[16] == '_');
  const std::string id = text->substr(4, 12);
  CHECK(is_lower_hex(id, 12));
  const ApiToken& stored = store.find("alice")->tokens.at(0);
  CHECK(stored.id == id);
  CHECK(stored.secret_sha256 == sha256_hex(*text));

  auto match = store.find_token(*text, kNow + 1);
  REQUIRE(match.has_value());
  CHECK(match->user->name == "alice");
  CHECK(match->token->id == id);

  SECTION("a wrong secret with the right id") {
    std::string forged = *text;
    forged.back() = forged.back() == 'A' ? 'B' : 'A';
    CHECK_FALSE(store.find_token(forged, kNow + 1).has_value());
  }
  SECTION("malformed texts") {
    CHECK_FALSE(store.find_token("", kNow).has_value());
    CHECK_FALSE(store.find_token(text->substr(0, 59), kNow).has_value());
    CHECK_FALSE(store.find_token("xst_" + text->substr(4), kNow).has_value());
    CHECK_FALSE(store.find_token(*text + "=", kNow).has_value());
  }
  SECTION("expiry") {
    CHECK(store.find_token(*text, expires - 1).has_value());
    CHECK_FALSE(store.find_token(*text, expires).has_value());
  }
  SECTION("revocation") {
    REQUIRE(store.revoke_token(id));
    CHECK(store.find("alice")->tokens.at(0).revoked);
    CHECK_FALSE(store.find_token(*text, kNow + 1).has_value());
    CHECK(store.revoke_token("000000000000").error().message == "no token '000000000000'");
  }
  SECTION("a disabled user's token") {
    REQUIRE(store.set_disabled("alice", true));
    CHECK_FALSE(store.find_token(*text, kNow + 1).has_value());
  }
  SECTION("token rules") {
    CHECK(store.create_token("nobody", "x", kNow).error().message == "no user 'nobody'");
    CHECK(store.create_token("alice", "x", kNow, kNow).error().message == "token expiry must be in the future");
    CHECK(store.create_token("alice", "bad\nlabel", kNow).error().message == "token label contains control characters");
    auto never = store.create_token("alice", "forever", kNow);
    REQUIRE(never.has_value());
    CHECK(store.find_token(*never, kNow + 100LL * 365 * 86400 * kNsPerSecond).has_value());
  }
}

TEST_CASE("UserStore maps client certificates by subject or fingerprint", "[auth][store]") {
  UserStore store;
  const std::string fp(64, 'a');
  REQUIRE(store.add_user("alice", Role::viewer, "", {}, {"CN=alice,O=Example"}, kNow));
  REQUIRE(store.add_user("bob", Role::viewer, "", {}, {"sha256:" + std::string(64, 'A')}, kNow));
  CHECK(store.find("bob")->cert_subjects.at(0) == "sha256:" + fp);
  CHECK(store.find_by_certificate("CN=alice,O=Example", "") == store.find("alice"));
  CHECK(store.find_by_certificate("CN=mallory", fp) == store.find("bob"));
  CHECK(store.find_by_certificate("CN=alice,O=Other", std::string(64, 'b')) == nullptr);
  CHECK(store.find_by_certificate("", "") == nullptr);
  REQUIRE(store.set_disabled("alice", true));
  CHECK(store.find_by_certificate("CN=alice,O=Example", "") == nullptr);
}

TEST_CASE("UserStore loads the users_file fuzz seed that uses every field", "[auth][store]") {
  // The fuzz harness's round-trip check only runs on files that load.
  auto store = UserStore::load(std::string(OPENSOC_SOURCE_ROOT) + "/test/fuzz/seeds/users_file/full.json");
  REQUIRE(store.has_value());
  REQUIRE(store->users().size() == 2);
  CHECK(store->find("alice")->tokens.size() == 2);
  CHECK(store->find("bob@example.org")->disabled);
  auto token = store->find_token("ost_0123456789ab_" + std::string(43, 'A'), kNow);
  REQUIRE(token.has_value());
  CHECK(token->user->name == "alice");
  CHECK(store->find("alice")->created == 1'769'860'800 * kNsPerSecond);
  CHECK(store->find("alice")->password_changed == 1'769'904'000 * kNsPerSecond + 500'000'000);
}
