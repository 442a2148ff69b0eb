// Alert documents in the search index: fill_document gives them the KALERT
// kind term, a search by kind finds them and only them, their fields
// (alert.id, rule.*, sid) are searchable, and the executor collects a number
// field of every match (how the alert list turns `q=` into alert ids).
#include <algorithm>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <xapian.h>

#include "search/index_terms.hpp"
#include "search/query_compiler.hpp"
#include "search/query_parser.hpp"
#include "search/search_document.hpp"
#include "search/search_executor.hpp"
#include "search/search_shards.hpp"
#include "support/temp_dir.hpp"

namespace opensoc::search {
namespace {

constexpr TimestampNs kT0 = 1'700'000'000LL * kNsPerSecond;

SearchDocument alert_doc(std::uint64_t id, TimestampNs ts, const std::string& rule_name, double sid) {
  SearchDocument d;
  d.kind = DocumentKind::alert;
  d.ts = ts;
  d.unique_id = "a" + std::to_string(id);
  d.add("event.kind", "alert");
  d.add_number("alert.id", static_cast<double>(id));
  d.add("rule.id", "sid:" + std::to_string(static_cast<std::uint64_t>(sid)));
  d.add("rule.name", rule_name);
  d.add("rule.category", "command-and-control");
  d.add_number("event.severity", 1);
  d.add_number("alert.score", 87.5);
  d.add_number("alert.signature_id", sid);
  d.json = "{\"alert\":" + std::to_string(id) + "}";
  return d;
}

SearchDocument session_doc(TimestampNs ts) {
  SearchDocument d;
  d.kind = DocumentKind::session;
  d.ts = ts;
  d.unique_id = "s1";
  d.add("event.kind", "event");
  d.add_number("alert.id", 99);  // not an alert: a kind filter must keep it out
  d.json = "{\"session\":1}";
  return d;
}

SearchDocument event_doc(TimestampNs ts) {
  SearchDocument d = session_doc(ts);
  d.kind = DocumentKind::event;
  d.unique_id = "e1-0";
  d.json = "{\"event\":1}";
  return d;
}

class Index {
 public:
  explicit Index(const std::vector<SearchDocument>& docs) {
    auto w = SearchShardWriter::open(SearchShardOptions{dir_.path(), 3600, 2000, false});
    REQUIRE(w);
    for (const SearchDocument& d : docs) {
      Xapian::Document xd;
      fill_document(d, xd);
      REQUIRE((*w)->add(d.ts, std::string(kUniqueIdPrefix) + d.unique_id, std::move(xd)));
    }
    REQUIRE((*w)->commit());
  }

  SearchResult run(const std::string& q, std::string_view kind, std::string collect = {}) const {
    auto parsed = parse_search_query(q);
    REQUIRE(std::holds_alternative<QueryNode>(parsed));
    auto compiled = compile_query(std::get<QueryNode>(parsed));
    REQUIRE(std::holds_alternative<Xapian::Query>(compiled));
    SearchRequest r;
    r.query = std::get<Xapian::Query>(compiled);
    r.kind_term = kind;
    r.descending = false;
    r.collect_field = std::move(collect);
    auto res = SearchExecutor(dir_.path()).run(r);
    INFO((res ? std::string() : res.error().message));
    REQUIRE(res);
    return std::move(*res);
  }

  std::vector<std::string> json(const std::string& q, std::string_view kind) const {
    std::vector<std::string> out;
    for (const SearchHit& h : run(q, kind).hits) out.push_back(h.json);
    return out;
  }

  [[nodiscard]] const std::string& dir() const { return dir_.path(); }

