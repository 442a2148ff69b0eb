#include "auth/session_table.hpp"

#include <catch2/catch.hpp>

using namespace opensoc;
using opensoc::auth::SessionTable;

TEST_CASE("SessionTable sessions end at the absolute ttl and after idling", "[auth][session]") {
  SessionTable table(100, 10, 16);
  const TimestampNs t0 = 5'000 * kNsPerSecond;
  const auto& s = table.create("alice", "hash", t0);
  const std::string id = s.id;
  CHECK(id.size() == 43);
  CHECK(s.csrf_token.size() == 43);
  CHECK(s.csrf_token != id);
  CHECK(s.expires == t0 + 100 * kNsPerSecond);
  SessionTable::Lookup outcome{};

  SECTION("idle") {
    CHECK(table.touch(id, t0 + 9 * kNsPerSecond, outcome) != nullptr);
    CHECK(outcome == SessionTable::Lookup::ok);
    CHECK(table.touch(id, t0 + 18 * kNsPerSecond, outcome) != nullptr);  // 9 s after the last use
    CHECK(table.touch(id, t0 + 28 * kNsPerSecond, outcome) == nullptr);
    CHECK(outcome == SessionTable::Lookup::expired);
    CHECK(table.size() == 0);
    CHECK(table.touch(id, t0 + 28 * kNsPerSecond, outcome) == nullptr);
    CHECK(outcome == SessionTable::Lookup::unknown);
  }
  SECTION("absolute") {
    for (int i = 1; i <= 99; i += 5) REQUIRE(table.touch(id, t0 + i * kNsPerSecond, outcome) != nullptr);
    CHECK(table.touch(id, t0 + 100 * kNsPerSecond, outcome) == nullptr);
    CHECK(outcome == SessionTable::Lookup::expired);
  }
}

TEST_CASE("SessionTable evicts the oldest session when full", "[auth][session]") {
  SessionTable table(1000, 1000, 2);
  const TimestampNs t0 = 5'000 * kNsPerSecond;
  const std::string a = table.create("a", "", t0).id;
  const std::string b = table.create("b", "", t0 + 1).id;
  const std::string c = table.create("c", "", t0 + 2).id;
  SessionTable::Lookup outcome{};
  CHECK(table.size() == 2);
  CHECK(table.touch(a, t0 + 3, outcome) == nullptr);
  CHECK(table.touch(b, t0 + 3, outcome) != nullptr);
  CHECK(table.touch(c, t0 + 3, outcome) != nullptr);
  table.remove_user("b");
  CHECK(table.size() == 1);
}
