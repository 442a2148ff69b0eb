// Tests for SearchShardWriter (time shards on disk) and SearchExecutor
// (queries over them). Documents are built by hand: slot 0 = big-endian ns,
// kind term, a keyword facet (event.dataset, slot 1) and a number field
// (destination.port, slot 5, with an exact term XDP<port>).
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include <catch2/catch.hpp>
#include <xapian.h>

#include "search/field_schema.hpp"
#include "search/query_compiler.hpp"
#include "search/query_parser.hpp"
#include "search/search_executor.hpp"
#include "search/search_shards.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using namespace opensoc;
using namespace opensoc::search;

namespace {

constexpr std::int64_t kMinute = 60 * kNsPerSecond;
// An hour boundary, so shard k of the fixture is [kT0 + k h, kT0 + (k+1) h).
constexpr std::int64_t kT0s = 472222LL * 3600;
constexpr TimestampNs kT0 = kT0s * kNsPerSecond;

std::string be64(TimestampNs ts) {
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[static_cast<std::size_t>(i)] = static_cast<char>(static_cast<std::uint64_t>(ts) >> (56 - 8 * i));
  return out;
}

Xapian::Document make_doc(TimestampNs ts, std::string_view kind, const std::string& dataset, int port,
                          const std::string& json) {
  Xapian::Document doc;
  doc.add_boolean_term(std::string(kind));
  doc.add_boolean_term("XED" + dataset);
  doc.add_boolean_term("XDP" + std::to_string(port));
  doc.add_value(kTimestampSlot, be64(ts));
  doc.add_value(1, dataset);
  doc.add_value(5, Xapian::sortable_serialise(port));
  doc.set_data(json);
  return doc;
}

int port_of(int i) { return i % 5 == 0 ? 53 : (i % 2 != 0 ? 80 : 443); }
std::string dataset_of(int i) { return i % 3 == 0 ? "dns" : "http"; }
std::string_view kind_of(int i) { return i % 2 == 0 ? kSessionKindTerm : kEventKindTerm; }
std::string json_of(int i) { return "{\"i\":" + std::to_string(i) + "}"; }

// 30 documents, one every 6 minutes from kT0: 10 in each of 3 hour shards.
// Ports: 6 x 53 (i % 5 == 0), 12 x 80 (odd), 12 x 443 (even); datasets:
// 10 x dns (i % 3 == 0), 20 x http; kinds: 15 sessions (even i), 15 events.
void fill_fixture(SearchShardWriter& w) {
  for (int i = 0; i < 30; ++i) {
    const TimestampNs ts = kT0 + i * 6 * kMinute;
    REQUIRE(w.add(ts, "", make_doc(ts, kind_of(i), dataset_of(i), port_of(i), json_of(i))));
  }
  REQUIRE(w.commit());
}

std::unique_ptr<SearchShardWriter> open_writer(const std::string& dir, std::uint64_t span_s = 3600) {
  auto w = SearchShardWriter::open(SearchShardOptions{dir, span_s, 2000});
  REQUIRE(w);
  return std::move(*w);
}

SearchResult run_ok(const std::string& dir, const SearchRequest& r) {
  auto res = SearchExecutor(dir).run(r);
  INFO((res ? std::string() : res.error().message));
  REQUIRE(res);
  return std::move(*res);
}

std::vector<std::string> hit_json(const SearchResult& r) {
  std::vector<std::string> out;
  for (const auto& h : r.hits) out.push_back(h.json);
  return out;
}

std::vector<std::string> jsons(std::initializer_list<int> is) {
  std::vector<std::string> out;
  for (int i : is) out.push_back(json_of(i));
  return out;
}

}  // namespace

