#pragma once
// LogPipeline: the thread ("opensoc-logs") that turns what the receivers
// queued into searchable records: each message through its listener's
// parsers (or the NetFlow decoder), normalised (ids, receive time, sender,
// listener, Community ID), enriched and checked by detection (LogHook), then
// rendered as ECS JSON and indexed in its own time shards beside the
// packet sessions' (same directory, writer tag "logs"). Events posted to the
// REST API (already parsed) join the same path.
//
// Threading: start()/stop() on the control thread; submit() and snapshot()
// from any thread; everything else on the pipeline thread, which owns the
// parsers, the decoder and the shard writer.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ingest/message_queue.hpp"
#include "ingest/receivers_config.hpp"
#include "logs/log_hook.hpp"
#include "opensoc/core/log_event.hpp"
#include "opensoc/core/result.hpp"
#include "opensoc/core/stats_snapshot.hpp"
#include "search/search_shards.hpp"
#include "telemetry/logger.hpp"

namespace opensoc::logparse {
class MessageParser;
class NetflowDecoder;
}  // namespace opensoc::logparse

namespace opensoc::logs {

class LogFieldList;

struct LogPipelineOptions {
  ingest::ReceiversConfig receivers;
  bool search = true;                  ///< index (false: parse and count only)
  search::SearchShardOptions shards;   ///< dir = the search directory; writer_tag is set to "logs"
  std::size_t batch = 1024;            ///< messages taken from the queue at a time
};

class LogPipeline {
 public:
  /// Builds every listener's parser chain (an unknown parser or a pattern that
  /// does not compile is an Error naming the listener) and opens the shards;
  /// does not start the thread.
  static Result<std::unique_ptr<LogPipeline>> open(LogPipelineOptions options, ingest::MessageQueue& queue,
                                                   LogHook* hook, const telemetry::Logger& log);
  ~LogPipeline();  ///< stop()

  void start();
  /// Drains what is queued, commits, joins the thread.
  void stop();

  /// REST API ingest: events already parsed (received/listener/transport set
  /// by the caller). Waits up to `timeout_ms` while more than the queue's
  /// capacity is pending; false (nothing taken) on time-out.
  bool submit(std::vector<LogEvent>& events, std::uint32_t timeout_ms);

  /// Pipeline counters; listener socket counters are added by the caller.
  [[nodiscard]] TelemetrySnapshot snapshot() const;

 private:
  LogPipeline(LogPipelineOptions options, ingest::MessageQueue& queue, LogHook* hook, const telemetry::Logger& log);
  void run();
  void process(ingest::ReceivedMessage& msg);
  void finish_event(LogEvent& ev);
  void after_batch(TimestampNs wall_now, bool force_commit);
  void publish();

  LogPipelineOptions opt_;
  ingest::MessageQueue& queue_;
  LogHook* hook_;
  const telemetry::Logger& log_;

  // Pipeline-thread state.
  std::vector<std::unique_ptr<logparse::MessageParser>> parsers_;  // per listener (null for NetFlow)
  std::unique_ptr<logparse::NetflowDecoder> netflow_;
  std::unique_ptr<search::SearchShardWriter> shards_;
  std::unique_ptr<LogFieldList> fields_;  // reused per event
  std::vector<ingest::ReceivedMessage> batch_;
  std::vector<LogEvent> flows_;
  std::vector<LogEvent> api_batch_;
  std::string json_;
  std::uint64_t next_id_ = 1;
  TimestampNs last_expire_ = 0;
  TimestampNs last_retention_ = 0;
  TelemetrySnapshot counters_;
  std::vector<ListenerSnapshot> per_listener_;  // parsed/failed/records per listener (+ API last)
  std::map<std::string, ParserCounters> per_parser_;
  std::vector<std::string> chains_;  // per listener: the name its failures count under

  // submit() hand-over.
  std::mutex submit_mu_;
  std::condition_variable submit_cv_;
  std::vector<LogEvent> submitted_;

  std::thread thread_;
  std::atomic<bool> stop_{false};
  bool started_ = false;

  mutable std::mutex snap_mu_;
  TelemetrySnapshot snap_;
};

}  // namespace opensoc::logs
