// The flow module: turns decoded packets into flows and flow records.
//
// Who runs it: one FlowTable per capture worker, called only by that worker
// (decode -> flow -> ... run to completion on each burst). No locks: the
// table is owned, not shared. Records go out synchronously through a
// FlowRecordSink, which in the pipeline pushes them onto the worker's SPSC
// ring towards enrich/search.
//
// Memory: everything is allocated at construction. Flows live in a fixed
// array of 128-byte FlowEntry slots; a FlowIndex (open addressing over
// {hash, slot} buckets, at most half full, backward-shift deletion) maps a
// FlowKey to its slot. A full table never drops a packet: it ends a flow to
// make room (a closed TCP flow still lingering if there is one, otherwise the
// least recently seen flow, reason memory_pressure).
//
// Flow identity: FlowKey = outer VLAN + (address, port) endpoints ordered as
// Community ID orders them + IP protocol + version, so both directions of a
// conversation meet. ICMP uses Community ID's port-equivalents (echo request
// and reply are one flow; non-request/reply types are one-way). IP packets
// without a usable L4 header (later fragments, unknown protocols) use ports 0.
//
// Direction: the flow's source is the sender of its first packet, except when
// that packet is a TCP SYN-ACK: then the receiver is the source (it sent the
// SYN we missed), so "source" means "client" whenever the handshake gives it away.
//
// TCP state (passive view): SYN -> syn_sent; SYN-ACK -> syn_received; ACK or
// payload -> established (also when picked up mid-stream); FIN from one side
// -> closing; FIN from both -> closed (reason fin); RST -> closed (reason rst).
// A closed flow lingers tcp_closed_s so stray retransmits and last ACKs join
// it, then is emitted with its fin/rst reason. A bare SYN (no ACK) on a
// closed flow's key, or on a closing flow that has been quiet for
// kPortReuseQuietNs, ends the old flow (reason fin/rst) and starts a new one,
// the way tshark splits tcp.stream when ports are reused.
//
// Time: packet time only (never the wall clock), so replaying a capture gives
// the same records. Each timeout class (tcp established / transitory /
// closed, udp, icmp, other) is an intrusive LRU list: a packet moves its flow
// to the tail (or to another list when its class changes), so the flow idle
// the longest is at the head and advance(now) only looks at list heads:
// O(1) per expired flow, O(classes) when nothing is due. Interim records for
// long flows (active_timeout_s) use one more list ordered by the start of
// each flow's current reporting period. Interim records carry cumulative
// counters (since the flow began), not deltas, and are skipped for flows that
// saw no packet during the period.
#include "flow/flow_table.hpp"

#include <algorithm>
#include <new>
#include <random>
#include <stdexcept>

#include "flow/flow_hash.hpp"