TEST_CASE("shard dir names sort by time and parse back to their span", "[search_shards]") {
  CHECK(shard_dir_name(kT0s, 3600) == "s001699999200-3600");
  const auto span = parse_shard_dir_name("s001699999200-3600");
  REQUIRE(span);
  CHECK(span->start == kT0);
  CHECK(span->end == kT0 + 3600 * kNsPerSecond);
  CHECK(shard_dir_name(999, 3600) < shard_dir_name(1000, 3600));
  CHECK_FALSE(parse_shard_dir_name(".dropping-s001699999200-3600"));
  CHECK_FALSE(parse_shard_dir_name("s001699999200-0"));
  CHECK_FALSE(parse_shard_dir_name("s-3600"));
  CHECK_FALSE(parse_shard_dir_name("s12x-3600"));
  CHECK_FALSE(parse_shard_dir_name("s99999999999999999999-3600"));
  CHECK_FALSE(parse_shard_dir_name("s9223372036-3600"));  // end past INT64_MAX ns
  CHECK_FALSE(parse_shard_dir_name("flintlock"));
}

TEST_CASE("SearchShardWriter puts documents in one shard per span", "[search_shards]") {
  test::TempDir tmp;
  const std::string dir = tmp.file("search");
  auto w = open_writer(dir);
  fill_fixture(*w);
  auto listed = list_shard_dirs(dir);
  REQUIRE(listed);
  REQUIRE(listed->size() == 3);
  CHECK((*listed)[0].name == shard_dir_name(kT0s, 3600));
  CHECK((*listed)[1].name == shard_dir_name(kT0s + 3600, 3600));
  CHECK((*listed)[2].name == shard_dir_name(kT0s + 7200, 3600));
  for (const ShardDir& d : *listed) {
    Xapian::Database db(d.path);
    CHECK(db.get_doccount() == 10);
  }
  const auto s = w->stats();
  CHECK(s.documents_added == 30);
  CHECK(s.commits == 3);
  CHECK(s.shards == 3);
  CHECK(s.errors == 0);
  CHECK(s.bytes > 0);

  SECTION("a commit with nothing pending does nothing") {
    REQUIRE(w->commit());
    CHECK(w->stats().commits == 3);
  }
  SECTION("a reopened writer knows the shards on disk") {
    w.reset();
    auto again = open_writer(dir);
    CHECK(again->stats().shards == 3);
    CHECK(again->stats().bytes > 0);
  }
}

TEST_CASE("SearchShardWriter refuses bad options and pre-epoch timestamps", "[search_shards]") {
  test::TempDir tmp;
  CHECK_FALSE(SearchShardWriter::open(SearchShardOptions{tmp.file("s"), 0, 2000}));
  CHECK_FALSE(SearchShardWriter::open(SearchShardOptions{"", 3600, 2000}));
  auto w = open_writer(tmp.file("s"));
  auto r = w->add(-1, "", make_doc(0, kEventKindTerm, "dns", 53, "{}"));
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("before the epoch") != std::string::npos);
  CHECK(w->stats().errors == 1);
  CHECK(w->stats().documents_added == 0);
}

TEST_CASE("SearchShardWriter keeps a bounded number of shards open and loses nothing", "[search_shards]") {
  test::TempDir tmp;
  const std::string dir = tmp.file("search");
  auto w = open_writer(dir, 60);
  // Ten one-minute shards, visited twice in turn: every visit past the
  // fourth evicts (and commits) the least recently used one.
  for (int round = 0; round < 2; ++round) {
    for (int m = 0; m < 10; ++m) {
      const TimestampNs ts = kT0 + m * kMinute + round * kNsPerSecond;
      REQUIRE(w->add(ts, "", make_doc(ts, kEventKindTerm, "dns", 53, json_of(round * 10 + m))));
    }
  }
  REQUIRE(w->commit());
  CHECK(w->stats().shards == 10);
  SearchRequest req;
  req.limit = 100;
  const auto res = run_ok(dir, req);
  CHECK(res.total == 20);
  CHECK(res.total_exact);
  CHECK(res.shards_searched == 10);
}

