#pragma once
/// DpdkQueueSource: a PacketSource over one RX queue of one DPDK port. Created
/// and owned by DpdkRuntime at start-up; polled by exactly one capture worker
/// (the lcore the queue was dealt to). stats() and name() may be called from
/// any thread.
///
/// Frames are zero-copy views into mbuf data, valid until release(). A frame
/// the PMD chained over several mbufs (jumbo frames larger than one mbuf) is
/// copied into this source's scratch arena so decoders always see contiguous
/// bytes.
///
/// wirelen is the PMD's pkt_len. net_pcap sets it from the record's captured
/// length, so a frame cut by the capture's snaplen arrives with wirelen ==
/// caplen (the file's original length is lost; checked on
/// enip-keywords/enip_cip_example.pcap).
///
/// Timestamps: see TimestampMode. NIC counters (imissed, ierrors, rx_nombuf)
/// exist per port, not per queue, so stats() leaves SourceStats::nic_* at 0;
/// DpdkRuntime::port_stats() reports them.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "capture/packet_source.hpp"
#include "opensoc/core/counter.hpp"
#include "opensoc/core/packet_view.hpp"

struct rte_mbuf;  // DPDK types stay out of our headers (STYLE.md 7)

namespace opensoc::capture {

/// How a queue turns an mbuf into PacketView::ts. Resolved once per port at
/// start-up from the PMD's name, because the RX timestamp dynfield has no
/// common unit or epoch across PMDs (DPDK only promises it is consistent per
/// port): hardware NICs put raw clock ticks there.
enum class TimestampMode : std::uint8_t {
  /// CLOCK_REALTIME read once per burst: every packet of a burst gets the
  /// time the burst was received.
  wall_clock,
  /// The mbuf's RX timestamp dynfield holds microseconds since the Unix epoch
  /// (net_pcap in DPDK 22.11: it stores the record's ts_sec * 10^6 + ts_usec,
  /// checked against tshark's frame.time_epoch). Mbufs without the dynflag
  /// (e.g. net_pcap with infinite_rx=1) fall back to the burst's wall clock.
  dynfield_micros,
};

/// Everything a queue source needs, resolved by the runtime at start-up.
struct QueueSourceParams {
  std::string device;            ///< DPDK device name, for name()
  std::uint16_t dpdk_port_id = 0;
  std::uint16_t config_port = 0; ///< index in CaptureConfig::ports (PacketView::port)
  std::uint16_t queue_id = 0;
  std::uint16_t burst_size = 32; ///< clamped to PacketBatch::kCapacity
  std::uint32_t max_frame_len = 16384;  ///< largest frame the port can deliver
  TimestampMode ts_mode = TimestampMode::wall_clock;
  int ts_dynfield_offset = -1;   ///< mbuf dynfield offset (dynfield_micros only)
  std::uint64_t ts_dynflag = 0;  ///< ol_flags bit saying the dynfield is valid
};

class alignas(64) DpdkQueueSource final : public PacketSource {
 public:
  /// Allocates the scratch arena (burst_size * max_frame_len bytes), once.
  /// Control thread; the port and queue must already be set up.
  explicit DpdkQueueSource(const QueueSourceParams& params);
  ~DpdkQueueSource() override;
  DpdkQueueSource(const DpdkQueueSource&) = delete;
  DpdkQueueSource& operator=(const DpdkQueueSource&) = delete;

  /// One rte_eth_rx_burst of up to min(burst_size, kCapacity) frames. Never
  /// blocks, allocates or logs. If the previous burst was not released, it is
  /// released first (its views become invalid). Owner worker only.
  std::uint32_t next_batch(PacketBatch& batch) noexcept override;

  /// Frees the mbufs of the last burst (rte_pktmbuf_free_bulk) and empties
  /// `batch`. Owner worker only.
  void release(PacketBatch& batch) noexcept override;

  /// Always false: a port never ends (net_pcap simply returns 0 after the
  /// end of its file).
  [[nodiscard]] bool exhausted() const noexcept override { return false; }

  /// packets, bytes (sum of wire lengths) and truncated_records (chained
  /// frames that did not fit the scratch arena and were cut short; should stay
  /// 0). nic_* are 0: see the file comment. Any thread.
  [[nodiscard]] SourceStats stats() const noexcept override;

  /// "<device>:<queue>", e.g. "net_pcap0:0".
  [[nodiscard]] const std::string& name() const noexcept override { return name_; }

  [[nodiscard]] std::uint16_t dpdk_port_id() const noexcept { return params_.dpdk_port_id; }
  [[nodiscard]] std::uint16_t queue_id() const noexcept { return params_.queue_id; }

 private:
  using BurstFn = std::uint32_t (DpdkQueueSource::*)(PacketBatch&) noexcept;
  template <TimestampMode kMode>
  std::uint32_t receive(PacketBatch& batch) noexcept;

  // Hot state first, on the source's own cache lines.
  rte_mbuf* mbufs_[PacketBatch::kCapacity] = {};
  std::uint16_t held_ = 0;        // mbufs of the current burst, not yet freed
  std::uint16_t burst_ = 0;
  BurstFn burst_fn_ = nullptr;    // receive<> specialised for the port's TimestampMode
  std::uint8_t* scratch_ = nullptr;
  std::size_t scratch_size_ = 0;
  Counter packets_;
  Counter bytes_;
  Counter truncated_;

  QueueSourceParams params_;
  std::string name_;
  std::unique_ptr<std::uint8_t[]> scratch_storage_;
};

}  // namespace opensoc::capture
