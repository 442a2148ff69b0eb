// Tests src/intel/intel_file_loader.cpp: format by extension and by content,
// the source from the file's stem, messages naming the file, unreadable files.
#include "intel/intel_file_loader.hpp"

#include <fstream>
#include <string>

#include <catch2/catch.hpp>

#include "support/temp_dir.hpp"

namespace opensoc::intel {
namespace {

std::string data(const std::string& name) { return std::string(OPENSOC_SOURCE_ROOT) + "/test/data/intel/" + name; }

void write(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

TEST_CASE("load_intel_file reads CSV and names the source after the file", "[intel]") {
  IntelLoadReport report;
  const auto r = load_intel_file(data("blocklist.csv"), report);
  REQUIRE(r);
  CHECK(r->size() == 7);
  CHECK(report.source == "blocklist");
  CHECK((*r)[0].source == "blocklist");
  REQUIRE(report.errors.size() == 2);
  CHECK(report.errors[0] == "blocklist.csv:12: not an IP address");
}

TEST_CASE("load_intel_file tells a STIX bundle from API JSON by content", "[intel]") {
  IntelLoadReport stix;
  const auto s = load_intel_file(data("acme_bundle.json"), stix);
  REQUIRE(s);
  CHECK(s->size() == 10);
  CHECK(stix.source == "acme_bundle");
  CHECK(stix.errors.at(2) == "acme_bundle.json: indicator--a1c0c0f0-0009-4a4a-8a8a-000000000009: revoked");
  IntelLoadReport api;
  const auto a = load_intel_file(data("api_intel.json"), api);
  REQUIRE(a);
  CHECK(a->size() == 4);
  CHECK(api.source == "analyst");  // the body names its source
}

TEST_CASE("load_intel_file sniffs other extensions and treats .txt as CSV", "[intel]") {
  opensoc::test::TempDir dir;
  write(dir.file("feed.list"), "  [{\"type\":\"ip\",\"value\":\"192.0.2.1\"}]");
  write(dir.file("feed2.TXT"), "type,value\ndomain,Evil.Example\n");
  write(dir.file("feed3"), "type,value\nip,192.0.2.3\n");
  IntelLoadReport report;
  auto r = load_intel_file(dir.file("feed.list"), report);
  REQUIRE(r);
  REQUIRE(r->size() == 1);
  CHECK((*r)[0].source == "feed");
  r = load_intel_file(dir.file("feed2.TXT"), report);
  REQUIRE(r);
  REQUIRE(r->size() == 1);
  CHECK((*r)[0].value == "evil.example");
  r = load_intel_file(dir.file("feed3"), report);
  REQUIRE(r);
  REQUIRE(r->size() == 1);
  CHECK((*r)[0].source == "feed3");
}

TEST_CASE("load_intel_file fails on missing files, directories and bad content", "[intel]") {
  opensoc::test::TempDir dir;
  IntelLoadReport report;
  auto r = load_intel_file(dir.file("absent.csv"), report);
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("intel feed " + dir.file("absent.csv") + ": ") == 0);
  r = load_intel_file(dir.path(), report);
  REQUIRE_FALSE(r);
  write(dir.file("broken.json"), "{\"indicators\": [");
  r = load_intel_file(dir.file("broken.json"), report);
  REQUIRE_FALSE(r);
  CHECK(r.error().message.rfind("broken.json: not JSON: ", 0) == 0);
  write(dir.file("empty.csv"), "");
  r = load_intel_file(dir.file("empty.csv"), report);
  REQUIRE_FALSE(r);
  CHECK(r.error().message == "empty.csv: no header row (empty feed)");
}

}  // namespace
}  // namespace opensoc::intel