TEST_CASE("SearchShardWriter commit_due needs pending changes and commit_ms elapsed", "[search_shards]") {
  test::TempDir tmp;
  auto w = open_writer(tmp.file("s"));
  const TimestampNs now = wall_clock_ns();
  CHECK_FALSE(w->commit_due(now + 10 * kNsPerSecond));  // nothing pending
  REQUIRE(w->add(kT0, "", make_doc(kT0, kEventKindTerm, "dns", 53, "{}")));
  REQUIRE(w->commit());
  REQUIRE(w->add(kT0, "", make_doc(kT0, kEventKindTerm, "dns", 53, "{}")));
  const TimestampNs committed = wall_clock_ns();
  CHECK_FALSE(w->commit_due(committed + 1000 * 1'000'000LL));
  CHECK(w->commit_due(committed + 2001 * 1'000'000LL));
  REQUIRE(w->commit());
  CHECK_FALSE(w->commit_due(wall_clock_ns() + 10 * kNsPerSecond));
}

TEST_CASE("SearchShardWriter replaces a document by its unique term within a shard", "[search_shards]") {
  test::TempDir tmp;
  const std::string dir = tmp.file("search");
  auto w = open_writer(dir);
  REQUIRE(w->add(kT0, "Qsess-1", make_doc(kT0, kSessionKindTerm, "dns", 53, "{\"v\":1}")));
  REQUIRE(w->add(kT0 + kMinute, "Qsess-2", make_doc(kT0 + kMinute, kSessionKindTerm, "dns", 53, "{\"w\":1}")));
  REQUIRE(w->commit());
  REQUIRE(w->add(kT0 + 2 * kMinute, "Qsess-1", make_doc(kT0 + 2 * kMinute, kSessionKindTerm, "http", 80, "{\"v\":2}")));
  REQUIRE(w->commit());
  SearchRequest req;
  const auto res = run_ok(dir, req);
  CHECK(res.total == 2);
  CHECK(hit_json(res) == std::vector<std::string>{"{\"v\":2}", "{\"w\":1}"});
  req.query = Xapian::Query("Qsess-1");
  const auto one = run_ok(dir, req);
  REQUIRE(one.hits.size() == 1);
  CHECK(one.hits[0].json == "{\"v\":2}");
  CHECK(one.hits[0].ts == kT0 + 2 * kMinute);
  CHECK(w->stats().documents_added == 3);
}

TEST_CASE("SearchShardWriter reopened on a shard with documents replaces across many of its own commits",
          "[search_shards]") {
  // A second writer (a restart) finds earlier documents through a view of the
  // last commit; its own commits must not leave that view unreadable.
  test::TempDir tmp;
  const std::string dir = tmp.file("search");
  {
    auto w = open_writer(dir);
    for (int i = 0; i < 20; ++i) {
      const TimestampNs ts = kT0 + i * kNsPerSecond;
      REQUIRE(w->add(ts, "Qold-" + std::to_string(i), make_doc(ts, kSessionKindTerm, "dns", 53, json_of(i))));
    }
    REQUIRE(w->commit());
  }
  auto w = open_writer(dir);
  for (int round = 0; round < 30; ++round) {
    for (int i = 0; i < 300; ++i) {
      const TimestampNs ts = kT0 + (100 + round * 300 + i) % 3000 * kNsPerSecond;
      Xapian::Document doc = make_doc(ts, kEventKindTerm, "http", 80, std::string(200, 'x'));
      for (int t = 0; t < 8; ++t) doc.add_term("XW" + std::to_string(round * 300 + i) + "-" + std::to_string(t));
      REQUIRE(w->add(ts, "Qnew-" + std::to_string(round * 300 + i), std::move(doc)));
    }
    // A document of the first writer, replaced after this writer's commits.
    const TimestampNs ts = kT0 + round * kNsPerSecond;
    auto r = w->add(ts, "Qold-" + std::to_string(round % 20), make_doc(ts, kSessionKindTerm, "dns", 53, "{\"r\":" + std::to_string(round) + "}"));
    INFO((r ? std::string() : r.error().message));
    REQUIRE(r);
    REQUIRE(w->commit());
  }
  SearchRequest req;
  req.kind_term = kSessionKindTerm;
  req.limit = 100;
  CHECK(run_ok(dir, req).total == 20);  // replaced, never duplicated
  req.kind_term = kEventKindTerm;
  CHECK(run_ok(dir, req).total == 9000);
  CHECK(w->stats().errors == 0);
}

