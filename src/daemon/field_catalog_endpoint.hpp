#pragma once
// GET /api/v1/fields: the search language's vocabulary (fields with their
// types, whether they facet and sort, the short aliases and the roots of
// parser-made dynamic fields) for the console's query-bar completion.
// Built from search::field_specs() and field_aliases(), so what the console
// offers is exactly what the search endpoints accept.
//
// Threading: pure; called on an HTTP thread.
#include <span>
#include <string>
#include <string_view>

#include "api/http_types.hpp"

namespace opensoc::daemon {

/// The roots under which parsers make their own field names (cef.*, kv.*, ...),
/// in search::has_dynamic_root()'s order. Every entry ends with '.'.
std::span<const std::string_view> dynamic_field_roots() noexcept;

/// The answer's JSON: {"fields":[{"name","type","facet","sort"}],
/// "aliases":[{"alias","fields":[...]}], "dynamic_roots":[...]}. "sort" is
/// true exactly when GET /api/v1/sessions accepts the field in sort=.
std::string field_catalog_json();

/// Answers GET /api/v1/fields (query parameters are ignored).
api::Response serve_field_catalog(const api::Request& request);

}  // namespace opensoc::daemon
