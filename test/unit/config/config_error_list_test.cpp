#include "config/config_error_list.hpp"

#include <string>

#include <catch2/catch.hpp>

namespace opensoc::config {

TEST_CASE("quoted escapes control and non-ASCII bytes and cuts long text", "[config]") {
  CHECK(quoted("abc") == "'abc'");
  CHECK(quoted("") == "''");
  CHECK(quoted("a\tb\n") == "'a\\x09b\\x0a'");
  CHECK(quoted("\xc3\xa9") == "'\\xc3\\xa9'");
  CHECK(quoted(std::string(60, 'x')) == "'" + std::string(60, 'x') + "'");
  CHECK(quoted(std::string(61, 'x')) == "'" + std::string(60, 'x') + "...'");
}

TEST_CASE("ConfigErrorList joins problems in order and summarises beyond the cap", "[config]") {
  ConfigErrorList errors("f.yaml");
  CHECK(errors.empty());
  errors.add(3, 7, "flow.table_size", "expected x, got y");
  errors.add(1, 1, "(top level)", "expected z, got w");
  CHECK(errors.size() == 2);
  CHECK(errors.to_error().message ==
        "f.yaml:3:7: flow.table_size: expected x, got y\nf.yaml:1:1: (top level): expected z, got w");

  ConfigErrorList many("f.yaml");
  for (int i = 0; i < 130; ++i) many.add(i + 1, 1, "k", "bad");
  const std::string message = many.to_error().message;
  CHECK(many.size() == 130);
  CHECK(message.find("f.yaml:100:1: k: bad\n") != std::string::npos);
  CHECK(message.find("f.yaml:101:1:") == std::string::npos);
  CHECK(message.substr(message.rfind('\n') + 1) == "f.yaml: ... and 30 more problems");
}

}  // namespace opensoc::config
