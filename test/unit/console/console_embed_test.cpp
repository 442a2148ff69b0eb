// tools/embed_console.py over a fixture console (fixture/): every byte value
// survives the trip into a C++ literal, the ETag is SHA-256 of the bytes,
// gzip copies are kept only when smaller, and dotfiles and editor backups
// stay out of the table. Links the generated fixture table in place of the
// real console's.
#include "console/console_assets.hpp"

#include <openssl/evp.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "console/console_site.hpp"

using opensoc::console::ConsoleAsset;

namespace {

std::string read_fixture(const std::string& rel) {
  std::ifstream in(std::string(OPENSOC_CONSOLE_FIXTURE) + "/" + rel, std::ios::binary);
  REQUIRE(in.good());
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string etag_of(const std::string& bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  REQUIRE(EVP_Digest(bytes.data(), bytes.size(), digest, &len, EVP_sha256(), nullptr) == 1);
  std::string hex = "\"";
  char two[3];
  for (unsigned int i = 0; i < 8; ++i) {
    std::snprintf(two, sizeof(two), "%02x", digest[i]);
    hex += two;
  }
  return hex + "\"";
}

}  // namespace

TEST_CASE("embed_console.py tables exactly the served fixture files, sorted", "[console][embed]") {
  const auto assets = opensoc::console::console_assets();
  std::vector<std::string> paths;
  for (const ConsoleAsset& a : assets) paths.emplace_back(a.path);
  CHECK(paths == std::vector<std::string>{"/console/assets/all_bytes.png", "/console/assets/empty.css",
                                          "/console/assets/sub/x.js", "/console/index.html"});
}

TEST_CASE("embed_console.py keeps every byte, types and tags each file", "[console][embed]") {
  struct Case {
    const char* rel;
    const char* type;
  };
  for (const Case& c : {Case{"assets/all_bytes.png", "image/png"}, Case{"assets/empty.css", "text/css; charset=utf-8"},
                        Case{"assets/sub/x.js", "text/javascript; charset=utf-8"},
                        Case{"index.html", "text/html; charset=utf-8"}}) {
    INFO(c.rel);
    const ConsoleAsset* a = opensoc::console::find_console_asset(std::string("/console/") + c.rel);
    REQUIRE(a != nullptr);
    const std::string bytes = read_fixture(c.rel);
    CHECK(a->body == bytes);
    CHECK(a->content_type == c.type);
    CHECK(a->etag == etag_of(bytes));
  }
  const std::string all = read_fixture("assets/all_bytes.png");
  for (int b = 0; b < 256; ++b) CHECK(all.find(static_cast<char>(b)) != std::string::npos);  // the fixture is what it says
  // PNG is not recompressed; the empty file and the tiny page are not worth it.
  CHECK(opensoc::console::find_console_asset("/console/assets/all_bytes.png")->gzip_body.empty());
  CHECK(opensoc::console::find_console_asset("/console/assets/empty.css")->gzip_body.empty());
  CHECK(opensoc::console::find_console_asset("/console/index.html")->gzip_body.empty());
}

TEST_CASE("serve_console serves an empty asset with an empty body", "[console][embed]") {
  opensoc::api::Request r;
  r.method = "GET";
  r.target = r.path = "/console/assets/empty.css";
  const auto resp = opensoc::console::serve_console(r);
  CHECK(resp.status == 200);
  CHECK(resp.body.empty());
  CHECK(resp.content_type == "text/css; charset=utf-8");
}
