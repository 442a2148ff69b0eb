#pragma once
// TcpReassembler: bounded reassembly of one direction of one TCP flow into the
// in-order byte stream the app-layer parsers read. It owns the out-of-order
// segments it holds for that direction; the limits and counters it shares with
// every other direction live in one ReassemblyBudget owned by the
// SessionBuilder. Runs on the indexer thread that owns the SessionBuilder;
// nothing here is thread-safe and nothing blocks.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace opensoc::session {

/// Bounds of reassembly. Plain values; validated by src/config.
struct ReassemblyLimits {
  /// Out-of-order bytes (plus per-segment overhead) held for one direction.
  std::uint32_t max_buffered_per_direction = 256 * 1024;
  /// Held bytes of all directions of all flows of one SessionBuilder together.
  std::uint64_t max_buffered_total = 64ull << 20;
  /// In-order bytes delivered per direction; then the direction stops (0 = no limit).
  std::uint64_t max_depth = 1ull << 20;
  /// Bytes charged per held segment on top of its payload, so that a flood of
  /// one-byte out-of-order segments is bounded by the real memory it costs
  /// (bookkeeping entry plus allocator header), not by its payload alone.
  /// Keep it well above 0 outside tests: it also bounds how many pieces one
  /// direction holds, and so the cost of keeping them sorted.
  std::uint32_t held_segment_overhead = 64;
};

/// Shared budget and counters of all reassemblers of one SessionBuilder.
/// Owned by the SessionBuilder (single thread); it must outlive, and stay at
/// the same address as, every TcpReassembler constructed with it.
struct ReassemblyBudget {
  std::uint64_t buffered = 0;  ///< bytes charged by all live reassemblers now
  ReassemblyLimits limits;
  struct Counters {
    std::uint64_t segments = 0;                ///< on_segment calls
    std::uint64_t bytes_delivered = 0;         ///< passed to on_stream_data
    std::uint64_t retransmitted_bytes = 0;     ///< arrived again for a position already delivered, skipped or held
    std::uint64_t overlap_mismatch_bytes = 0;  ///< of those, bytes that differ from the held copy
    std::uint64_t out_of_order_segments = 0;   ///< segments that started beyond the next expected byte
    std::uint64_t gaps = 0;                    ///< holes skipped (on_stream_gap calls)
    std::uint64_t gap_bytes = 0;               ///< total size of those holes
    std::uint64_t depth_reached = 0;           ///< directions stopped by max_depth
    std::uint64_t budget_exhausted = 0;        ///< directions stopped because nothing more could be held
  } counters;
};

/// Receives one direction's reassembled stream. Called synchronously from
/// TcpReassembler's methods; it must not call back into that reassembler.
class StreamSink {
 public:
  virtual ~StreamSink() = default;
  /// The next in-order bytes. `data` is valid only during the call (it may be
  /// the caller's packet payload or a held copy about to be freed).
  virtual void on_stream_data(std::span<const std::uint8_t> data) = 0;
  /// A hole of `bytes` stream bytes was skipped (capture loss or a budget
  /// decision); the next on_stream_data continues after it.
  virtual void on_stream_gap(std::uint64_t bytes) = 0;
};

/// One direction of one TCP flow. Owner thread only; movable, not copyable.
/// In-order payload is passed to the sink straight from the caller's span (no
/// copy); only out-of-order payload is copied, one allocation per held piece,
/// charged to the shared budget and to this direction's cap. Sequence numbers
/// are compared modulo 2^32 relative to the next expected byte, so streams
/// crossing 2^32 reassemble normally. Untrusted input: no sequence, ack or flag
/// combination is an error; oddities are counted or ignored.
class TcpReassembler {
 public:
  /// `budget` must outlive this object and never move.
  explicit TcpReassembler(ReassemblyBudget& budget);
  /// Returns its held bytes to the budget.
  ~TcpReassembler();
  TcpReassembler(TcpReassembler&& other) noexcept;
  TcpReassembler& operator=(TcpReassembler&& other) noexcept;
  TcpReassembler(const TcpReassembler&) = delete;
  TcpReassembler& operator=(const TcpReassembler&) = delete;

