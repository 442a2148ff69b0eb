#include "alert/alert_api.hpp"

#include <catch2/catch.hpp>

#include "alert/alert_json.hpp"
#include "alert_test_support.hpp"
#include "support/temp_dir.hpp"

using namespace opensoc;
using namespace opensoc::alert;

namespace {
struct Fixture {
  opensoc::test::TempDir tmp;
  std::unique_ptr<AlertStore> store;
  Fixture() {
    auto s = AlertStore::open(tmp.path(), 64ull << 20);
    REQUIRE(s);
    store = std::move(*s);
    DetectionHit low = fixture::make_hit();
    low.severity = 3;
    REQUIRE(store->insert(fixture::make_hit(), 70, 100));
    REQUIRE(store->insert(low, 30, 200));
  }
  [[nodiscard]] std::string json(std::uint64_t id) const {
    std::string out;
    append_alert_json(out, *store->get(id));
    return out;
  }
};

api::Request get(std::multimap<std::string, std::string> query = {}) {
  api::Request r;
  r.method = "GET";
  r.query = std::move(query);
  return r;
}

api::Request patch(std::string body) {
  api::Request r;
  r.method = "PATCH";
  r.body = std::move(body);
  return r;
}

constexpr char kCounts[] =
    R"("counts":{"total":2,"status":{"new":2,"acknowledged":0,"escalated":0,"closed":0},"severity":{"1":0,"2":1,"3":1,"4":0}})";
}  // namespace

TEST_CASE("serve_alert_list answers a page with totals and counts", "[alert][api]") {
  Fixture f;
  auto r = serve_alert_list(get(), *f.store);
  CHECK(r.status == 200);
  CHECK(r.content_type == "application/json");
  // Same last_seen: ties go by id, descending.
  CHECK(r.body == std::string(R"({"total":2,"offset":0,"limit":50,)") + kCounts + R"(,"alerts":[)" + f.json(2) + "," +
                      f.json(1) + "]}");

  r = serve_alert_list(get({{"max_severity", "2"}, {"limit", "1"}}), *f.store);
  CHECK(r.status == 200);
  CHECK(r.body == std::string(R"({"total":1,"offset":0,"limit":1,)") + kCounts + R"(,"alerts":[)" + f.json(1) + "]}");

  r = serve_alert_list(get({{"offset", "5"}}), *f.store);
  CHECK(r.body == std::string(R"({"total":2,"offset":5,"limit":50,)") + kCounts + R"(,"alerts":[]})");
}

TEST_CASE("serve_alert_list rejects a bad parameter with 400 naming it", "[alert][api]") {
  Fixture f;
  const auto r = serve_alert_list(get({{"sort", "name"}}), *f.store);
  CHECK(r.status == 400);
  CHECK(r.body == api::error_response(400, "sort must be last_seen, first_seen, score, severity, id or count", "sort").body);
}

TEST_CASE("serve_alert_get answers one alert, 404 unknown, 400 not a number", "[alert][api]") {
  Fixture f;
  auto r = serve_alert_get(get(), *f.store, "1");
  CHECK(r.status == 200);
  CHECK(r.body == f.json(1));
  r = serve_alert_get(get(), *f.store, "3");
  CHECK(r.status == 404);
  CHECK(r.body == api::error_response(404, "no alert 3").body);
  for (const char* bad : {"", "x", "1x", "-1", "99999999999999999999999"}) {
    r = serve_alert_get(get(), *f.store, bad);
    CHECK(r.status == 400);
    CHECK(r.body == api::error_response(400, "alert id must be a decimal number", "id").body);
  }
}

TEST_CASE("serve_alert_patch changes status and notes, answering the updated alert", "[alert][api]") {
  Fixture f;
  auto r = serve_alert_patch(patch(R"({"status":"escalated","note":"to IR"})"), *f.store, "1", "ana", 5000);
  CHECK(r.status == 200);
  CHECK(r.body == f.json(1));
  CHECK(r.body.find(R"("status":"escalated")") != std::string::npos);
  CHECK(r.body.find(R"("history":[{"at":"1970-01-01T00:00:00.000005000Z","user":"ana","from":"new","to":"escalated","note":"to IR"}])") !=
        std::string::npos);
  r = serve_alert_patch(patch(R"({"note":"still bad"})"), *f.store, "1", "bo", 6000);
  CHECK(r.status == 200);
  const Alert a = *f.store->get(1);
  CHECK(a.status == AlertStatus::escalated);
  REQUIRE(a.history.size() == 2);
  CHECK(a.history[1].from == AlertStatus::escalated);
  CHECK(a.history[1].to == AlertStatus::escalated);
  CHECK(a.history[1].user == "bo");
}

TEST_CASE("serve_alert_patch answers 400 naming the bad field and 404 for unknown ids", "[alert][api]") {
  Fixture f;
  struct Case { const char* body; const char* message; const char* parameter; };
  const Case cases[] = {
      {"", "body is not valid JSON", "body"},
      {"{", "body is not valid JSON", "body"},
      {"[1]", "body must be a JSON object", "body"},
      {R"({"status":1})", "status must be a string", "status"},
      {R"({"status":"open"})", "status must be new, acknowledged, escalated or closed", "status"},
      {R"({"note":false})", "note must be a string", "note"},
      {R"({"status":"closed","owner":"x"})", "unknown field (expected status, note)", "owner"},
      {R"({})", "give a status or a non-empty note", "status"},
      {R"({"note":""})", "give a status or a non-empty note", "status"},
  };
  for (const Case& c : cases) {
    INFO(c.body);
    const auto r = serve_alert_patch(patch(c.body), *f.store, "1", "ana", 0);
    CHECK(r.status == 400);
    CHECK(r.body == api::error_response(400, c.message, c.parameter).body);
  }
  const auto long_note = serve_alert_patch(patch(R"({"note":")" + std::string(4097, 'n') + "\"}"), *f.store, "1", "ana", 0);
  CHECK(long_note.status == 400);
  CHECK(long_note.body == api::error_response(400, "note is longer than 4096 bytes", "note").body);
  CHECK(f.store->get(1)->history.empty());  // nothing was changed by a rejected request

  auto r = serve_alert_patch(patch(R"({"status":"closed"})"), *f.store, "9", "ana", 0);
  CHECK(r.status == 404);
  CHECK(r.body == api::error_response(404, "no alert 9").body);
  r = serve_alert_patch(patch(R"({"status":"closed"})"), *f.store, "nine", "ana", 0);
  CHECK(r.status == 400);
}
