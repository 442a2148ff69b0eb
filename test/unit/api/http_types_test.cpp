#include "api/http_types.hpp"

#include <catch2/catch.hpp>

using opensoc::api::Request;
using opensoc::api::parse_target;

TEST_CASE("parse_target splits and percent-decodes path and query", "[api]") {
  Request r;
  std::string err;
  REQUIRE(parse_target("/api/v1/x%20y?host=10.0.0.1&q=a+b%26c&flag&=v", r, err));
  CHECK(r.path == "/api/v1/x y");
  CHECK(r.query.count("host") == 1);
  CHECK(r.query.find("host")->second == "10.0.0.1");
  CHECK(r.query.find("q")->second == "a b&c");
  CHECK(r.query.find("flag")->second.empty());
  CHECK(r.query.find("")->second == "v");
}

TEST_CASE("parse_target keeps repeated parameters", "[api]") {
  Request r;
  std::string err;
  REQUIRE(parse_target("/x?port=1&port=2", r, err));
  CHECK(r.query.count("port") == 2);
}

TEST_CASE("parse_target rejects malformed targets with a reason", "[api]") {
  Request r;
  std::string err;
  for (const char* bad : {"", "api/v1", "http://example.com/", "/a%2", "/a%zz", "/a%00b", "/x?a=%", "/x?a=%0"}) {
    INFO(bad);
    err.clear();
    CHECK_FALSE(parse_target(bad, r, err));
    CHECK_FALSE(err.empty());
  }
}

TEST_CASE("error_response names the offending parameter when given one", "[api]") {
  const auto with = opensoc::api::error_response(400, "bad address \"x\"", "host");
  CHECK(with.status == 400);
  CHECK(with.content_type == "application/json");
  CHECK(with.body == "{\"error\":{\"status\":400,\"message\":\"bad address \\\"x\\\"\",\"parameter\":\"host\"}}\n");
  CHECK_FALSE(with.stream);
  const auto without = opensoc::api::error_response(404, "gone");
  CHECK(without.body == "{\"error\":{\"status\":404,\"message\":\"gone\"}}\n");
}
