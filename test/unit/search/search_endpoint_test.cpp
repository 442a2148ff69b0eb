// The search endpoint's alert side (src/daemon/search_endpoint.cpp): kind
// alerts through run_search, and search_alert_ids, the alert list's `q=`.
#include "daemon/search_endpoint.hpp"

#include <map>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <xapian.h>

#include "daemon/search_command.hpp"
#include "search/index_terms.hpp"
#include "search/search_document.hpp"
#include "search/search_shards.hpp"
#include "support/temp_dir.hpp"

namespace opensoc::daemon {
namespace {

constexpr TimestampNs kT0 = 1'700'000'000LL * kNsPerSecond;

search::SearchDocument alert_doc(std::uint64_t id, TimestampNs ts, std::uint32_t sid) {
  search::SearchDocument d;
  d.kind = search::DocumentKind::alert;
  d.ts = ts;
  d.unique_id = "a" + std::to_string(id);
  d.add("event.kind", "alert");
  d.add_number("alert.id", static_cast<double>(id));
  d.add_number("alert.signature_id", sid);
  d.add("rule.name", sid == 1 ? "Feodo C2" : "DNS tunnel");
  d.json = "{\"alert\":" + std::to_string(id) + "}";
  return d;
}

search::SearchDocument session_doc(TimestampNs ts) {
  search::SearchDocument d;
  d.kind = search::DocumentKind::session;
  d.ts = ts;
  d.unique_id = "s1";
  d.add("event.kind", "event");
  d.add_number("alert.signature_id", 1);
  d.add_number("alert.id", 500);
  d.json = "{\"session\":1}";
  return d;
}

// Alerts 1..20, one a minute from kT0; odd ids sid 1, even ids sid 2. Alert 5
// is written twice (a triage update replaces it) and one session shares a sid.
void write_fixture(const std::string& dir) {
  auto w = search::SearchShardWriter::open(search::SearchShardOptions{dir, 3600, 2000, false});
  REQUIRE(w);
  std::vector<search::SearchDocument> docs;
  for (std::uint64_t id = 1; id <= 20; ++id) {
    docs.push_back(alert_doc(id, kT0 + static_cast<TimestampNs>(id) * 60 * kNsPerSecond, id % 2 == 1 ? 1 : 2));
  }
  docs.push_back(alert_doc(5, kT0 + 5 * 60 * kNsPerSecond, 1));
  docs.push_back(session_doc(kT0));
  for (const auto& d : docs) {
    Xapian::Document xd;
    search::fill_document(d, xd);
    REQUIRE((*w)->add(d.ts, std::string(search::kUniqueIdPrefix) + d.unique_id, std::move(xd)));
  }
  REQUIRE((*w)->commit());
}

SearchParams params(const std::string& q, SearchKind kind = SearchKind::alerts) {
  SearchParams p;
  p.kind = kind;
  p.q = q;
  return p;
}

std::vector<std::uint64_t> ids_ok(const std::string& dir, const SearchParams& p, std::size_t max = 100000) {
  auto r = search_alert_ids(dir, p, max);
  if (const auto* f = std::get_if<SearchFailure>(&r)) FAIL(f->message);
  return std::get<std::vector<std::uint64_t>>(r);
}

using Ids = std::vector<std::uint64_t>;

}  // namespace

TEST_CASE("search_alert_ids returns the alert ids of every match, ascending and once", "[search_endpoint]") {
  const test::TempDir dir;
  write_fixture(dir.path());
  CHECK(ids_ok(dir.path(), params("")) == Ids{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20});
  CHECK(ids_ok(dir.path(), params("sid:1")) == Ids{1, 3, 5, 7, 9, 11, 13, 15, 17, 19});
  CHECK(ids_ok(dir.path(), params("rule:\"dns tunnel\" AND alert.id:<=6")) == Ids{2, 4, 6});
  CHECK(ids_ok(dir.path(), params("sid:3")).empty());
  SECTION("the kind is alerts whatever the parameters say") {
    CHECK(ids_ok(dir.path(), params("alert.id:500", SearchKind::sessions)).empty());
  }
  SECTION("at most max_ids, the newest") {
    CHECK(ids_ok(dir.path(), params("sid:1"), 3) == Ids{15, 17, 19});
    CHECK(ids_ok(dir.path(), params("sid:1"), 0).empty());
  }
  SECTION("the time range applies") {
    SearchParams p = params("");
    p.start = kT0 + 3 * 60 * kNsPerSecond;
    p.end = kT0 + 6 * 60 * kNsPerSecond;  // exclusive
    CHECK(ids_ok(dir.path(), p) == Ids{3, 4, 5});
  }
  SECTION("a bad query is a 400 with its position") {
    auto r = search_alert_ids(dir.path(), params("sid:1 AND (rule:x"));
    REQUIRE(std::holds_alternative<SearchFailure>(r));
    const auto& f = std::get<SearchFailure>(r);
    CHECK(f.status == 400);
    CHECK(f.parameter == "q");
    CHECK(f.position.has_value());
    auto unknown = search_alert_ids(dir.path(), params("nosuchfield:1"));
    REQUIRE(std::holds_alternative<SearchFailure>(unknown));
    CHECK(std::get<SearchFailure>(unknown).status == 400);
  }
  SECTION("no shards at all is no ids") {
    CHECK(ids_ok(dir.file("missing"), params("")).empty());
  }
}

TEST_CASE("run_search with kind alerts returns alert documents only", "[search_endpoint]") {
  const test::TempDir dir;
  write_fixture(dir.path());
  auto lines = [&](const std::string& q, SearchKind kind) {
    SearchParams p = params(q, kind);
    p.sort_field = "alert.id";
    p.descending = false;
    p.limit = 3;
    auto r = run_search(dir.path(), p, true);
    REQUIRE(std::holds_alternative<std::string>(r));
    return std::get<std::string>(r);
  };
  CHECK(lines("sid:1", SearchKind::alerts) == "{\"alert\":1}\n{\"alert\":3}\n{\"alert\":5}\n");
  CHECK(lines("sid:1", SearchKind::sessions) == "{\"session\":1}\n");
  CHECK(lines("sid:1", SearchKind::events).empty());
  std::multimap<std::string, std::string> query{{"q", "sid:2"}, {"sort", "alert.id:asc"}};
  auto parsed = parse_search_params(query, SearchKind::alerts, kT0);
  REQUIRE(std::holds_alternative<SearchParams>(parsed));
  CHECK(std::get<SearchParams>(parsed).kind == SearchKind::alerts);
}

TEST_CASE("search command kinds are named sessions, events, alerts and all", "[search_endpoint]") {
  CHECK(search_kind_named("sessions") == SearchKind::sessions);
  CHECK(search_kind_named("events") == SearchKind::events);
  CHECK(search_kind_named("alerts") == SearchKind::alerts);
  CHECK(search_kind_named("all") == SearchKind::all);
  CHECK_FALSE(search_kind_named("alert").has_value());
  CHECK_FALSE(search_kind_named("").has_value());
}

}  // namespace opensoc::daemon
