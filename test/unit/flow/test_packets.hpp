#pragma once
// Hand-built frames and their DecodedPacket, so flow tests do not depend on
// the decode module: Ethernet [+ 802.1Q tags] + IPv4/IPv6 + TCP/UDP/ICMP.
#include <cstdint>
#include <string>
#include <vector>

#include "flow/flow_record_sink.hpp"
#include "opensoc/core/decoded_packet.hpp"
#include "opensoc/core/ip_address.hpp"
#include "opensoc/core/packet_view.hpp"

namespace opensoc::flow::test {

struct PacketSpec {
  std::string src;                 // "10.0.0.1" or "2001:db8::1" (family from the text)
  std::string dst;
  std::uint16_t sport = 0;
  std::uint16_t dport = 0;
  std::uint8_t proto = 6;          // 6 tcp, 17 udp, 1 icmp, 58 icmpv6, anything else: no L4 header
  std::uint8_t flags = 0;          // TCP flags
  TimestampNs ts = 0;
  std::uint32_t wirelen = 0;       // 0: the frame's length
  std::uint32_t payload = 0;       // L4 payload bytes (only counted, not present in the frame)
  std::uint8_t icmp_type = 0;
  std::uint8_t icmp_code = 0;
  std::uint16_t vlan = 0;          // 0: untagged
  std::uint16_t inner_vlan = 0;    // 0: single tag
  bool later_fragment = false;     // IP fragment without L4 header
};

struct TestPacket {
  std::vector<std::uint8_t> frame;
  DecodedPacket d;
  std::uint32_t wirelen = 0;
  TimestampNs ts = 0;

  /// Valid while this TestPacket lives and is not modified.
  [[nodiscard]] PacketView view() const;
};

TestPacket make_packet(const PacketSpec& spec);

/// Parses a textual address (test input, must be valid).
IpAddress ip(const std::string& text);

/// Keeps every record it is given.
class RecordingSink final : public FlowRecordSink {
 public:
  void on_flow(const FlowRecord& record) noexcept override { records.push_back(record); }
  std::vector<FlowRecord> records;
};

}  // namespace opensoc::flow::test
