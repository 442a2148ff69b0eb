#pragma once
// STIX 2.1 bundles (TAXII downloads, MISP and OpenCTI exports). Pure function
// of the text, parsed with simdjson: no I/O, any thread.
#include <string>
#include <string_view>
#include <vector>

#include "intel/intel_load_report.hpp"
#include "opensoc/core/enrichment.hpp"
#include "opensoc/core/result.hpp"

namespace opensoc::intel {

/// Parses a STIX 2.1 bundle ({"type": "bundle", "objects": [...]}). Every
/// object of type "indicator" with pattern_type "stix" and a pattern that
/// parse_stix_pattern accepts yields one Indicator per comparison, with
/// confidence (0..100), valid_until as expires, name and description (and
/// labels) as description, the STIX id as id, and as source the name of the
/// identity its created_by_ref names when that identity is in the bundle,
/// else `source`. Other object types are skipped silently. Refused, each with
/// the reason in the report: revoked indicators, other pattern types, patterns
/// that cannot be expressed (AND, FOLLOWEDBY, qualifiers, other objects),
/// values that do not normalise, bad confidence or valid_until. Error when the
/// text is not JSON or is not a bundle.
Result<std::vector<Indicator>> parse_stix_bundle(std::string_view json, const std::string& source, IntelLoadReport& report);

namespace detail {
/// parse_stix_bundle with `origin` (e.g. the file name) used in messages.
Result<std::vector<Indicator>> parse_stix_bundle(std::string_view json, const std::string& source, std::string_view origin,
                                                 IntelLoadReport& report);
}  // namespace detail

}  // namespace opensoc::intel
