#pragma once
// DecodeState: the cursor every layer decoder reads and writes while one frame
// is walked, and NextLayer, what a decoder returns to say where the walk goes
// next. Both live on the capture worker's stack for one decode_packet() call.
//
// Bounds discipline: a decoder may read byte `off + i` only after has(off, n)
// returned true for some n > i. `cap_end` is the end of the bytes that are
// both captured and inside the innermost enclosing length field (an IP total
// length, a UDP length), so trailer padding after an IP packet is never
// mistaken for payload, and a tunnelled packet never reads past its outer one.
#include <cstdint>

#include "opensoc/core/decode_anomaly.hpp"
#include "opensoc/core/decoded_packet.hpp"

#include "decode/byte_order.hpp"

namespace opensoc::decode::detail {

// Limits that keep hostile frames from costing more than a few dozen steps.
inline constexpr std::uint8_t kMaxTunnelDepth = 4;     // GRE / VXLAN / IP-in-IP nesting
inline constexpr std::uint8_t kMaxVlanTagsPerLevel = 3;  // per Ethernet header (QinQ + 1)
inline constexpr std::uint8_t kMaxMplsLabels = 8;      // labels popped from one stack
inline constexpr std::uint8_t kMaxIpv6ExtHeaders = 8;  // per IPv6 header
inline constexpr std::uint32_t kMaxDecodeSteps = 64;   // layer decoders run per frame

// The registry a NextLayer key is a number in.
enum class Space : std::uint8_t {
  stop,       // the walk is over (done, or an anomaly was recorded)
  link,       // key: a LinkType value
  ethertype,  // key: an ethertype (also used by SLL, GRE, PPP mapping)
  ip_proto,   // key: an IP protocol number
  udp_port,   // key: a UDP destination port
};

struct NextLayer {
  Space space = Space::stop;
  std::uint16_t key = 0;
  std::uint32_t offset = 0;  // where the next header starts in the frame

  static constexpr NextLayer stop() noexcept { return {}; }
  static constexpr NextLayer link(std::uint16_t type, std::uint32_t off) noexcept {
    return {Space::link, type, off};
  }
  static constexpr NextLayer ethertype(std::uint16_t type, std::uint32_t off) noexcept {
    return {Space::ethertype, type, off};
  }
  static constexpr NextLayer ip_proto(std::uint8_t proto, std::uint32_t off) noexcept {
    return {Space::ip_proto, proto, off};
  }
  static constexpr NextLayer udp_port(std::uint16_t port, std::uint32_t off) noexcept {
    return {Space::udp_port, port, off};
  }
};

class DecodeState {
 public:
  DecodeState(const std::uint8_t* data, std::uint32_t caplen, std::uint32_t wirelen) noexcept
      : data_(data), caplen_(caplen), wire_end_(wirelen > caplen ? wirelen : caplen), cap_end_(caplen) {}

  DecodedPacket out;  // the result; decoders fill it as they go

  /// True when n bytes starting at off are inside the current bounds.
  [[nodiscard]] bool has(std::uint32_t off, std::uint32_t n) const noexcept {
    return off <= cap_end_ && cap_end_ - off >= n;
  }
  /// Bytes available from off to the current end (0 when off is past it).
  [[nodiscard]] std::uint32_t remaining(std::uint32_t off) const noexcept {
    return off <= cap_end_ ? cap_end_ - off : 0;
  }
  /// Bytes from off to the end of the enclosing container as it was on the
  /// wire: what a length field inside it may legitimately claim.
  [[nodiscard]] std::uint32_t remaining_on_wire(std::uint32_t off) const noexcept {
    return off <= wire_end_ ? wire_end_ - off : 0;
  }
  [[nodiscard]] std::uint32_t cap_end() const noexcept { return cap_end_; }

  // Unchecked loads: call only after has() covers the bytes.
  [[nodiscard]] std::uint8_t u8(std::uint32_t off) const noexcept { return data_[off]; }
  [[nodiscard]] std::uint16_t be16(std::uint32_t off) const noexcept { return load_be16(data_ + off); }
  [[nodiscard]] std::uint32_t be32(std::uint32_t off) const noexcept { return load_be32(data_ + off); }
  [[nodiscard]] std::uint32_t le32(std::uint32_t off) const noexcept { return load_le32(data_ + off); }

  /// Narrows the bounds to a length-delimited container [off, off + len)
  /// whose length the caller checked against remaining_on_wire(off).
  void enter_container(std::uint32_t off, std::uint32_t len) noexcept {
    wire_end_ = off + len;
    cap_end_ = wire_end_ < caplen_ ? wire_end_ : caplen_;
  }

  /// Records the first anomaly (later ones are ignored) and ends the walk.
  NextLayer fail(DecodeAnomaly a) noexcept {
    if (out.anomaly == DecodeAnomaly::none) out.anomaly = a;
    return NextLayer::stop();
  }

  /// Called by a tunnel decoder before handing on its inner packet. False
  /// (with tunnel_too_deep recorded) when the nesting limit is reached.
  [[nodiscard]] bool enter_tunnel() noexcept {
    if (out.tunnel_depth >= kMaxTunnelDepth) {
      fail(DecodeAnomaly::tunnel_too_deep);
      return false;
    }
    ++out.tunnel_depth;
    vlans_in_level_ = 0;
    return true;
  }

  /// Called by an IP decoder once its header is known good: the L3/L4 fields
  /// and bits always describe the innermost IP packet, so whatever an outer
  /// IP packet left there is cleared.
  void begin_ip_layer() noexcept {
    constexpr std::uint32_t kIpAndL4 = kLayerIpv4 | kLayerIpv6 | kLayerTcp | kLayerUdp | kLayerIcmp |
                                       kLayerIcmpv6 | kLayerSctp;
    out.layers &= ~kIpAndL4;
    out.fragment = false;
    out.later_fragment = false;
    out.l4_offset = 0;
    out.src_port = 0;
    out.dst_port = 0;
    out.tcp_flags = 0;
    out.tcp_seq = 0;
    out.tcp_ack = 0;
    out.tcp_window = 0;
    out.icmp_type = 0;
    out.icmp_code = 0;
  }

  /// Payload = [off, cap_end): what follows the last header decoded.
  void set_payload_from(std::uint32_t off) noexcept {
    out.payload_offset = off;
    out.payload_len = remaining(off);
  }

  /// VLAN tags seen in the current Ethernet header stack (reset per tunnel).
  [[nodiscard]] std::uint8_t& vlans_in_level() noexcept { return vlans_in_level_; }

 private:
  const std::uint8_t* data_;
  std::uint32_t caplen_;
  std::uint32_t wire_end_;
  std::uint32_t cap_end_;
  std::uint8_t vlans_in_level_ = 0;
};

}  // namespace opensoc::decode::detail
