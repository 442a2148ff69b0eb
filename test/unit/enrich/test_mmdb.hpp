#pragma once
// Writes the small test databases of tools/make_test_mmdb.pl into a directory.
#include <string>

namespace opensoc::enrich::test {

/// Runs tools/make_test_mmdb.pl to write `dir`/`kind`.mmdb (kind: city, asn,
/// flat) and returns its path; fails the current test when perl fails.
std::string make_test_mmdb(const std::string& dir, const std::string& kind);

}  // namespace opensoc::enrich::test
