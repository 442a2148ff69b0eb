#include <catch2/catch.hpp>

#include "frame_builder.hpp"

using namespace opensoc;
using namespace opensoc::decode::test;

namespace {

Ipv4Opts inner_addrs() {
  Ipv4Opts o;
  o.src = 0xac100001;  // 172.16.0.1
  o.dst = 0xac100002;  // 172.16.0.2
  o.ttl = 9;
  return o;
}

Bytes inner_tcp() { return ipv4(6, tcp(33333, 8080, kTcpPsh | kTcpAck, {'x', 'y', 'z'}), inner_addrs()); }

Bytes outer(std::uint8_t proto, const Bytes& payload) { return ethernet(0x0800, ipv4(proto, payload)); }

void check_inner_tcp(const Bytes& frame, const DecodedPacket& p) {
  CHECK(p.ok());
  CHECK(p.ip_version == 4);
  CHECK(p.ip_ttl == 9);
  CHECK(address_at(frame, p.src_ip_offset, 4) == "172.16.0.1");
  CHECK(address_at(frame, p.dst_ip_offset, 4) == "172.16.0.2");
  CHECK(p.has(kLayerTcp));
  CHECK_FALSE(p.has(kLayerUdp));
  CHECK(p.src_port == 33333);
  CHECK(p.dst_port == 8080);
  CHECK(p.payload_len == 3);
  CHECK(frame.at(p.payload_offset) == 'x');
}

}  // namespace

TEST_CASE("decode_gre version 0 reaches the inner IPv4 packet", "[decode][gre]") {
  const Bytes frame = outer(47, gre(0x0800, inner_tcp()));
  const DecodedPacket p = decode_frame(frame);
  check_inner_tcp(frame, p);
  CHECK(p.has(kLayerGre));
  CHECK(p.tunnel_depth == 1);
  CHECK(p.l3_offset == 14 + 20 + 4);
}

TEST_CASE("decode_gre skips checksum, key and sequence words", "[decode][gre]") {
  SECTION("C+K+S") {
    const Bytes frame = outer(47, gre(0x0800, inner_tcp(), 0xb0, 0, zeros(12)));
    const DecodedPacket p = decode_frame(frame);
    check_inner_tcp(frame, p);
    CHECK(p.l3_offset == 14 + 20 + 16);
  }
  SECTION("K only") {
    const Bytes frame = outer(47, gre(0x0800, inner_tcp(), 0x20, 0, zeros(4)));
    check_inner_tcp(frame, decode_frame(frame));
  }
  SECTION("R with a source route list") {
    // checksum/offset word, one SRE of 4 bytes, then the terminator
    const Bytes routes = cat({zeros(4), {0x08, 0x00, 0, 4}, zeros(4), {0, 0, 0, 0}});
    const Bytes frame = outer(47, gre(0x0800, inner_tcp(), 0x40, 0, routes));
    const DecodedPacket p = decode_frame(frame);
    check_inner_tcp(frame, p);
    CHECK(p.l3_offset == 14 + 20 + 4 + 16);
  }
  SECTION("R with an unterminated source route list") {
    const Bytes routes = cat({zeros(4), {0x08, 0x00, 0, 4}, zeros(4)});
    CHECK(decode_frame(outer(47, gre(0x0800, {}, 0x40, 0, routes))).anomaly == DecodeAnomaly::gre_truncated);
  }
}

TEST_CASE("decode_gre carries IPv6 and bridged Ethernet", "[decode][gre]") {
  SECTION("IPv6") {
    const DecodedPacket p = decode_frame(outer(47, gre(0x86dd, ipv6(17, udp(1, 2, {})))));
    CHECK(p.ok());
    CHECK(p.ip_version == 6);
    CHECK_FALSE(p.has(kLayerIpv4));  // IP bits describe the innermost packet
    CHECK(p.has(kLayerUdp));
  }
  SECTION("transparent Ethernet bridging with a VLAN tag inside") {
    const Bytes frame = outer(47, gre(0x6558, ethernet(0x8100, vlan(77, 0x0800, inner_tcp()))));
    const DecodedPacket p = decode_frame(frame);
    check_inner_tcp(frame, p);
    CHECK(p.vlan_count == 1);
    CHECK(p.vlan[0] == 77);
  }
}

