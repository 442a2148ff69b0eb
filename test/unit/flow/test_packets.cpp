#include "test_packets.hpp"

#include <arpa/inet.h>

#include <cstring>
#include <stdexcept>

namespace opensoc::flow::test {

namespace {

void put16(std::vector<std::uint8_t>& f, std::size_t at, std::uint16_t v) {
  f[at] = static_cast<std::uint8_t>(v >> 8);
  f[at + 1] = static_cast<std::uint8_t>(v);
}

}  // namespace

IpAddress ip(const std::string& text) {
  std::uint8_t b[16] = {};
  if (text.find(':') != std::string::npos) {
    if (inet_pton(AF_INET6, text.c_str(), b) != 1) throw std::invalid_argument(text);
    return IpAddress::v6(b);
  }
  if (inet_pton(AF_INET, text.c_str(), b) != 1) throw std::invalid_argument(text);
  return IpAddress::v4(b);
}

PacketView TestPacket::view() const {
  PacketView v;
  v.data = frame.data();
  v.caplen = static_cast<std::uint32_t>(frame.size());
  v.wirelen = wirelen;
  v.ts = ts;
  return v;
}

TestPacket make_packet(const PacketSpec& s) {
  TestPacket p;
  DecodedPacket& d = p.d;
  std::vector<std::uint8_t>& f = p.frame;
  const IpAddress src = ip(s.src);
  const IpAddress dst = ip(s.dst);
  const bool v6 = src.version == 6;

  // Ethernet: two MACs, then tags, then the ethertype.
  f.assign(12, 0);
  f[5] = 1;
  f[11] = 2;
  d.layers |= kLayerEthernet;
  const std::uint16_t tags[2] = {s.vlan, s.inner_vlan};
  for (const std::uint16_t tag : tags) {
    if (tag == 0) continue;
    f.resize(f.size() + 4);
    put16(f, f.size() - 4, 0x8100);
    put16(f, f.size() - 2, tag);
    d.vlan[d.vlan_count++] = tag;
    d.layers |= d.vlan_count > 1 ? (kLayerVlan | kLayerQinQ) : kLayerVlan;
  }
  f.resize(f.size() + 2);
  put16(f, f.size() - 2, v6 ? 0x86dd : 0x0800);

  const bool l4 = !s.later_fragment && (s.proto == 6 || s.proto == 17 || s.proto == 1 || s.proto == 58);
  const std::size_t l4_len = !l4 ? 0 : s.proto == 6 ? 20 : 8;
  d.l3_offset = static_cast<std::uint32_t>(f.size());
  d.ip_version = v6 ? 6 : 4;
  d.l4_proto = s.proto;
  d.ip_ttl = 64;
  if (v6) {
    f.resize(f.size() + 40);
    std::uint8_t* h = f.data() + d.l3_offset;
    h[0] = 0x60;
    put16(f, d.l3_offset + 4, static_cast<std::uint16_t>(l4_len + s.payload));
    h[6] = s.proto;
    h[7] = 64;
    std::memcpy(h + 8, src.bytes.data(), 16);
    std::memcpy(h + 24, dst.bytes.data(), 16);
    d.src_ip_offset = d.l3_offset + 8;
    d.dst_ip_offset = d.l3_offset + 24;
    d.layers |= kLayerIpv6;
  } else {
    f.resize(f.size() + 20);
    std::uint8_t* h = f.data() + d.l3_offset;
    h[0] = 0x45;
    put16(f, d.l3_offset + 2, static_cast<std::uint16_t>(20 + l4_len + s.payload));
    if (s.later_fragment) put16(f, d.l3_offset + 6, 185);  // fragment offset 1480
    h[8] = 64;
    h[9] = s.proto;
    std::memcpy(h + 12, src.bytes.data(), 4);
    std::memcpy(h + 16, dst.bytes.data(), 4);
    d.src_ip_offset = d.l3_offset + 12;
    d.dst_ip_offset = d.l3_offset + 16;
    d.layers |= kLayerIpv4;
  }
  d.fragment = s.later_fragment;
  d.later_fragment = s.later_fragment;

  d.l4_offset = static_cast<std::uint32_t>(f.size());
  f.resize(f.size() + l4_len);
  if (l4) {
    if (s.proto == 6 || s.proto == 17) {
      put16(f, d.l4_offset, s.sport);
      put16(f, d.l4_offset + 2, s.dport);
      d.src_port = s.sport;
      d.dst_port = s.dport;
    }
    if (s.proto == 6) {
      f[d.l4_offset + 12] = 0x50;
      f[d.l4_offset + 13] = s.flags;
      d.tcp_flags = s.flags;
      d.layers |= kLayerTcp;
    } else if (s.proto == 17) {
      put16(f, d.l4_offset + 4, static_cast<std::uint16_t>(8 + s.payload));
      d.layers |= kLayerUdp;
    } else {
      f[d.l4_offset] = s.icmp_type;
      f[d.l4_offset + 1] = s.icmp_code;
      d.icmp_type = s.icmp_type;
      d.icmp_code = s.icmp_code;
      d.src_port = s.icmp_type;
      d.dst_port = s.icmp_code;
      d.layers |= s.proto == 1 ? kLayerIcmp : kLayerIcmpv6;
    }
  }
  d.payload_offset = static_cast<std::uint32_t>(f.size());
  d.payload_len = s.payload;

  p.ts = s.ts;
  p.wirelen = s.wirelen != 0 ? s.wirelen : static_cast<std::uint32_t>(f.size() + s.payload);
  return p;
}

}  // namespace opensoc::flow::test
