// Flow-record consumer thread (see flow_consumer.hpp).
#include "pipeline/flow_consumer.hpp"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>

#include "pipeline/flow_record_json.hpp"

namespace opensoc::pipeline {

Result<std::unique_ptr<FlowConsumer>> FlowConsumer::create(std::vector<SpscRing<FlowRecord>*> rings,
                                                           const PipelineConfig& config) {
  const std::string& flow_log_path = config.flow_log_path;
  std::FILE* log = nullptr;
  if (!flow_log_path.empty()) {
    std::error_code ec;
    const auto parent = std::filesystem::path(flow_log_path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    log = std::fopen(flow_log_path.c_str(), "ae");
    if (log == nullptr) return Error{"cannot open flow log " + flow_log_path + ": " + std::strerror(errno)};
    std::setvbuf(log, nullptr, _IOFBF, 1 << 20);
  }
  return std::unique_ptr<FlowConsumer>(new FlowConsumer(std::move(rings), log, config));
}

FlowConsumer::FlowConsumer(std::vector<SpscRing<FlowRecord>*> rings, std::FILE* log, const PipelineConfig& config)
    : rings_(std::move(rings)), log_(log), log_path_(config.flow_log_path), community_id_seed_(config.community_id_seed) {
  line_.reserve(1024);
}

FlowConsumer::~FlowConsumer() {
  stop();
  if (log_ != nullptr) std::fclose(log_);
}

void FlowConsumer::start() {
  thread_ = std::thread([this] { loop(); });
}

void FlowConsumer::stop() {
  if (!thread_.joinable()) return;
  stop_.store(true, std::memory_order_release);
  thread_.join();
  while (drain_once() != 0) {
  }
  if (log_ != nullptr && std::fflush(log_) != 0) write_errors_.add();
}

std::size_t FlowConsumer::drain_once() {
  std::size_t n = 0;
  FlowRecord r;
  for (auto* ring : rings_) {
    // Bounded per ring per round so one busy worker cannot starve the rest.
    for (int i = 0; i < 4096 && ring->try_pop(r); ++i, ++n) consume(r);
  }
  return n;
}

void FlowConsumer::loop() {
  auto last_flush = std::chrono::steady_clock::now();
  while (!stop_.load(std::memory_order_acquire)) {
    const std::size_t n = drain_once();
    const auto now = std::chrono::steady_clock::now();
    // Records become visible in the log within a second even when idle.
    if (log_ != nullptr && now - last_flush > std::chrono::seconds(1)) {
      if (std::fflush(log_) != 0) write_errors_.add();
      last_flush = now;
    }
    if (n == 0) std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
}

void FlowConsumer::consume(const FlowRecord& r) {
  records_.add();
  if (log_ == nullptr) return;
  line_.clear();
  append_flow_record_json(line_, r, community_id_seed_);
  line_.push_back('\n');
  if (std::fwrite(line_.data(), 1, line_.size(), log_) == line_.size()) {
    written_.add();
  } else {
    write_errors_.add();
  }
}

ConsumerSnapshot FlowConsumer::snapshot() const {
  return ConsumerSnapshot{records_.get(), written_.get(), write_errors_.get()};
}

}  // namespace opensoc::pipeline