  /// One segment of this direction: absolute `seq`, flags and payload (may be
  /// empty). A SYN sets the ISN (data starts at seq+1); without one the stream
  /// is picked up at the first segment's seq. Bytes already delivered or held
  /// are dropped (first copy wins); bytes after a FIN are ignored; an RST
  /// flushes (its payload is diagnostic text, not stream data).
  void on_segment(std::uint32_t seq, bool syn, bool fin, bool rst, std::span<const std::uint8_t> payload,
                  StreamSink& sink);
  /// The other direction acknowledged up to `ack`: bytes below it that were
  /// never seen are a capture loss, so the holes are skipped (on_stream_gap)
  /// and the held data that follows is delivered. Only holes up to the
  /// furthest byte seen in this direction are skipped: a forged ACK cannot
  /// manufacture a huge gap, and a lost tail shows up once later data arrives.
  void on_peer_ack(std::uint32_t ack, StreamSink& sink);
  /// Delivers everything held, skipping holes (each reported), and a final
  /// hole before a known FIN. Call when the flow ends; also run on RST.
  void flush(StreamSink& sink);

  /// Depth reached or budget exhausted: the sink gets nothing more.
  [[nodiscard]] bool stopped() const noexcept { return stopped_; }
  /// In-order bytes passed to the sink so far.
  [[nodiscard]] std::uint64_t delivered() const noexcept { return delivered_; }
  /// Seen the ISN (SYN) or picked the stream up mid-way.
  [[nodiscard]] bool started() const noexcept { return started_; }
  /// Bytes this direction has charged to the budget now (held payload plus overhead).
  [[nodiscard]] std::uint64_t buffered() const noexcept { return held_charge_; }

 private:
  struct HeldSegment {
    std::uint64_t offset = 0;  // stream offset of the first byte
    std::uint32_t size = 0;
    std::uint64_t charge = 0;  // what was charged to the budget for it
    std::unique_ptr<std::uint8_t[]> bytes;
    [[nodiscard]] std::uint64_t end() const { return offset + size; }
  };

  [[nodiscard]] std::int64_t relative(std::uint32_t seq) const noexcept;
  void note_fin(std::int64_t fin_rel);
  void accept(std::uint32_t seq, std::span<const std::uint8_t> payload, StreamSink& sink);
  void deliver_in_order(std::span<const std::uint8_t> payload, StreamSink& sink);
  [[nodiscard]] bool try_hold(std::uint64_t offset, std::span<const std::uint8_t> payload);
  void deliver_held_run(StreamSink& sink);
  void skip_to(std::uint64_t target, StreamSink& sink);
  void deliver(const std::uint8_t* data, std::uint64_t size, StreamSink& sink);
  void skip(std::uint64_t size, StreamSink& sink);
  void count_overlap(const HeldSegment& held, std::uint64_t offset, const std::uint8_t* data, std::uint64_t size);
  void release(std::size_t first, std::size_t last);
  void release_all() noexcept;
  void stop();

  ReassemblyBudget* budget_;
  std::vector<HeldSegment> held_;  // sorted by offset, disjoint, all beyond next_offset_
  std::uint64_t held_charge_ = 0;
  std::uint64_t next_offset_ = 0;  // stream offset of the next byte to deliver
  std::uint64_t max_end_ = 0;      // furthest stream offset seen (segment end or FIN)
  std::uint64_t fin_offset_ = 0;   // valid when fin_known_
  std::uint64_t delivered_ = 0;
  std::uint32_t base_seq_ = 0;     // sequence number of stream offset 0
  bool started_ = false;
  bool stopped_ = false;
  bool fin_known_ = false;
};

}  // namespace opensoc::session