TEST_CASE("SearchShardWriter drop_before removes whole shards and their documents", "[search_shards]") {
  test::TempDir tmp;
  const std::string dir = tmp.file("search");
  auto w = open_writer(dir);
  fill_fixture(*w);
  // Ends inside the second shard: only the first ends at or before it.
  auto dropped = w->drop_before(kT0 + 90 * kMinute);
  REQUIRE(dropped);
  CHECK(*dropped == 1);
  CHECK_FALSE(fs::exists(dir + "/" + shard_dir_name(kT0s, 3600)));
  CHECK(fs::exists(dir + "/" + shard_dir_name(kT0s + 3600, 3600)));
  SearchRequest req;
  req.limit = 100;
  auto res = run_ok(dir, req);
  CHECK(res.total == 20);
  CHECK(res.shards_searched == 2);
  CHECK(w->stats().shards == 2);
  CHECK(w->stats().shards_dropped == 1);

  // A shard still open for writing, with uncommitted changes, goes too.
  REQUIRE(w->add(kT0 + 150 * kMinute, "", make_doc(kT0 + 150 * kMinute, kEventKindTerm, "dns", 53, "{}")));
  dropped = w->drop_before(kT0 + 180 * kMinute);
  REQUIRE(dropped);
  CHECK(*dropped == 2);
  CHECK(fs::is_empty(dir));
  CHECK_FALSE(w->commit_due(wall_clock_ns() + 100 * kNsPerSecond));
  res = run_ok(dir, req);
  CHECK(res.total == 0);
  CHECK(res.shards_searched == 0);
  // And the writer can write to the same span again afterwards.
  REQUIRE(w->add(kT0 + 150 * kMinute, "", make_doc(kT0 + 150 * kMinute, kEventKindTerm, "dns", 53, "{}")));
  REQUIRE(w->commit());
  CHECK(run_ok(dir, req).total == 1);
}

TEST_CASE("SearchShardWriter open finishes a drop interrupted by a crash", "[search_shards]") {
  test::TempDir tmp;
  const std::string dir = tmp.file("search");
  fs::create_directories(dir + "/.dropping-s001699999200-3600/x");
  auto w = open_writer(dir);
  CHECK(fs::is_empty(dir));
  CHECK(w->stats().shards == 0);
}

TEST_CASE("SearchExecutor counts every match across shards and pages through them", "[search_executor]") {
  test::TempDir tmp;
  const std::string dir = tmp.file("search");
  auto w = open_writer(dir);
  fill_fixture(*w);

  SearchRequest req;
  req.limit = 5;
  auto res = run_ok(dir, req);
  CHECK(res.total == 30);
  CHECK(res.total_exact);
  CHECK(res.shards_searched == 3);
  CHECK(res.shards_skipped == 0);
  CHECK(hit_json(res) == jsons({29, 28, 27, 26, 25}));
  CHECK(res.hits[0].ts == kT0 + 29 * 6 * kMinute);

  req.offset = 27;
  res = run_ok(dir, req);
  CHECK(res.total == 30);
  CHECK(hit_json(res) == jsons({2, 1, 0}));

  req.offset = 30;
  res = run_ok(dir, req);
  CHECK(res.total == 30);
  CHECK(res.hits.empty());

  SECTION("ascending by time") {
    req.offset = 8;
    req.limit = 4;
    req.descending = false;
    CHECK(hit_json(run_ok(dir, req)) == jsons({8, 9, 10, 11}));
  }
  SECTION("a query and a kind filter") {
    req.offset = 0;
    req.limit = 100;
    req.query = Xapian::Query("XEDdns");  // i % 3 == 0
    req.kind_term = kSessionKindTerm;     // even i
    res = run_ok(dir, req);
    CHECK(res.total == 5);
    CHECK(hit_json(res) == jsons({24, 18, 12, 6, 0}));
    req.kind_term = kEventKindTerm;
    CHECK(hit_json(run_ok(dir, req)) == jsons({27, 21, 15, 9, 3}));
  }
  SECTION("limit 0 still counts") {
    req.offset = 0;
    req.limit = 0;
    res = run_ok(dir, req);
    CHECK(res.total == 30);
    CHECK(res.hits.empty());
  }
}