TEST_CASE("decode_gre version 1 (PPTP) unwraps PPP", "[decode][gre][pptp]") {
  // K (payload length + call id) and S words.
  const Bytes keyseq = zeros(8);
  SECTION("PPP with address/control and a 2-byte protocol") {
    const Bytes frame = outer(47, gre(0x880b, cat({{0xff, 0x03, 0x00, 0x21}, inner_tcp()}), 0x30, 0x01, keyseq));
    const DecodedPacket p = decode_frame(frame);
    check_inner_tcp(frame, p);
    CHECK(p.has(kLayerGre));
  }
  SECTION("PPP with a compressed 1-byte protocol and an ack word") {
    const Bytes frame = outer(47, gre(0x880b, cat({{0x21}, inner_tcp()}), 0x30, 0x81, zeros(12)));
    check_inner_tcp(frame, decode_frame(frame));
  }
  SECTION("PPP IPv6") {
    const DecodedPacket p = decode_frame(outer(47, gre(0x880b, cat({{0x00, 0x57}, ipv6(17, udp(1, 2, {}))}), 0x20, 0x01, zeros(4))));
    CHECK(p.ok());
    CHECK(p.ip_version == 6);
  }
  SECTION("PPP control traffic (LCP) is unsupported, not an error") {
    const DecodedPacket p = decode_frame(outer(47, gre(0x880b, {0xff, 0x03, 0xc0, 0x21, 1, 1, 0, 4}, 0x20, 0x01, zeros(4))));
    CHECK(p.anomaly == DecodeAnomaly::ethertype_unsupported);
    CHECK(p.has(kLayerGre));
    CHECK(p.ip_version == 4);  // outer packet's fields remain
  }
  SECTION("an acknowledgement without payload ends quietly") {
    const DecodedPacket p = decode_frame(outer(47, gre(0x880b, {}, 0x20, 0x81, zeros(8))));
    CHECK(p.ok());
    CHECK(p.has(kLayerGre));
    CHECK(p.tunnel_depth == 0);
  }
  SECTION("version 1 without the key bit is unsupported") {
    CHECK(decode_frame(outer(47, gre(0x880b, inner_tcp(), 0x00, 0x01))).anomaly == DecodeAnomaly::gre_unsupported_version);
  }
}

TEST_CASE("decode_gre rejects unknown versions and truncated headers", "[decode][gre]") {
  for (std::uint8_t v = 2; v < 8; ++v) {
    CHECK(decode_frame(outer(47, gre(0x0800, inner_tcp(), 0, v))).anomaly == DecodeAnomaly::gre_unsupported_version);
  }
  const Bytes full = outer(47, gre(0x0800, {}, 0xb0, 0, zeros(12)));
  for (std::size_t len = 0; len < 16; ++len) {
    const Bytes frame = outer(47, Bytes(full.begin() + 34, full.begin() + 34 + static_cast<long>(len)));
    const DecodedPacket p = decode_frame(frame);
    CHECK(p.anomaly == DecodeAnomaly::gre_truncated);
    CHECK(p.ip_version == 4);
    CHECK_FALSE(p.has(kLayerGre));
  }
}

TEST_CASE("decode_erspan unwraps mirrored Ethernet frames", "[decode][gre][erspan]") {
  const Bytes mirrored = ethernet(0x0800, inner_tcp());
  SECTION("type II: GRE with sequence number, 8-byte header") {
    const Bytes frame = outer(47, gre(0x88be, cat({zeros(8), mirrored}), 0x10, 0, zeros(4)));
    const DecodedPacket p = decode_frame(frame);
    check_inner_tcp(frame, p);
    CHECK(p.l3_offset == 14 + 20 + 8 + 8 + 14);
  }
  SECTION("type I: no sequence number, no header") {
    const Bytes frame = outer(47, gre(0x88be, mirrored));
    const DecodedPacket p = decode_frame(frame);
    check_inner_tcp(frame, p);
    CHECK(p.l3_offset == 14 + 20 + 4 + 14);
  }
  SECTION("type III with the platform sub-header") {
    Bytes h3 = zeros(12);
    h3[11] = 0x01;
    const Bytes frame = outer(47, gre(0x22eb, cat({h3, zeros(8), mirrored}), 0x10, 0, zeros(4)));
    const DecodedPacket p = decode_frame(frame);
    check_inner_tcp(frame, p);
    CHECK(p.l3_offset == 14 + 20 + 8 + 20 + 14);
  }
  SECTION("type II header truncated") {
    CHECK(decode_frame(outer(47, gre(0x88be, zeros(5), 0x10, 0, zeros(4)))).anomaly == DecodeAnomaly::gre_truncated);
  }
}

TEST_CASE("decode_vxlan decodes the inner Ethernet frame", "[decode][vxlan]") {
  const Bytes frame = outer(17, udp(49152, 4789, vxlan(5000, ethernet(0x0800, inner_tcp()))));
  const DecodedPacket p = decode_frame(frame);
  check_inner_tcp(frame, p);
  CHECK(p.has(kLayerVxlan));
  CHECK(p.tunnel_depth == 1);
  CHECK(p.l3_offset == 14 + 20 + 8 + 8 + 14);

  SECTION("with a VLAN inside, the tag is recorded") {
    const Bytes f2 = outer(17, udp(49152, 4789, vxlan(1, ethernet(0x8100, vlan(12, 0x0800, inner_tcp())))));
    const DecodedPacket q = decode_frame(f2);
    check_inner_tcp(f2, q);
    CHECK(q.vlan_count == 1);
    CHECK(q.vlan[0] == 12);
  }
}

