#include "alert/alert_store.hpp"

#include <atomic>
#include <thread>

#include <catch2/catch.hpp>

#include "alert_test_support.hpp"
#include "support/temp_dir.hpp"

using namespace opensoc;
using namespace opensoc::alert;

namespace {
std::unique_ptr<AlertStore> open_store(const std::string& dir) {
  auto s = AlertStore::open(dir, 64ull << 20);
  REQUIRE(s);
  return std::move(*s);
}

Alert insert(AlertStore& store, DetectionHit hit, double score) {
  auto a = store.insert(std::move(hit), score, fixture::kT0 + 99);
  REQUIRE(a);
  return *a;
}

std::vector<std::uint64_t> ids(const AlertPage& p) {
  std::vector<std::uint64_t> out;
  for (const Alert& a : p.alerts) out.push_back(a.id);
  return out;
}
}  // namespace

TEST_CASE("AlertStore inserts alerts with increasing ids and status new", "[alert][store]") {
  opensoc::test::TempDir tmp;
  auto store = open_store(tmp.file("alerts"));
  const Alert a = insert(*store, fixture::make_hit(), 71.5);
  CHECK(a.id == 1);
  CHECK(a.status == AlertStatus::new_);
  CHECK(a.count == 1);
  CHECK(a.first_seen == fixture::kT0);
  CHECK(a.last_seen == fixture::kT0);
  CHECK(a.created_at == fixture::kT0 + 99);
  CHECK(a.score == 71.5);
  CHECK(insert(*store, fixture::make_hit(), 10).id == 2);
  const auto got = store->get(1);
  REQUIRE(got);
  CHECK(got->hit.signature == "GPL ATTACK_RESPONSE id check returned root");
  CHECK(got->hit.evidence.size() == 1);
  CHECK_FALSE(store->get(3));
  CHECK(store->next_id() == 3);
}

TEST_CASE("AlertStore folds hits: count, times, evidence merged and capped", "[alert][store]") {
  opensoc::test::TempDir tmp;
  auto store = open_store(tmp.path());
  insert(*store, fixture::make_hit(), 50);

  DetectionHit later = fixture::make_hit(fixture::kT0 + 10 * kNsPerSecond);
  later.evidence[0].bytes_in = 5000;  // the same session, grown
  auto f = store->fold(1, later);
  REQUIRE(f);
  CHECK(f->count == 2);
  CHECK(f->last_seen == fixture::kT0 + 10 * kNsPerSecond);
  CHECK(f->first_seen == fixture::kT0);
  REQUIRE(f->hit.evidence.size() == 1);
  CHECK(f->hit.evidence[0].bytes_in == 5000);
  CHECK(f->hit.evidence[0].last_ts == fixture::kT0 + 10 * kNsPerSecond);

  DetectionHit earlier = fixture::make_hit(fixture::kT0 - kNsPerSecond);
  earlier.evidence.clear();
  ThreatMatch t;
  t.indicator.value = "203.0.113.9";
  earlier.threats = {t, t};  // the same match twice is kept once
  f = store->fold(1, earlier);
  REQUIRE(f);
  CHECK(f->first_seen == fixture::kT0 - kNsPerSecond);
  CHECK(f->last_seen == fixture::kT0 + 10 * kNsPerSecond);
  CHECK(f->hit.threats.size() == 1);

  for (std::uint64_t s = 100; s < 200; ++s) {
    DetectionHit h = fixture::make_hit(fixture::kT0 + static_cast<TimestampNs>(s) * kNsPerSecond);
    h.evidence[0] = fixture::make_evidence(s, h.ts);
    REQUIRE(store->fold(1, h));
  }
  const auto a = store->get(1);
  REQUIRE(a);
  CHECK(a->count == 103);
  REQUIRE(a->hit.evidence.size() == AlertStore::kMaxEvidence);
  CHECK(a->hit.evidence.front().session_id == 42);  // the first stays
  CHECK(a->hit.evidence[1].session_id == 137);      // then the 63 latest
  CHECK(a->hit.evidence.back().session_id == 199);
  CHECK(a->status == AlertStatus::new_);
  CHECK(a->score == 50);

  const auto missing = store->fold(77, later);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().message == "no alert 77");
}

