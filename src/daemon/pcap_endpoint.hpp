#pragma once
// The PCAP slice endpoint (GET and POST /api/v1/pcap) and the same slice
// written to a file descriptor for `opensocd pcap`: request -> SliceQuery ->
// SliceCursor -> pcap bytes. One home for the request-to-query rules, so the
// REST and command-line forms cannot drift apart.
#include <cstdint>
#include <map>
#include <string>

#include "api/http_types.hpp"
#include "index/packet_index.hpp"
#include "slice/slice_executor.hpp"

namespace opensoc::daemon {

/// Answers one /api/v1/pcap request: 200 with a streamed pcap body (trailers
/// X-Opensoc-Packets and X-Opensoc-Truncated), 400 naming the bad parameter,
/// 500 when the index cannot be read. POST takes a Stenographer-style query
/// as the body, ANDed with any URL parameters.
api::Response serve_pcap_request(const api::Request& request, const index::PacketIndex& index,
                                 const slice::SliceOptions& options);

}  // namespace opensoc::daemon