TEST_CASE("decode_vxlan keeps the outer UDP flow when it cannot go further", "[decode][vxlan]") {
  SECTION("header truncated") {
    const DecodedPacket p = decode_frame(outer(17, udp(49152, 4789, zeros(5))));
    CHECK(p.anomaly == DecodeAnomaly::vxlan_truncated);
    CHECK(p.has(kLayerUdp));
    CHECK(p.dst_port == 4789);
  }
  SECTION("I flag clear: not VXLAN, plain UDP") {
    const DecodedPacket p = decode_frame(outer(17, udp(49152, 4789, vxlan(1, ethernet(0x0800, inner_tcp()), 0x00))));
    CHECK(p.ok());
    CHECK_FALSE(p.has(kLayerVxlan));
    CHECK(p.has(kLayerUdp));
    CHECK(p.payload_offset == 42);
  }
  SECTION("inner frame carries ARP") {
    const DecodedPacket p = decode_frame(outer(17, udp(49152, 4789, vxlan(1, ethernet(0x0806, arp_request())))));
    CHECK(p.ok());
    CHECK(p.has(kLayerArp));
    CHECK(p.has(kLayerUdp));
    CHECK(p.dst_port == 4789);
  }
  SECTION("inner IPv4 truncated: outer fields remain") {
    const Bytes inner = ethernet(0x0800, {0x45, 0, 0, 40, 0, 0, 0, 0, 64, 6});
    const DecodedPacket p = decode_frame(outer(17, udp(49152, 4789, vxlan(1, inner))));
    CHECK(p.anomaly == DecodeAnomaly::ipv4_truncated);
    CHECK(p.l3_offset == 14);
    CHECK(p.dst_port == 4789);
  }
  SECTION("inner TCP truncated: inner IP, no L4") {
    const Bytes inner = ethernet(0x0800, ipv4(6, zeros(10), inner_addrs()));
    const DecodedPacket p = decode_frame(outer(17, udp(49152, 4789, vxlan(1, inner))));
    CHECK(p.anomaly == DecodeAnomaly::tcp_truncated);
    CHECK(p.ip_ttl == 9);
    CHECK_FALSE(p.has(kLayerUdp));
    CHECK_FALSE(p.has(kLayerTcp));
    CHECK(p.src_port == 0);
    CHECK(p.dst_port == 0);
  }
}

TEST_CASE("decode_packet follows IP-in-IP tunnels", "[decode][ipip]") {
  SECTION("IPv4 in IPv4") {
    const Bytes frame = outer(4, inner_tcp());
    const DecodedPacket p = decode_frame(frame);
    check_inner_tcp(frame, p);
    CHECK(p.tunnel_depth == 1);
  }
  SECTION("IPv6 in IPv4") {
    const DecodedPacket p = decode_frame(outer(41, ipv6(6, tcp(1, 2, 0, {}))));
    CHECK(p.ok());
    CHECK(p.ip_version == 6);
    CHECK(p.tunnel_depth == 1);
    CHECK(p.layers == (kLayerEthernet | kLayerIpv6 | kLayerTcp));
  }
}

TEST_CASE("decode_packet bounds tunnel nesting", "[decode][tunnel]") {
  auto nest = [](int levels) {
    Bytes pkt = inner_tcp();
    for (int i = 0; i < levels; ++i) pkt = ipv4(47, gre(0x0800, pkt));
    return ethernet(0x0800, pkt);
  };
  SECTION("four levels decode") {
    const Bytes frame = nest(4);
    const DecodedPacket p = decode_frame(frame);
    check_inner_tcp(frame, p);
    CHECK(p.tunnel_depth == 4);
  }
  SECTION("five levels are tunnel_too_deep") {
    const DecodedPacket p = decode_frame(nest(5));
    CHECK(p.anomaly == DecodeAnomaly::tunnel_too_deep);
    CHECK(p.tunnel_depth == 4);
    CHECK_FALSE(p.has(kLayerTcp));
  }
  SECTION("MPLS pseudowires nesting Ethernet end at the step limit") {
    Bytes pkt = inner_tcp();
    std::uint16_t type = 0x0800;
    for (int i = 0; i < 100; ++i) {
      pkt = mpls({1}, cat({zeros(4), ethernet(type, pkt)}));
      type = 0x8847;
    }
    const DecodedPacket p = decode_frame(ethernet(0x8847, pkt));
    CHECK(p.anomaly == DecodeAnomaly::tunnel_too_deep);
  }
}
