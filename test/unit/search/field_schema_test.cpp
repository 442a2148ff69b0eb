// The field table's invariants (prefixes and slots are on-disk names: unique,
// and no prefix plus a term marker spells another prefix) and the fields and
// aliases enrichment, threat intel and alerts added.
#include "search/field_schema.hpp"

#include <set>
#include <string>

#include <catch2/catch.hpp>

namespace opensoc::search {

TEST_CASE("field schema prefixes and slots are unique and cannot be confused", "[field_schema]") {
  std::set<std::string_view> prefixes;
  std::set<int> slots;
  for (const FieldSpec& f : field_specs()) {
    INFO(f.name);
    CHECK(prefixes.insert(f.prefix).second);
    if (f.slot != kNoSlot) CHECK(slots.insert(f.slot).second);
    if (f.facet) CHECK(f.slot != kNoSlot);
    if (f.type == FieldType::number || f.type == FieldType::time) CHECK(f.slot != kNoSlot);
    CHECK(find_field(f.name) == &f);
  }
  // "S" and "R" follow a domain field's prefix for suffix / reversed terms.
  for (const FieldSpec& f : field_specs()) {
    INFO(f.name);
    if (f.type != FieldType::domain) continue;
    CHECK(prefixes.count(std::string(f.prefix) + "S") == 0);
    CHECK(prefixes.count(std::string(f.prefix) + "R") == 0);
  }
  CHECK(kAlertKindTerm == "KALERT");
  CHECK(kAlertKindTerm != kSessionKindTerm);
  CHECK(kAlertKindTerm != kEventKindTerm);
}

TEST_CASE("field schema has the enrichment, threat and alert fields with their types", "[field_schema]") {
  struct Expected {
    std::string_view name;
    FieldType type;
    bool facet;
  };
  const Expected expected[] = {
      {"source.geo.country_iso_code", FieldType::keyword, true},
      {"destination.geo.country_iso_code", FieldType::keyword, true},
      {"source.geo.city_name", FieldType::keyword, true},
      {"destination.geo.city_name", FieldType::keyword, true},
      {"source.as.number", FieldType::number, true},
      {"destination.as.number", FieldType::number, true},
      {"source.as.organization.name", FieldType::text, true},
      {"destination.as.organization.name", FieldType::text, true},
      {"source.asset.name", FieldType::keyword, true},
      {"destination.asset.name", FieldType::keyword, true},
      {"source.asset.criticality", FieldType::keyword, true},
      {"destination.asset.criticality", FieldType::keyword, true},
      {"network.direction", FieldType::keyword, true},
      {"threat.indicator.type", FieldType::keyword, true},
      {"threat.indicator.provider", FieldType::keyword, true},
      {"threat.indicator.confidence", FieldType::number, false},
      {"threat.matched.field", FieldType::keyword, true},
      {"threat.indicator.value", FieldType::keyword, true},
      {"event.kind", FieldType::keyword, true},
      {"alert.id", FieldType::number, false},
      {"rule.id", FieldType::keyword, true},
      {"rule.name", FieldType::text, true},
      {"rule.category", FieldType::keyword, true},
      {"event.severity", FieldType::number, true},
      {"alert.score", FieldType::number, false},
      {"alert.signature_id", FieldType::number, true},
  };
  for (const Expected& e : expected) {
    INFO(e.name);
    const FieldSpec* f = find_field(e.name);
    REQUIRE(f != nullptr);
    CHECK(f->type == e.type);
    CHECK(f->facet == e.facet);
    CHECK(f->slot > 44);  // new slots only: shards on disk use 0..44 for the older fields
  }
}

TEST_CASE("field schema aliases for enrichment, threats and rules name existing fields", "[field_schema]") {
  const auto fields_of = [](std::string_view alias) {
    std::vector<std::string_view> out;
    const FieldAlias* a = find_alias(alias);
    REQUIRE(a != nullptr);
    for (std::string_view f : a->fields) {
      if (!f.empty()) out.push_back(f);
    }
    return out;
  };
  using Names = std::vector<std::string_view>;
  CHECK(fields_of("country") == Names{"source.geo.country_iso_code", "destination.geo.country_iso_code"});
  CHECK(fields_of("asn") == Names{"source.as.number", "destination.as.number"});
  CHECK(fields_of("asset") == Names{"source.asset.name", "destination.asset.name"});
  CHECK(fields_of("threat") == Names{"threat.indicator.value"});
  CHECK(fields_of("rule") == Names{"rule.name"});
  CHECK(fields_of("sid") == Names{"alert.signature_id"});
  for (const FieldAlias& a : field_aliases()) {
    INFO(a.alias);
    CHECK(find_field(a.alias) == nullptr);
    for (std::string_view f : a.fields) {
      if (!f.empty()) CHECK(find_field(f) != nullptr);
    }
  }
}

}  // namespace opensoc::search
