#include "test_mmdb.hpp"

#include <catch2/catch.hpp>

#include "support/external_tools.hpp"

namespace opensoc::enrich::test {

std::string make_test_mmdb(const std::string& dir, const std::string& kind) {
  const std::string out = dir + "/" + kind + ".mmdb";
  const std::string script = std::string(OPENSOC_SOURCE_ROOT) + "/tools/make_test_mmdb.pl";
  const auto run = opensoc::test::run_command("perl " + opensoc::test::shell_quote(script) + " " +
                                              opensoc::test::shell_quote(out) + " " + kind + " 2>&1");
  INFO("make_test_mmdb.pl " << kind);
  REQUIRE(run.has_value());
  return out;
}

}  // namespace opensoc::enrich::test
