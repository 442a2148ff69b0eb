#pragma once
/// ConsoleConfig: the web console and the rate history its charts read
/// (GET /api/v1/stats/history). Plain values; filled by the config loader.
#include <cstdint>

namespace opensoc::config {

struct ConsoleConfig {
  /// Serve the console at /console/ (false: those paths answer 404; the API is unaffected).
  bool enabled = true;
  /// Seconds between two history samples, 1..3600.
  std::uint32_t history_interval_s = 10;
  /// Samples kept, 1..100000 (360 x 10 s = one hour).
  std::uint32_t history_samples = 360;
};

}  // namespace opensoc::config
