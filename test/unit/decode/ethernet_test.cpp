#include <catch2/catch.hpp>

#include "frame_builder.hpp"

using namespace opensoc;
using namespace opensoc::decode::test;

TEST_CASE("decode_ethernet hands IPv4 to the IP decoder", "[decode][ethernet]") {
  const Bytes frame = ethernet(0x0800, ipv4(6, tcp(40000, 443, kTcpSyn | kTcpAck, {})));
  const DecodedPacket p = decode_frame(frame);
  CHECK(p.ok());
  CHECK(p.layers == (kLayerEthernet | kLayerIpv4 | kLayerTcp));
  CHECK(p.l3_offset == 14);
  CHECK(p.l4_offset == 34);
  CHECK(p.vlan_count == 0);
  CHECK(p.tunnel_depth == 0);
}

TEST_CASE("decode_ethernet flags frames shorter than its header", "[decode][ethernet]") {
  for (std::size_t n = 0; n < 14; ++n) {
    const DecodedPacket p = decode_frame(zeros(n));
    CHECK(p.anomaly == DecodeAnomaly::ethernet_truncated);
    CHECK(p.layers == 0);
  }
}

TEST_CASE("decode_ethernet reports unknown ethertypes as unsupported, not errors", "[decode][ethernet]") {
  SECTION("an unbound ethertype") {
    const DecodedPacket p = decode_frame(ethernet(0x88cc, zeros(30)));  // LLDP
    CHECK(p.anomaly == DecodeAnomaly::ethertype_unsupported);
    CHECK_FALSE(anomaly_is_error(p.anomaly));
    CHECK(p.layers == kLayerEthernet);
    CHECK(p.payload_offset == 14);
    CHECK(p.payload_len == 30);
  }
  SECTION("an 802.3 length field (LLC)") {
    CHECK(decode_frame(ethernet(0x0026, zeros(38))).anomaly == DecodeAnomaly::ethertype_unsupported);
  }
}

TEST_CASE("decode_arp records the ARP layer and checks its address lengths", "[decode][arp]") {
  const Bytes frame = ethernet(0x0806, arp_request());
  const DecodedPacket p = decode_frame(frame);
  CHECK(p.ok());
  CHECK(p.layers == (kLayerEthernet | kLayerArp));
  CHECK(p.ip_version == 0);

  for (std::size_t n = 14; n < frame.size(); ++n) {
    const DecodedPacket t = decode_frame(Bytes(frame.begin(), frame.begin() + static_cast<long>(n)));
    CHECK(t.anomaly == DecodeAnomaly::arp_truncated);
    CHECK_FALSE(t.has(kLayerArp));
  }
  SECTION("hostile address lengths beyond the frame") {
    Bytes bad = frame;
    bad[14 + 4] = 255;
    CHECK(decode_frame(bad).anomaly == DecodeAnomaly::arp_truncated);
  }
}
