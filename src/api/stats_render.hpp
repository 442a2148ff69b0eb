#pragma once
/// Renders a StatsSnapshot for people and machines: the /api/v1/stats JSON
/// document and the Prometheus text exposition served at /metrics. Pure
/// functions of the snapshot.
#include <string>

#include "opensoc/core/stats_snapshot.hpp"

namespace opensoc::api {

std::string render_stats_json(const StatsSnapshot& s);
std::string render_prometheus(const StatsSnapshot& s);

/// Totals used by both renderers and by the ingest summary.
struct StatsTotals {
  std::uint64_t packets = 0;
  std::uint64_t bytes = 0;
  std::uint64_t decode_errors = 0;       ///< anomalies that mean malformed input
  std::uint64_t decode_unsupported = 0;  ///< frames of protocols we do not decode
  std::uint64_t nic_dropped = 0;
  std::uint64_t nic_errors = 0;
  std::uint64_t mbuf_failures = 0;
  std::uint64_t flows_active = 0;
  std::uint64_t flows_created = 0;
  std::uint64_t ring_drops = 0;
};
StatsTotals compute_totals(const StatsSnapshot& s);

}  // namespace opensoc::api