TEST_CASE("AlertStore records triage changes with their history", "[alert][store]") {
  opensoc::test::TempDir tmp;
  auto store = open_store(tmp.path());
  insert(*store, fixture::make_hit(), 50);
  auto c = store->change_status(1, AlertStatus::acknowledged, "looking", "ana", 1000);
  REQUIRE(c);
  CHECK(c->status == AlertStatus::acknowledged);
  c = store->change_status(1, std::nullopt, "benign scanner", "bo", 2000);
  REQUIRE(c);
  CHECK(c->status == AlertStatus::acknowledged);
  REQUIRE(c->history.size() == 2);
  CHECK(c->history[0].at == 1000);
  CHECK(c->history[0].user == "ana");
  CHECK(c->history[0].from == AlertStatus::new_);
  CHECK(c->history[0].to == AlertStatus::acknowledged);
  CHECK(c->history[1].from == AlertStatus::acknowledged);
  CHECK(c->history[1].to == AlertStatus::acknowledged);
  CHECK(c->history[1].note == "benign scanner");
  CHECK(store->get(1)->history.size() == 2);

  const auto unknown = store->change_status(9, AlertStatus::closed, "", "ana", 0);
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().message == "no alert 9");
  CHECK_FALSE(store->change_status(1, std::nullopt, "", "ana", 0));
  CHECK(store->counts().by_status[static_cast<int>(AlertStatus::acknowledged)] == 1);
}

TEST_CASE("AlertStore queries filter, sort and page", "[alert][store]") {
  opensoc::test::TempDir tmp;
  auto store = open_store(tmp.path());
  // id: severity, score, last_seen offset (s), src
  struct Row { std::uint8_t severity; double score; int at; const char* src; };
  const Row rows[] = {{1, 90, 30, "10.0.0.1"}, {2, 60, 10, "10.0.0.2"}, {3, 30, 50, "10.0.0.1"},
                      {4, 5, 20, "10.0.0.3"},  {2, 70, 40, "10.0.0.2"}};
  for (const Row& r : rows) {
    DetectionHit h = fixture::make_hit(fixture::kT0 + r.at * kNsPerSecond);
    h.severity = r.severity;
    h.endpoints.src_ip = fixture::ip(r.src);
    insert(*store, h, r.score);
  }
  REQUIRE(store->change_status(3, AlertStatus::closed, "", "ana", 0));

  AlertQuery q;
  AlertPage p = store->query(q);
  CHECK(p.total == 5);
  CHECK(ids(p) == std::vector<std::uint64_t>{3, 5, 1, 4, 2});  // last_seen desc

  q.sort = AlertSortField::score;
  q.descending = false;
  CHECK(ids(store->query(q)) == std::vector<std::uint64_t>{4, 3, 2, 5, 1});
  q.sort = AlertSortField::severity;  // ties by id, same direction
  CHECK(ids(store->query(q)) == std::vector<std::uint64_t>{1, 2, 5, 3, 4});
  q.descending = true;
  CHECK(ids(store->query(q)) == std::vector<std::uint64_t>{4, 3, 5, 2, 1});

  q.limit = 2;
  q.offset = 1;
  p = store->query(q);
  CHECK(p.total == 5);
  CHECK(p.offset == 1);
  CHECK(p.limit == 2);
  CHECK(ids(p) == std::vector<std::uint64_t>{3, 5});
  q.offset = 5;
  p = store->query(q);
  CHECK(p.total == 5);
  CHECK(p.alerts.empty());

  AlertQuery f;
  f.ip = fixture::ip("10.0.0.1");
  CHECK(ids(store->query(f)) == std::vector<std::uint64_t>{3, 1});
  f.statuses = {AlertStatus::new_};
  CHECK(ids(store->query(f)) == std::vector<std::uint64_t>{1});
  AlertQuery g;
  g.min_severity = 2;
  g.max_severity = 3;
  g.min_score = 50;
  CHECK(ids(store->query(g)) == std::vector<std::uint64_t>{5, 2});
  AlertQuery h;
  h.start = fixture::kT0 + 20 * kNsPerSecond;
  h.end = fixture::kT0 + 40 * kNsPerSecond;
  CHECK(ids(store->query(h)) == std::vector<std::uint64_t>{1, 4});

  const auto c = store->counts();
  CHECK(c.total == 5);
  CHECK(c.by_status[0] == 4);
  CHECK(c.by_status[3] == 1);
  CHECK(c.by_severity[1] == 1);
  CHECK(c.by_severity[2] == 2);
  CHECK(c.by_severity[3] == 1);
  CHECK(c.by_severity[4] == 1);
  CHECK(c.by_severity[0] == 0);
}

