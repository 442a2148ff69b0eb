// GET /api/v1/fields: the catalog must describe exactly what the search
// endpoints accept (fields, types, facets, sort=, aliases, dynamic roots).
#include "daemon/field_catalog_endpoint.hpp"

#include <catch2/catch.hpp>
#include <simdjson.h>

#include <map>
#include <set>
#include <string>

#include "daemon/search_endpoint.hpp"
#include "search/field_schema.hpp"

using namespace opensoc;

namespace {

std::string type_of(search::FieldType t) {
  switch (t) {
    case search::FieldType::keyword: return "keyword";
    case search::FieldType::text: return "text";
    case search::FieldType::domain: return "domain";
    case search::FieldType::ip: return "ip";
    case search::FieldType::number: return "number";
    case search::FieldType::time: return "time";
  }
  return "?";
}

bool search_accepts_sort(std::string_view field) {
  std::multimap<std::string, std::string> q{{"sort", "-" + std::string(field)}};
  const auto p = daemon::parse_search_params(q, daemon::SearchKind::sessions, 1'000'000'000'000'000'000);
  return std::holds_alternative<daemon::SearchParams>(p);
}

}  // namespace

TEST_CASE("field catalog lists every search field with its type, facet and the search endpoint's sort rule",
          "[daemon][fields]") {
  api::Request req;
  req.method = "GET";
  req.path = "/api/v1/fields";
  const api::Response r = daemon::serve_field_catalog(req);
  REQUIRE(r.status == 200);
  CHECK(r.content_type == "application/json");
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE(parser.parse(r.body).get(doc) == simdjson::SUCCESS);
  simdjson::dom::array fields;
  REQUIRE(doc["fields"].get(fields) == simdjson::SUCCESS);
  const auto specs = search::field_specs();
  REQUIRE(fields.size() == specs.size());
  std::size_t i = 0;
  std::size_t sortable = 0, not_sortable = 0;
  for (auto f : fields) {
    const search::FieldSpec& spec = specs[i++];
    std::string_view name, type;
    bool facet = false, sort = false;
    REQUIRE(f["name"].get(name) == simdjson::SUCCESS);
    REQUIRE(f["type"].get(type) == simdjson::SUCCESS);
    REQUIRE(f["facet"].get(facet) == simdjson::SUCCESS);
    REQUIRE(f["sort"].get(sort) == simdjson::SUCCESS);
    INFO(name);
    CHECK(name == spec.name);
    CHECK(std::string(type) == type_of(spec.type));
    CHECK(facet == spec.facet);
    CHECK(sort == search_accepts_sort(name));
    (sort ? sortable : not_sortable)++;
  }
  // Both answers occur, so the comparison above has teeth.
  CHECK(sortable > 0);
  CHECK(not_sortable > 0);
  CHECK(search_accepts_sort("@timestamp"));
}

TEST_CASE("field catalog lists the aliases with their fields", "[daemon][fields]") {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  const std::string body = daemon::field_catalog_json();
  REQUIRE(parser.parse(body).get(doc) == simdjson::SUCCESS);
  simdjson::dom::array aliases;
  REQUIRE(doc["aliases"].get(aliases) == simdjson::SUCCESS);
  REQUIRE(aliases.size() == search::field_aliases().size());
  std::map<std::string, std::vector<std::string>> got;
  for (auto a : aliases) {
    std::string_view name;
    REQUIRE(a["alias"].get(name) == simdjson::SUCCESS);
    simdjson::dom::array fs;
    REQUIRE(a["fields"].get(fs) == simdjson::SUCCESS);
    for (auto f : fs) {
      std::string_view s;
      REQUIRE(f.get(s) == simdjson::SUCCESS);
      got[std::string(name)].emplace_back(s);
    }
  }
  CHECK(got["ip"] == std::vector<std::string>{"source.ip", "destination.ip"});
  CHECK(got["port"] == std::vector<std::string>{"source.port", "destination.port"});
  for (const search::FieldAlias& a : search::field_aliases()) {
    INFO(a.alias);
    const auto& fs = got[std::string(a.alias)];
    REQUIRE_FALSE(fs.empty());
    for (const auto& f : fs) CHECK(search::find_field(f) != nullptr);
  }
}

TEST_CASE("field catalog's dynamic roots are the ones the search schema accepts", "[daemon][fields]") {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  const std::string body = daemon::field_catalog_json();
  REQUIRE(parser.parse(body).get(doc) == simdjson::SUCCESS);
  simdjson::dom::array roots;
  REQUIRE(doc["dynamic_roots"].get(roots) == simdjson::SUCCESS);
  std::set<std::string> got;
  for (auto r : roots) {
    std::string_view s;
    REQUIRE(r.get(s) == simdjson::SUCCESS);
    got.emplace(s);
  }
  CHECK(got.size() == daemon::dynamic_field_roots().size());
  CHECK(got.count("cef.") == 1);
  CHECK(got.count("kv.") == 1);
  for (const std::string& root : got) {
    INFO(root);
    CHECK(root.back() == '.');
    CHECK(search::has_dynamic_root(root + "x"));
  }
  // Names under other roots are not dynamic: the list is not everything.
  for (const char* other : {"source.x", "http.x", "dns.x", "foo.x", "event.x"}) {
    INFO(other);
    CHECK_FALSE(search::has_dynamic_root(other));
  }
}
