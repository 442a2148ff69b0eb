#include <catch2/catch.hpp>

#include "frame_builder.hpp"

using namespace opensoc;
using namespace opensoc::decode::test;

TEST_CASE("decode_ipv4 fills the L3 fields", "[decode][ipv4]") {
  Ipv4Opts o;
  o.ttl = 17;
  const Bytes frame = ethernet(0x0800, ipv4(6, tcp(1, 2, kTcpSyn, {}), o));
  const DecodedPacket p = decode_frame(frame);
  CHECK(p.ok());
  CHECK(p.ip_version == 4);
  CHECK(p.ip_ttl == 17);
  CHECK(p.l4_proto == 6);
  CHECK(p.l3_offset == 14);
  CHECK(address_at(frame, p.src_ip_offset, 4) == "10.0.0.1");
  CHECK(address_at(frame, p.dst_ip_offset, 4) == "192.168.1.2");
  CHECK_FALSE(p.fragment);
  CHECK_FALSE(p.later_fragment);
}

TEST_CASE("decode_ipv4 skips options", "[decode][ipv4]") {
  Ipv4Opts o;
  o.options = {0x94, 0x04, 0, 0, 1, 1, 1, 0};  // router alert, NOPs, EOL
  const DecodedPacket p = decode_frame(ethernet(0x0800, ipv4(17, udp(1, 2, {9}), o)));
  CHECK(p.ok());
  CHECK(p.l4_offset == 14 + 28);
  CHECK(p.payload_len == 1);
}

TEST_CASE("decode_ipv4 rejects hostile header fields", "[decode][ipv4]") {
  const Bytes payload = tcp(1, 2, kTcpSyn, {});
  SECTION("version other than 4") {
    Bytes f = ethernet(0x0800, ipv4(6, payload));
    f[14] = 0x55;
    CHECK(decode_frame(f).anomaly == DecodeAnomaly::ipv4_bad_version);
  }
  SECTION("IHL below 5") {
    for (std::uint8_t ihl = 0; ihl < 5; ++ihl) {
      Ipv4Opts o;
      o.ihl = ihl;
      const DecodedPacket p = decode_frame(ethernet(0x0800, ipv4(6, payload, o)));
      CHECK(p.anomaly == DecodeAnomaly::ipv4_bad_header_length);
      CHECK(p.ip_version == 0);
    }
  }
  SECTION("IHL beyond the captured bytes") {
    Ipv4Opts o;
    o.ihl = 15;  // 60 bytes, only 40 present
    CHECK(decode_frame(ethernet(0x0800, ipv4(6, payload, o))).anomaly == DecodeAnomaly::ipv4_options_truncated);
  }
  SECTION("total length smaller than the header") {
    Ipv4Opts o;
    o.total_length = 19;
    CHECK(decode_frame(ethernet(0x0800, ipv4(6, payload, o))).anomaly == DecodeAnomaly::ipv4_bad_total_length);
  }
  SECTION("total length beyond the frame on the wire") {
    Ipv4Opts o;
    o.total_length = 1500;
    const DecodedPacket p = decode_frame(ethernet(0x0800, ipv4(6, payload, o)));
    CHECK(p.anomaly == DecodeAnomaly::ipv4_bad_total_length);
    CHECK(p.ip_version == 0);
    CHECK_FALSE(p.has(kLayerTcp));
  }
  SECTION("a header shorter than 20 bytes") {
    const Bytes f = ethernet(0x0800, ipv4(6, payload));
    for (std::size_t n = 14; n < 34; ++n) {
      CHECK(decode_frame(Bytes(f.begin(), f.begin() + static_cast<long>(n))).anomaly == DecodeAnomaly::ipv4_truncated);
    }
  }
}

TEST_CASE("decode_ipv4 accepts a total length cut by the snap length", "[decode][ipv4]") {
  const Bytes full = ethernet(0x0800, ipv4(6, tcp(1, 2, kTcpAck, zeros(1000))));
  const Bytes snapped(full.begin(), full.begin() + 96);
  const DecodedPacket p = decode_frame(snapped, LinkType::ethernet, static_cast<std::uint32_t>(full.size()));
  CHECK(p.ok());
  CHECK(p.has(kLayerTcp));
  CHECK(p.payload_offset == 54);
  CHECK(p.payload_len == 96 - 54);
}

TEST_CASE("decode_ipv4 excludes Ethernet trailer padding from the payload", "[decode][ipv4]") {
  const Bytes frame = cat({ethernet(0x0800, ipv4(17, udp(1, 2, {0xaa, 0xbb}))), zeros(18)});
  REQUIRE(frame.size() == 62);
  const DecodedPacket p = decode_frame(frame);
  CHECK(p.ok());
  CHECK(p.payload_offset == 42);
  CHECK(p.payload_len == 2);
}

TEST_CASE("decode_ipv4 bounds TCP and ICMP payloads by the total length", "[decode][ipv4]") {
  SECTION("TCP") {
    const DecodedPacket p = decode_frame(cat({ethernet(0x0800, ipv4(6, tcp(1, 2, kTcpAck, {'a'}))), zeros(5)}));
    CHECK(p.ok());
    CHECK(p.payload_offset == 54);
    CHECK(p.payload_len == 1);
  }
  SECTION("ICMP") {
    const DecodedPacket p = decode_frame(cat({ethernet(0x0800, ipv4(1, icmp(0, 0, {}))), zeros(18)}));
    CHECK(p.ok());
    CHECK(p.payload_len == 0);
  }
}

TEST_CASE("decode_ipv4 marks fragments and skips L4 on later ones", "[decode][ipv4][fragment]") {
  SECTION("first fragment: MF set, L4 decoded") {
    Ipv4Opts o;
    o.frag = 0x2000;
    const DecodedPacket p = decode_frame(ethernet(0x0800, ipv4(6, tcp(1, 2, kTcpAck, zeros(8)), o)));
    CHECK(p.ok());
    CHECK(p.fragment);
    CHECK_FALSE(p.later_fragment);
    CHECK(p.has(kLayerTcp));
  }
  SECTION("later fragment: offset set, no L4, payload after L3") {
    for (std::uint16_t frag : {0x0001, 0x2010}) {
      Ipv4Opts o;
      o.frag = frag;
      const DecodedPacket p = decode_frame(ethernet(0x0800, ipv4(6, zeros(24), o)));
      CHECK(p.ok());
      CHECK(p.fragment);
      CHECK(p.later_fragment);
      CHECK_FALSE(p.has(kLayerTcp));
      CHECK(p.l4_proto == 6);
      CHECK(p.src_port == 0);
      CHECK(p.payload_offset == 34);
      CHECK(p.payload_len == 24);
    }
  }
  SECTION("DF alone is not a fragment") {
    Ipv4Opts o;
    o.frag = 0x4000;
    CHECK_FALSE(decode_frame(ethernet(0x0800, ipv4(6, tcp(1, 2, 0, {}), o))).fragment);
  }
}

TEST_CASE("decode_ipv4 leaves unknown protocols without an L4 layer", "[decode][ipv4]") {
  const DecodedPacket p = decode_frame(ethernet(0x0800, ipv4(50, zeros(16))));  // ESP
  CHECK(p.ok());
  CHECK(p.l4_proto == 50);
  CHECK(p.layers == (kLayerEthernet | kLayerIpv4));
  CHECK(p.payload_offset == 34);
  CHECK(p.payload_len == 16);
}
