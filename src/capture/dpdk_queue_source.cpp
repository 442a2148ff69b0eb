#include "capture/dpdk_queue_source.hpp"

#include <algorithm>
#include <cstring>
#include <ctime>

#include <rte_ethdev.h>
#include <rte_mbuf.h>

namespace opensoc::capture {
DpdkQueueSource::DpdkQueueSource(const QueueSourceParams& params)
    : burst_(static_cast<std::uint16_t>(
          std::clamp<std::uint32_t>(params.burst_size, 1, PacketBatch::kCapacity))),
      params_(params),
      name_(params.device + ":" + std::to_string(params.queue_id)) {
  scratch_size_ = static_cast<std::size_t>(burst_) * std::max<std::uint32_t>(params.max_frame_len, 64);
  scratch_storage_ = std::make_unique<std::uint8_t[]>(scratch_size_);
  scratch_ = scratch_storage_.get();
  switch (params.ts_mode) {
    case TimestampMode::wall_clock:
      burst_fn_ = &DpdkQueueSource::receive<TimestampMode::wall_clock>;
      break;
    case TimestampMode::dynfield_micros:
      burst_fn_ = params.ts_dynfield_offset >= 0 && params.ts_dynflag != 0
                      ? &DpdkQueueSource::receive<TimestampMode::dynfield_micros>
                      : &DpdkQueueSource::receive<TimestampMode::wall_clock>;
      break;
  }
}

DpdkQueueSource::~DpdkQueueSource() {
  // Mbufs still held go back to their pool; the runtime destroys sources
  // before it frees the pools.
  if (held_ > 0) rte_pktmbuf_free_bulk(mbufs_, held_);
}

std::uint32_t DpdkQueueSource::next_batch(PacketBatch& batch) noexcept {
  if (held_ > 0) release(batch);
  return (this->*burst_fn_)(batch);
}

template <TimestampMode kMode>
std::uint32_t DpdkQueueSource::receive(PacketBatch& batch) noexcept {
  const std::uint16_t n = rte_eth_rx_burst(params_.dpdk_port_id, params_.queue_id, mbufs_, burst_);
  held_ = n;
  batch.count = n;
  if (n == 0) return 0;

  const TimestampNs burst_time = wall_clock_ns();
  std::size_t scratch_used = 0;
  std::uint64_t bytes = 0;
  for (std::uint16_t i = 0; i < n; ++i) {
    const rte_mbuf* m = mbufs_[i];
    PacketView& v = batch.packets[i];
    v.wirelen = m->pkt_len;
    v.link = LinkType::ethernet;
    v.port = params_.config_port;
    v.queue = params_.queue_id;
    bytes += m->pkt_len;

    if (m->nb_segs == 1) [[likely]] {
      v.data = rte_pktmbuf_mtod(m, const std::uint8_t*);
      v.caplen = m->data_len;
    } else {
      // A chained frame: linearise it so decoders see one buffer. The arena
      // holds a full burst of max-size frames, so the cut below is only a
      // guard against a PMD exceeding its advertised max_rx_pktlen.
      const std::size_t room = scratch_size_ - scratch_used;
      std::uint32_t len = m->pkt_len;
      if (len > room) {
        len = static_cast<std::uint32_t>(room);
        truncated_.add();
      }
      std::uint8_t* dst = scratch_ + scratch_used;
      // Returns a pointer into the first segment when it alone holds `len`
      // bytes, else copies into dst; nullptr only for off + len > pkt_len.
      const void* p = rte_pktmbuf_read(m, 0, len, dst);
      if (p == nullptr) {
        v.data = dst;
        v.caplen = 0;
      } else {
        v.data = static_cast<const std::uint8_t*>(p);
        v.caplen = len;
        if (p == dst) scratch_used += len;
      }
    }

    if constexpr (kMode == TimestampMode::dynfield_micros) {
      if ((m->ol_flags & params_.ts_dynflag) != 0) {
        std::uint64_t us = 0;
        std::memcpy(&us, reinterpret_cast<const unsigned char*>(m) + params_.ts_dynfield_offset, sizeof us);
        v.ts = static_cast<TimestampNs>(us) * kNsPerMicro;
      } else {
        v.ts = burst_time;
      }
    } else {
      v.ts = burst_time;
    }
  }
  packets_.add(n);
  bytes_.add(bytes);
  return n;
}

void DpdkQueueSource::release(PacketBatch& batch) noexcept {
  if (held_ > 0) rte_pktmbuf_free_bulk(mbufs_, held_);
  held_ = 0;
  batch.count = 0;
}

SourceStats DpdkQueueSource::stats() const noexcept {
  SourceStats s;
  s.packets = packets_.get();
  s.bytes = bytes_.get();
  s.truncated_records = truncated_.get();
  return s;
}

}  // namespace opensoc::capture
