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

  /// Whether `run` and `ingest` store packets at all.
  bool enabled = true;

  // Retention, enforced by the indexer thread; the writer does not read them.
  /// Disk budget for segment files (allocated bytes); 0 = none.
  std::uint64_t max_bytes = 0;
  /// Keep at least this much free space on the store's file system; 0 = none.
  std::uint64_t min_free_bytes = 1ULL << 30;
  /// Drop segments whose newest packet is this much older than the newest
  /// packet on disk (packet time, so replays age like live capture); 0 = none.
  std::uint32_t max_age_s = 0;

  // Index (LMDB under <data_dir>/index).
  /// How often the indexer commits: the bound on time-to-query. Milliseconds.
  std::uint32_t index_commit_ms = 1000;
  /// LMDB map size: the largest the index may grow (a sparse file). Bytes.
  std::uint64_t index_map_bytes = 64ULL << 30;

  // Queries.
  /// A query with neither start nor end covers this much time up to the
  /// newest packet on disk, not the whole store. Seconds.
  std::uint32_t default_window_s = 3600;
};

}  // namespace opensoc::store
