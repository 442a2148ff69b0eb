#include <catch2/catch.hpp>

#include "frame_builder.hpp"

using namespace opensoc;
using namespace opensoc::decode::test;

TEST_CASE("decode_ipv6 fills the L3 fields", "[decode][ipv6]") {
  const Bytes frame = ethernet(0x86dd, ipv6(6, tcp(5000, 22, kTcpSyn, {})));
  const DecodedPacket p = decode_frame(frame);
  CHECK(p.ok());
  CHECK(p.ip_version == 6);
  CHECK(p.ip_ttl == 63);
  CHECK(p.l4_proto == 6);
  CHECK(p.l3_offset == 14);
  CHECK(address_at(frame, p.src_ip_offset, 6) == "2001:0db8:0000:0000:0000:0000:0000:0001");
  CHECK(address_at(frame, p.dst_ip_offset, 6) == "2001:0db8:0000:0000:0000:0000:0000:0002");
  CHECK(p.l4_offset == 54);
  CHECK(p.dst_port == 22);
}

TEST_CASE("decode_ipv6 walks extension headers to the L4 header", "[decode][ipv6]") {
  // hop-by-hop (8) -> routing (24) -> destination options (8) -> AH (16) -> UDP
  Bytes ah(16);
  ah[0] = 17;
  ah[1] = 2;  // (2 + 2) * 4 = 16 bytes
  const Bytes l4 = udp(10, 20, {1, 2, 3, 4});
  const Bytes chain = ipv6_ext(43, ipv6_ext(60, ipv6_ext(51, cat({ah, l4})), 2));
  const DecodedPacket p = decode_frame(ethernet(0x86dd, ipv6(0, chain)));
  CHECK(p.ok());
  CHECK(p.l4_proto == 17);
  CHECK(p.l4_offset == 14 + 40 + 8 + 24 + 8 + 16);
  CHECK(p.src_port == 10);
  CHECK(p.payload_len == 4);
}

TEST_CASE("decode_ipv6 marks fragments and skips L4 on later ones", "[decode][ipv6][fragment]") {
  SECTION("first fragment") {
    const DecodedPacket p = decode_frame(ethernet(0x86dd, ipv6(44, ipv6_fragment(6, 0, true, tcp(1, 2, 0, zeros(8))))));
    CHECK(p.ok());
    CHECK(p.fragment);
    CHECK_FALSE(p.later_fragment);
    CHECK(p.has(kLayerTcp));
    CHECK(p.l4_offset == 14 + 48);
  }
  SECTION("later fragment") {
    const DecodedPacket p = decode_frame(ethernet(0x86dd, ipv6(44, ipv6_fragment(6, 185, false, zeros(32)))));
    CHECK(p.ok());
    CHECK(p.fragment);
    CHECK(p.later_fragment);
    CHECK_FALSE(p.has(kLayerTcp));
    CHECK(p.l4_proto == 6);
    CHECK(p.payload_offset == 14 + 48);
    CHECK(p.payload_len == 32);
  }
  SECTION("atomic fragment (offset 0, no MF) is not a fragment") {
    const DecodedPacket p = decode_frame(ethernet(0x86dd, ipv6(44, ipv6_fragment(17, 0, false, udp(1, 2, {})))));
    CHECK(p.ok());
    CHECK_FALSE(p.fragment);
    CHECK(p.has(kLayerUdp));
  }
}

TEST_CASE("decode_ipv6 bounds extension header chains", "[decode][ipv6]") {
  SECTION("a long chain of destination options") {
    Bytes chain = udp(1, 2, {});
    std::uint8_t nh = 17;
    for (int i = 0; i < 30; ++i) {
      chain = ipv6_ext(nh, chain);
      nh = 60;
    }
    const DecodedPacket p = decode_frame(ethernet(0x86dd, ipv6(60, chain)));
    CHECK(p.anomaly == DecodeAnomaly::ipv6_ext_too_many);
    CHECK(p.ip_version == 6);  // L3 stays so the packet can still be attributed
    CHECK_FALSE(p.has(kLayerUdp));
  }
  SECTION("a header whose length runs past the packet") {
    // An 8-byte hop-by-hop that fits, followed by nothing: the UDP header is missing.
    CHECK(decode_frame(ethernet(0x86dd, ipv6(0, ipv6_ext(17, {})))).anomaly == DecodeAnomaly::udp_truncated);
    Bytes big = ipv6_ext(17, zeros(8), 0);
    big[1] = 200;
    CHECK(decode_frame(ethernet(0x86dd, ipv6(0, big))).anomaly == DecodeAnomaly::ipv6_ext_truncated);
  }
  SECTION("an extension header cut before its length byte") {
    CHECK(decode_frame(ethernet(0x86dd, ipv6(60, {17}))).anomaly == DecodeAnomaly::ipv6_ext_truncated);
  }
}

TEST_CASE("decode_ipv6 rejects hostile header fields", "[decode][ipv6]") {
  SECTION("bad version") {
    Bytes f = ethernet(0x86dd, ipv6(17, udp(1, 2, {})));
    f[14] = 0x40;
    CHECK(decode_frame(f).anomaly == DecodeAnomaly::ipv6_bad_version);
  }
  SECTION("payload length beyond the frame on the wire") {
    Ipv6Opts o;
    o.payload_length = 100;
    const DecodedPacket p = decode_frame(ethernet(0x86dd, ipv6(17, udp(1, 2, {}), o)));
    CHECK(p.anomaly == DecodeAnomaly::ipv6_bad_payload_length);
    CHECK(p.ip_version == 0);
  }
  SECTION("payload length excludes trailing padding") {
    const DecodedPacket p = decode_frame(cat({ethernet(0x86dd, ipv6(6, tcp(1, 2, kTcpAck, {7}))), zeros(10)}));
    CHECK(p.ok());
    CHECK(p.payload_offset == 74);
    CHECK(p.payload_len == 1);
  }
  SECTION("header shorter than 40 bytes") {
    const Bytes f = ethernet(0x86dd, ipv6(59, {}));
    for (std::size_t n = 14; n < f.size(); ++n) {
      CHECK(decode_frame(Bytes(f.begin(), f.begin() + static_cast<long>(n))).anomaly == DecodeAnomaly::ipv6_truncated);
    }
    CHECK(decode_frame(f).ok());
  }
}
