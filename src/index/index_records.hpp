#pragma once
// What the packet index stores about a segment and about a flow within a
// segment: plain values, decoded copies of LMDB records (index_keys.hpp
// defines their bytes). No threading concerns: values.
#include <cstdint>
#include <string>

#include "opensoc/core/flow_key.hpp"
#include "opensoc/core/packet_view.hpp"
#include "opensoc/core/time.hpp"
#include "store/segment_name.hpp"

namespace opensoc::index {

using store::SegmentId;

/// One segment as the index knows it.
struct SegmentMeta {
  SegmentId id = 0;
  TimestampNs first_ts = 0;
  TimestampNs last_ts = 0;
  std::uint64_t packets = 0;
  /// Records in [24, indexed_bytes) are indexed; the indexer resumes here.
  std::uint64_t indexed_bytes = 0;
  std::uint32_t flows = 0;
  LinkType link = LinkType::ethernet;
  bool closed = false;
  /// Closed file name, e.g. 0001764237600000000000-00000003.pcap (at most
  /// 65535 bytes).
  std::string file_name;

  friend bool operator==(const SegmentMeta&, const SegmentMeta&) = default;
};

/// One flow of one segment. flow_no is the segment-local number the indexer
/// gave the flow; the same conversation has a different number in each
/// segment it spans.
struct FlowEntry {
  std::uint32_t flow_no = 0;
  FlowKey key{};
  TimestampNs first_ts = 0;
  TimestampNs last_ts = 0;
  std::uint64_t packets = 0;

  friend bool operator==(const FlowEntry& a, const FlowEntry& b) noexcept {
    return a.flow_no == b.flow_no && a.key == b.key && a.first_ts == b.first_ts && a.last_ts == b.last_ts &&
           a.packets == b.packets;
  }
};

}  // namespace opensoc::index
