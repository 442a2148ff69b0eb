#pragma once
// GET /api/v1/pcap/estimate: how many packets and bytes GET /api/v1/pcap
// with the same parameters would return, without sending them. It runs the
// very same slice (parse_slice_params -> open_slice -> SliceCursor) to its
// end and throws the bytes away, so the numbers are exact, not a guess from
// the index; a time budget bounds the work (then "complete":false and the
// numbers are lower bounds).
//
// Threading: runs on the HTTP thread that took the request, for at most
// about the budget plus one piece (see EstimateOptions).
#include <chrono>
#include <cstddef>

#include "api/http_types.hpp"
#include "index/packet_index.hpp"
#include "slice/slice_executor.hpp"

namespace opensoc::daemon {

struct EstimateOptions {
  /// Stop after this long. Checked between pieces, so one piece that takes
  /// longer (a very selective filter over many segments) can overrun it.
  std::chrono::milliseconds budget{2000};
  /// Bytes the cursor produces per step into the one reused buffer.
  std::size_t piece_bytes = 256 * 1024;
};

/// Answers one GET /api/v1/pcap/estimate: 200 with {"packets","bytes" (the
/// pcap file size, 24-byte header included),"start","end" (RFC 3339, the
/// range the slice used),"segments","truncated" ("no"|"limit"|"limit_bytes"),
/// "took_ms","complete"}; 400 naming the bad parameter exactly as
/// /api/v1/pcap would; 500 when the index cannot be read.
api::Response serve_pcap_estimate(const api::Request& request, const index::PacketIndex& index,
                                  const slice::SliceOptions& options, const EstimateOptions& estimate = {});

}  // namespace opensoc::daemon
