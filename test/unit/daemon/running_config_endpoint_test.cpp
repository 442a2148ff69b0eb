// GET /api/v1/config: the file as loaded at start, as JSON, secrets hidden;
// later edits of the file do not show.
#include "daemon/running_config_endpoint.hpp"

#include <catch2/catch.hpp>
#include <simdjson.h>

#include <fstream>

#include "config/config_loader.hpp"
#include "opensoc/core/json_writer.hpp"
#include "support/temp_dir.hpp"

using namespace opensoc;

namespace {

void write_file(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << text;
  REQUIRE(f.good());
}

}  // namespace

TEST_CASE("running config shows the file as loaded, path and load time, secrets hidden", "[daemon][config]") {
  test::TempDir tmp;
  const std::string path = tmp.file("opensoc.yaml");
  // The schema has no secret values of its own; a TLS key is a path and is shown.
  write_file(path,
             "data_dir: /var/lib/opensoc\nhttp:\n  listen: 127.0.0.1:8080\n  tls:\n    enabled: false\n"
             "    key: /etc/opensoc/tls.key\nconsole:\n  history_samples: 60\n");
  const TimestampNs before = wall_clock_ns();
  auto cfg = config::load_config(path);
  if (!cfg) FAIL(cfg.error().message);
  const TimestampNs after = wall_clock_ns();
  CHECK(cfg->loaded_ns >= before);
  CHECK(cfg->loaded_ns <= after);
  const auto handler = daemon::make_running_config_endpoint(*cfg);
  // Edited after start: what runs is what was read.
  write_file(path, "data_dir: /elsewhere\n");

  api::Request req;
  req.method = "GET";
  req.path = "/api/v1/config";
  const api::Response r = handler(req);
  REQUIRE(r.status == 200);
  CHECK(r.content_type == "application/json");
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE(parser.parse(r.body).get(doc) == simdjson::SUCCESS);
  std::string_view p, loaded, data_dir, key, listen;
  std::uint64_t samples = 0;
  bool tls = true;
  REQUIRE(doc["path"].get(p) == simdjson::SUCCESS);
  REQUIRE(doc["loaded"].get(loaded) == simdjson::SUCCESS);
  REQUIRE(doc["config"]["data_dir"].get(data_dir) == simdjson::SUCCESS);
  REQUIRE(doc["config"]["http"]["listen"].get(listen) == simdjson::SUCCESS);
  REQUIRE(doc["config"]["http"]["tls"]["enabled"].get(tls) == simdjson::SUCCESS);
  REQUIRE(doc["config"]["http"]["tls"]["key"].get(key) == simdjson::SUCCESS);
  REQUIRE(doc["config"]["console"]["history_samples"].get(samples) == simdjson::SUCCESS);
  CHECK(p == path);
  CHECK(loaded == format_rfc3339_ns(cfg->loaded_ns));
  CHECK(data_dir == "/var/lib/opensoc");
  CHECK(listen == "127.0.0.1:8080");
  CHECK_FALSE(tls);
  CHECK(key == "/etc/opensoc/tls.key");
  CHECK(samples == 60);
  // The same answer every time.
  CHECK(handler(req).body == r.body);
}

TEST_CASE("running config hides secret values in the kept text", "[daemon][config]") {
  config::AppConfig cfg;
  cfg.source_path = "/etc/opensoc/opensoc.yaml";
  cfg.loaded_ns = 1'764'237'600LL * kNsPerSecond;
  cfg.source_text = "auth:\n  admin_password: hunter2\n  users_file: /etc/opensoc/users.json\n";
  const api::Response r = daemon::make_running_config_endpoint(cfg)(api::Request{});
  REQUIRE(r.status == 200);
  CHECK(r.body ==
        R"({"path":"/etc/opensoc/opensoc.yaml","loaded":"2025-11-27T10:00:00.000000000Z",)"
        R"("config":{"auth":{"admin_password":"***","users_file":"/etc/opensoc/users.json"}}})");
}

TEST_CASE("running config of built-in defaults is an empty mapping", "[daemon][config]") {
  config::AppConfig cfg;
  cfg.source_path = "(built-in defaults)";
  const api::Response r = daemon::make_running_config_endpoint(cfg)(api::Request{});
  REQUIRE(r.status == 200);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE(parser.parse(r.body).get(doc) == simdjson::SUCCESS);
  simdjson::dom::object c;
  REQUIRE(doc["config"].get(c) == simdjson::SUCCESS);
  CHECK(c.size() == 0);
  std::string_view p;
  REQUIRE(doc["path"].get(p) == simdjson::SUCCESS);
  CHECK(p == "(built-in defaults)");
}
