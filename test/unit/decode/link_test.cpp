#include <catch2/catch.hpp>

#include "frame_builder.hpp"

using namespace opensoc;
using namespace opensoc::decode::test;

namespace {
Bytes tcp_v4() { return ipv4(6, tcp(1234, 80, kTcpSyn, {})); }
Bytes udp_v6() { return ipv6(17, udp(5353, 53, {1, 2, 3})); }
}  // namespace

TEST_CASE("decode_packet reads Linux cooked (SLL) frames", "[decode][link]") {
  Bytes sll = {0, 0, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, 0x08, 0x00};
  const Bytes frame = cat({sll, tcp_v4()});
  const DecodedPacket p = decode_frame(frame, LinkType::linux_sll);
  CHECK(p.ok());
  CHECK(p.has(kLayerSll));
  CHECK_FALSE(p.has(kLayerEthernet));
  CHECK(p.has(kLayerTcp));
  CHECK(p.l3_offset == 16);
  CHECK(p.dst_port == 80);

  SECTION("a header shorter than 16 bytes is sll_truncated") {
    const DecodedPacket t = decode_frame(Bytes(sll.begin(), sll.begin() + 15), LinkType::linux_sll);
    CHECK(t.anomaly == DecodeAnomaly::sll_truncated);
    CHECK(t.layers == 0);
  }
}

TEST_CASE("decode_packet reads Linux cooked v2 (SLL2) frames", "[decode][link]") {
  Bytes sll2 = {0x86, 0xdd, 0, 0, 0, 0, 0, 2, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0};
  const Bytes frame = cat({sll2, udp_v6()});
  const DecodedPacket p = decode_frame(frame, LinkType::linux_sll2);
  CHECK(p.ok());
  CHECK(p.has(kLayerSll));
  CHECK(p.ip_version == 6);
  CHECK(p.l3_offset == 20);
  CHECK(p.src_port == 5353);
  CHECK(p.payload_len == 3);
  CHECK(decode_frame(Bytes(sll2.begin(), sll2.begin() + 19), LinkType::linux_sll2).anomaly ==
        DecodeAnomaly::sll_truncated);
}

TEST_CASE("decode_packet reads BSD null/loopback frames in either byte order", "[decode][link]") {
  SECTION("little-endian AF_INET") {
    const DecodedPacket p = decode_frame(cat({{2, 0, 0, 0}, tcp_v4()}), LinkType::null_bsd);
    CHECK(p.ok());
    CHECK(p.ip_version == 4);
    CHECK(p.l3_offset == 4);
  }
  SECTION("big-endian AF_INET6 (FreeBSD 28, Darwin 30, OpenBSD 24, Linux 10)") {
    for (std::uint8_t af : {28, 30, 24, 10}) {
      const DecodedPacket p = decode_frame(cat({{0, 0, 0, af}, udp_v6()}), LinkType::null_bsd);
      CHECK(p.ok());
      CHECK(p.ip_version == 6);
    }
  }
  SECTION("an unknown family is ethertype_unsupported with the rest as payload") {
    const DecodedPacket p = decode_frame(cat({{7, 0, 0, 0}, tcp_v4()}), LinkType::null_bsd);
    CHECK(p.anomaly == DecodeAnomaly::ethertype_unsupported);
    CHECK(p.payload_offset == 4);
    CHECK(p.payload_len == tcp_v4().size());
  }
  SECTION("a header shorter than 4 bytes is sll_truncated") {
    CHECK(decode_frame({2, 0, 0}, LinkType::null_bsd).anomaly == DecodeAnomaly::sll_truncated);
  }
}

TEST_CASE("decode_packet reads raw IP link types by version nibble", "[decode][link]") {
  CHECK(decode_frame(tcp_v4(), LinkType::raw).ip_version == 4);
  CHECK(decode_frame(udp_v6(), LinkType::raw).ip_version == 6);
  CHECK(decode_frame(tcp_v4(), LinkType::ipv4).has(kLayerTcp));
  CHECK(decode_frame(udp_v6(), LinkType::ipv6).has(kLayerUdp));
  CHECK(decode_frame({0x50, 0, 0, 0}, LinkType::raw).anomaly == DecodeAnomaly::ipv4_bad_version);
  CHECK(decode_frame({}, LinkType::raw).anomaly == DecodeAnomaly::ipv4_truncated);
  // LINKTYPE_IPV4 promises IPv4: an IPv6 header there is a bad version.
  CHECK(decode_frame(udp_v6(), LinkType::ipv4).anomaly == DecodeAnomaly::ipv4_bad_version);
  CHECK(decode_frame(tcp_v4(), LinkType::ipv6).anomaly == DecodeAnomaly::ipv6_bad_version);
}

TEST_CASE("decode_packet reports link types it has no decoder for", "[decode][link]") {
  const DecodedPacket p = decode_frame(tcp_v4(), static_cast<LinkType>(9));
  CHECK(p.anomaly == DecodeAnomaly::link_unsupported);
  CHECK(p.layers == 0);
  CHECK(decode_frame(tcp_v4(), static_cast<LinkType>(60000)).anomaly == DecodeAnomaly::link_unsupported);
}

TEST_CASE("decode_packet treats a null data pointer as an empty frame", "[decode][link]") {
  PacketView v;
  v.data = nullptr;
  v.caplen = 100;
  CHECK(decode::decode_packet(v).anomaly == DecodeAnomaly::ethernet_truncated);
}
