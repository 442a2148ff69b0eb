#include <catch2/catch.hpp>

#include "frame_builder.hpp"

using namespace opensoc;
using namespace opensoc::decode::test;

TEST_CASE("decode_icmp puts type and code in the port fields", "[decode][icmp]") {
  const DecodedPacket p = decode_frame(ethernet(0x0800, ipv4(1, icmp(3, 13, zeros(28)))));
  CHECK(p.ok());
  CHECK(p.layers == (kLayerEthernet | kLayerIpv4 | kLayerIcmp));
  CHECK(p.icmp_type == 3);
  CHECK(p.icmp_code == 13);
  CHECK(p.src_port == 3);
  CHECK(p.dst_port == 13);
  CHECK(p.l4_offset == 34);
  CHECK(p.payload_offset == 42);
  CHECK(p.payload_len == 28);
}

TEST_CASE("decode_icmpv6 puts type and code in the port fields", "[decode][icmp][icmpv6]") {
  const DecodedPacket p = decode_frame(ethernet(0x86dd, ipv6(58, icmp(135, 0, zeros(16)))));
  CHECK(p.ok());
  CHECK(p.has(kLayerIcmpv6));
  CHECK_FALSE(p.has(kLayerIcmp));
  CHECK(p.l4_proto == 58);
  CHECK(p.src_port == 135);
  CHECK(p.dst_port == 0);
}

TEST_CASE("decode_icmp flags truncated headers", "[decode][icmp]") {
  for (std::size_t n = 0; n < 8; ++n) {
    CHECK(decode_frame(ethernet(0x0800, ipv4(1, zeros(n)))).anomaly == DecodeAnomaly::icmp_truncated);
    CHECK(decode_frame(ethernet(0x86dd, ipv6(58, zeros(n)))).anomaly == DecodeAnomaly::icmpv6_truncated);
  }
}
