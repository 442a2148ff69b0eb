#include "flow/flow_table.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <map>
#include <random>
#include <set>

#include "test_packets.hpp"

namespace opensoc::flow {
namespace {

using test::ip;
using test::make_packet;
using test::PacketSpec;
using test::RecordingSink;

constexpr TimestampNs kT0 = 1'700'000'000 * kNsPerSecond;
constexpr TimestampNs sec(std::int64_t n) { return n * kNsPerSecond; }

constexpr std::uint8_t kSyn = kTcpSyn;
constexpr std::uint8_t kSynAck = kTcpSyn | kTcpAck;
constexpr std::uint8_t kAck = kTcpAck;
constexpr std::uint8_t kPshAck = kTcpPsh | kTcpAck;
constexpr std::uint8_t kFinAck = kTcpFin | kTcpAck;
constexpr std::uint8_t kRstAck = kTcpRst | kTcpAck;

void feed(FlowTable& t, const PacketSpec& spec) {
  const test::TestPacket p = make_packet(spec);
  t.on_packet(p.view(), p.d);
}

// Client 10.0.0.1:40000 talks to server 10.0.0.2:80.
PacketSpec c2s(std::uint8_t flags, TimestampNs ts, std::uint32_t payload = 0) {
  return PacketSpec{.src = "10.0.0.1", .dst = "10.0.0.2", .sport = 40000, .dport = 80, .proto = 6,
                    .flags = flags, .ts = ts, .payload = payload};
}
PacketSpec s2c(std::uint8_t flags, TimestampNs ts, std::uint32_t payload = 0) {
  return PacketSpec{.src = "10.0.0.2", .dst = "10.0.0.1", .sport = 80, .dport = 40000, .proto = 6,
                    .flags = flags, .ts = ts, .payload = payload};
}

FlowConfig small_config(std::uint32_t table_size = 64) {
  FlowConfig c;
  c.table_size = table_size;
  c.active_timeout_s = 0;
  return c;
}

std::uint64_t total_packets(const std::vector<FlowRecord>& records) {
  std::uint64_t n = 0;
  for (const FlowRecord& r : records) {
    if (r.end_reason != FlowEndReason::active) n += r.src_packets + r.dst_packets;
  }
  return n;
}

TEST_CASE("FlowTable accounts both directions of a TCP conversation to one flow", "[flow]") {
  RecordingSink sink;
  FlowTable table(small_config(), 3, sink);
  feed(table, c2s(kSyn, kT0));
  feed(table, s2c(kSynAck, kT0 + 1000));
  feed(table, c2s(kAck, kT0 + 2000));
  feed(table, c2s(kPshAck, kT0 + 3000, 100));
  feed(table, s2c(kPshAck, kT0 + 4000, 1000));
  REQUIRE(table.active() == 1);
  REQUIRE(sink.records.empty());

  table.flush(FlowEndReason::shutdown);
  REQUIRE(sink.records.size() == 1);
  const FlowRecord& r = sink.records[0];
  CHECK(r.flow_id == ((std::uint64_t{3} << 48) | 1));
  CHECK(r.worker == 3);
  CHECK(r.src_ip == ip("10.0.0.1"));
  CHECK(r.dst_ip == ip("10.0.0.2"));
  CHECK(r.src_port == 40000);
  CHECK(r.dst_port == 80);
  CHECK(r.ip_proto == 6);
  CHECK(r.vlan == 0);
  CHECK(r.src_packets == 3);
  CHECK(r.dst_packets == 2);
  // Frames: 14 ethernet + 20 IPv4 + 20 TCP = 54 bytes plus payload.
  CHECK(r.src_bytes == 54 * 3 + 100);
  CHECK(r.dst_bytes == 54 * 2 + 1000);
  CHECK(r.src_tcp_flags == (kTcpSyn | kTcpAck | kTcpPsh));
  CHECK(r.dst_tcp_flags == (kTcpSyn | kTcpAck | kTcpPsh));
  CHECK(r.first_ts == kT0);
  CHECK(r.last_ts == kT0 + 4000);
  CHECK(r.tcp_state == TcpState::established);
  CHECK(r.end_reason == FlowEndReason::shutdown);
  CHECK(table.active() == 0);
  CHECK(table.stats().created.get() == 1);
  CHECK(table.stats().closed_shutdown.get() == 1);
  CHECK(table.stats().packets.get() == 5);
  CHECK(table.stats().active.get() == 0);
}

TEST_CASE("FlowTable follows the TCP state machine", "[flow][tcp]") {
  RecordingSink sink;
  FlowTable table(small_config(), 0, sink);
  auto state_after_flush = [&]() {
    table.flush(FlowEndReason::shutdown);
    REQUIRE(sink.records.size() == 1);
    return sink.records[0].tcp_state;
  };

  SECTION("SYN is syn_sent") {
    feed(table, c2s(kSyn, kT0));
    CHECK(state_after_flush() == TcpState::syn_sent);
  }
  SECTION("a retransmitted SYN stays syn_sent") {
    feed(table, c2s(kSyn, kT0));
    feed(table, c2s(kSyn, kT0 + sec(1)));
    CHECK(state_after_flush() == TcpState::syn_sent);
    CHECK(sink.records[0].src_packets == 2);
  }
  SECTION("SYN then SYN-ACK is syn_received") {
    feed(table, c2s(kSyn, kT0));
    feed(table, s2c(kSynAck, kT0 + 1));
    CHECK(state_after_flush() == TcpState::syn_received);
  }
  SECTION("the handshake's ACK makes it established") {
    feed(table, c2s(kSyn, kT0));
    feed(table, s2c(kSynAck, kT0 + 1));
    feed(table, c2s(kAck, kT0 + 2));
    CHECK(state_after_flush() == TcpState::established);
  }
  SECTION("data picked up mid-stream is established") {
    feed(table, s2c(kPshAck, kT0, 500));
    CHECK(state_after_flush() == TcpState::established);
  }
  SECTION("a FIN from one side is closing") {
    feed(table, c2s(kAck, kT0));
    feed(table, c2s(kFinAck, kT0 + 1));
    feed(table, s2c(kAck, kT0 + 2));
    CHECK(state_after_flush() == TcpState::closing);
  }
  SECTION("FIN from both sides is closed") {
    feed(table, c2s(kAck, kT0));
    feed(table, c2s(kFinAck, kT0 + 1));
    feed(table, s2c(kFinAck, kT0 + 2));
    CHECK(state_after_flush() == TcpState::closed);
  }
  SECTION("RST is closed") {
    feed(table, c2s(kSyn, kT0));
    feed(table, s2c(kRstAck, kT0 + 1));
    CHECK(state_after_flush() == TcpState::closed);
  }
}

TEST_CASE("FlowTable ends a closed TCP flow with its reason after the linger", "[flow][tcp]") {
  RecordingSink sink;
  FlowConfig cfg = small_config();
  cfg.timeouts.tcp_closed_s = 10;
  FlowTable table(cfg, 0, sink);
  feed(table, c2s(kSyn, kT0));
  feed(table, s2c(kSynAck, kT0 + sec(1)));
  feed(table, c2s(kAck, kT0 + sec(2)));
  FlowEndReason expected = FlowEndReason::active;

  SECTION("FIN from both sides ends with fin") {
    feed(table, c2s(kFinAck, kT0 + sec(3)));
    feed(table, s2c(kFinAck, kT0 + sec(4)));
    expected = FlowEndReason::fin;
  }
  SECTION("RST ends with rst") {
    feed(table, c2s(kAck, kT0 + sec(3)));
    feed(table, s2c(kRstAck, kT0 + sec(4)));
    expected = FlowEndReason::rst;
  }
  // A stray last ACK during the linger joins the flow and restarts the linger.
  feed(table, c2s(kAck, kT0 + sec(5)));
  table.advance(kT0 + sec(15) - 1);
  REQUIRE(sink.records.empty());
  table.advance(kT0 + sec(15));
  REQUIRE(sink.records.size() == 1);
  const FlowRecord& r = sink.records[0];
  CHECK(r.end_reason == expected);
  CHECK(r.tcp_state == TcpState::closed);
  CHECK(r.src_packets == 4);
  CHECK(r.dst_packets == 2);
  CHECK(r.last_ts == kT0 + sec(5));
  CHECK(table.active() == 0);
  CHECK(table.stats().closed_fin.get() == (expected == FlowEndReason::fin ? 1u : 0u));
  CHECK(table.stats().closed_rst.get() == (expected == FlowEndReason::rst ? 1u : 0u));
}

TEST_CASE("FlowTable makes the client the source when a SYN-ACK is the first packet", "[flow][tcp]") {
  RecordingSink sink;
  FlowTable table(small_config(), 0, sink);
  feed(table, s2c(kSynAck, kT0));
  feed(table, c2s(kAck, kT0 + 1));
  feed(table, c2s(kPshAck, kT0 + 2, 10));
  table.flush(FlowEndReason::shutdown);
  REQUIRE(sink.records.size() == 1);
  const FlowRecord& r = sink.records[0];
  CHECK(r.src_ip == ip("10.0.0.1"));
  CHECK(r.src_port == 40000);
  CHECK(r.dst_ip == ip("10.0.0.2"));
  CHECK(r.dst_port == 80);
  CHECK(r.src_packets == 2);
  CHECK(r.dst_packets == 1);
  CHECK(r.dst_tcp_flags == kSynAck);
  CHECK(r.tcp_state == TcpState::established);
}

TEST_CASE("FlowTable makes the first sender the source otherwise", "[flow]") {
  RecordingSink sink;
  FlowTable table(small_config(), 0, sink);
  feed(table, s2c(kPshAck, kT0, 10));  // mid-stream, server speaks first
  feed(table, c2s(kAck, kT0 + 1));
  table.flush(FlowEndReason::shutdown);
  REQUIRE(sink.records.size() == 1);
  CHECK(sink.records[0].src_ip == ip("10.0.0.2"));
  CHECK(sink.records[0].src_port == 80);
  CHECK(sink.records[0].src_packets == 1);
  CHECK(sink.records[0].dst_packets == 1);
}

TEST_CASE("FlowTable starts a new flow when a SYN reuses a finished flow's ports", "[flow][tcp]") {
  RecordingSink sink;
  FlowTable table(small_config(), 0, sink);
  feed(table, c2s(kSyn, kT0));
  feed(table, s2c(kSynAck, kT0 + 1));
  feed(table, c2s(kAck, kT0 + 2));

  SECTION("after FIN from both sides") {
    feed(table, c2s(kFinAck, kT0 + 3));
    feed(table, s2c(kFinAck, kT0 + 4));
    feed(table, c2s(kAck, kT0 + 5));
    feed(table, c2s(kSyn, kT0 + sec(2)));
    REQUIRE(sink.records.size() == 1);
    CHECK(sink.records[0].end_reason == FlowEndReason::fin);
    CHECK(sink.records[0].src_packets + sink.records[0].dst_packets == 6);
    CHECK(table.stats().port_reuse.get() == 1);
    table.flush(FlowEndReason::shutdown);
    REQUIRE(sink.records.size() == 2);
    CHECK(sink.records[1].tcp_state == TcpState::syn_sent);
    CHECK(sink.records[1].src_packets == 1);
    CHECK(sink.records[1].first_ts == kT0 + sec(2));
    CHECK(sink.records[1].flow_id == sink.records[0].flow_id + 1);
  }
  SECTION("after RST") {
    feed(table, s2c(kRstAck, kT0 + 3));
    feed(table, c2s(kSyn, kT0 + 4));
    REQUIRE(sink.records.size() == 1);
    CHECK(sink.records[0].end_reason == FlowEndReason::rst);
    CHECK(table.active() == 1);
  }
  SECTION("after a FIN from one side and a quiet second") {
    feed(table, c2s(kFinAck, kT0 + 3));
    feed(table, c2s(kSyn, kT0 + 3 + sec(1)));
    REQUIRE(sink.records.size() == 1);
    CHECK(sink.records[0].end_reason == FlowEndReason::fin);
    CHECK(sink.records[0].tcp_state == TcpState::closing);
  }
  SECTION("but not when the half-closed flow is still busy") {
    feed(table, c2s(kFinAck, kT0 + 3));
    feed(table, c2s(kSyn, kT0 + 3 + sec(1) - 1));
    CHECK(sink.records.empty());
    CHECK(table.stats().port_reuse.get() == 0);
  }
  SECTION("but not on an established flow") {
    feed(table, c2s(kSyn, kT0 + sec(5)));
    CHECK(sink.records.empty());
  }
}

TEST_CASE("FlowTable expires idle flows after their protocol's timeout", "[flow][timeout]") {
  RecordingSink sink;
  FlowConfig cfg = small_config();
  cfg.timeouts.tcp_established_s = 100;
  cfg.timeouts.tcp_transitory_s = 20;
  cfg.timeouts.tcp_closed_s = 5;
  cfg.timeouts.udp_s = 30;
  cfg.timeouts.icmp_s = 40;
  cfg.timeouts.other_s = 50;
  FlowTable table(cfg, 0, sink);
  std::int64_t timeout_s = 0;

  SECTION("tcp established") {
    feed(table, c2s(kAck, kT0));
    timeout_s = 100;
  }
  SECTION("tcp transitory") {
    feed(table, c2s(kSyn, kT0));
    timeout_s = 20;
  }
  SECTION("udp") {
    feed(table, PacketSpec{.src = "10.0.0.1", .dst = "10.0.0.2", .sport = 5000, .dport = 53, .proto = 17, .ts = kT0});
    timeout_s = 30;
  }
  SECTION("icmp") {
    feed(table, PacketSpec{.src = "10.0.0.1", .dst = "10.0.0.2", .proto = 1, .ts = kT0, .icmp_type = 8});
    timeout_s = 40;
  }
  SECTION("other protocols") {
    feed(table, PacketSpec{.src = "10.0.0.1", .dst = "10.0.0.2", .proto = 47, .ts = kT0});
    timeout_s = 50;
  }
  table.advance(kT0 + sec(timeout_s) - 1);
  REQUIRE(sink.records.empty());
  table.advance(kT0 + sec(timeout_s));
  REQUIRE(sink.records.size() == 1);
  CHECK(sink.records[0].end_reason == FlowEndReason::idle_timeout);
  CHECK(table.stats().closed_idle.get() == 1);
  CHECK(table.active() == 0);
}

TEST_CASE("FlowTable restarts a flow's idle timer on every packet", "[flow][timeout]") {
  RecordingSink sink;
  FlowConfig cfg = small_config();
  cfg.timeouts.udp_s = 30;
  FlowTable table(cfg, 0, sink);
  const PacketSpec a{.src = "10.0.0.1", .dst = "10.0.0.2", .sport = 5000, .dport = 53, .proto = 17, .ts = kT0};
  PacketSpec b{.src = "10.0.0.3", .dst = "10.0.0.2", .sport = 5000, .dport = 53, .proto = 17, .ts = kT0 + sec(1)};
  feed(table, a);
  feed(table, b);
  PacketSpec a_reply{.src = "10.0.0.2", .dst = "10.0.0.1", .sport = 53, .dport = 5000, .proto = 17,
                     .ts = kT0 + sec(20)};
  feed(table, a_reply);
  // b is now the least recently seen: it expires first although created later.
  table.advance(kT0 + sec(31));
  REQUIRE(sink.records.size() == 1);
  CHECK(sink.records[0].src_ip == ip("10.0.0.3"));
  table.advance(kT0 + sec(50) - 1);
  REQUIRE(sink.records.size() == 1);
  table.advance(kT0 + sec(50));
  REQUIRE(sink.records.size() == 2);
  CHECK(sink.records[1].src_ip == ip("10.0.0.1"));
  CHECK(sink.records[1].dst_packets == 1);
}

TEST_CASE("FlowTable moves a TCP flow between timeout classes as its state changes", "[flow][timeout]") {
  RecordingSink sink;
  FlowConfig cfg = small_config();
  cfg.timeouts.tcp_established_s = 100;
  cfg.timeouts.tcp_transitory_s = 20;
  FlowTable table(cfg, 0, sink);
  feed(table, c2s(kSyn, kT0));
  feed(table, s2c(kSynAck, kT0));
  feed(table, c2s(kAck, kT0));  // established: the 20 s transitory timeout no longer applies
  table.advance(kT0 + sec(99));
  REQUIRE(sink.records.empty());
  feed(table, c2s(kFinAck, kT0 + sec(99)));  // closing: transitory again
  table.advance(kT0 + sec(119) - 1);
  REQUIRE(sink.records.empty());
  table.advance(kT0 + sec(119));
  REQUIRE(sink.records.size() == 1);
  CHECK(sink.records[0].end_reason == FlowEndReason::idle_timeout);
  CHECK(sink.records[0].tcp_state == TcpState::closing);
}

TEST_CASE("FlowTable evicts the least recently seen flow when full", "[flow][pressure]") {
  RecordingSink sink;
  FlowTable table(small_config(4), 0, sink);
  auto udp_from = [](int host, TimestampNs ts) {
    return PacketSpec{.src = "10.0.0." + std::to_string(host), .dst = "10.9.9.9", .sport = 1000, .dport = 53,
                      .proto = 17, .ts = ts};
  };
  std::uint64_t fed = 0;
  for (int h = 1; h <= 4; ++h, ++fed) feed(table, udp_from(h, kT0 + h));
  feed(table, udp_from(1, kT0 + 10));  // host 1 is now the most recent
  ++fed;
  REQUIRE(table.active() == 4);
  REQUIRE(sink.records.empty());

  feed(table, udp_from(5, kT0 + 11));
  feed(table, udp_from(6, kT0 + 12));
  fed += 2;
  REQUIRE(sink.records.size() == 2);
  CHECK(sink.records[0].src_ip == ip("10.0.0.2"));
  CHECK(sink.records[1].src_ip == ip("10.0.0.3"));
  CHECK(sink.records[0].end_reason == FlowEndReason::memory_pressure);
  CHECK(sink.records[1].end_reason == FlowEndReason::memory_pressure);
  CHECK(table.stats().evicted_pressure.get() == 2);
  CHECK(table.active() == 4);

  // A packet of an evicted flow starts a new flow; nothing is lost.
  feed(table, udp_from(2, kT0 + 13));
  ++fed;
  REQUIRE(sink.records.size() == 3);
  CHECK(sink.records[2].src_ip == ip("10.0.0.4"));
  table.flush(FlowEndReason::shutdown);
  CHECK(sink.records.size() == 7);
  CHECK(total_packets(sink.records) == fed);
  CHECK(table.stats().packets.get() == fed);
  CHECK(table.stats().created.get() == 7);
}

TEST_CASE("FlowTable reclaims a lingering closed TCP flow before evicting an open one", "[flow][pressure]") {
  RecordingSink sink;
  FlowTable table(small_config(2), 0, sink);
  feed(table, PacketSpec{.src = "10.0.0.5", .dst = "10.9.9.9", .sport = 1, .dport = 53, .proto = 17, .ts = kT0});
  feed(table, c2s(kAck, kT0 + 1));
  feed(table, s2c(kRstAck, kT0 + 2));  // closed, lingering; the UDP flow is older
  feed(table, PacketSpec{.src = "10.0.0.6", .dst = "10.9.9.9", .sport = 1, .dport = 53, .proto = 17, .ts = kT0 + 3});
  REQUIRE(sink.records.size() == 1);
  CHECK(sink.records[0].ip_proto == 6);
  CHECK(sink.records[0].end_reason == FlowEndReason::rst);
  CHECK(table.stats().reclaimed_closed.get() == 1);
  CHECK(table.stats().evicted_pressure.get() == 0);
  CHECK(table.stats().closed_rst.get() == 1);
}

TEST_CASE("FlowTable flush emits every open flow and empties the table", "[flow]") {
  RecordingSink sink;
  FlowTable table(small_config(), 1, sink);
  feed(table, c2s(kSyn, kT0));
  feed(table, PacketSpec{.src = "10.0.0.1", .dst = "10.0.0.2", .sport = 5000, .dport = 53, .proto = 17, .ts = kT0});
  feed(table, PacketSpec{.src = "10.0.0.1", .dst = "10.0.0.2", .proto = 1, .ts = kT0, .icmp_type = 8});
  REQUIRE(table.active() == 3);
  table.flush(FlowEndReason::shutdown);
  REQUIRE(sink.records.size() == 3);
  std::set<std::uint64_t> ids;
  for (const FlowRecord& r : sink.records) {
    CHECK(r.end_reason == FlowEndReason::shutdown);
    ids.insert(r.flow_id);
  }
  CHECK(ids == std::set<std::uint64_t>{(1ull << 48) | 1, (1ull << 48) | 2, (1ull << 48) | 3});
  CHECK(table.active() == 0);
  CHECK(table.stats().active.get() == 0);
  CHECK(table.stats().closed_shutdown.get() == 3);
  table.flush(FlowEndReason::shutdown);
  CHECK(sink.records.size() == 3);
  // The table is usable again after a flush.
  feed(table, c2s(kSyn, kT0 + 1));
  CHECK(table.active() == 1);
}

TEST_CASE("FlowTable emits cumulative interim records for long flows", "[flow][active]") {
  RecordingSink sink;
  FlowConfig cfg = small_config();
  cfg.active_timeout_s = 60;
  FlowTable table(cfg, 0, sink);
  feed(table, c2s(kAck, kT0));
  feed(table, s2c(kAck, kT0 + sec(30)));
  table.advance(kT0 + sec(60) - 1);
  REQUIRE(sink.records.empty());
  table.advance(kT0 + sec(60));
  REQUIRE(sink.records.size() == 1);
  CHECK(sink.records[0].end_reason == FlowEndReason::active);
  CHECK(sink.records[0].src_packets == 1);
  CHECK(sink.records[0].dst_packets == 1);
  CHECK(table.active() == 1);

  feed(table, c2s(kAck, kT0 + sec(70)));
  table.advance(kT0 + sec(120) - 1);
  REQUIRE(sink.records.size() == 1);
  table.advance(kT0 + sec(120));
  REQUIRE(sink.records.size() == 2);
  CHECK(sink.records[1].end_reason == FlowEndReason::active);
  CHECK(sink.records[1].src_packets == 2);  // cumulative, not a delta
  CHECK(sink.records[1].flow_id == sink.records[0].flow_id);

  table.advance(kT0 + sec(180));  // no packet in the last period: nothing to report
  CHECK(sink.records.size() == 2);
  table.flush(FlowEndReason::shutdown);
  REQUIRE(sink.records.size() == 3);
  CHECK(sink.records[2].end_reason == FlowEndReason::shutdown);
  CHECK(sink.records[2].src_packets == 2);
  CHECK(table.stats().active_updates.get() == 2);
}

TEST_CASE("FlowTable keeps flows on different VLANs apart", "[flow][vlan]") {
  RecordingSink sink;
  FlowTable table(small_config(), 0, sink);
  PacketSpec p = c2s(kSyn, kT0);
  p.vlan = 10;
  feed(table, p);
  p.vlan = 20;
  p.inner_vlan = 7;
  feed(table, p);
  PacketSpec reply = s2c(kSynAck, kT0 + 1);
  reply.vlan = 10;
  feed(table, reply);
  REQUIRE(table.active() == 2);
  table.flush(FlowEndReason::shutdown);
  REQUIRE(sink.records.size() == 2);
  CHECK(sink.records[0].vlan == 10);
  CHECK(sink.records[0].inner_vlan == 0);
  CHECK(sink.records[0].dst_packets == 1);
  CHECK(sink.records[1].vlan == 20);
  CHECK(sink.records[1].inner_vlan == 7);
  CHECK(sink.records[1].dst_packets == 0);
}

TEST_CASE("FlowTable tracks IPv6 flows", "[flow][ipv6]") {
  RecordingSink sink;
  FlowTable table(small_config(), 0, sink);
  feed(table, PacketSpec{.src = "2001:db8::1", .dst = "2001:db8::2", .sport = 443, .dport = 50000, .proto = 6,
                         .flags = kSynAck, .ts = kT0});
  feed(table, PacketSpec{.src = "2001:db8::2", .dst = "2001:db8::1", .sport = 50000, .dport = 443, .proto = 6,
                         .flags = kAck, .ts = kT0 + 1});
  // Same ports, an address differing only in its last byte: another flow.
  feed(table, PacketSpec{.src = "2001:db8::3", .dst = "2001:db8::1", .sport = 50000, .dport = 443, .proto = 6,
                         .flags = kSyn, .ts = kT0 + 2});
  REQUIRE(table.active() == 2);
  table.flush(FlowEndReason::shutdown);
  REQUIRE(sink.records.size() == 2);
  const FlowRecord& r = sink.records[0];
  CHECK(r.src_ip == ip("2001:db8::2"));  // the SYN-ACK's receiver
  CHECK(r.dst_ip == ip("2001:db8::1"));
  CHECK(r.src_ip.version == 6);
  CHECK(r.src_port == 50000);
  CHECK(r.dst_port == 443);
  CHECK(r.src_packets == 1);
  CHECK(r.dst_packets == 1);
  CHECK(r.src_bytes == 74);  // 14 + 40 + 20
  CHECK(r.tcp_state == TcpState::established);
}

TEST_CASE("FlowTable joins ICMP echo request and reply in one flow", "[flow][icmp]") {
  RecordingSink sink;
  FlowTable table(small_config(), 0, sink);

  SECTION("icmp") {
    feed(table, PacketSpec{.src = "192.168.0.89", .dst = "192.168.0.1", .proto = 1, .ts = kT0, .icmp_type = 8});
    feed(table, PacketSpec{.src = "192.168.0.1", .dst = "192.168.0.89", .proto = 1, .ts = kT0 + 1, .icmp_type = 0});
    table.flush(FlowEndReason::shutdown);
    REQUIRE(sink.records.size() == 1);
    const FlowRecord& r = sink.records[0];
    CHECK(r.src_ip == ip("192.168.0.89"));
    CHECK(r.src_port == 8);
    CHECK(r.dst_port == 0);
    CHECK(r.src_packets == 1);
    CHECK(r.dst_packets == 1);
    CHECK(community_id_v1(r) == "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=");
  }
  SECTION("icmpv6") {
    feed(table, PacketSpec{.src = "3ffe:507:0:1:200:86ff:fe05:80da", .dst = "3ffe:501:0:1001::2", .proto = 58,
                           .ts = kT0, .icmp_type = 128});
    feed(table, PacketSpec{.src = "3ffe:501:0:1001::2", .dst = "3ffe:507:0:1:200:86ff:fe05:80da", .proto = 58,
                           .ts = kT0 + 1, .icmp_type = 129});
    table.flush(FlowEndReason::shutdown);
    REQUIRE(sink.records.size() == 1);
    CHECK(sink.records[0].dst_packets == 1);
    CHECK(community_id_v1(sink.records[0]) == "1:+TW+HtLHvV1xnGhV1lv7XoJrqQg=");
  }
  SECTION("error messages are one-way") {
    feed(table, PacketSpec{.src = "10.0.0.1", .dst = "10.0.0.2", .proto = 1, .ts = kT0, .icmp_type = 3, .icmp_code = 3});
    feed(table, PacketSpec{.src = "10.0.0.2", .dst = "10.0.0.1", .proto = 1, .ts = kT0, .icmp_type = 3, .icmp_code = 3});
    feed(table, PacketSpec{.src = "10.0.0.1", .dst = "10.0.0.2", .proto = 1, .ts = kT0, .icmp_type = 3, .icmp_code = 3});
    table.flush(FlowEndReason::shutdown);
    REQUIRE(sink.records.size() == 2);
    CHECK(sink.records[0].src_ip == ip("10.0.0.1"));
    CHECK(sink.records[0].src_packets == 2);
    CHECK(sink.records[1].src_ip == ip("10.0.0.2"));
    CHECK(sink.records[1].src_packets == 1);
    CHECK(sink.records[1].dst_port == 3);
  }
}

TEST_CASE("FlowTable gives IP packets without an L4 header ports 0", "[flow][fragment]") {
  RecordingSink sink;
  FlowTable table(small_config(), 0, sink);
  feed(table, PacketSpec{.src = "10.0.0.1", .dst = "10.0.0.2", .sport = 5000, .dport = 53, .proto = 17, .ts = kT0});
  feed(table, PacketSpec{.src = "10.0.0.1", .dst = "10.0.0.2", .proto = 17, .ts = kT0 + 1, .later_fragment = true});
  table.flush(FlowEndReason::shutdown);
  REQUIRE(sink.records.size() == 2);
  CHECK(sink.records[1].src_port == 0);
  CHECK(sink.records[1].dst_port == 0);
  CHECK(sink.records[1].ip_proto == 17);
}

TEST_CASE("FlowTable counts and ignores frames it cannot key", "[flow]") {
  RecordingSink sink;
  FlowTable table(small_config(), 0, sink);
  SECTION("no IP layer") {
    test::TestPacket p = make_packet(c2s(kSyn, kT0));
    p.d.ip_version = 0;
    table.on_packet(p.view(), p.d);
    CHECK(table.stats().non_ip_packets.get() == 1);
  }
  SECTION("addresses beyond the captured bytes") {
    test::TestPacket p = make_packet(c2s(kSyn, kT0));
    PacketView v = p.view();
    v.caplen = p.d.dst_ip_offset + 3;
    table.on_packet(v, p.d);
    p.d.src_ip_offset = 0xFFFFFFF0u;  // must not wrap around
    table.on_packet(p.view(), p.d);
    CHECK(table.stats().invalid_packets.get() == 2);
  }
  CHECK(table.active() == 0);
  CHECK(table.stats().packets.get() == 0);
  CHECK(table.stats().created.get() == 0);
}

TEST_CASE("FlowTable rejects an impossible table size at construction", "[flow]") {
  RecordingSink sink;
  FlowConfig cfg;
  cfg.table_size = 0;
  CHECK_THROWS_AS(FlowTable(cfg, 0, sink), std::invalid_argument);
}

// Random traffic over few endpoints and a tiny table, exercising creation,
// eviction, expiry, port reuse and interim records together: whatever
// happens, every packet fed is in exactly one final record.
TEST_CASE("FlowTable accounts every packet exactly once under churn", "[flow][pressure]") {
  RecordingSink sink;
  FlowConfig cfg;
  cfg.table_size = 8;
  cfg.active_timeout_s = 5;
  cfg.timeouts = FlowTimeouts{30, 3, 2, 4, 2, 3};
  FlowTable table(cfg, 9, sink);
  std::mt19937 rng(12345);
  const char* hosts[] = {"10.0.0.1", "10.0.0.2", "10.0.0.3", "2001:db8::1", "2001:db8::2"};
  const std::uint8_t protos[] = {6, 6, 17, 1, 47};
  const std::uint8_t flags[] = {kSyn, kSynAck, kAck, kPshAck, kFinAck, kRstAck, 0};
  TimestampNs now = kT0;
  std::uint64_t fed = 0;
  for (int i = 0; i < 20000; ++i) {
    const bool v6 = rng() % 2 == 0;
    const int a = v6 ? 3 + static_cast<int>(rng() % 2) : static_cast<int>(rng() % 3);
    const int b = v6 ? 3 + static_cast<int>(rng() % 2) : static_cast<int>(rng() % 3);
    PacketSpec s{.src = hosts[a], .dst = hosts[b], .sport = static_cast<std::uint16_t>(rng() % 3),
                 .dport = static_cast<std::uint16_t>(rng() % 3), .proto = protos[rng() % 5],
                 .flags = flags[rng() % 7], .ts = now, .icmp_type = static_cast<std::uint8_t>(rng() % 10)};
    if (s.proto == 1 && v6) s.proto = 58;  // ICMPv6 over IPv6
    feed(table, s);
    ++fed;
    now += static_cast<TimestampNs>(rng() % 500) * 1'000'000;  // 0-0.5 s
    if (rng() % 8 == 0) table.advance(now);
  }
  CHECK(table.stats().packets.get() == fed);
  table.flush(FlowEndReason::shutdown);
  CHECK(table.active() == 0);
  CHECK(total_packets(sink.records) == fed);
  const FlowTableStats& st = table.stats();
  CHECK(st.created.get() == st.closed_fin.get() + st.closed_rst.get() + st.closed_idle.get() +
                                st.evicted_pressure.get() + st.closed_shutdown.get());
  CHECK(st.evicted_pressure.get() > 0);
  CHECK(st.closed_idle.get() > 0);
  CHECK(st.port_reuse.get() > 0);
  CHECK(st.active_updates.get() > 0);
  std::set<std::uint64_t> final_ids;
  for (const FlowRecord& r : sink.records) {
    CHECK(r.first_ts <= r.last_ts);
    CHECK(r.worker == 9);
    if (r.end_reason != FlowEndReason::active) CHECK(final_ids.insert(r.flow_id).second);
  }
  CHECK(final_ids.size() == st.created.get());
}

}  // namespace
}  // namespace opensoc::flow