TEST_CASE("SearchExecutor sorts by a number slot with ties in document order", "[search_executor]") {
  test::TempDir tmp;
  const std::string dir = tmp.file("search");
  auto w = open_writer(dir);
  // One shard, so document order is insertion order.
  const int ports[] = {443, 53, 8080, 53, 80};
  for (int i = 0; i < 5; ++i) {
    const TimestampNs ts = kT0 + i * kMinute;
    REQUIRE(w->add(ts, "", make_doc(ts, kEventKindTerm, "dns", ports[i], json_of(i))));
  }
  REQUIRE(w->commit());
  SearchRequest req;
  req.sort_field = "destination.port";
  req.descending = false;
  CHECK(hit_json(run_ok(dir, req)) == jsons({1, 3, 4, 0, 2}));
  req.descending = true;
  CHECK(hit_json(run_ok(dir, req)) == jsons({2, 0, 4, 1, 3}));
}

TEST_CASE("SearchExecutor time range cuts inside shards and skips shards outside it", "[search_executor]") {
  test::TempDir tmp;
  const std::string dir = tmp.file("search");
  auto w = open_writer(dir);
  fill_fixture(*w);
  SearchRequest req;
  req.limit = 100;
  req.descending = false;

  SECTION("inside two shards") {
    req.start = kT0 + 90 * kMinute;   // i = 15 exactly
    req.end = kT0 + 132 * kMinute;    // i = 22 excluded
    const auto res = run_ok(dir, req);
    CHECK(res.total == 7);
    CHECK(res.shards_searched == 2);
    CHECK(hit_json(res) == jsons({15, 16, 17, 18, 19, 20, 21}));
  }
  SECTION("exactly one whole shard") {
    req.start = kT0 + 60 * kMinute;
    req.end = kT0 + 120 * kMinute;
    const auto res = run_ok(dir, req);
    CHECK(res.total == 10);
    CHECK(res.shards_searched == 1);
    CHECK(hit_json(res).front() == json_of(10));
    CHECK(hit_json(res).back() == json_of(19));
  }
  SECTION("one nanosecond") {
    req.start = kT0 + 12 * kMinute;
    req.end = req.start + 1;
    CHECK(hit_json(run_ok(dir, req)) == jsons({2}));
  }
  SECTION("empty and inverted ranges") {
    req.start = kT0 + 10 * kMinute;
    req.end = req.start;
    CHECK(run_ok(dir, req).total == 0);
    req.end = req.start - 1;
    CHECK(run_ok(dir, req).total == 0);
    req.start = kT0 + 5 * 3600 * kNsPerSecond;
    req.end = INT64_MAX;
    const auto res = run_ok(dir, req);
    CHECK(res.total == 0);
    CHECK(res.shards_searched == 0);
  }
}

TEST_CASE("SearchExecutor facets count every match exactly", "[search_executor]") {
  test::TempDir tmp;
  const std::string dir = tmp.file("search");
  auto w = open_writer(dir);
  fill_fixture(*w);
  SearchRequest req;
  req.limit = 1;
  req.facets = {"destination.port", "event.dataset"};
  auto res = run_ok(dir, req);
  CHECK(res.total == 30);
  CHECK(res.total_exact);
  REQUIRE(res.facets.size() == 2);
  CHECK(res.facets[0].first == "destination.port");
  const auto& ports = res.facets[0].second;
  REQUIRE(ports.size() == 3);
  // 80 and 443 tie on 12: ties go by value.
  CHECK(ports[0].value == "80");
  CHECK(ports[0].count == 12);
  CHECK(ports[1].value == "443");
  CHECK(ports[1].count == 12);
  CHECK(ports[2].value == "53");
  CHECK(ports[2].count == 6);
  CHECK(res.facets[1].first == "event.dataset");
  const auto& ds = res.facets[1].second;
  REQUIRE(ds.size() == 2);
  CHECK(ds[0].value == "http");
  CHECK(ds[0].count == 20);
  CHECK(ds[1].value == "dns");
  CHECK(ds[1].count == 10);

  SECTION("facet_size keeps the top values") {
    req.facet_size = 1;
    res = run_ok(dir, req);
    REQUIRE(res.facets[0].second.size() == 1);
    CHECK(res.facets[0].second[0].value == "80");
  }
  SECTION("facets follow the query and the time range") {
    req.query = Xapian::Query("XEDdns");
    req.start = kT0;
    req.end = kT0 + 60 * kMinute;  // i = 0, 3, 6, 9
    res = run_ok(dir, req);
    CHECK(res.total == 4);
    const auto& p = res.facets[0].second;
    REQUIRE(p.size() == 3);
    CHECK(p[0].value == "80");  // 3, 9
    CHECK(p[0].count == 2);
    // 53 (i = 0) and 443 (i = 6) tie on 1: numeric order, not string order.
    CHECK(p[1].value == "53");
    CHECK(p[1].count == 1);
    CHECK(p[2].value == "443");
    CHECK(p[2].count == 1);
  }
}

