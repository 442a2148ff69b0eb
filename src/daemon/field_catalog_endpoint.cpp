// GET /api/v1/fields (see field_catalog_endpoint.hpp). Runs on an HTTP thread.
#include "daemon/field_catalog_endpoint.hpp"

#include <array>

#include "opensoc/core/json_writer.hpp"
#include "search/field_schema.hpp"

namespace opensoc::daemon {

namespace {


const char* type_name(search::FieldType t) noexcept {
  switch (t) {
    case search::FieldType::keyword:
      return "keyword";
    case search::FieldType::text:
      return "text";
    case search::FieldType::domain:
      return "domain";
    case search::FieldType::ip:
      return "ip";
    case search::FieldType::number:
      return "number";
    case search::FieldType::time:
      return "time";
  }
  return "keyword";
}

}  // namespace

std::span<const std::string_view> dynamic_field_roots() noexcept { return search::dynamic_roots(); }

std::string field_catalog_json() {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key("fields").begin_array();
  for (const search::FieldSpec& f : search::field_specs()) {
    w.begin_object();
    w.field("name", f.name).field("type", type_name(f.type)).field("facet", f.facet);
    // The search endpoint's sort= rule (search_endpoint.cpp): a field with a value slot.
    w.field("sort", f.slot != search::kNoSlot);
    w.end_object();
  }
  w.end_array();
  w.key("aliases").begin_array();
  for (const search::FieldAlias& a : search::field_aliases()) {
    w.begin_object().field("alias", a.alias);
    w.key("fields").begin_array();
    for (std::string_view f : a.fields) {
      if (!f.empty()) w.value(f);
    }
    w.end_array().end_object();
  }
  w.end_array();
  w.key("dynamic_roots").begin_array();
  for (std::string_view r : search::dynamic_roots()) w.value(r);
  w.end_array();
  w.end_object();
  return out;
}

api::Response serve_field_catalog(const api::Request& /*request*/) {
  api::Response r;
  r.body = field_catalog_json();
  return r;
}

}  // namespace opensoc::daemon
