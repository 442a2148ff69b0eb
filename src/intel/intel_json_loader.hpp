#pragma once
// Indicators as JSON: the body of POST /api/v1/intel, or a .json feed file.
// Pure function of the text, parsed with simdjson: no I/O, any thread (the API
// request thread).
#include <string>
#include <string_view>
#include <vector>

#include "intel/intel_load_report.hpp"
#include "opensoc/core/enrichment.hpp"
#include "opensoc/core/result.hpp"

namespace opensoc::intel {

/// Parses {"source": "...", "indicators": [ {...}, ... ]} or a bare array of
/// indicator objects, each {"type", "value", "confidence", "severity",
/// "expires", "description", "source", "id"}: the same words and forms as a CSV
/// row (confidence and severity as numbers or words, expires as RFC 3339 text
/// or epoch seconds). The body's "source" overrides `source` (the default for
/// every indicator; an object's own "source" overrides both). A STIX bundle
/// (an object whose "type" is "bundle") goes to parse_stix_bundle. Each bad
/// object is counted in the report with "origin:N: reason", N the 1-based
/// position in the array. Error when the text is not JSON or is neither of
/// these shapes.
Result<std::vector<Indicator>> parse_intel_json(std::string_view json, const std::string& source, IntelLoadReport& report);

namespace detail {
/// parse_intel_json with `origin` (e.g. the file name) used in messages.
Result<std::vector<Indicator>> parse_intel_json(std::string_view json, const std::string& source, std::string_view origin,
                                                IntelLoadReport& report);
}  // namespace detail

}  // namespace opensoc::intel