TEST_CASE("SearchExecutor histogram has every bucket from first to last match", "[search_executor]") {
  test::TempDir tmp;
  const std::string dir = tmp.file("search");
  auto w = open_writer(dir);
  fill_fixture(*w);
  SearchRequest req;
  req.limit = 0;
  req.histogram_interval_ns = 30 * kMinute;
  auto res = run_ok(dir, req);
  REQUIRE(res.histogram.size() == 6);
  for (std::size_t b = 0; b < 6; ++b) {
    CHECK(res.histogram[b].first == kT0 + static_cast<std::int64_t>(b) * 30 * kMinute);
    CHECK(res.histogram[b].second == 5);
  }
  CHECK(res.total == 30);

  // Port 53 at minutes 0, 30, ..., 150; 20-minute buckets 0,1,3,4,6,7.
  req.query = Xapian::Query("XDP53");
  req.histogram_interval_ns = 20 * kMinute;
  res = run_ok(dir, req);
  const std::vector<std::uint64_t> expected{1, 1, 0, 1, 1, 0, 1, 1};
  REQUIRE(res.histogram.size() == expected.size());
  for (std::size_t b = 0; b < expected.size(); ++b) {
    CHECK(res.histogram[b].first == kT0 + static_cast<std::int64_t>(b) * 20 * kMinute);
    CHECK(res.histogram[b].second == expected[b]);
  }

  req.query = Xapian::Query("XEDnothing");
  CHECK(run_ok(dir, req).histogram.empty());

  req.query = Xapian::Query::MatchAll;
  req.histogram_interval_ns = 1;  // three hours in 1 ns buckets
  auto refused = SearchExecutor(dir).run(req);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().message.find("buckets") != std::string::npos);
}

TEST_CASE("SearchExecutor rejects invalid requests with a clear message", "[search_executor]") {
  test::TempDir tmp;
  SearchExecutor ex(tmp.path());
  auto expect_error = [&](const SearchRequest& r, const std::string& needle) {
    auto res = ex.run(r);
    REQUIRE_FALSE(res);
    INFO(res.error().message);
    CHECK(res.error().message.find(needle) != std::string::npos);
  };
  SearchRequest req;
  req.limit = 10001;
  expect_error(req, "limit 10001");
  req.limit = 10000;
  CHECK(ex.run(req));
  req.sort_field = "no.such.field";
  expect_error(req, "'no.such.field' is not a field");
  req.sort_field = "session.id";
  expect_error(req, "not sortable");
  req.sort_field = "@timestamp";
  req.facets = {"source.bytes"};
  expect_error(req, "'source.bytes' does not support facets");
  req.facets = {"bogus"};
  expect_error(req, "'bogus' is not a field");
  req.facets = {};
  req.histogram_interval_ns = -5;
  expect_error(req, "negative");
}

