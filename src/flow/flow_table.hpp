#pragma once
// FlowTable: the per-worker table of open flows. See flow_table.cpp for the
// design; this header is the flow module's public entry point and also brings
// in the key builder, the record sink and Community ID.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "flow/community_id.hpp"
#include "flow/flow_config.hpp"
#include "flow/flow_entry.hpp"
#include "flow/flow_hash.hpp"
#include "flow/flow_index.hpp"
#include "flow/zeroed_array.hpp"
#include "flow/flow_key_builder.hpp"
#include "flow/flow_record_sink.hpp"
#include "opensoc/core/counter.hpp"
#include "opensoc/core/decoded_packet.hpp"
#include "opensoc/core/flow_record.hpp"
#include "opensoc/core/packet_view.hpp"

namespace opensoc::flow {

/// Counters of one FlowTable. Written by the owning worker only, read by the
/// stats thread at any time. Every created flow ends in exactly one of
/// closed_fin, closed_rst, closed_idle, evicted_pressure, closed_shutdown, so
/// created == their sum + active.
struct FlowTableStats {
  Counter active;            ///< gauge: flows in the table now
  Counter created;           ///< flows started
  Counter closed_fin;        ///< ended with reason fin (FIN both ways, or superseded after FIN)
  Counter closed_rst;        ///< ended with reason rst
  Counter closed_idle;       ///< ended by an idle timeout
  Counter evicted_pressure;  ///< open flows ended to make room (reason memory_pressure)
  Counter closed_shutdown;   ///< ended by flush()
  Counter reclaimed_closed;  ///< closed TCP flows ended before their linger to make room (also in fin/rst)
  Counter port_reuse;        ///< a bare SYN on a finished flow's key started a new flow
  Counter active_updates;    ///< interim records emitted (reason active)
  Counter packets;           ///< IP packets accounted to a flow
  Counter non_ip_packets;    ///< frames without an IP layer, ignored
  Counter invalid_packets;   ///< IP claimed but addresses beyond the captured bytes, ignored
};

/// A per-worker flow table: lock-free by ownership, preallocated to
/// FlowConfig::table_size flows, no allocation per packet.
///
/// Threading: every method except stats() must be called from the one worker
/// thread that owns the table; records are emitted synchronously to the sink
/// on that thread. stats() may be read from any thread. Never blocks (unless
/// the sink does).
class FlowTable {
 public:
  /// Allocates all memory up front: about 128 B per flow plus 16 B per index
  /// bucket (2-4 buckets per flow). Throws std::invalid_argument when
  /// table_size is 0 or above 2^30 (startup error). `sink` must outlive the table.
  FlowTable(const FlowConfig& config, std::uint16_t worker_id, FlowRecordSink& sink);
  FlowTable(const FlowTable&) = delete;
  FlowTable& operator=(const FlowTable&) = delete;

  /// Accounts one decoded packet to its flow (creating it if needed, evicting
  /// to make room if the table is full). Frames without an IP layer are
  /// counted in non_ip_packets and otherwise ignored. `pkt` and `d` are read
  /// during the call only.
  void on_packet(const PacketView& pkt, const DecodedPacket& d) noexcept;

  /// Expires flows idle past their timeout as of `now` (packet time) and emits
  /// periodic records for long flows. Cheap when nothing is due; called by the
  /// worker once per burst and when idle.
  void advance(TimestampNs now) noexcept;

  /// Emits every open flow with `reason` (shutdown) and empties the table.
  void flush(FlowEndReason reason) noexcept;

  /// The flow the last on_packet() call accounted its packet to, for a stage
  /// that keeps per-flow state beside the table (the session builder).
  struct PacketFlow {
    bool valid = false;        ///< false: the packet was not accounted (non-IP, invalid)
    bool from_source = true;   ///< sent by the flow's source (initiator)
    std::uint64_t flow_id = 0;
    FlowKey key{};
  };
  [[nodiscard]] PacketFlow last_packet_flow() const noexcept;
  /// The record the last packet's flow will have if nothing more arrives,
  /// when that packet closed it (FIN from both sides, or RST): the table
  /// emits it only after tcp_closed_s of linger, a stage that wants to show
  /// the session at once can take this. nullopt otherwise.
  [[nodiscard]] std::optional<FlowRecord> last_packet_closed_record() const noexcept;

  [[nodiscard]] const FlowTableStats& stats() const noexcept { return stats_; }
  [[nodiscard]] std::size_t active() const noexcept { return active_count_; }
  [[nodiscard]] std::size_t capacity() const noexcept { return entries_.size(); }

 private:
  using IdleList = FlowList<&FlowEntry::idle>;
  using ReportList = FlowList<&FlowEntry::report>;

  std::uint32_t create(const FlowKey& key, std::uint32_t hash, bool swapped, const PacketView& pkt,
                       const DecodedPacket& d, std::uint8_t tcp_flags) noexcept;
  void account(std::uint32_t slot, const PacketView& pkt, const DecodedPacket& d, bool swapped,
               std::uint8_t tcp_flags, bool tcp) noexcept;
  void make_room() noexcept;
  void finish(std::uint32_t slot, FlowEndReason reason) noexcept;
  void emit(const FlowEntry& e, FlowEndReason reason) noexcept;
  [[nodiscard]] FlowRecord make_record(const FlowEntry& e, FlowEndReason reason) const noexcept;
  void set_class(std::uint32_t slot, TimeoutClass c) noexcept;
  [[nodiscard]] std::uint32_t hash32(const FlowKey& key) const noexcept {
    return static_cast<std::uint32_t>(hash_flow_key(key, hash_seed_));
  }
  [[nodiscard]] bool starts_new_connection(const FlowEntry& e, std::uint8_t tcp_flags,
                                           TimestampNs ts) const noexcept;

  std::uint16_t worker_id_;
  FlowRecordSink& sink_;
  std::array<TimestampNs, kTimeoutClassCount> idle_timeout_ns_{};
  TimestampNs active_timeout_ns_ = 0;  // 0: no interim records
  std::uint64_t hash_seed_ = 0;
  std::uint64_t next_sequence_ = 1;

  ZeroedArray<FlowEntry> entries_;  // slots [fresh_, size) never used yet: untouched zero pages
  FlowIndex index_;
  std::array<IdleList, kTimeoutClassCount> idle_lists_{};
  ReportList report_list_;
  std::uint32_t free_head_ = kNoEntry;  // singly linked through idle.next
  std::uint32_t fresh_ = 0;             // slots handed out at least once
  // The flow of the previous packet (kNoEntry after it ended).
  std::uint32_t last_slot_ = kNoEntry;
  bool last_accounted_ = false;
  bool last_from_source_ = true;
  std::uint32_t last_hash_ = 0;
  FlowKey last_key_{};
  std::size_t active_count_ = 0;

  FlowTableStats stats_;
};

}  // namespace opensoc::flow
