#include <catch2/catch.hpp>

#include "frame_builder.hpp"

using namespace opensoc;
using namespace opensoc::decode::test;

namespace {
Bytes frame_with(const Bytes& segment) { return ethernet(0x0800, ipv4(6, segment)); }
}  // namespace

TEST_CASE("decode_tcp reads ports, sequence numbers, flags and window", "[decode][tcp]") {
  TcpOpts o;
  o.seq = 0x01020304;
  o.ack = 0xa0b0c0d0;
  o.window = 65535;
  o.options = {2, 4, 0x05, 0xb4, 1, 3, 3, 7, 4, 2, 0, 0};  // MSS, NOP, wscale, SACK-permitted, EOL
  const DecodedPacket p = decode_frame(frame_with(tcp(51000, 443, kTcpSyn | kTcpEce | kTcpCwr, {'h', 'i'}, o)));
  CHECK(p.ok());
  CHECK(p.has(kLayerTcp));
  CHECK(p.l4_proto == 6);
  CHECK(p.l4_offset == 34);
  CHECK(p.src_port == 51000);
  CHECK(p.dst_port == 443);
  CHECK(p.tcp_seq == 0x01020304);
  CHECK(p.tcp_ack == 0xa0b0c0d0);
  CHECK(p.tcp_window == 65535);
  CHECK(p.tcp_flags == (kTcpSyn | kTcpEce | kTcpCwr));
  CHECK(p.payload_offset == 34 + 32);
  CHECK(p.payload_len == 2);
}

TEST_CASE("decode_tcp flags a truncated header but keeps the IP fields", "[decode][tcp]") {
  const Bytes f = frame_with(tcp(1, 2, kTcpAck, {}));
  for (std::size_t n = 34; n < 54; ++n) {
    // Cut inside TCP while the IP header still claims the full length: a
    // snap-length cut, not a bad IP length.
    const DecodedPacket p = decode_frame(Bytes(f.begin(), f.begin() + static_cast<long>(n)), LinkType::ethernet,
                                   static_cast<std::uint32_t>(f.size()));
    CHECK(p.anomaly == DecodeAnomaly::tcp_truncated);
    CHECK(p.ip_version == 4);
    CHECK(p.src_ip_offset == 26);
    CHECK_FALSE(p.has(kLayerTcp));
    CHECK(p.src_port == 0);
  }
  SECTION("an IP packet too short to hold a TCP header") {
    const DecodedPacket p = decode_frame(ethernet(0x0800, ipv4(6, zeros(12))));
    CHECK(p.anomaly == DecodeAnomaly::tcp_truncated);
    CHECK(p.ip_version == 4);
  }
}

TEST_CASE("decode_tcp rejects a data offset below 5", "[decode][tcp]") {
  for (std::uint8_t doff = 0; doff < 5; ++doff) {
    TcpOpts o;
    o.data_offset = doff;
    const DecodedPacket p = decode_frame(frame_with(tcp(1, 2, kTcpSyn, zeros(40), o)));
    CHECK(p.anomaly == DecodeAnomaly::tcp_bad_data_offset);
    CHECK_FALSE(p.has(kLayerTcp));
  }
}

TEST_CASE("decode_tcp flags a data offset past the segment", "[decode][tcp]") {
  TcpOpts o;
  o.data_offset = 15;  // 60-byte header, 24 bytes present
  const DecodedPacket p = decode_frame(frame_with(tcp(1, 2, kTcpSyn, zeros(4), o)));
  CHECK(p.anomaly == DecodeAnomaly::tcp_options_truncated);
  CHECK_FALSE(p.has(kLayerTcp));
}

TEST_CASE("decode_tcp counts a malformed option list but keeps the segment", "[decode][tcp]") {
  SECTION("an option length running past the header") {
    TcpOpts o;
    o.options = {1, 1, 8, 10};  // NOP NOP timestamps(len 10) with 2 bytes left
    const DecodedPacket p = decode_frame(frame_with(tcp(1, 2, kTcpAck, {}, o)));
    CHECK(p.anomaly == DecodeAnomaly::tcp_options_truncated);
    CHECK(p.has(kLayerTcp));
    CHECK(p.dst_port == 2);
  }
  SECTION("an option length below 2") {
    for (std::uint8_t len : {0, 1}) {
      TcpOpts o;
      o.options = {2, len, 0, 0};
      CHECK(decode_frame(frame_with(tcp(1, 2, kTcpAck, {}, o))).anomaly == DecodeAnomaly::tcp_options_truncated);
    }
  }
  SECTION("a kind byte alone at the end") {
    TcpOpts o;
    o.options = {1, 1, 1, 3};
    CHECK(decode_frame(frame_with(tcp(1, 2, kTcpAck, {}, o))).anomaly == DecodeAnomaly::tcp_options_truncated);
  }
  SECTION("EOL ends the list early") {
    TcpOpts o;
    o.options = {0, 0xff, 0xff, 0xff};
    CHECK(decode_frame(frame_with(tcp(1, 2, kTcpAck, {}, o))).ok());
  }
}
