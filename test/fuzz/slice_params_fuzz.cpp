// Fuzzes GET /api/v1/pcap parameters the way the API sees them: the request
// target is split and percent-decoded by api::parse_target, then
// parse_slice_params builds the SliceQuery. Beyond "no crash": a refusal
// names a parameter of the request and says why; an accepted query keeps
// limits >= 1 and start <= end, and its describe() text reads back through
// the Stenographer parser to the same description and time bounds
// (describe() is what the audit log and the download name show, so it must
// say what was asked).
#include <cstddef>
#include <cstdint>
#include <string>

#include "api/http_types.hpp"
#include "slice/slice_params.hpp"
#include "slice/steno_query.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace opensoc;
  constexpr TimestampNs kNow = 1'764'237'600'000'000'000;  // 2025-11-27T10:00:00Z
  const std::string target = "/api/v1/pcap?" + std::string(reinterpret_cast<const char*>(data), size);
  api::Request r;
  std::string error;
  if (!api::parse_target(target, r, error)) {
    if (error.empty()) __builtin_trap();
    return 0;
  }
  const auto q = slice::parse_slice_params(r.query, kNow);
  if (!q) {
    // The 400 names a parameter the request used (possibly the empty name).
    if (q.error().message.empty() || r.query.count(q.error().parameter) == 0) __builtin_trap();
    return 0;
  }
  if ((q->limit_packets && *q->limit_packets == 0) || (q->limit_bytes && *q->limit_bytes == 0)) __builtin_trap();
  if (q->start && q->end && *q->start > *q->end) __builtin_trap();
  const std::string d = q->describe();
  if (d.empty() || d.size() > slice::kMaxStenoQueryBytes) return 0;
  const auto back = slice::parse_steno_query(d, kNow);
  if (!back || back->describe() != d || back->start != q->start || back->end != q->end) __builtin_trap();
  return 0;
}
