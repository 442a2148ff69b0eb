// TCP stream reassembly, one direction of one flow at a time. The
// SessionBuilder (indexer thread) feeds every TCP segment of a direction to
// that direction's TcpReassembler, and every ACK of the other direction to
// on_peer_ack; out come the in-order stream bytes and the holes skipped, to a
// StreamSink that drives the app-layer parsers.
//
// Positions are 64-bit stream offsets from the first byte (ISN+1 after a SYN,
// or the first segment's seq when the stream is picked up mid-way). A sequence
// number becomes an offset by its signed 32-bit distance from the next expected
// byte, which is how TCP itself compares sequence numbers (RFC 793 3.3), so
// wraparound at 2^32 needs no special case.
//
// Memory is bounded twice: per direction and for all directions of the
// builder together (ReassemblyBudget). When holding a segment would exceed
// either, the earliest hole is skipped and what was held is delivered; a
// direction that still cannot hold the segment stops. Depth is bounded too:
// parsers only look at the start of a stream.
#include "session/tcp_reassembler.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

namespace opensoc::session {

namespace {

// No real segment comes near this (the IPv4 and IPv6 length fields cap it at
// 64 KiB, GRO at a few hundred KiB); clamping keeps every offset computation
// far inside the signed 32-bit window the sequence comparison relies on.
constexpr std::size_t kMaxSegmentBytes = std::size_t{1} << 30;

}  // namespace

TcpReassembler::TcpReassembler(ReassemblyBudget& budget) : budget_(&budget) {}

TcpReassembler::~TcpReassembler() { release_all(); }

TcpReassembler::TcpReassembler(TcpReassembler&& other) noexcept
    : budget_(other.budget_),
      held_(std::move(other.held_)),
      held_charge_(std::exchange(other.held_charge_, 0)),
      next_offset_(other.next_offset_),
      max_end_(other.max_end_),
      fin_offset_(other.fin_offset_),
      delivered_(other.delivered_),
      base_seq_(other.base_seq_),
      started_(other.started_),
      stopped_(other.stopped_),
      fin_known_(other.fin_known_) {
  other.held_.clear();
}

TcpReassembler& TcpReassembler::operator=(TcpReassembler&& other) noexcept {
  if (this == &other) return *this;
  release_all();
  budget_ = other.budget_;
  held_ = std::move(other.held_);
  other.held_.clear();
  held_charge_ = std::exchange(other.held_charge_, 0);
  next_offset_ = other.next_offset_;
  max_end_ = other.max_end_;
  fin_offset_ = other.fin_offset_;
  delivered_ = other.delivered_;
  base_seq_ = other.base_seq_;
  started_ = other.started_;
  stopped_ = other.stopped_;
  fin_known_ = other.fin_known_;
  return *this;
}

std::int64_t TcpReassembler::relative(std::uint32_t seq) const noexcept {
  const auto next_seq = static_cast<std::uint32_t>(base_seq_ + static_cast<std::uint32_t>(next_offset_));
  return static_cast<std::int32_t>(seq - next_seq);
}

void TcpReassembler::on_segment(std::uint32_t seq, bool syn, bool fin, bool rst, std::span<const std::uint8_t> payload,
                                StreamSink& sink) {
  auto& counters = budget_->counters;
  ++counters.segments;
  if (rst) {
    flush(sink);
    return;
  }
  if (stopped_) return;
  if (payload.size() > kMaxSegmentBytes) payload = payload.first(kMaxSegmentBytes);

  // The SYN occupies one sequence number; its data (TCP Fast Open) follows it.
  const std::uint32_t data_seq = syn ? seq + 1u : seq;
  if (!started_) {
    started_ = true;
    base_seq_ = data_seq;
  }
  const std::int64_t rel = relative(data_seq);
  if (fin) note_fin(rel + static_cast<std::int64_t>(payload.size()));
  if (fin_known_) {
    // The sender sends nothing after its FIN: later bytes are not stream data.
    const auto limit = static_cast<std::int64_t>(fin_offset_ - next_offset_);
    if (rel >= limit) {
      payload = {};
    } else if (rel + static_cast<std::int64_t>(payload.size()) > limit) {
      payload = payload.first(static_cast<std::size_t>(limit - rel));
    }
  }
  const std::int64_t end_rel = rel + static_cast<std::int64_t>(payload.size());
  if (end_rel > 0) max_end_ = std::max(max_end_, next_offset_ + static_cast<std::uint64_t>(end_rel));
  if (payload.empty()) return;
  if (rel > 0) ++counters.out_of_order_segments;
  accept(data_seq, payload, sink);
}

void TcpReassembler::on_peer_ack(std::uint32_t ack, StreamSink& sink) {
  if (!started_ || stopped_) return;
  const std::int64_t rel = relative(ack);
  if (rel <= 0) return;
  std::uint64_t target = std::min(next_offset_ + static_cast<std::uint64_t>(rel), max_end_);
  // The ACK of a FIN covers the FIN's own sequence number, which carries no byte.
  if (fin_known_) target = std::min(target, fin_offset_);
  skip_to(target, sink);
}

void TcpReassembler::flush(StreamSink& sink) {
  if (!started_ || stopped_) return;
  while (!held_.empty() && !stopped_) skip_to(held_.front().offset, sink);
  if (!stopped_ && fin_known_ && next_offset_ < fin_offset_) skip(fin_offset_ - next_offset_, sink);
}

void TcpReassembler::note_fin(std::int64_t fin_rel) {
  // The first FIN wins; one behind what was already delivered or skipped
  // cannot be the real end of this stream, so it does not cut it short.
  if (fin_known_ || fin_rel < 0) return;
  fin_known_ = true;
  fin_offset_ = next_offset_ + static_cast<std::uint64_t>(fin_rel);
  max_end_ = std::max(max_end_, fin_offset_);
  std::size_t keep = held_.size();
  while (keep > 0 && held_[keep - 1].offset >= fin_offset_) --keep;
  release(keep, held_.size());
  // At most the last kept piece crosses the FIN; its charge stays as it was.
  if (!held_.empty() && held_.back().end() > fin_offset_) {
    held_.back().size = static_cast<std::uint32_t>(fin_offset_ - held_.back().offset);
  }
}

void TcpReassembler::accept(std::uint32_t seq, std::span<const std::uint8_t> payload, StreamSink& sink) {
  auto& counters = budget_->counters;
  for (;;) {
    if (stopped_ || payload.empty()) return;
    const std::int64_t rel = relative(seq);
    if (rel < 0) {
      // Already delivered or skipped: the first copy won.
      const std::size_t old = std::min(payload.size(), static_cast<std::size_t>(-rel));
      counters.retransmitted_bytes += old;
      payload = payload.subspan(old);
      seq += static_cast<std::uint32_t>(old);
      continue;
    }
    if (rel == 0) {
      deliver_in_order(payload, sink);
      return;
    }
    const std::uint64_t offset = next_offset_ + static_cast<std::uint64_t>(rel);
    if (try_hold(offset, payload)) return;
    if (held_.empty()) {
      ++counters.budget_exhausted;
      stop();
      return;
    }
    // Over budget: skip the earliest hole. When the new segment comes before
    // everything held, that hole ends at the segment, which is then in order.
    skip_to(std::min(offset, held_.front().offset), sink);
  }
}

void TcpReassembler::deliver_in_order(std::span<const std::uint8_t> payload, StreamSink& sink) {
  const std::uint64_t start = next_offset_;
  const std::uint64_t end = start + payload.size();
  std::size_t i = 0;
  while (!stopped_) {
    if (i < held_.size() && held_[i].offset == next_offset_) {
      // Held bytes arrived first, so they win over the overlapping new ones.
      const HeldSegment& held = held_[i];
      if (next_offset_ < end) {
        count_overlap(held, next_offset_, payload.data() + (next_offset_ - start),
                      std::min(held.end(), end) - next_offset_);
      }
      deliver(held.bytes.get(), held.size, sink);
      ++i;
      continue;
    }
    if (next_offset_ < end) {
      std::uint64_t limit = end;
      if (i < held_.size()) limit = std::min(limit, held_[i].offset);
      deliver(payload.data() + (next_offset_ - start), limit - next_offset_, sink);
      continue;
    }
    break;
  }
  if (!stopped_) release(0, i);
}

bool TcpReassembler::try_hold(std::uint64_t offset, std::span<const std::uint8_t> payload) {
  const std::uint64_t end = offset + payload.size();
  const std::uint64_t overhead = budget_->limits.held_segment_overhead;
  const auto first = static_cast<std::size_t>(
      std::partition_point(held_.begin(), held_.end(), [&](const HeldSegment& h) { return h.end() <= offset; }) -
      held_.begin());

  // What is not held yet is what the new segment costs.
  std::uint64_t need = 0;
  std::uint64_t cur = offset;
  for (std::size_t i = first; i < held_.size() && held_[i].offset < end; ++i) {
    if (held_[i].offset > cur) need += held_[i].offset - cur + overhead;
    cur = std::max(cur, held_[i].end());
  }
  if (cur < end) need += end - cur + overhead;
  if (need > 0 && (held_charge_ + need > budget_->limits.max_buffered_per_direction ||
                   budget_->buffered + need > budget_->limits.max_buffered_total)) {
    return false;
  }

  for (std::size_t i = first; i < held_.size() && held_[i].offset < end; ++i) {
    const std::uint64_t lo = std::max(offset, held_[i].offset);
    const std::uint64_t hi = std::min(end, held_[i].end());
    count_overlap(held_[i], lo, payload.data() + (lo - offset), hi - lo);
  }

  std::size_t i = first;
  cur = offset;
  while (cur < end) {
    std::uint64_t piece_end = end;
    if (i < held_.size() && held_[i].offset < end) {
      if (held_[i].offset <= cur) {
        cur = std::max(cur, held_[i].end());
        ++i;
        continue;
      }
      piece_end = held_[i].offset;
    }
    const auto size = static_cast<std::size_t>(piece_end - cur);
    HeldSegment piece;
    piece.offset = cur;
    piece.size = static_cast<std::uint32_t>(size);
    piece.charge = size + overhead;
    piece.bytes = std::make_unique_for_overwrite<std::uint8_t[]>(size);
    std::memcpy(piece.bytes.get(), payload.data() + (cur - offset), size);
    held_charge_ += piece.charge;
    budget_->buffered += piece.charge;
    held_.insert(held_.begin() + static_cast<std::ptrdiff_t>(i), std::move(piece));
    ++i;
    cur = piece_end;
  }
  return true;
}

void TcpReassembler::deliver_held_run(StreamSink& sink) {
  std::size_t i = 0;
  while (!stopped_ && i < held_.size() && held_[i].offset == next_offset_) {
    deliver(held_[i].bytes.get(), held_[i].size, sink);
    ++i;
  }
  if (!stopped_) release(0, i);
}

void TcpReassembler::skip_to(std::uint64_t target, StreamSink& sink) {
  while (!stopped_ && next_offset_ < target) {
    const std::uint64_t hole_end = held_.empty() ? target : std::min(target, held_.front().offset);
    if (hole_end > next_offset_) skip(hole_end - next_offset_, sink);
    deliver_held_run(sink);
  }
}

void TcpReassembler::deliver(const std::uint8_t* data, std::uint64_t size, StreamSink& sink) {
  auto& counters = budget_->counters;
  const std::uint64_t max_depth = budget_->limits.max_depth;
  std::uint64_t n = size;
  if (max_depth != 0) n = std::min(n, max_depth - delivered_);
  if (n > 0) {
    sink.on_stream_data(std::span<const std::uint8_t>(data, static_cast<std::size_t>(n)));
    delivered_ += n;
    counters.bytes_delivered += n;
  }
  next_offset_ += size;
  if (max_depth != 0 && delivered_ >= max_depth) {
    ++counters.depth_reached;
    stop();
  }
}

void TcpReassembler::skip(std::uint64_t size, StreamSink& sink) {
  auto& counters = budget_->counters;
  sink.on_stream_gap(size);
  ++counters.gaps;
  counters.gap_bytes += size;
  next_offset_ += size;
}

void TcpReassembler::count_overlap(const HeldSegment& held, std::uint64_t offset, const std::uint8_t* data,
                                   std::uint64_t size) {
  auto& counters = budget_->counters;
  counters.retransmitted_bytes += size;
  const std::uint8_t* old = held.bytes.get() + (offset - held.offset);
  for (std::uint64_t k = 0; k < size; ++k) {
    if (data[k] != old[k]) ++counters.overlap_mismatch_bytes;
  }
}

void TcpReassembler::release(std::size_t first, std::size_t last) {
  if (first >= last) return;
  for (std::size_t i = first; i < last; ++i) {
    held_charge_ -= held_[i].charge;
    budget_->buffered -= held_[i].charge;
  }
  held_.erase(held_.begin() + static_cast<std::ptrdiff_t>(first), held_.begin() + static_cast<std::ptrdiff_t>(last));
  // Most flows never reorder: give the capacity back rather than keep it per direction.
  if (held_.empty()) held_ = std::vector<HeldSegment>{};
}

void TcpReassembler::release_all() noexcept {
  budget_->buffered -= held_charge_;
  held_charge_ = 0;
  held_ = std::vector<HeldSegment>{};
}

void TcpReassembler::stop() {
  stopped_ = true;
  release_all();
}

}  // namespace opensoc::session
