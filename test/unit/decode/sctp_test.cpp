#include <catch2/catch.hpp>

#include "frame_builder.hpp"

using namespace opensoc;
using namespace opensoc::decode::test;

TEST_CASE("decode_sctp reads the common header ports", "[decode][sctp]") {
  const DecodedPacket p = decode_frame(ethernet(0x0800, ipv4(132, sctp(2905, 2944, zeros(20)))));
  CHECK(p.ok());
  CHECK(p.has(kLayerSctp));
  CHECK(p.l4_proto == 132);
  CHECK(p.src_port == 2905);
  CHECK(p.dst_port == 2944);
  CHECK(p.payload_offset == 34 + 12);
  CHECK(p.payload_len == 20);
}

TEST_CASE("decode_sctp flags a truncated common header", "[decode][sctp]") {
  for (std::size_t n = 0; n < 12; ++n) {
    const DecodedPacket p = decode_frame(ethernet(0x86dd, ipv6(132, zeros(n))));
    CHECK(p.anomaly == DecodeAnomaly::sctp_truncated);
    CHECK(p.ip_version == 6);
    CHECK_FALSE(p.has(kLayerSctp));
  }
}
