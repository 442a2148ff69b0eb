#include "flow/flow_key_builder.hpp"

#include <cstring>

#include "opensoc/core/byte_order.hpp"

namespace opensoc::flow {

namespace {

// Request/reply pairs. ICMPv4: echo, timestamp, information, router
// solicitation/advertisement, address mask. ICMPv6: echo, MLD query/report,
// router and neighbour discovery, node information (WRU), home agent address
// discovery (144/145).
int icmp4_counterpart(std::uint8_t type) noexcept {
  switch (type) {
    case 8: return 0;
    case 0: return 8;
    case 13: return 14;
    case 14: return 13;
    case 15: return 16;
    case 16: return 15;
    case 10: return 9;
    case 9: return 10;
    case 17: return 18;
    case 18: return 17;
    default: return -1;
  }
}

int icmp6_counterpart(std::uint8_t type) noexcept {
  switch (type) {
    case 128: return 129;
    case 129: return 128;
    case 130: return 131;
    case 131: return 130;
    case 133: return 134;
    case 134: return 133;
    case 135: return 136;
    case 136: return 135;
    case 139: return 140;
    case 140: return 139;
    case 144: return 145;
    case 145: return 144;
    default: return -1;
  }
}

}  // namespace

IcmpPortPair icmp_port_equivalents(std::uint8_t ip_proto, std::uint8_t type, std::uint8_t code) noexcept {
  const int counterpart = ip_proto == kProtoIcmpv6 ? icmp6_counterpart(type) : icmp4_counterpart(type);
  if (counterpart < 0) return IcmpPortPair{type, code, true};
  return IcmpPortPair{type, static_cast<std::uint16_t>(counterpart), false};
}

bool has_l4_ports(const DecodedPacket& d) noexcept {
  if (d.later_fragment) return false;
  switch (d.l4_proto) {
    case kProtoTcp:
      return d.has(kLayerTcp) && d.anomaly != DecodeAnomaly::tcp_truncated &&
             d.anomaly != DecodeAnomaly::tcp_bad_data_offset;
    case kProtoUdp:
      return d.has(kLayerUdp) && d.anomaly != DecodeAnomaly::udp_truncated;
    case kProtoSctp:
      return d.has(kLayerSctp) && d.anomaly != DecodeAnomaly::sctp_truncated;
    case kProtoIcmp:
      return d.has(kLayerIcmp) && d.anomaly != DecodeAnomaly::icmp_truncated;
    case kProtoIcmpv6:
      return d.has(kLayerIcmpv6) && d.anomaly != DecodeAnomaly::icmpv6_truncated;
    default:
      return false;
  }
}

FlowKey make_flow_key(const std::uint8_t* frame, const DecodedPacket& d, bool& swapped) noexcept {
  FlowKey k{};  // zeroed: the key is hashed and compared as 40 bytes
  const std::uint8_t* src = frame + d.src_ip_offset;
  const std::uint8_t* dst = frame + d.dst_ip_offset;

  std::uint16_t sport = 0;
  std::uint16_t dport = 0;
  bool one_way = false;
  if (has_l4_ports(d)) {
    if (is_icmp_proto(d.l4_proto)) {
      const IcmpPortPair p = icmp_port_equivalents(d.l4_proto, d.icmp_type, d.icmp_code);
      sport = p.src;
      dport = p.dst;
      one_way = p.one_way;
    } else {
      sport = d.src_port;
      dport = d.dst_port;
    }
  }

  // order: <0, 0, >0 as memcmp(src, dst) over the address bytes (big-endian
  // loads compare as the bytes do, without a library call per packet).
  int order;
  if (d.ip_version == 6) {
    const std::uint64_t s0 = load_be64(src), s1 = load_be64(src + 8);
    const std::uint64_t d0 = load_be64(dst), d1 = load_be64(dst + 8);
    order = s0 != d0 ? (s0 < d0 ? -1 : 1) : (s1 != d1 ? (s1 < d1 ? -1 : 1) : 0);
  } else {
    const std::uint32_t s0 = load_be32(src), d0 = load_be32(dst);
    order = s0 != d0 ? (s0 < d0 ? -1 : 1) : 0;
  }
  swapped = !one_way && (order > 0 || (order == 0 && sport > dport));
  const std::uint8_t* lo = swapped ? dst : src;
  const std::uint8_t* hi = swapped ? src : dst;
  if (d.ip_version == 6) {
    std::memcpy(k.lo_addr, lo, 16);
    std::memcpy(k.hi_addr, hi, 16);
  } else {
    std::memcpy(k.lo_addr, lo, 4);
    std::memcpy(k.hi_addr, hi, 4);
  }
  k.lo_port = swapped ? dport : sport;
  k.hi_port = swapped ? sport : dport;
  k.vlan = d.vlan_count > 0 ? d.vlan[0] : 0;
  k.ip_proto = d.l4_proto;
  k.ip_version = d.ip_version;
  return k;
}

}  // namespace opensoc::flow
