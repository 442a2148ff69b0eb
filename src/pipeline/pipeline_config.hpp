#pragma once
/// Pipeline settings (rings between workers and the consumer, flow export),
/// filled by src/config from the `pipeline:` section.
#include <cstdint>
#include <string>

namespace opensoc::pipeline {

struct PipelineConfig {
  std::uint32_t flow_ring_size = 65536;  ///< FlowRecords buffered per worker before drops are counted
  std::string flow_log_path;             ///< flow records as JSON lines (ECS names); empty = off
  std::uint16_t community_id_seed = 0;   ///< Community ID v1 seed; must match the other tools' (Zeek, Suricata)
};

}  // namespace opensoc::pipeline
