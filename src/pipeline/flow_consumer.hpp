#pragma once
/// FlowConsumer: the thread at the other end of the workers' flow-record
/// rings. For now it counts records and, when configured, appends them as ECS
/// JSON lines to the flow log; later stages (index, search, export) hang off
/// the same place.
///
/// Threading: start() spawns the consumer thread; stop() drains every ring,
/// flushes and joins. snapshot() is safe from any thread.
#include <atomic>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "opensoc/core/counter.hpp"
#include "opensoc/core/flow_record.hpp"
#include "opensoc/core/result.hpp"
#include "opensoc/core/stats_snapshot.hpp"
#include "opensoc/pipeline/spsc_ring.hpp"
#include "pipeline/pipeline_config.hpp"

namespace opensoc::pipeline {

class FlowConsumer {
 public:
  /// `rings` must outlive the consumer. `flow_log_path` empty = no log.
  static Result<std::unique_ptr<FlowConsumer>> create(std::vector<SpscRing<FlowRecord>*> rings,
                                                      const PipelineConfig& config);
  ~FlowConsumer();
  FlowConsumer(const FlowConsumer&) = delete;
  FlowConsumer& operator=(const FlowConsumer&) = delete;

  void start();
  /// Call after the producers have stopped: takes what is left, flushes, joins.
  void stop();
  [[nodiscard]] ConsumerSnapshot snapshot() const;

 private:
  FlowConsumer(std::vector<SpscRing<FlowRecord>*> rings, std::FILE* log, const PipelineConfig& config);
  void loop();
  std::size_t drain_once();
  void consume(const FlowRecord& r);

  std::vector<SpscRing<FlowRecord>*> rings_;
  std::FILE* log_ = nullptr;
  std::string log_path_;
  std::uint16_t community_id_seed_;
  std::string line_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  Counter records_;
  Counter written_;
  Counter write_errors_;
};

}  // namespace opensoc::pipeline
