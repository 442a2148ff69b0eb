#pragma once
// CSV threat-intel feeds. Pure function of the text: no I/O, any thread (the
// reload thread or the API request thread); the daemon hands the result to
// IntelSet::build.
#include <string>
#include <string_view>
#include <vector>

#include "intel/intel_load_report.hpp"
#include "opensoc/core/enrichment.hpp"
#include "opensoc/core/result.hpp"

namespace opensoc::intel {

/// Parses a CSV feed. The first line that is neither blank nor a '#' comment
/// is the header: columns type and value (required) and confidence, severity,
/// expires, description, source, id (optional), any order, names
/// case-insensitive; other columns are ignored. Fields may be double-quoted
/// ("" is a quote; a quoted field may span lines). expires: RFC 3339 or epoch
/// seconds. Each bad row is counted in `report.rejected` with the reason
/// ("source:line: reason"), and the load goes on. Sets report.source to
/// `source` (also the default indicator source) and adds to loaded/expired.
/// Error only when there is no usable header.
Result<std::vector<Indicator>> parse_intel_csv(std::string_view text, const std::string& source, IntelLoadReport& report);

namespace detail {
/// parse_intel_csv with the name used in error messages (`origin`, e.g. the
/// file name) apart from the indicators' source.
Result<std::vector<Indicator>> parse_intel_csv(std::string_view text, const std::string& source, std::string_view origin,
                                               IntelLoadReport& report);
}  // namespace detail

}  // namespace opensoc::intel