namespace opensoc::flow {

namespace {

// A closing (half-closed) flow must have been silent this long before a bare
// SYN on its key counts as a new connection rather than a late duplicate of
// the old one's SYN. One second is TCP's minimum retransmission timeout
// (RFC 6298), so a genuine reconnect after a half-close normally waits longer.
constexpr TimestampNs kPortReuseQuietNs = kNsPerSecond;

constexpr std::uint32_t kMaxTableSize = 1u << 30;

constexpr TimestampNs seconds(std::uint32_t s) noexcept { return static_cast<TimestampNs>(s) * kNsPerSecond; }

// now - then >= span, without signed overflow on hostile timestamps.
bool elapsed_at_least(TimestampNs now, TimestampNs then, TimestampNs span) noexcept {
  if (now < then) return false;
  return static_cast<std::uint64_t>(now) - static_cast<std::uint64_t>(then) >= static_cast<std::uint64_t>(span);
}

TimeoutClass class_for(std::uint8_t proto, TcpState state) noexcept {
  switch (proto) {
    case kProtoTcp:
      if (state == TcpState::established) return TimeoutClass::tcp_established;
      if (state == TcpState::closed) return TimeoutClass::tcp_closed;
      return TimeoutClass::tcp_transitory;
    case kProtoUdp:
      return TimeoutClass::udp;
    case kProtoIcmp:
    case kProtoIcmpv6:
      return TimeoutClass::icmp;
    default:
      return TimeoutClass::other;
  }
}

void update_tcp_state(FlowEntry& e, int side, std::uint8_t flags, std::uint32_t payload_len) noexcept {
  const TcpState s = e.tcp_state();
  if (flags & kTcpRst) {
    if (s != TcpState::closed) {
      e.set_tcp_state(TcpState::closed);
      e.set_close_reason(FlowEndReason::rst);
    }
    return;
  }
  if (s == TcpState::closed) return;  // lingering: absorb stray packets

  if (flags & kTcpSyn) {
    if (flags & kTcpAck) {
      if (s == TcpState::none || s == TcpState::syn_sent) e.set_tcp_state(TcpState::syn_received);
    } else if (s == TcpState::none) {
      e.set_tcp_state(TcpState::syn_sent);
    }
  } else if ((flags & kTcpAck) || payload_len > 0) {
    if (s == TcpState::none || s == TcpState::syn_sent || s == TcpState::syn_received) {
      e.set_tcp_state(TcpState::established);
    }
  }
  if (flags & kTcpFin) {
    e.fin_seen = static_cast<std::uint8_t>(e.fin_seen | (1u << side)) & 3u;
    if (e.fin_seen == 3) {
      e.set_tcp_state(TcpState::closed);
      e.set_close_reason(FlowEndReason::fin);
    } else {
      e.set_tcp_state(TcpState::closing);
    }
  }
}

}  // namespace

FlowTable::FlowTable(const FlowConfig& config, std::uint16_t worker_id, FlowRecordSink& sink)
    : worker_id_(worker_id),
      sink_(sink),
      entries_(config.table_size == 0 || config.table_size > kMaxTableSize ? 0 : config.table_size),
      index_(static_cast<std::uint32_t>(entries_.size())) {
  if (entries_.empty()) {
    throw std::invalid_argument("flow.table_size must be between 1 and 2^30");
  }
  const FlowTimeouts& t = config.timeouts;
  idle_timeout_ns_[static_cast<std::size_t>(TimeoutClass::tcp_established)] = seconds(t.tcp_established_s);
  idle_timeout_ns_[static_cast<std::size_t>(TimeoutClass::tcp_transitory)] = seconds(t.tcp_transitory_s);
  idle_timeout_ns_[static_cast<std::size_t>(TimeoutClass::tcp_closed)] = seconds(t.tcp_closed_s);
  idle_timeout_ns_[static_cast<std::size_t>(TimeoutClass::udp)] = seconds(t.udp_s);
  idle_timeout_ns_[static_cast<std::size_t>(TimeoutClass::icmp)] = seconds(t.icmp_s);
  idle_timeout_ns_[static_cast<std::size_t>(TimeoutClass::other)] = seconds(t.other_s);
  active_timeout_ns_ = seconds(config.active_timeout_s);

  // A per-table random seed: flow keys are attacker-chosen, and a fixed hash
  // would let them aim every flow at one probe run.
  std::random_device rd;
  hash_seed_ = (std::uint64_t{rd()} << 32) ^ rd();

  // Slots are handed out in order, then reused last-freed first, so slot
  // assignment (and flush order) is a deterministic function of the input.
  // Nothing is written here: untouched slots stay unmapped zero pages.
}


void FlowTable::on_packet(const PacketView& pkt, const DecodedPacket& d) noexcept {
  last_accounted_ = false;
  if (d.ip_version != 4 && d.ip_version != 6) {
    stats_.non_ip_packets.add();
    return;
  }
  const std::uint64_t addr_len = d.ip_version == 6 ? 16 : 4;
  if (pkt.data == nullptr || std::uint64_t{d.src_ip_offset} + addr_len > pkt.caplen ||
      std::uint64_t{d.dst_ip_offset} + addr_len > pkt.caplen) {
    stats_.invalid_packets.add();
    return;
  }

  bool swapped = false;
  const FlowKey key = make_flow_key(pkt.data, d, swapped);
  const bool tcp = key.ip_proto == kProtoTcp && has_l4_ports(d);
  const std::uint8_t tcp_flags = tcp ? d.tcp_flags : 0;

  // Packets come in trains of one flow: the last flow's slot skips the hash
  // and the index probe when the key repeats.
  std::uint32_t h;
  std::uint32_t slot;
  if (last_slot_ != kNoEntry && key == last_key_) {
    h = last_hash_;
    slot = last_slot_;
  } else {
    h = hash32(key);
    slot = index_.find(h, key, entries_.data());
  }
  if (slot != kNoEntry && tcp && starts_new_connection(entries_[slot], tcp_flags, pkt.ts)) {
    const FlowEntry& old = entries_[slot];
    finish(slot, old.tcp_state() == TcpState::closed ? old.close_reason() : FlowEndReason::fin);
    stats_.port_reuse.add();
    slot = kNoEntry;
  }
  if (slot == kNoEntry) slot = create(key, h, swapped, pkt, d, tcp_flags);
  account(slot, pkt, d, swapped, tcp_flags, tcp);
  last_accounted_ = true;
  last_from_source_ = swapped == (entries_[slot].src_is_hi != 0);
  last_key_ = key;
  last_hash_ = h;
  last_slot_ = slot;
}

FlowTable::PacketFlow FlowTable::last_packet_flow() const noexcept {
  PacketFlow f;
  if (!last_accounted_ || last_slot_ == kNoEntry) return f;
  f.valid = true;
  f.from_source = last_from_source_;
  f.flow_id = entries_[last_slot_].flow_id;
  f.key = entries_[last_slot_].key;
  return f;
}

bool FlowTable::starts_new_connection(const FlowEntry& e, std::uint8_t tcp_flags, TimestampNs ts) const noexcept {
  if ((tcp_flags & (kTcpSyn | kTcpAck | kTcpRst)) != kTcpSyn) return false;
  const TcpState s = e.tcp_state();
  if (s == TcpState::closed) return true;
  return s == TcpState::closing && elapsed_at_least(ts, e.last_ts, kPortReuseQuietNs);
}

std::uint32_t FlowTable::create(const FlowKey& key, std::uint32_t hash, bool swapped, const PacketView& pkt,
                                const DecodedPacket& d, std::uint8_t tcp_flags) noexcept {
  if (free_head_ == kNoEntry && fresh_ == entries_.size()) make_room();
  std::uint32_t slot;
  if (free_head_ != kNoEntry) {
    slot = free_head_;
    free_head_ = entries_[slot].idle.next;
  } else {
    slot = fresh_++;
  }
  FlowEntry& e = *new (&entries_[slot]) FlowEntry{};
  e.key = key;
  e.flow_id = (std::uint64_t{worker_id_} << 48) | (next_sequence_++ & ((std::uint64_t{1} << 48) - 1));
  e.first_ts = e.last_ts = e.report_ts = pkt.ts;
  e.inner_vlan = d.vlan_count >= 2 ? d.vlan[1] : 0;
  if (is_icmp_proto(key.ip_proto) && has_l4_ports(d)) {
    e.icmp_type = d.icmp_type;
    e.icmp_code = d.icmp_code;
  }
  // A SYN-ACK as first packet was sent by the server: its receiver is the
  // client, which we make the source.
  const bool syn_ack = (tcp_flags & (kTcpSyn | kTcpAck)) == (kTcpSyn | kTcpAck);
  e.src_is_hi = (syn_ack ? !swapped : swapped) ? 1 : 0;

  const TimeoutClass c = class_for(key.ip_proto, TcpState::none);
  e.set_timeout_class(c);
  idle_lists_[static_cast<std::size_t>(c)].push_back(entries_.data(), slot);
  if (active_timeout_ns_ > 0) {
    report_list_.push_back(entries_.data(), slot);
    e.in_report = 1;
  }
  index_.insert(hash, slot);
  ++active_count_;
  stats_.created.add();
  stats_.active.set(active_count_);
  return slot;
}

void FlowTable::account(std::uint32_t slot, const PacketView& pkt, const DecodedPacket& d, bool swapped,
                        std::uint8_t tcp_flags, bool tcp) noexcept {
  FlowEntry& e = entries_[slot];
  const int side = (swapped == (e.src_is_hi != 0)) ? kFromSource : kFromDestination;
  ++e.packets[side];
  e.bytes[side] += pkt.wirelen;
  e.tcp_flags[side] = static_cast<std::uint8_t>(e.tcp_flags[side] | tcp_flags);
  e.first_ts = std::min(e.first_ts, pkt.ts);
  e.last_ts = std::max(e.last_ts, pkt.ts);
  e.updated = 1;
  stats_.packets.add();

  if (tcp) update_tcp_state(e, side, tcp_flags, d.payload_len);
  const TimeoutClass c = class_for(e.key.ip_proto, e.tcp_state());
  if (c != e.timeout_class()) {
    set_class(slot, c);
  } else {
    idle_lists_[static_cast<std::size_t>(c)].move_to_back(entries_.data(), slot);
  }
}

void FlowTable::set_class(std::uint32_t slot, TimeoutClass c) noexcept {
  FlowEntry& e = entries_[slot];
  idle_lists_[static_cast<std::size_t>(e.timeout_class())].unlink(entries_.data(), slot);
  idle_lists_[static_cast<std::size_t>(c)].push_back(entries_.data(), slot);
  e.set_timeout_class(c);
  // A closed flow only lingers; it gets no more interim records.
  if (c == TimeoutClass::tcp_closed && e.in_report) {
    report_list_.unlink(entries_.data(), slot);
    e.in_report = 0;
  }
}

void FlowTable::make_room() noexcept {
  // A closed flow is finished anyway: end its linger early with its true
  // reason rather than cut an open flow short.
  auto& closed = idle_lists_[static_cast<std::size_t>(TimeoutClass::tcp_closed)];
  if (!closed.empty()) {
    const std::uint32_t slot = closed.head();
    stats_.reclaimed_closed.add();
    finish(slot, entries_[slot].close_reason());
    return;
  }
  // Otherwise the least recently seen flow: the oldest of the list heads.
  std::uint32_t victim = kNoEntry;
  for (const IdleList& l : idle_lists_) {
    const std::uint32_t h = l.head();
    if (h != kNoEntry && (victim == kNoEntry || entries_[h].last_ts < entries_[victim].last_ts)) victim = h;
  }
  if (victim != kNoEntry) finish(victim, FlowEndReason::memory_pressure);
}

void FlowTable::emit(const FlowEntry& e, FlowEndReason reason) noexcept { sink_.on_flow(make_record(e, reason)); }

std::optional<FlowRecord> FlowTable::last_packet_closed_record() const noexcept {
  if (!last_accounted_ || last_slot_ == kNoEntry) return std::nullopt;
  const FlowEntry& e = entries_[last_slot_];
  if (e.tcp_state() != TcpState::closed) return std::nullopt;
  return make_record(e, e.close_reason());
}

FlowRecord FlowTable::make_record(const FlowEntry& e, FlowEndReason reason) const noexcept {
  FlowRecord r;
  r.flow_id = e.flow_id;
  const FlowKey& k = e.key;
  const bool hi = e.src_is_hi != 0;
  const std::uint8_t* src = hi ? k.hi_addr : k.lo_addr;
  const std::uint8_t* dst = hi ? k.lo_addr : k.hi_addr;
  r.src_ip = k.ip_version == 6 ? IpAddress::v6(src) : IpAddress::v4(src);
  r.dst_ip = k.ip_version == 6 ? IpAddress::v6(dst) : IpAddress::v4(dst);
  if (is_icmp_proto(k.ip_proto)) {
    r.src_port = e.icmp_type;
    r.dst_port = e.icmp_code;
  } else {
    r.src_port = hi ? k.hi_port : k.lo_port;
    r.dst_port = hi ? k.lo_port : k.hi_port;
  }
  r.ip_proto = k.ip_proto;
  r.vlan = k.vlan;
  r.inner_vlan = e.inner_vlan;
  r.worker = worker_id_;
  r.first_ts = e.first_ts;
  r.last_ts = e.last_ts;
  r.src_packets = e.packets[kFromSource];
  r.dst_packets = e.packets[kFromDestination];
  r.src_bytes = e.bytes[kFromSource];
  r.dst_bytes = e.bytes[kFromDestination];
  r.src_tcp_flags = e.tcp_flags[kFromSource];
  r.dst_tcp_flags = e.tcp_flags[kFromDestination];
  r.tcp_state = e.tcp_state();
  r.end_reason = reason;
  return r;
}

void FlowTable::finish(std::uint32_t slot, FlowEndReason reason) noexcept {
  FlowEntry& e = entries_[slot];
  emit(e, reason);
  switch (reason) {
    case FlowEndReason::fin: stats_.closed_fin.add(); break;
    case FlowEndReason::rst: stats_.closed_rst.add(); break;
    case FlowEndReason::idle_timeout: stats_.closed_idle.add(); break;
    case FlowEndReason::memory_pressure: stats_.evicted_pressure.add(); break;
    case FlowEndReason::shutdown:
    case FlowEndReason::active: stats_.closed_shutdown.add(); break;
  }
  index_.erase(hash32(e.key), slot);
  if (slot == last_slot_) last_slot_ = kNoEntry;
  idle_lists_[static_cast<std::size_t>(e.timeout_class())].unlink(entries_.data(), slot);
  if (e.in_report) report_list_.unlink(entries_.data(), slot);
  e.in_report = 0;
  e.set_timeout_class(TimeoutClass::free);
  e.idle.next = free_head_;
  free_head_ = slot;
  --active_count_;
  stats_.active.set(active_count_);
}

void FlowTable::advance(TimestampNs now) noexcept {
  for (std::size_t c = 0; c < kTimeoutClassCount; ++c) {
    const TimestampNs timeout = idle_timeout_ns_[c];
    const bool closed = c == static_cast<std::size_t>(TimeoutClass::tcp_closed);
    for (std::uint32_t h = idle_lists_[c].head(); h != kNoEntry; h = idle_lists_[c].head()) {
      const FlowEntry& e = entries_[h];
      if (!elapsed_at_least(now, e.last_ts, timeout)) break;
      finish(h, closed ? e.close_reason() : FlowEndReason::idle_timeout);
    }
  }
  if (active_timeout_ns_ == 0) return;
  // Each flow is rescheduled to start its next period at `now`, so it cannot
  // come due twice in one call.
  for (std::uint32_t h = report_list_.head(); h != kNoEntry; h = report_list_.head()) {
    FlowEntry& e = entries_[h];
    if (!elapsed_at_least(now, e.report_ts, active_timeout_ns_)) break;
    if (e.updated) {
      emit(e, FlowEndReason::active);
      stats_.active_updates.add();
      e.updated = 0;
    }
    e.report_ts = now;
    report_list_.move_to_back(entries_.data(), h);
  }
}

void FlowTable::flush(FlowEndReason reason) noexcept {
  // Slot order: deterministic for a given input, whatever the hash seed.
  for (std::uint32_t i = 0; i < fresh_ && active_count_ > 0; ++i) {
    if (entries_[i].timeout_class() != TimeoutClass::free) finish(i, reason);
  }
}

}  // namespace opensoc::flow
