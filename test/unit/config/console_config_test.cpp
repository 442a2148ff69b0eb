// The `console:` config section: defaults, accepted values and the errors
// for values out of range, like every other section.
#include <catch2/catch.hpp>

#include <string>

#include "config/config_loader.hpp"

using namespace opensoc::config;

namespace {

AppConfig load(const std::string& yaml) {
  auto r = parse_config(yaml, "t.yaml");
  if (!r) FAIL(r.error().message);
  return *r;
}

std::string error_of(const std::string& yaml) {
  auto r = parse_config(yaml, "t.yaml");
  REQUIRE_FALSE(r);
  return r.error().message;
}

}  // namespace

TEST_CASE("console section defaults: enabled, a sample every 10 s, one hour kept", "[config][console]") {
  const AppConfig c = load("data_dir: /tmp/x\n");
  CHECK(c.console.enabled);
  CHECK(c.console.history_interval_s == 10);
  CHECK(c.console.history_samples == 360);
  const AppConfig empty = load("console:\n");
  CHECK(empty.console.enabled);
  CHECK(empty.console.history_interval_s == 10);
}

TEST_CASE("console section reads enabled, history_interval and history_samples", "[config][console]") {
  const AppConfig c = load("console:\n  enabled: false\n  history_interval: 1m\n  history_samples: 1440\n");
  CHECK_FALSE(c.console.enabled);
  CHECK(c.console.history_interval_s == 60);
  CHECK(c.console.history_samples == 1440);
  CHECK(load("console: {history_interval: 1s, history_samples: 1}\n").console.history_interval_s == 1);
  CHECK(load("console: {history_interval: 1h, history_samples: 100000}\n").console.history_samples == 100000);
}

TEST_CASE("console section reports every bad value with its position", "[config][console]") {
  const std::string e = error_of(
      "console:\n  enabled: maybe\n  history_interval: 2h\n  history_samples: 0\n  colour: blue\n");
  CHECK(e.find("t.yaml:2:12: console.enabled: expected true or false, got 'maybe'") != std::string::npos);
  CHECK(e.find("t.yaml:3:21: console.history_interval: expected a duration between 1 and 3600 seconds") !=
        std::string::npos);
  CHECK(e.find("(= 7200 seconds)") != std::string::npos);
  CHECK(e.find("t.yaml:4:20: console.history_samples: expected an integer between 1 and 100000, got '0'") !=
        std::string::npos);
  CHECK(e.find("console.colour") != std::string::npos);
  CHECK(error_of("console: {history_interval: 0}\n").find("console.history_interval") != std::string::npos);
  CHECK(error_of("console: {history_samples: 100001}\n").find("console.history_samples") != std::string::npos);
  CHECK(error_of("console: [1]\n").find("console: expected a mapping of console settings") != std::string::npos);
}

TEST_CASE("config keeps the text it was parsed from, for GET /api/v1/config", "[config][console]") {
  const std::string yaml = "data_dir: /tmp/x   # comment kept\n";
  const AppConfig c = load(yaml);
  CHECK(c.source_text == yaml);
  CHECK(c.source_path == "t.yaml");
  CHECK(c.loaded_ns == 0);  // parse_config reads no file
}
