// DHCPv4 parser (see dhcp_parser.hpp). Runs on whichever thread calls it; no
// state, no allocation. Every read is preceded by a length check against the
// payload, and multi-byte fields are loaded with memcpy (byte_order.hpp).
#include "proto/dhcp_parser.hpp"

#include "opensoc/core/byte_order.hpp"

namespace opensoc::proto {

namespace {

constexpr std::uint32_t kMagicCookie = 0x63825363;  // 99.130.83.99

constexpr std::uint8_t kOptPad = 0;
constexpr std::uint8_t kOptHostName = 12;
constexpr std::uint8_t kOptRequestedIp = 50;
constexpr std::uint8_t kOptLeaseTime = 51;
constexpr std::uint8_t kOptOverload = 52;
constexpr std::uint8_t kOptMessageType = 53;
constexpr std::uint8_t kOptServerId = 54;
constexpr std::uint8_t kOptParameterList = 55;
constexpr std::uint8_t kOptVendorClass = 60;
constexpr std::uint8_t kOptClientId = 61;
constexpr std::uint8_t kOptClientFqdn = 81;
constexpr std::uint8_t kOptEnd = 255;

std::string_view as_text(std::span<const std::uint8_t> bytes) noexcept {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

// Fixed-size options with the wrong length are ignored rather than read past.
bool read_u32_option(std::span<const std::uint8_t> value, bool& has, std::uint32_t& out) noexcept {
  if (has || value.size() != 4) return false;
  out = load_be32(value.data());
  has = true;
  return true;
}

void apply_option(std::uint8_t code, std::span<const std::uint8_t> value, DhcpMessage& out) noexcept {
  switch (code) {
    case kOptHostName:
      if (!out.has_hostname) {
        out.has_hostname = true;
        out.hostname = as_text(value);
      }
      break;
    case kOptRequestedIp: (void)read_u32_option(value, out.has_requested_ip, out.requested_ip); break;
    case kOptLeaseTime: (void)read_u32_option(value, out.has_lease_time, out.lease_time); break;
    case kOptServerId: (void)read_u32_option(value, out.has_server_id, out.server_id); break;
    case kOptOverload: out.option_overload = true; break;
    case kOptMessageType:
      if (out.message_type == 0 && value.size() == 1) out.message_type = value[0];
      break;
    case kOptParameterList:
      if (out.parameter_list.empty()) out.parameter_list = value;
      break;
    case kOptVendorClass:
      if (!out.has_vendor_class) {
        out.has_vendor_class = true;
        out.vendor_class = as_text(value);
      }
      break;
    case kOptClientId:
      if (out.client_id.empty()) out.client_id = value;
      break;
    case kOptClientFqdn:
      // RFC 4702 2: flags, two deprecated RCODE bytes, then the name.
      if (!out.has_client_fqdn && value.size() >= 3) {
        out.has_client_fqdn = true;
        out.client_fqdn_flags = value[0];
        out.client_fqdn_name = value.subspan(3);
      }
      break;
    default: break;
  }
}

}  // namespace

std::string_view to_string(DhcpParseStatus status) noexcept {
  switch (status) {
    case DhcpParseStatus::ok: return "ok";
    case DhcpParseStatus::truncated: return "truncated";
    case DhcpParseStatus::bad_magic_cookie: return "bad_magic_cookie";
    case DhcpParseStatus::bad_header: return "bad_header";
    case DhcpParseStatus::malformed_options: return "malformed_options";
  }
  return "unknown";
}

DhcpParseStatus parse_dhcp(std::span<const std::uint8_t> udp_payload, DhcpMessage& out) noexcept {
  out = DhcpMessage{};
  if (udp_payload.size() < kDhcpOptionsOffset) return DhcpParseStatus::truncated;
  const std::uint8_t* p = udp_payload.data();
  out.op = p[0];
  out.htype = p[1];
  out.hlen = p[2];
  out.hops = p[3];
  out.xid = load_be32(p + 4);
  out.secs = load_be16(p + 8);
  out.flags = load_be16(p + 10);
  out.ciaddr = load_be32(p + 12);
  out.yiaddr = load_be32(p + 16);
  out.siaddr = load_be32(p + 20);
  out.giaddr = load_be32(p + 24);
  if ((out.op != 1 && out.op != 2) || out.hlen > 16) return DhcpParseStatus::bad_header;
  out.chaddr = udp_payload.subspan(28, out.hlen);
  if (load_be32(p + kDhcpHeaderBytes) != kMagicCookie) return DhcpParseStatus::bad_magic_cookie;

  std::size_t pos = kDhcpOptionsOffset;
  const std::size_t size = udp_payload.size();
  while (pos < size) {
    const std::uint8_t code = p[pos];
    if (code == kOptPad) {
      ++pos;
      continue;
    }
    if (code == kOptEnd) {
      out.has_end = true;
      break;
    }
    if (size - pos < 2) return DhcpParseStatus::malformed_options;
    const std::size_t length = p[pos + 1];
    if (size - pos - 2 < length) return DhcpParseStatus::malformed_options;
    if (out.option_count < UINT16_MAX) ++out.option_count;
    apply_option(code, udp_payload.subspan(pos + 2, length), out);
    pos += 2 + length;
  }
  // RFC 2131 4.1: options end with 255; a payload that simply runs out is
  // accepted (has_end says which).
  return DhcpParseStatus::ok;
}

HardwareAddressText format_hardware_address(std::span<const std::uint8_t> address) noexcept {
  static constexpr char kHex[] = "0123456789abcdef";
  HardwareAddressText text;
  std::size_t n = 0;
  const std::size_t count = address.size() < 16 ? address.size() : 16;
  for (std::size_t i = 0; i < count; ++i) {
    if (i != 0) text.buffer[n++] = ':';
    text.buffer[n++] = kHex[address[i] >> 4];
    text.buffer[n++] = kHex[address[i] & 0x0f];
  }
  text.length = static_cast<std::uint8_t>(n);
  return text;
}

Ipv4Text format_ipv4(std::uint32_t address) noexcept {
  Ipv4Text text;
  std::size_t n = 0;
  for (int shift = 24; shift >= 0; shift -= 8) {
    const unsigned octet = (address >> shift) & 0xff;
    if (octet >= 100) text.buffer[n++] = static_cast<char>('0' + octet / 100);
    if (octet >= 10) text.buffer[n++] = static_cast<char>('0' + octet / 10 % 10);
    text.buffer[n++] = static_cast<char>('0' + octet % 10);
    if (shift != 0) text.buffer[n++] = '.';
  }
  text.length = static_cast<std::uint8_t>(n);
  return text;
}

}  // namespace opensoc::proto
