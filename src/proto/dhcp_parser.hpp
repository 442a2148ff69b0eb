#pragma once
// DHCPv4 message parser: the BOOTP header (RFC 951/2131), the magic cookie and
// the options this appliance reports (RFC 2132, RFC 4702 client FQDN).
//
// Input is one UDP payload (ports 67/68). Output is plain values and views
// into that payload: the caller keeps the payload alive while it uses them.
// Stateless and reentrant: any thread may call it, it never blocks,
// allocates or throws.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace opensoc::proto {

/// Fixed BOOTP header, then the 4-byte magic cookie, where options start.
inline constexpr std::size_t kDhcpHeaderBytes = 236;
inline constexpr std::size_t kDhcpOptionsOffset = kDhcpHeaderBytes + 4;

enum class DhcpParseStatus : std::uint8_t {
  ok,
  truncated,          ///< shorter than header + magic cookie
  bad_magic_cookie,   ///< not 99.130.83.99: plain BOOTP or not DHCP at all
  bad_header,         ///< op not 1/2, or hlen > 16
  malformed_options,  ///< an option length runs past the payload (options before it are kept)
};

[[nodiscard]] std::string_view to_string(DhcpParseStatus status) noexcept;

/// Option 53 values (RFC 2132 9.6, RFC 4388).
enum class DhcpMessageType : std::uint8_t {
  none = 0,
  discover = 1,
  offer = 2,
  request = 3,
  decline = 4,
  ack = 5,
  nak = 6,
  release = 7,
  inform = 8,
};

/// A parsed message. IPv4 addresses are host-order integers (1.2.3.4 is
/// 0x01020304). Views point into the payload given to parse_dhcp. When an
/// option appears twice, the first occurrence is kept.
struct DhcpMessage {
  std::uint8_t op = 0;     ///< 1 BOOTREQUEST, 2 BOOTREPLY
  std::uint8_t htype = 0;  ///< 1 Ethernet
  std::uint8_t hlen = 0;
  std::uint8_t hops = 0;
  std::uint32_t xid = 0;
  std::uint16_t secs = 0;
  std::uint16_t flags = 0;
  std::uint32_t ciaddr = 0;
  std::uint32_t yiaddr = 0;
  std::uint32_t siaddr = 0;
  std::uint32_t giaddr = 0;
  std::span<const std::uint8_t> chaddr;  ///< the first hlen bytes of the 16-byte field

  std::uint8_t message_type = 0;  ///< option 53, 0 when absent
  bool has_hostname = false;
  std::string_view hostname;  ///< option 12, raw bytes
  bool has_requested_ip = false;
  std::uint32_t requested_ip = 0;  ///< option 50
  bool has_lease_time = false;
  std::uint32_t lease_time = 0;  ///< option 51, seconds
  bool has_server_id = false;
  std::uint32_t server_id = 0;                   ///< option 54
  std::span<const std::uint8_t> parameter_list;  ///< option 55, option codes
  bool has_vendor_class = false;
  std::string_view vendor_class;          ///< option 60
  std::span<const std::uint8_t> client_id;  ///< option 61: type byte then identifier
  bool has_client_fqdn = false;
  std::uint8_t client_fqdn_flags = 0;  ///< option 81 flags (0x04 E: name in DNS wire format)
  std::span<const std::uint8_t> client_fqdn_name;  ///< option 81 name part, as sent

  std::uint16_t option_count = 0;  ///< options seen, pad and end excluded
  bool has_end = false;            ///< the end option (255) was reached
  /// Option 52 was present: more options hide in the sname/file fields. They
  /// are not parsed; this flag lets the caller count it.
  bool option_overload = false;
};

/// Parses a DHCP message. On malformed_options the header and the options
/// before the bad one are filled in.
[[nodiscard]] DhcpParseStatus parse_dhcp(std::span<const std::uint8_t> udp_payload, DhcpMessage& out) noexcept;

/// "aa:bb:cc:dd:ee:ff" text of a hardware address, as tshark prints
/// dhcp.hw.mac_addr: lower-case hex, colon separated. At most 16 bytes.
struct HardwareAddressText {
  std::array<char, 16 * 3> buffer{};
  std::uint8_t length = 0;
  [[nodiscard]] std::string_view view() const noexcept { return {buffer.data(), length}; }
};
[[nodiscard]] HardwareAddressText format_hardware_address(std::span<const std::uint8_t> address) noexcept;

/// Dotted-quad text of a host-order IPv4 address ("192.168.1.111").
struct Ipv4Text {
  std::array<char, 15> buffer{};
  std::uint8_t length = 0;
  [[nodiscard]] std::string_view view() const noexcept { return {buffer.data(), length}; }
};
[[nodiscard]] Ipv4Text format_ipv4(std::uint32_t address) noexcept;

}  // namespace opensoc::proto
