#include <catch2/catch.hpp>

#include "frame_builder.hpp"

using namespace opensoc;
using namespace opensoc::decode::test;

namespace {
Bytes l3() { return ipv4(17, udp(1000, 2000, {})); }
}  // namespace

TEST_CASE("decode_vlan records an 802.1Q tag id", "[decode][vlan]") {
  const DecodedPacket p = decode_frame(ethernet(0x8100, vlan(0xa000 | 100, 0x0800, l3())));
  CHECK(p.ok());
  CHECK(p.has(kLayerVlan));
  CHECK_FALSE(p.has(kLayerQinQ));
  CHECK(p.vlan_count == 1);
  CHECK(p.vlan[0] == 100);  // priority bits masked off
  CHECK(p.vlan[1] == 0);
  CHECK(p.l3_offset == 18);
  CHECK(p.has(kLayerUdp));
}

TEST_CASE("decode_vlan records QinQ ids outer first", "[decode][vlan][qinq]") {
  for (std::uint16_t outer_type : {0x88a8, 0x9100, 0x8100}) {
    const DecodedPacket p = decode_frame(ethernet(outer_type, vlan(200, 0x8100, vlan(300, 0x0800, l3()))));
    CHECK(p.ok());
    CHECK(p.has(kLayerQinQ));
    CHECK(p.vlan_count == 2);
    CHECK(p.vlan[0] == 200);
    CHECK(p.vlan[1] == 300);
    CHECK(p.l3_offset == 22);
  }
}

TEST_CASE("decode_vlan keeps the first two of three tags and counts all", "[decode][vlan]") {
  const DecodedPacket p = decode_frame(ethernet(0x88a8, vlan(1, 0x8100, vlan(2, 0x8100, vlan(3, 0x0800, l3())))));
  CHECK(p.ok());
  CHECK(p.vlan_count == 3);
  CHECK(p.vlan[0] == 1);
  CHECK(p.vlan[1] == 2);
  CHECK(p.l3_offset == 26);
}

TEST_CASE("decode_vlan limits stacked tags", "[decode][vlan]") {
  Bytes inner = l3();
  std::uint16_t type = 0x0800;
  for (int i = 0; i < 40; ++i) {
    inner = vlan(static_cast<std::uint16_t>(i), type, inner);
    type = 0x8100;
  }
  const DecodedPacket p = decode_frame(ethernet(0x8100, inner));
  CHECK(p.anomaly == DecodeAnomaly::vlan_too_many);
  CHECK(p.vlan_count == 3);
  CHECK(p.ip_version == 0);
}

TEST_CASE("decode_vlan flags a truncated tag", "[decode][vlan]") {
  const Bytes frame = ethernet(0x8100, vlan(5, 0x0800, {}));
  for (std::size_t n = 14; n < 18; ++n) {
    const DecodedPacket p = decode_frame(Bytes(frame.begin(), frame.begin() + static_cast<long>(n)));
    CHECK(p.anomaly == DecodeAnomaly::vlan_truncated);
    CHECK(p.vlan_count == 0);
  }
}
