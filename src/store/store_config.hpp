#pragma once
/// Packet store settings, filled by src/config from the `store:` section.
#include <cstdint>
#include <string>

namespace opensoc::store {

struct StoreConfig {
  /// Where segments go, relative to the daemon's data directory:
  /// <data_dir>/<packets_subdir>/w<worker>/.
  std::string packets_subdir = "packets";
  /// A segment is preallocated to this size and rotated before a record
  /// would cross it. Bytes; at least 262184 (pcap header + one record of a
  /// full 262144-byte frame), so that any packet fits in an empty segment.
  std::uint64_t max_segment_bytes = 256ULL << 20;
  /// A segment is rotated once a packet's time is this many seconds past the
  /// segment's first packet, so a time-range query touches few segments.
  std::uint32_t max_segment_age_s = 60;
  /// fdatasync a segment and its directory when it is closed. Off only in
  /// tests and benchmarks that do not care about power loss.
  bool sync_on_close = true;
  /// After a failed segment open (disk full, ...), the writer drops packets
  /// without touching the disk until packet time has advanced this far, so a
  /// full disk costs no syscall per packet. Nanoseconds.
  std::int64_t reopen_backoff_ns = 1'000'000'000;

  // Retention (issue 3, part 3) adds here: max_bytes, min_free_bytes,
  // max_age_s. The writer does not read them.
};

}  // namespace opensoc::store
