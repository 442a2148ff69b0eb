// Fuzzes segment file and directory names: recovery and the slice reader
// list the packet directories and trust what parse_segment_name and
// parse_worker_directory make of each entry (a stray file, a hand-renamed
// segment). Checks: an accepted name prints back (closed, open or corrupt
// form) to a name that parses to the same time, sequence and state, and an
// accepted "wN" is a 16-bit worker.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "store/segment_name.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace opensoc::store;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (const auto n = parse_segment_name(text)) {
    if (n->first_ts < 0) __builtin_trap();
    std::string back;
    switch (n->state) {
      case SegmentState::closed: back = closed_segment_name(n->first_ts, n->sequence); break;
      case SegmentState::open: back = open_segment_name(n->first_ts, n->sequence); break;
      case SegmentState::corrupt: back = corrupt_segment_name(n->first_ts, n->sequence); break;
    }
    const auto again = parse_segment_name(back);
    if (!again || again->first_ts != n->first_ts || again->sequence != n->sequence || again->state != n->state)
      __builtin_trap();
  }
  if (const auto w = parse_worker_directory(text)) {
    if (parse_worker_directory("w" + std::to_string(*w)) != w) __builtin_trap();
  }
  return 0;
}
