#pragma once
// Loads one threat-intel feed file by its name: the configured feed files at
// startup and on reload. Blocking file I/O: call from the control thread or
// the reload thread, never from the packet path.
#include <string>
#include <vector>

#include "intel/intel_load_report.hpp"
#include "opensoc/core/enrichment.hpp"
#include "opensoc/core/result.hpp"

namespace opensoc::intel {

/// Reads `path` whole and parses it: .csv and .txt as CSV, .json as a STIX
/// bundle or API JSON by content, any other extension by its first
/// non-blank byte ('{' or '[' is JSON). The source (report.source and each
/// indicator's default) is the file's stem ("feeds/abuse_ch.csv" ->
/// "abuse_ch"); messages name the file ("abuse_ch.csv:12: reason").
/// Error when the file cannot be read, or as the parser says.
Result<std::vector<Indicator>> load_intel_file(const std::string& path, IntelLoadReport& report);

}  // namespace opensoc::intel
