#pragma once
// Helpers the intel loader tests share: the sample feeds in test/data/intel
// and the counting half of a load report. Test thread only.
#include <cstddef>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include <catch2/catch.hpp>

#include "intel/intel_load_report.hpp"

namespace opensoc::intel::test {

/// The bytes of test/data/intel/<name>; fails the test when it cannot be read.
inline std::string read_data(const std::string& name) {
  std::ifstream in(std::string(OPENSOC_SOURCE_ROOT) + "/test/data/intel/" + name, std::ios::binary);
  REQUIRE(in);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// Checks the report's feed name and counts, and requires one kept message
/// per rejection (so the caller may index errors[0 .. rejected)).
inline void check_report(const IntelLoadReport& report, std::string_view source, std::size_t loaded, std::size_t expired,
                         std::size_t rejected) {
  CHECK(report.source == source);
  CHECK(report.loaded == loaded);
  CHECK(report.expired == expired);
  CHECK(report.rejected == rejected);
  REQUIRE(report.errors.size() == rejected);
}

}  // namespace opensoc::intel::test
