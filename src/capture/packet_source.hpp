#pragma once
/// PacketSource: the one interface every capture backend implements (a DPDK
/// RX queue, a pcap/pcapng file), after Zeek's PktSrc. A source is owned and
/// driven by exactly one capture worker thread; only stats() and name() may be
/// called from elsewhere.
#include <cstdint>
#include <string>

#include "opensoc/core/packet_view.hpp"

namespace opensoc::capture {

/// Counters of one source, read by the stats thread while the owner runs.
struct SourceStats {                      // plain snapshot values
  std::uint64_t packets = 0;              ///< frames handed to the worker
  std::uint64_t bytes = 0;                ///< sum of wirelen of those frames
  std::uint64_t nic_dropped = 0;          ///< frames the device lost (imissed)
  std::uint64_t nic_errors = 0;           ///< ierrors
  std::uint64_t mbuf_failures = 0;        ///< rx_nombuf
  std::uint64_t truncated_records = 0;    ///< file sources: a torn last record
};

class PacketSource {
 public:
  virtual ~PacketSource() = default;

  /// Fills `batch` with up to batch.packets.size() frames (and at most
  /// max_burst), returns the count; 0 means nothing right now (live) or
  /// end of input (see exhausted()). Frames stay valid until release().
  /// Owner thread only; never blocks.
  virtual std::uint32_t next_batch(PacketBatch& batch) noexcept = 0;

  /// Gives the frames of the last batch back to the source.
  virtual void release(PacketBatch& batch) noexcept = 0;

  /// True once a finite source (a file) has no more frames.
  [[nodiscard]] virtual bool exhausted() const noexcept = 0;

  /// Any thread.
  [[nodiscard]] virtual SourceStats stats() const noexcept = 0;

  /// Human name for logs and stats labels ("net_pcap0:0", "file:x.pcap").
  [[nodiscard]] virtual const std::string& name() const noexcept = 0;
};

}  // namespace opensoc::capture
