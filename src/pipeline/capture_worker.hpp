#pragma once
/// CaptureWorker: the run-to-completion loop of one capture core. It owns its
/// flow table and counters outright (no locks, no sharing): each burst is
/// decoded, accounted to flows, copied into the worker's packet store segment
/// (a memcpy into a mapping; the disk is the closer's and the indexer's
/// business), and finished flows leave on the worker's own SPSC ring to the
/// flow consumer thread.
///
/// Threading: every method but snapshot() runs on the worker's thread (a
/// pinned DPDK lcore for `run`, the main thread for `ingest`); snapshot() may
/// be called from any thread.
#include <atomic>
#include <cstdint>
#include <span>

#include "capture/packet_source.hpp"
#include "flow/flow_config.hpp"
#include "flow/flow_table.hpp"
#include "opensoc/core/counter.hpp"
#include "opensoc/core/decode_anomaly.hpp"
#include "opensoc/core/flow_record.hpp"
#include "opensoc/core/stats_snapshot.hpp"
#include "opensoc/pipeline/spsc_ring.hpp"
#include "store/segment_writer.hpp"

namespace opensoc::pipeline {

/// What a worker does when its flow-record ring is full: a live capture must
/// never stall (drop and count), an offline ingest must lose nothing (wait).
enum class RingFullPolicy { drop, wait };

class CaptureWorker final : private flow::FlowRecordSink {
 public:
  CaptureWorker(std::uint16_t worker_id, std::uint32_t lcore, const flow::FlowConfig& flow_config,
                SpscRing<FlowRecord>& ring, RingFullPolicy policy);

  /// Reads one batch from `source`, decodes it and accounts it to flows.
  /// Returns the number of packets handled (0: nothing was ready).
  std::uint32_t poll(capture::PacketSource& source) noexcept;

  /// Polls `sources` round-robin until `stop` is set, then flushes every flow
  /// (end reason shutdown). Live capture loop.
  void run(std::span<capture::PacketSource* const> sources, const std::atomic<bool>& stop) noexcept;

  /// Moves flow time on while no packets arrive: packet time of the last
  /// packet plus the wall-clock time since it, so idle flows still expire in
  /// a replay whose timestamps are years old.
  void on_idle(TimestampNs wall_now) noexcept;

  /// Stores every packet through `writer` from now on (nullptr: none). The
  /// writer is used only on this worker's thread and must outlive it.
  void attach_store(store::SegmentWriter* writer) noexcept { store_ = writer; }

  /// Emits every open flow with `reason`.
  void flush(FlowEndReason reason) noexcept;

  /// Counters as plain values; any thread.
  [[nodiscard]] WorkerSnapshot snapshot() const;

 private:
  void on_flow(const FlowRecord& record) noexcept override;
  void store_packet(const PacketView& pkt) noexcept;

  const std::uint16_t id_;
  const std::uint32_t lcore_;
  SpscRing<FlowRecord>& ring_;
  const RingFullPolicy policy_;
  flow::FlowTable flows_;
  store::SegmentWriter* store_ = nullptr;
  PacketBatch batch_;

  TimestampNs last_packet_ts_ = 0;
  TimestampNs wall_at_last_packet_ = 0;

  alignas(64) Counter packets_;
  Counter bytes_;
  Counter bursts_;
  Counter idle_polls_;
  Counter ring_records_;
  Counter ring_drops_;
  std::array<Counter, kDecodeAnomalyCount> anomalies_;
};

}  // namespace opensoc::pipeline
