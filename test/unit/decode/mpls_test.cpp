#include <catch2/catch.hpp>

#include "frame_builder.hpp"

using namespace opensoc;
using namespace opensoc::decode::test;

TEST_CASE("decode_mpls pops labels and guesses IPv4 from the first nibble", "[decode][mpls]") {
  const DecodedPacket p = decode_frame(ethernet(0x8847, mpls({16}, ipv4(6, tcp(1, 2, kTcpAck, {})))));
  CHECK(p.ok());
  CHECK(p.has(kLayerMpls));
  CHECK(p.mpls_count == 1);
  CHECK(p.ip_version == 4);
  CHECK(p.l3_offset == 18);
  CHECK(p.has(kLayerTcp));
}

TEST_CASE("decode_mpls pops a three-label stack to IPv6", "[decode][mpls]") {
  const DecodedPacket p = decode_frame(ethernet(0x8848, mpls({100, 200, 300}, ipv6(17, udp(7, 9, {})))));
  CHECK(p.ok());
  CHECK(p.mpls_count == 3);
  CHECK(p.ip_version == 6);
  CHECK(p.l3_offset == 26);
  CHECK(p.dst_port == 9);
}

TEST_CASE("decode_mpls follows a pseudowire control word to Ethernet", "[decode][mpls]") {
  const Bytes inner = ethernet(0x0800, ipv4(17, udp(53, 5353, {})));
  const DecodedPacket p = decode_frame(ethernet(0x8847, mpls({42}, cat({zeros(4), inner}))));
  CHECK(p.ok());
  CHECK(p.mpls_count == 1);
  CHECK(p.l3_offset == 14 + 4 + 4 + 14);
  CHECK(p.src_port == 53);
}

TEST_CASE("decode_mpls limits the label stack", "[decode][mpls]") {
  Bytes labels;
  for (int i = 0; i < 20; ++i) labels = cat({labels, {0, 1, 0, 64}});  // never bottom of stack
  const DecodedPacket p = decode_frame(ethernet(0x8847, labels));
  CHECK(p.anomaly == DecodeAnomaly::mpls_too_many);
  CHECK(p.mpls_count == 8);
}

TEST_CASE("decode_mpls flags truncation and unknown payloads", "[decode][mpls]") {
  const Bytes frame = ethernet(0x8847, mpls({1, 2}, {}));
  for (std::size_t n = 14; n <= frame.size(); ++n) {
    CHECK(decode_frame(Bytes(frame.begin(), frame.begin() + static_cast<long>(n))).anomaly ==
          DecodeAnomaly::mpls_truncated);
  }
  const DecodedPacket p = decode_frame(ethernet(0x8847, mpls({1}, {0x90, 0, 0, 0})));
  CHECK(p.anomaly == DecodeAnomaly::ethertype_unsupported);
  CHECK(p.payload_offset == 18);
}
