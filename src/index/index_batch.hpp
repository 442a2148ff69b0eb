#pragma once
// IndexBatch: one write transaction's worth of index changes, built by the
// indexer thread without touching LMDB and handed to PacketIndex::commit.
// A plain value; owned by the indexer.
#include <array>
#include <cstdint>
#include <vector>

#include "index/index_records.hpp"
#include "opensoc/core/flow_key.hpp"

namespace opensoc::index {

struct IndexBatch {
  /// A flow seen for the first time in a segment: writes its attribute keys
  /// (index_keys.hpp, for_each_flow_attribute). Its FlowEntry comes as a
  /// FlowUpdate.
  struct NewFlow {
    SegmentId segment = 0;
    std::uint32_t flow_no = 0;
    FlowKey key{};
    std::array<std::uint8_t, 8> community_id_prefix{};
  };
  /// Upserts the flow's record.
  struct FlowUpdate {
    SegmentId segment = 0;
    FlowEntry entry;
  };
  /// One postings chunk (PostingsEncoder::take_chunk). chunk_no must be new for
  /// the flow (a chunk with an existing number replaces it) and increase with
  /// the offsets: a flow's chunks are read in chunk_no order.
  struct PostingChunk {
    SegmentId segment = 0;
    std::uint32_t flow_no = 0;
    std::uint32_t chunk_no = 0;
    std::vector<std::uint8_t> encoded;
  };

  std::vector<SegmentMeta> segments;  ///< upserted
  std::vector<NewFlow> new_flows;
  std::vector<FlowUpdate> flow_updates;
  std::vector<PostingChunk> postings;

  [[nodiscard]] bool empty() const noexcept {
    return segments.empty() && new_flows.empty() && flow_updates.empty() && postings.empty();
  }
  /// Empties every list, keeping capacity, so one batch is reused per commit.
  void clear() noexcept {
    segments.clear();
    new_flows.clear();
    flow_updates.clear();
    postings.clear();
  }
};

}  // namespace opensoc::index
