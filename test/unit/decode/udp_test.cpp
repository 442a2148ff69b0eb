#include <catch2/catch.hpp>

#include "frame_builder.hpp"

using namespace opensoc;
using namespace opensoc::decode::test;

TEST_CASE("decode_udp reads ports and bounds the payload by its length", "[decode][udp]") {
  const DecodedPacket p = decode_frame(ethernet(0x0800, ipv4(17, udp(53, 33000, {1, 2, 3, 4, 5}))));
  CHECK(p.ok());
  CHECK(p.layers == (kLayerEthernet | kLayerIpv4 | kLayerUdp));
  CHECK(p.l4_proto == 17);
  CHECK(p.l4_offset == 34);
  CHECK(p.src_port == 53);
  CHECK(p.dst_port == 33000);
  CHECK(p.payload_offset == 42);
  CHECK(p.payload_len == 5);

  SECTION("a UDP length shorter than the IP payload bounds the payload") {
    const DecodedPacket q = decode_frame(ethernet(0x0800, ipv4(17, udp(53, 33000, {1, 2, 3, 4, 5}, 10))));
    CHECK(q.ok());
    CHECK(q.payload_len == 2);
  }
}

TEST_CASE("decode_udp flags a truncated header as an anomaly", "[decode][udp]") {
  const DecodedPacket p = decode_frame(ethernet(0x0800, ipv4(17, zeros(7))));
  CHECK(p.anomaly == DecodeAnomaly::udp_truncated);
  CHECK(p.ip_version == 4);
  CHECK_FALSE(p.has(kLayerUdp));
}

TEST_CASE("decode_udp rejects hostile lengths", "[decode][udp]") {
  SECTION("length below 8") {
    for (std::uint16_t len = 0; len < 8; ++len) {
      const DecodedPacket p = decode_frame(ethernet(0x0800, ipv4(17, udp(1, 2, zeros(4), len))));
      CHECK(p.anomaly == DecodeAnomaly::udp_bad_length);
      CHECK_FALSE(p.has(kLayerUdp));
    }
  }
  SECTION("length beyond the IP payload") {
    CHECK(decode_frame(ethernet(0x0800, ipv4(17, udp(1, 2, zeros(4), 13)))).anomaly == DecodeAnomaly::udp_bad_length);
  }
}

TEST_CASE("decode_udp accepts a first fragment's full datagram length", "[decode][udp][fragment]") {
  Ipv4Opts o;
  o.frag = 0x2000;
  const DecodedPacket p = decode_frame(ethernet(0x0800, ipv4(17, udp(1, 2, zeros(16), 3000), o)));
  CHECK(p.ok());
  CHECK(p.has(kLayerUdp));
  CHECK(p.payload_len == 16);
}
