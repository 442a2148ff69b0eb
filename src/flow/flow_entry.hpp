#pragma once
// FlowEntry: one slot of a FlowTable's preallocated flow array, and the
// intrusive list it is threaded on. Internal to the flow module.
#include <cstdint>

#include "opensoc/core/flow_key.hpp"
#include "opensoc/core/flow_record.hpp"
#include "opensoc/core/time.hpp"

namespace opensoc::flow {

/// "No entry": list end, empty index bucket.
inline constexpr std::uint32_t kNoEntry = UINT32_MAX;

/// Which idle timeout applies to a flow; each class is one LRU list, so the
/// flow idle the longest in a class is always at its list's head.
enum class TimeoutClass : std::uint8_t {
  tcp_established = 0,
  tcp_transitory,  // handshake, half-closed, or no state-bearing packet yet
  tcp_closed,      // FIN/FIN or RST seen: lingers tcp_closed_s
  udp,
  icmp,
  other,
  free,            // slot not in use (on the free list)
};
inline constexpr std::size_t kTimeoutClassCount = 6;

/// Links of an intrusive doubly linked list over the entry array (indices,
/// not pointers, so the array could be moved or mapped).
struct FlowLinks {
  std::uint32_t prev = kNoEntry;
  std::uint32_t next = kNoEntry;
};

/// Side indices for per-direction counters.
inline constexpr int kFromSource = 0;
inline constexpr int kFromDestination = 1;

/// 128 bytes, two cache lines: the key and the per-packet counters share the
/// first line so a lookup hit plus accounting touches as few lines as possible.
/// Small enums are packed into bit-fields to stay within the two lines.
struct alignas(64) FlowEntry {
  FlowKey key{};                      // 0
  TimestampNs last_ts = 0;            // 40
  std::uint64_t packets[2] = {0, 0};  // 48: [kFromSource], [kFromDestination]
  std::uint64_t bytes[2] = {0, 0};    // 64
  FlowLinks idle;                     // 80: timeout-class LRU list, or free list
  FlowLinks report;                   // 88: interim-report list (open flows only)
  TimestampNs first_ts = 0;           // 96
  TimestampNs report_ts = 0;          // 104: start of the current interim period
  std::uint64_t flow_id = 0;          // 112
  std::uint16_t inner_vlan = 0;       // 120
  std::uint8_t icmp_type = 0;         // 122: first packet's, for the record
  std::uint8_t icmp_code = 0;         // 123
  std::uint8_t tcp_flags[2] = {0, 0}; // 124
  std::uint8_t tcp_state_bits : 3 = 0;     // 126: TcpState
  std::uint8_t close_reason_bits : 3 = 0;  //      FlowEndReason, once tcp_state is closed
  std::uint8_t fin_seen : 2 = 0;           //      bit per side that sent a FIN
  std::uint8_t class_bits : 3 = static_cast<std::uint8_t>(TimeoutClass::free);  // 127
  std::uint8_t src_is_hi : 1 = 0;     // the flow's source is the key's hi side
  std::uint8_t updated : 1 = 0;       // packets seen since the last interim record
  std::uint8_t in_report : 1 = 0;     // linked on the interim-report list

  [[nodiscard]] TcpState tcp_state() const noexcept { return static_cast<TcpState>(tcp_state_bits); }
  void set_tcp_state(TcpState s) noexcept { tcp_state_bits = static_cast<std::uint8_t>(s) & 7u; }
  [[nodiscard]] FlowEndReason close_reason() const noexcept {
    return static_cast<FlowEndReason>(close_reason_bits);
  }
  void set_close_reason(FlowEndReason r) noexcept { close_reason_bits = static_cast<std::uint8_t>(r) & 7u; }
  [[nodiscard]] TimeoutClass timeout_class() const noexcept { return static_cast<TimeoutClass>(class_bits); }
  void set_timeout_class(TimeoutClass c) noexcept { class_bits = static_cast<std::uint8_t>(c) & 7u; }
};
static_assert(sizeof(FlowEntry) == 128, "FlowEntry should stay two cache lines");

/// Intrusive list head/tail over a FlowEntry array; `Member` selects which of
/// the entry's link pairs this list threads. Owner thread only.
template <FlowLinks FlowEntry::*Member>
class FlowList {
 public:
  [[nodiscard]] std::uint32_t head() const noexcept { return head_; }
  [[nodiscard]] bool empty() const noexcept { return head_ == kNoEntry; }

  void push_back(FlowEntry* entries, std::uint32_t i) noexcept {
    FlowLinks& l = entries[i].*Member;
    l.prev = tail_;
    l.next = kNoEntry;
    if (tail_ != kNoEntry) {
      (entries[tail_].*Member).next = i;
    } else {
      head_ = i;
    }
    tail_ = i;
  }

  void unlink(FlowEntry* entries, std::uint32_t i) noexcept {
    FlowLinks& l = entries[i].*Member;
    if (l.prev != kNoEntry) {
      (entries[l.prev].*Member).next = l.next;
    } else {
      head_ = l.next;
    }
    if (l.next != kNoEntry) {
      (entries[l.next].*Member).prev = l.prev;
    } else {
      tail_ = l.prev;
    }
    l.prev = l.next = kNoEntry;
  }

  void move_to_back(FlowEntry* entries, std::uint32_t i) noexcept {
    if (tail_ == i) return;
    unlink(entries, i);
    push_back(entries, i);
  }

  /// Pops the head; kNoEntry when empty.
  std::uint32_t pop_front(FlowEntry* entries) noexcept {
    const std::uint32_t i = head_;
    if (i != kNoEntry) unlink(entries, i);
    return i;
  }

 private:
  std::uint32_t head_ = kNoEntry;
  std::uint32_t tail_ = kNoEntry;
};

}  // namespace opensoc::flow