 private:
  test::TempDir dir_;
};

using Strings = std::vector<std::string>;

}  // namespace

TEST_CASE("fill_document gives alert documents the KALERT kind term only", "[index_terms]") {
  Xapian::Document xd;
  fill_document(alert_doc(7, kT0, "ET MALWARE Feodo", 2100498), xd);
  std::vector<std::string> kinds;
  for (auto it = xd.termlist_begin(); it != xd.termlist_end(); ++it) {
    const std::string t = *it;
    if (t == kSessionKindTerm || t == kEventKindTerm || t == kAlertKindTerm) kinds.push_back(t);
  }
  CHECK(kinds == Strings{"KALERT"});
  CHECK(Xapian::sortable_unserialise(xd.get_value(64)) == 7);  // alert.id's slot, for sorting the alert list
}

TEST_CASE("an alert document is found by kind alerts and not by sessions or events", "[search_executor]") {
  const Index index({alert_doc(7, kT0, "ET MALWARE Feodo", 2100498), session_doc(kT0 + 1), event_doc(kT0 + 2)});
  CHECK(index.json("", kAlertKindTerm) == Strings{"{\"alert\":7}"});
  CHECK(index.json("", kSessionKindTerm) == Strings{"{\"session\":1}"});
  CHECK(index.json("", kEventKindTerm) == Strings{"{\"event\":1}"});
  CHECK(index.json("", {}).size() == 3);
  CHECK(index.json("event.kind:alert", {}) == Strings{"{\"alert\":7}"});
  CHECK(index.json("event.kind:alert", kSessionKindTerm).empty());
  CHECK(index.json("sid:2100498", kAlertKindTerm) == Strings{"{\"alert\":7}"});
  CHECK(index.json("rule:\"ET MALWARE Feodo\"", kAlertKindTerm) == Strings{"{\"alert\":7}"});
  CHECK(index.json("feodo", kAlertKindTerm) == Strings{"{\"alert\":7}"});
  CHECK(index.json("rule.id:sid:2100498", kAlertKindTerm) == Strings{"{\"alert\":7}"});
  CHECK(index.json("rule.category:command-and-control", kAlertKindTerm) == Strings{"{\"alert\":7}"});
  CHECK(index.json("event.severity:1 alert.score:>80", kAlertKindTerm) == Strings{"{\"alert\":7}"});
  CHECK(index.json("alert.score:<80", kAlertKindTerm).empty());
  CHECK(index.json("alert.id:7", kAlertKindTerm) == Strings{"{\"alert\":7}"});
}

TEST_CASE("SearchExecutor collects a number field of every match, not just the page", "[search_executor]") {
  std::vector<SearchDocument> docs;
  // 30 alerts over three hour shards; even ids have sid 1, odd ids sid 2.
  for (std::uint64_t id = 1; id <= 30; ++id) {
    docs.push_back(alert_doc(id, kT0 + static_cast<TimestampNs>(id) * 360 * kNsPerSecond, "rule", id % 2 == 0 ? 1 : 2));
  }
  docs.push_back(session_doc(kT0));
  const Index index(docs);

  SearchResult all = index.run("", kAlertKindTerm, "alert.id");
  std::sort(all.collected.begin(), all.collected.end());
  REQUIRE(all.collected.size() == 30);
  for (std::size_t i = 0; i < 30; ++i) CHECK(all.collected[i] == static_cast<double>(i + 1));
  CHECK(all.total == 30);

  SearchResult odd = index.run("sid:2", kAlertKindTerm, "alert.id");
  std::sort(odd.collected.begin(), odd.collected.end());
  CHECK(odd.collected == std::vector<double>{1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29});

  SECTION("with a page of zero hits") {
    SearchRequest r;
    r.kind_term = kAlertKindTerm;
    r.limit = 0;
    r.collect_field = "alert.id";
    auto res = SearchExecutor(index.dir()).run(r);
    REQUIRE(res);
    CHECK(res->hits.empty());
    CHECK(res->collected.size() == 30);
  }
  SECTION("a field that is not a number with a slot is refused") {
    SearchRequest r;
    r.collect_field = "rule.name";
    auto res = SearchExecutor(index.dir()).run(r);
    REQUIRE_FALSE(res);
    CHECK_THAT(res.error().message, Catch::Contains("rule.name") && Catch::Contains("cannot be collected"));
    r.collect_field = "no.such.field";
    CHECK_FALSE(SearchExecutor(index.dir()).run(r));
  }
}

}  // namespace opensoc::search
