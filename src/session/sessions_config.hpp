#pragma once
/// Session, search and export settings, filled by src/config from the
/// `sessions:`, `search:` and `export:` sections.
#include <cstdint>
#include <string>

namespace opensoc::session {

struct SessionsConfig {
  /// Build sessions and protocol events (needs the packet store: the
  /// indexer thread reads the packets back from it).
  bool enabled = true;
  /// Out-of-order TCP bytes held per direction of one flow.
  std::uint64_t max_buffered_per_direction = 256 * 1024;
  /// Out-of-order TCP bytes held by all flows of one worker stream.
  std::uint64_t max_buffered_total = 64ULL << 20;
  /// In-order bytes per direction given to the protocol parsers; 0 = no limit.
  std::uint64_t max_stream_depth = 1ULL << 20;
  /// Protocol events kept per session; more are counted, not kept.
  std::uint32_t max_events_per_session = 10000;
};

struct SearchConfig {
  bool enabled = true;
  /// Xapian shards under <data_dir>/<subdir>/.
  std::string subdir = "search";
  /// Time span of one shard (retention drops whole shards). Seconds.
  std::uint32_t shard_span_s = 3600;
  /// How often new records are committed: the bound on time-to-search. Milliseconds.
  std::uint32_t commit_ms = 2000;
};

struct ExportFileConfig {
  std::string path;               ///< "" = off; relative paths are under data_dir
  std::uint64_t rotate_bytes = 0; ///< 0 = never rotate
  std::uint32_t keep_files = 5;
};

struct ExportConfig {
  ExportFileConfig eve;  ///< Suricata EVE JSON lines
  ExportFileConfig ecs;  ///< ECS JSON lines
};

}  // namespace opensoc::session
