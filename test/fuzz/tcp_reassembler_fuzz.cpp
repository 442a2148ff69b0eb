// Fuzzes TcpReassembler with the two directions of one flow sharing one
// budget. The first 12 input bytes choose the limits and the two ISNs; then
// each 6 bytes are one operation: a segment (seq near the ISN or anywhere,
// length, SYN/FIN/RST), an ACK from the other direction, a flush or a move.
// Payload byte values are a function of their sequence number, so unless a
// segment was deliberately corrupted every delivered byte can be checked
// against the position the reassembler claims to be at. Other invariants:
// sink totals match the counters, bounds hold at every step, progress
// (delivered + gap bytes) never passes the furthest byte seen, and the budget
// is back at 0 once both reassemblers are gone.
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>

#include "session/tcp_reassembler.hpp"

namespace {

using namespace opensoc::session;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

std::uint8_t byte_at(std::uint32_t seq) { return static_cast<std::uint8_t>(seq * 131u + (seq >> 8)); }

std::uint32_t load_u32(const std::uint8_t* p) {
  std::uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

class CheckingSink final : public StreamSink {
 public:
  void on_stream_data(std::span<const std::uint8_t> data) override {
    check(!data.empty());
    check(started);
    for (std::uint8_t b : data) {
      if (clean) check(b == byte_at(position));
      ++position;
    }
    delivered += data.size();
  }
  void on_stream_gap(std::uint64_t bytes) override {
    check(bytes > 0);
    check(started);
    position += static_cast<std::uint32_t>(bytes);
    gap_bytes += bytes;
    ++gaps;
  }
  bool started = false;
  bool clean = true;
  std::uint32_t start_seq = 0;
  std::uint32_t position = 0;  // sequence number of the next stream byte
  std::int64_t max_end = 0;    // furthest segment end seen, relative to start_seq
  std::uint64_t delivered = 0;
  std::uint64_t gap_bytes = 0;
  std::uint64_t gaps = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 12) return 0;
  ReassemblyBudget budget;
  static constexpr std::uint32_t kCaps[4] = {0, 16, 300, 256 * 1024};
  static constexpr std::uint64_t kTotals[4] = {0, 40, 700, 64ull << 20};
  static constexpr std::uint64_t kDepths[4] = {0, 10, 1000, 1ull << 20};
  static constexpr std::uint32_t kOverheads[4] = {0, 1, 64, 64};
  budget.limits.max_buffered_per_direction = kCaps[data[0] & 3];
  budget.limits.max_buffered_total = kTotals[(data[0] >> 2) & 3];
  budget.limits.max_depth = kDepths[(data[0] >> 4) & 3];
  budget.limits.held_segment_overhead = kOverheads[(data[0] >> 6) & 3];
  const bool wild_allowed = (data[1] & 1) != 0;
  const std::uint32_t isn[2] = {load_u32(data + 4), load_u32(data + 8)};

  std::uint8_t payload[512];
  CheckingSink sinks[2];
  bool wild_seen = false;
  {
    std::optional<TcpReassembler> r[2];
    r[0].emplace(budget);
    r[1].emplace(budget);
    for (std::size_t i = 12; i + 6 <= size; i += 6) {
      const std::uint8_t* in = data + i;
      const int d = in[0] & 1;
      const unsigned op = (in[0] >> 1) & 7;
      CheckingSink& sink = sinks[d];
      // Sequence numbers within 64 KiB of the ISN (a little before it too),
      // or any 32-bit value when this input allows it.
      const bool wild = wild_allowed && (in[5] & 0x80) != 0;
      std::uint32_t seq = isn[d] + static_cast<std::uint32_t>(in[1] | (in[2] << 8)) - 256u;
      if (wild) seq = load_u32(in + 1);
      if (op <= 4) {
        const bool syn = (in[0] & 0x10) != 0 && (in[4] & 3) == 0;
        const bool fin = (in[0] & 0x20) != 0 && (in[4] & 4) == 0;
        const bool rst = (in[0] & 0x40) != 0 && (in[4] & 0x18) == 0;
        const bool corrupt = (in[0] & 0x80) != 0 && (in[4] & 0x20) != 0;
        const std::size_t len = static_cast<std::size_t>(in[3]) * ((in[5] & 1) ? 2 : 1);
        const std::uint32_t data_seq = syn ? seq + 1u : seq;
        for (std::size_t k = 0; k < len; ++k) {
          payload[k] = static_cast<std::uint8_t>(byte_at(data_seq + static_cast<std::uint32_t>(k)) ^ (corrupt ? 0x5a : 0));
        }
        // The first segment other than an RST starts the stream, and may
        // deliver at once.
        if (!sink.started && !rst) {
          sink.started = true;
          sink.start_seq = data_seq;
          sink.position = data_seq;
        }
        if (corrupt && len > 0) sink.clean = false;
        r[d]->on_segment(seq, syn, fin, rst, std::span<const std::uint8_t>(payload, len), sink);
        check(r[d]->started() == sink.started);
        wild_seen = wild_seen || wild;
        if (sink.started && !rst) {
          const auto end = static_cast<std::int64_t>(static_cast<std::int32_t>(data_seq - sink.start_seq)) +
                           static_cast<std::int64_t>(len);
          if (end > sink.max_end) sink.max_end = end;
        }
      } else if (op <= 6) {
        // An ACK sent by the other direction, in this direction's sequence space.
        r[d]->on_peer_ack(seq, sink);
      } else if (in[5] & 2) {
        r[d]->flush(sink);
      } else {
        TcpReassembler moved(std::move(*r[d]));
        r[d].emplace(std::move(moved));
      }

      const auto& c = budget.counters;
      check(budget.buffered == r[0]->buffered() + r[1]->buffered());
      check(budget.buffered <= budget.limits.max_buffered_total);
      for (int k = 0; k < 2; ++k) {
        check(r[k]->buffered() <= budget.limits.max_buffered_per_direction);
        check(r[k]->delivered() == sinks[k].delivered);
        if (budget.limits.max_depth != 0) check(r[k]->delivered() <= budget.limits.max_depth);
        if (r[k]->stopped()) check(r[k]->buffered() == 0);
        if (!wild_seen) {
          const std::uint64_t progress = sinks[k].delivered + sinks[k].gap_bytes;
          check(progress <= static_cast<std::uint64_t>(sinks[k].max_end > 0 ? sinks[k].max_end : 0));
        }
      }
      check(c.bytes_delivered == sinks[0].delivered + sinks[1].delivered);
      check(c.gap_bytes == sinks[0].gap_bytes + sinks[1].gap_bytes);
      check(c.gaps == sinks[0].gaps + sinks[1].gaps);
      check(c.overlap_mismatch_bytes <= c.retransmitted_bytes);
      check(c.depth_reached + c.budget_exhausted <= 2);
    }
    for (auto& rr : r) {
      const int k = static_cast<int>(&rr - &r[0]);
      rr->flush(sinks[k]);
      check(rr->buffered() == 0);
    }
    check(budget.buffered == 0);
    // Held data again (a byte beyond the next expected one), for the
    // destructor to return.
    if (r[0]->started()) {
      r[0]->on_segment(sinks[0].position + 1000u, false, false, false, std::span<const std::uint8_t>(payload, 1),
                       sinks[0]);
    }
  }
  check(budget.buffered == 0);
  return 0;
}
