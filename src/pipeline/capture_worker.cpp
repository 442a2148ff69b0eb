// The per-core packet loop: source burst -> decode -> flow table -> ring.
//
// Everything here is on the hot path. A burst costs one virtual call to the
// source, then per packet a decode (no allocation, bounds-checked) and a flow
// table update (a hash probe in preallocated memory). Flow records, which are
// per flow rather than per packet, cross to the consumer through the SPSC
// ring; the ring-full policy was fixed at construction.
#include "pipeline/capture_worker.hpp"

#include <time.h>

#include <chrono>
#include <thread>

#include "decode/decode.hpp"

namespace opensoc::pipeline {

CaptureWorker::CaptureWorker(std::uint16_t worker_id, std::uint32_t lcore, const flow::FlowConfig& flow_config,
                             SpscRing<FlowRecord>& ring, RingFullPolicy policy)
    : id_(worker_id), lcore_(lcore), ring_(ring), policy_(policy), flows_(flow_config, worker_id, *this) {}

std::uint32_t CaptureWorker::poll(capture::PacketSource& source) noexcept {
  const std::uint32_t n = source.next_batch(batch_);
  if (n == 0) return 0;
  std::uint64_t bytes = 0;
  TimestampNs newest = last_packet_ts_;
  for (std::uint32_t i = 0; i < n; ++i) {
    const PacketView& pkt = batch_.packets[i];
    const DecodedPacket d = decode::decode_packet(pkt);
    if (d.anomaly != DecodeAnomaly::none) anomalies_[static_cast<std::size_t>(d.anomaly)].add();
    flows_.on_packet(pkt, d);
    // Failures (disk full, a time pcap cannot hold) are counted by the writer.
    if (store_ != nullptr) store_packet(pkt);
    bytes += pkt.wirelen;
    if (pkt.ts > newest) newest = pkt.ts;
  }
  source.release(batch_);
  packets_.add(n);
  bytes_.add(bytes);
  bursts_.add();
  last_packet_ts_ = newest;
  wall_at_last_packet_ = 0;  // measured lazily by on_idle
  flows_.advance(newest);
  return n;
}

void CaptureWorker::store_packet(const PacketView& pkt) noexcept {
  if (policy_ == RingFullPolicy::drop) {
    (void)store_->append(pkt);
    return;
  }
  // Offline: a full disk is waited out while retention (on the indexer
  // thread) frees the oldest segments; only a disk that stays full for a
  // long time loses packets, and then they are counted.
  store::AppendResult r = store_->try_append(pkt);
  if (r.stored() || r.status != store::AppendStatus::dropped_no_segment) {
    if (!r.stored()) store_->count_drop();
    return;
  }
  constexpr int kMaxWaits = 6000;  // 10 ms each: a minute
  for (int i = 0; i < kMaxWaits && !r.stored(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    store_->retry_now();
    r = store_->try_append(pkt);
  }
  if (!r.stored()) store_->count_drop();
}

void CaptureWorker::on_idle(TimestampNs wall_now) noexcept {
  idle_polls_.add();
  if (last_packet_ts_ == 0) return;
  if (wall_at_last_packet_ == 0) {
    wall_at_last_packet_ = wall_now;
    return;
  }
  flows_.advance(last_packet_ts_ + (wall_now - wall_at_last_packet_));
}

void CaptureWorker::run(std::span<capture::PacketSource* const> sources, const std::atomic<bool>& stop) noexcept {
  std::uint32_t empty_rounds = 0;
  while (!stop.load(std::memory_order_relaxed)) {
    std::uint32_t got = 0;
    for (capture::PacketSource* s : sources) got += poll(*s);
    if (got != 0) {
      empty_rounds = 0;
      continue;
    }
    // Idle: check the clock only every so often, so that a busy-polling core
    // costs little, and let flow timeouts run on wall time.
    if (++empty_rounds % 1024 == 0) on_idle(wall_clock_ns());
  }
  flush(FlowEndReason::shutdown);
}

void CaptureWorker::flush(FlowEndReason reason) noexcept { flows_.flush(reason); }

void CaptureWorker::on_flow(const FlowRecord& record) noexcept {
  if (ring_.try_push(record)) {
    ring_records_.add();
    return;
  }
  if (policy_ == RingFullPolicy::drop) {
    ring_drops_.add();
    return;
  }
  while (!ring_.try_push(record)) std::this_thread::yield();
  ring_records_.add();
}

WorkerSnapshot CaptureWorker::snapshot() const {
  WorkerSnapshot s;
  s.worker = id_;
  s.lcore = lcore_;
  s.packets = packets_.get();
  s.bytes = bytes_.get();
  s.bursts = bursts_.get();
  s.idle_polls = idle_polls_.get();
  for (std::size_t i = 0; i < kDecodeAnomalyCount; ++i) s.anomalies[i] = anomalies_[i].get();
  const flow::FlowTableStats& f = flows_.stats();
  s.non_ip_packets = f.non_ip_packets.get();
  s.flows_active = f.active.get();
  s.flows_created = f.created.get();
  s.flows_closed_fin = f.closed_fin.get();
  s.flows_closed_rst = f.closed_rst.get();
  s.flows_closed_idle = f.closed_idle.get();
  s.flows_evicted = f.evicted_pressure.get();
  s.flows_closed_shutdown = f.closed_shutdown.get();
  s.flow_interim_records = f.active_updates.get();
  s.ring_records = ring_records_.get();
  s.ring_drops = ring_drops_.get();
  s.ring_occupancy = ring_.size();
  s.ring_capacity = ring_.capacity();
  if (store_ != nullptr) {
    const auto& st = store_->stats();
    s.store_packets = st.packets.get();
    s.store_bytes = st.bytes.get();
    s.store_drops = st.dropped_packets.get();
    s.store_segments_opened = st.segments_opened.get();
    s.store_write_errors = st.write_errors.get();
  }
  return s;
}

}  // namespace opensoc::pipeline