TEST_CASE("SearchExecutor on a missing directory finds nothing", "[search_executor]") {
  test::TempDir tmp;
  SearchRequest req;
  req.facets = {"event.dataset"};
  const auto res = run_ok(tmp.file("never-created"), req);
  CHECK(res.total == 0);
  CHECK(res.total_exact);
  CHECK(res.shards_searched == 0);
  REQUIRE(res.facets.size() == 1);
  CHECK(res.facets[0].second.empty());
}

TEST_CASE("SearchExecutor searches around a damaged shard and reports it", "[search_executor]") {
  test::TempDir tmp;
  const std::string dir = tmp.file("search");
  auto w = open_writer(dir);
  fill_fixture(*w);
  w.reset();
  {
    const std::string junk = dir + "/" + shard_dir_name(kT0s + 3600, 3600) + "/iamglass";
    FILE* f = std::fopen(junk.c_str(), "wb");
    REQUIRE(f != nullptr);
    std::fputs("not a glass revision file", f);
    std::fclose(f);
  }
  SearchRequest req;
  req.limit = 100;
  const auto res = run_ok(dir, req);
  CHECK(res.shards_skipped == 1);
  CHECK(res.shards_searched == 2);
  CHECK(res.total == 20);
}

TEST_CASE("SearchExecutor sees a writer's documents after its commit and not before", "[search_executor]") {
  test::TempDir tmp;
  const std::string dir = tmp.file("search");
  auto w = open_writer(dir);
  SearchRequest req;
  CHECK(run_ok(dir, req).total == 0);
  // A shard created but never committed is either empty or skipped.
  REQUIRE(w->add(kT0, "", make_doc(kT0, kEventKindTerm, "dns", 53, json_of(0))));
  CHECK(run_ok(dir, req).total == 0);
  REQUIRE(w->commit());
  CHECK(hit_json(run_ok(dir, req)) == jsons({0}));
  REQUIRE(w->add(kT0 + kMinute, "", make_doc(kT0 + kMinute, kEventKindTerm, "dns", 53, json_of(1))));
  REQUIRE(w->add(kT0 + 2 * 3600 * kNsPerSecond, "", make_doc(kT0 + 2 * 3600 * kNsPerSecond, kEventKindTerm, "dns", 53, json_of(2))));
  CHECK(hit_json(run_ok(dir, req)) == jsons({0}));
  REQUIRE(w->commit());
  const auto res = run_ok(dir, req);
  CHECK(hit_json(res) == jsons({2, 1, 0}));
  CHECK(res.shards_searched == 2);
}

TEST_CASE("SearchExecutor keeps answering while a writer commits in another thread", "[search_executor]") {
  test::TempDir tmp;
  const std::string dir = tmp.file("search");
  auto w = open_writer(dir, 60);
  std::atomic<int> committed{0};
  std::thread writer([&] {
    for (int i = 0; i < 120; ++i) {
      const TimestampNs ts = kT0 + i * 20 * kNsPerSecond;  // a new 1-minute shard every 3 documents
      if (!w->add(ts, "", make_doc(ts, kEventKindTerm, "dns", 53, json_of(i)))) return;
      if (!w->commit()) return;
      committed.store(i + 1);
      if (i == 60) (void)w->drop_before(kT0 + 10 * kMinute);
    }
  });
  SearchRequest req;
  req.limit = 1;
  std::string failure;
  while (committed.load() < 120) {
    const int before = committed.load();
    auto res = SearchExecutor(dir).run(req);
    if (!res) {
      failure = res.error().message;
      break;
    }
    // Never more than committed (+1: a commit not yet announced), never less
    // than what was committed before the call minus what retention removed.
    CHECK(res->total <= static_cast<std::uint64_t>(committed.load()) + 1);
    CHECK(res->total + 30 >= static_cast<std::uint64_t>(before));
  }
  writer.join();
  CHECK(failure.empty());
  CHECK(committed.load() == 120);
  CHECK(run_ok(dir, req).total == 90);
}

