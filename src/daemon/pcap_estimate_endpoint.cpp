// /api/v1/pcap/estimate (see pcap_estimate_endpoint.hpp).
#include "daemon/pcap_estimate_endpoint.hpp"

#include <string>

#include "opensoc/core/json_writer.hpp"
#include "slice/slice_params.hpp"

namespace opensoc::daemon {

api::Response serve_pcap_estimate(const api::Request& request, const index::PacketIndex& index,
                                  const slice::SliceOptions& options, const EstimateOptions& estimate) {
  const auto t0 = std::chrono::steady_clock::now();
  const auto deadline = t0 + estimate.budget;
  auto query = slice::parse_slice_params(request.query, wall_clock_ns());
  if (!query) return api::error_response(400, query.error().message, query.error().parameter);
  auto cursor = slice::open_slice(index, options, *query);
  if (!cursor) return api::error_response(500, cursor.error().message);

  // One buffer, emptied after each piece: the estimate costs the reading of
  // the slice, never its size in memory.
  std::string piece;
  piece.reserve(estimate.piece_bytes + 65536);
  bool complete = false;
  while (true) {
    piece.clear();
    if (!(*cursor)->fill(piece, estimate.piece_bytes)) {
      complete = true;
      break;
    }
    if (std::chrono::steady_clock::now() >= deadline) break;
  }
  const slice::SliceOutcome& o = (*cursor)->outcome();
  const double took_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();

  api::Response r;
  JsonWriter w(r.body);
  w.begin_object();
  w.field("packets", o.packets).field("bytes", o.bytes);
  w.field("start", format_rfc3339_ns(o.start)).field("end", format_rfc3339_ns(o.end));
  w.field("segments", o.segments).field("truncated", slice::to_string(o.truncated));
  w.field("took_ms", took_ms).field("complete", complete);
  w.end_object();
  return r;
}

}  // namespace opensoc::daemon
