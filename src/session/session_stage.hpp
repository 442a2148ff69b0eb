#pragma once
// SessionStage: the session builders of every worker stream and where their
// records go: the time-sharded search index and the EVE / ECS JSON-lines
// exports. It is the packet store indexer's PacketObserver, so it runs on the
// indexer thread and sees each stored packet once, in capture order.
//
// Threading: everything on the indexer thread (or, before start and after
// stop, the control thread); snapshot() from any thread.
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "opensoc/core/packet_observer.hpp"
#include "opensoc/core/result.hpp"
#include "opensoc/core/stats_snapshot.hpp"
#include "search/search_document.hpp"
#include "search/search_shards.hpp"
#include "session/json_lines_file.hpp"
#include "session/record_hook.hpp"
#include "session/session_builder.hpp"
#include "telemetry/logger.hpp"

namespace opensoc::session {

struct ExportFileOptions {
  std::string path;  ///< empty: off
  std::uint64_t rotate_bytes = 0;
  std::uint32_t keep_files = 5;
};

struct SessionStageOptions {
  SessionConfig session;
  bool search = true;
  search::SearchShardOptions shards;
  ExportFileOptions eve;
  ExportFileOptions ecs;
  /// Enrichment and detection (not owned; outlives the stage), or null.
  RecordHook* hook = nullptr;
};

class SessionStage final : public PacketObserver, private SessionSink, private StageOutputs {
 public:
  static Result<std::unique_ptr<SessionStage>> open(SessionStageOptions options, const telemetry::Logger& log);
  ~SessionStage() override;

  void on_packet(std::uint16_t worker, const PacketView& pkt, const DecodedPacket& d) noexcept override;
  void on_pass_end(TimestampNs wall_now, bool caught_up) noexcept override;
  void on_retention(TimestampNs oldest_kept) noexcept override;
  Result<void> finish() noexcept override;

  [[nodiscard]] SessionSnapshot snapshot() const;

 private:
  SessionStage(SessionStageOptions options, const telemetry::Logger& log);
  void on_event(ProtocolEvent& event) override;
  void on_session(SessionRecord& session) override;
  void write_eve_line(const std::string& line) override;
  void index_document(search::SearchDocument doc) override;
  void index(search::SearchDocument doc);
  void write_export(JsonLinesFile* file, const std::string& line);
  void publish();

  struct Stream {
    std::unique_ptr<SessionBuilder> builder;
    TimestampNs wall_at_last_packet = 0;
    TimestampNs last_packet_ts = 0;
  };

  SessionStageOptions opt_;
  const telemetry::Logger& log_;
  std::map<std::uint16_t, Stream> streams_;
  std::unique_ptr<search::SearchShardWriter> shards_;
  std::unique_ptr<JsonLinesFile> eve_;
  std::unique_ptr<JsonLinesFile> ecs_;
  std::string line_;
  std::uint64_t search_errors_ = 0;
  std::uint64_t export_errors_ = 0;
  std::uint64_t export_lines_ = 0;
  TimestampNs last_commit_wall_ = 0;
  TimestampNs retention_floor_ = 0;  // oldest packet retention kept
  std::string last_error_;

  mutable std::mutex mu_;
  SessionSnapshot snap_;
};

}  // namespace opensoc::session