TEST_CASE("AlertStore keeps everything across reopen and never reuses ids", "[alert][store]") {
  opensoc::test::TempDir tmp;
  {
    auto store = open_store(tmp.path());
    // Retention goes by when an alert was created (wall clock), not by the
    // packet time of its hits: a replayed old capture keeps its alerts.
    REQUIRE(store->insert(fixture::make_hit(fixture::kT0 + 200 * kNsPerSecond), 50, fixture::kT0));
    REQUIRE(store->insert(fixture::make_hit(fixture::kT0 - 100 * kNsPerSecond), 60, fixture::kT0 + 100 * kNsPerSecond));
    REQUIRE(store->fold(1, fixture::make_hit(fixture::kT0 + kNsPerSecond)));
    REQUIRE(store->change_status(2, AlertStatus::escalated, "to IR", "ana", 5));
    const auto dropped = store->drop_before(fixture::kT0 + 50 * kNsPerSecond);
    REQUIRE(dropped);
    CHECK(*dropped == 1);
    CHECK_FALSE(store->get(1));
  }
  auto store = open_store(tmp.path());
  CHECK(store->skipped_records() == 0);
  CHECK_FALSE(store->get(1));
  const auto two = store->get(2);
  REQUIRE(two);
  CHECK(two->status == AlertStatus::escalated);
  CHECK(two->history.size() == 1);
  CHECK(store->counts().total == 1);
  CHECK(store->counts().by_status[static_cast<int>(AlertStatus::escalated)] == 1);
  CHECK(ids(store->query(AlertQuery{})) == std::vector<std::uint64_t>{2});
  // Id 3 next, even though the highest stored id is 2 and id 1 is gone.
  CHECK(insert(*store, fixture::make_hit(), 1).id == 3);
  auto none = store->drop_before(0);
  REQUIRE(none);
  CHECK(*none == 0);
}

TEST_CASE("AlertStore serves readers and triage while the alert stage writes", "[alert][store][threads]") {
  opensoc::test::TempDir tmp;
  auto store = open_store(tmp.path());
  insert(*store, fixture::make_hit(), 50);
  constexpr int kInserts = 40;
  // Catch2 assertions are not thread-safe: the threads record, the test checks.
  std::atomic<bool> done{false};
  bool writes_ok = true;
  bool totals_grow = true;
  bool pages_complete = true;
  std::thread writer([&] {
    for (int i = 0; i < kInserts; ++i) {
      writes_ok = writes_ok && store->insert(fixture::make_hit(fixture::kT0 + i), 10, 0).has_value();
      writes_ok = writes_ok && store->fold(1, fixture::make_hit(fixture::kT0 + i)).has_value();
    }
    done = true;
  });
  std::thread reader([&] {
    std::uint64_t last_total = 0;
    while (!done) {
      const AlertPage p = store->query(AlertQuery{});
      totals_grow = totals_grow && p.total >= last_total;
      last_total = p.total;
      for (const Alert& a : p.alerts) pages_complete = pages_complete && a.hit.evidence.size() == 1;
    }
  });
  int notes = 0;
  while (!done) {
    REQUIRE(store->change_status(1, std::nullopt, "n", "ana", notes));
    ++notes;
  }
  writer.join();
  reader.join();
  CHECK(writes_ok);
  CHECK(totals_grow);
  CHECK(pages_complete);
  const auto a = store->get(1);
  REQUIRE(a);
  CHECK(a->count == 1 + kInserts);
  CHECK(a->history.size() == static_cast<std::size_t>(std::min(notes, static_cast<int>(AlertStore::kMaxHistory))));
  CHECK(store->counts().total == 1 + kInserts);
}

TEST_CASE("AlertStore stretches an evidence session to its later end without counting a hit", "[alert][store]") {
  opensoc::test::TempDir tmp;
  auto store = open_store(tmp.path());
  const Alert a = insert(*store, fixture::make_hit(), 50);
  REQUIRE(!a.hit.evidence.empty());
  AlertEvidence later = a.hit.evidence.front();
  later.last_ts += 30 * kNsPerSecond;
  later.bytes_out = 123456;
  const auto updated = store->update_evidence(a.id, later);
  REQUIRE(updated);
  CHECK(updated->count == a.count);
  CHECK(updated->last_seen == a.last_seen);
  CHECK(updated->hit.evidence.size() == a.hit.evidence.size());
  CHECK(updated->hit.evidence.front().last_ts == later.last_ts);
  CHECK(updated->hit.evidence.front().bytes_out == 123456);
  CHECK_FALSE(store->update_evidence(999, later));
}

TEST_CASE("AlertStore folds a hit into an open alert but not into a closed or missing one", "[alert][store]") {
  opensoc::test::TempDir tmp;
  auto store = open_store(tmp.path());
  const Alert a = insert(*store, fixture::make_hit(), 50);
  const auto open = store->fold_if_open(a.id, fixture::make_hit(fixture::kT0 + kNsPerSecond));
  REQUIRE(open);
  REQUIRE(*open);
  CHECK((*open)->count == 2);
  REQUIRE(store->change_status(a.id, AlertStatus::closed, "done", "ana", 5));
  const auto closed = store->fold_if_open(a.id, fixture::make_hit(fixture::kT0 + 2 * kNsPerSecond));
  REQUIRE(closed);
  CHECK_FALSE(*closed);
  CHECK(store->get(a.id)->count == 2);
  const auto missing = store->fold_if_open(999, fixture::make_hit());
  REQUIRE(missing);
  CHECK_FALSE(*missing);
}