TEST_CASE("SearchShardWriter shards survive kill -9 in the middle of writing", "[search_shards]") {
  test::TempDir tmp;
  const std::string dir = tmp.file("search");
  int ready[2];
  REQUIRE(pipe(ready) == 0);
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // Child: write and commit forever; tell the parent after 20 commits.
    close(ready[0]);
    auto w = SearchShardWriter::open(SearchShardOptions{dir, 60, 2000});
    if (!w) _exit(2);
    for (int i = 0;; ++i) {
      const TimestampNs ts = kT0 + i * 7 * kNsPerSecond;
      if (!(*w)->add(ts, "", make_doc(ts, kEventKindTerm, "dns", 53, json_of(i)))) _exit(3);
      if (i % 3 == 2 && !(*w)->commit()) _exit(4);
      if (i == 60) {
        const char c = 'x';
        if (write(ready[1], &c, 1) != 1) _exit(5);
      }
    }
  }
  close(ready[1]);
  char c = 0;
  REQUIRE(read(ready[0], &c, 1) == 1);
  close(ready[0]);
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  REQUIRE(kill(child, SIGKILL) == 0);
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  REQUIRE(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGKILL);

  SearchRequest req;
  req.limit = 10000;
  req.descending = false;
  const auto res = run_ok(dir, req);
  CHECK(res.shards_skipped == 0);
  REQUIRE(res.total >= 60);
  // Commits are atomic: what is there is a prefix of what was written.
  REQUIRE(res.hits.size() == res.total);
  for (std::size_t i = 0; i < res.hits.size(); ++i) {
    CHECK(res.hits[i].json == json_of(static_cast<int>(i)));
  }

  // A new writer (the restarted daemon) opens the same shards and goes on.
  std::unique_ptr<SearchShardWriter> w;
  for (int attempt = 0; attempt < 50 && !w; ++attempt) {
    auto opened = SearchShardWriter::open(SearchShardOptions{dir, 60, 2000});
    REQUIRE(opened);
    w = std::move(*opened);
  }
  const TimestampNs last = res.hits.back().ts;
  REQUIRE(w->add(last, "", make_doc(last, kEventKindTerm, "dns", 53, "{\"after\":1}")));
  REQUIRE(w->commit());
  CHECK(run_ok(dir, req).total == res.total + 1);
}

namespace {
Xapian::Query compiled(std::string_view text) {
  auto node = parse_search_query(text);
  REQUIRE(std::holds_alternative<QueryNode>(node));
  auto q = compile_query(std::get<QueryNode>(node));
  REQUIRE(std::holds_alternative<Xapian::Query>(q));
  return std::get<Xapian::Query>(q);
}
}  // namespace

// A scoped user's search is `(<their q>) AND (ip:...)`: no part of the user's
// text may widen it. `*` once compiled to an empty query that the executor
// read as "everything", so `* AND x` matched all documents.
TEST_CASE("a bare * ANDed with a clause is that clause, and an empty query matches nothing", "[search_shards]") {
  test::TempDir tmp;
  const std::string dir = tmp.file("search");
  auto w = open_writer(dir);
  // Ten documents, four with event.dataset "dns" as the indexer writes it.
  for (int i = 0; i < 10; ++i) {
    const TimestampNs ts = kT0 + i * kMinute;
    Xapian::Document doc = make_doc(ts, kSessionKindTerm, "x", 80, json_of(i));
    if (i % 3 == 0) doc.add_boolean_term("XED:dns");
    REQUIRE(w->add(ts, "", doc));
  }
  REQUIRE(w->commit());
  SearchRequest req;
  req.limit = 100;
  CHECK(run_ok(dir, req).total == 10);  // the default query: everything
  req.query = compiled("*");
  CHECK(run_ok(dir, req).total == 10);
  req.query = compiled("event.dataset:dns");
  CHECK(run_ok(dir, req).total == 4);
  req.query = compiled("(*) AND (event.dataset:dns)");
  CHECK(run_ok(dir, req).total == 4);
  req.query = compiled("* AND event.dataset:dns");
  CHECK(run_ok(dir, req).total == 4);
  req.query = Xapian::Query();
  CHECK(run_ok(dir, req).total == 0);
  req.query = compiled("... AND event.dataset:dns");  // punctuation: nothing indexable
  CHECK(run_ok(dir, req).total <= 4);
}
