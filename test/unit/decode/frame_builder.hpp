#pragma once
// Test helpers that build frames inside out: each function wraps a payload in
// one header and fills its length fields from the payload, unless a test
// overrides a field to make it hostile. Headers use fixed, recognisable
// addresses so assertions can compare them.
#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "opensoc/core/decoded_packet.hpp"
#include "opensoc/core/packet_view.hpp"

#include "decode/decode.hpp"

namespace opensoc::decode::test {

using Bytes = std::vector<std::uint8_t>;

inline void put16(Bytes& b, std::size_t at, std::uint16_t v) {
  b[at] = static_cast<std::uint8_t>(v >> 8);
  b[at + 1] = static_cast<std::uint8_t>(v);
}
inline void put32(Bytes& b, std::size_t at, std::uint32_t v) {
  put16(b, at, static_cast<std::uint16_t>(v >> 16));
  put16(b, at + 2, static_cast<std::uint16_t>(v));
}
inline Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}
inline Bytes zeros(std::size_t n) { return Bytes(n, 0); }

// ---- L2 --------------------------------------------------------------------

inline Bytes ethernet(std::uint16_t ethertype, const Bytes& payload) {
  Bytes h = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0, 0};
  put16(h, 12, ethertype);
  return cat({h, payload});
}

inline Bytes vlan(std::uint16_t tci, std::uint16_t ethertype, const Bytes& payload) {
  Bytes h(4);
  put16(h, 0, tci);
  put16(h, 2, ethertype);
  return cat({h, payload});
}

/// One label stack entry per label; S is set on the last.
inline Bytes mpls(std::initializer_list<std::uint32_t> labels, const Bytes& payload) {
  Bytes h;
  std::size_t i = 0;
  for (std::uint32_t label : labels) {
    Bytes e(4);
    const bool bottom = ++i == labels.size();
    put32(e, 0, (label << 12) | (bottom ? 0x100u : 0u) | 64u);
    h = cat({h, e});
  }
  return cat({h, payload});
}

inline Bytes arp_request() {
  Bytes h = {0, 1, 0x08, 0x00, 6, 4, 0, 1};  // Ethernet/IPv4, request
  return cat({h, zeros(20)});
}

// ---- L3 --------------------------------------------------------------------

struct Ipv4Opts {
  std::uint32_t src = 0x0a000001;  // 10.0.0.1
  std::uint32_t dst = 0xc0a80102;  // 192.168.1.2
  std::uint8_t ttl = 64;
  std::uint16_t frag = 0;          // flags + fragment offset field
  Bytes options;                   // multiple of 4 bytes
  std::optional<std::uint8_t> ihl;            // override
  std::optional<std::uint16_t> total_length;  // override
};

inline Bytes ipv4(std::uint8_t proto, const Bytes& payload, const Ipv4Opts& o = {}) {
  Bytes h(20);
  const std::size_t hlen = 20 + o.options.size();
  h[0] = static_cast<std::uint8_t>(0x40 | (o.ihl ? *o.ihl : hlen / 4));
  put16(h, 2, o.total_length ? *o.total_length : static_cast<std::uint16_t>(hlen + payload.size()));
  put16(h, 4, 0x1234);
  put16(h, 6, o.frag);
  h[8] = o.ttl;
  h[9] = proto;
  put32(h, 12, o.src);
  put32(h, 16, o.dst);
  return cat({h, o.options, payload});
}

struct Ipv6Opts {
  std::uint8_t hop_limit = 63;
  std::optional<std::uint16_t> payload_length;  // override
};

// src 2001:db8::1, dst 2001:db8::2
inline Bytes ipv6(std::uint8_t next_header, const Bytes& payload, const Ipv6Opts& o = {}) {
  Bytes h(40);
  h[0] = 0x60;
  put16(h, 4, o.payload_length ? *o.payload_length : static_cast<std::uint16_t>(payload.size()));
  h[6] = next_header;
  h[7] = o.hop_limit;
  h[8] = 0x20;
  h[9] = 0x01;
  h[10] = 0x0d;
  h[11] = 0xb8;
  h[23] = 1;
  h[24] = 0x20;
  h[25] = 0x01;
  h[26] = 0x0d;
  h[27] = 0xb8;
  h[39] = 2;
  return cat({h, payload});
}

/// Generic extension header (hop-by-hop, routing, destination options):
/// length (len_units + 1) * 8 bytes.
inline Bytes ipv6_ext(std::uint8_t next_header, const Bytes& payload, std::uint8_t len_units = 0) {
  Bytes h((len_units + 1u) * 8u);
  h[0] = next_header;
  h[1] = len_units;
  return cat({h, payload});
}

inline Bytes ipv6_fragment(std::uint8_t next_header, std::uint16_t offset_units, bool more, const Bytes& payload) {
  Bytes h(8);
  h[0] = next_header;
  put16(h, 2, static_cast<std::uint16_t>((offset_units << 3) | (more ? 1 : 0)));
  put32(h, 4, 0xabcdef01);
  return cat({h, payload});
}

// ---- L4 --------------------------------------------------------------------

struct TcpOpts {
  std::uint32_t seq = 1000;
  std::uint32_t ack = 2000;
  std::uint16_t window = 8192;
  Bytes options;                           // padded by the caller to 4 bytes
  std::optional<std::uint8_t> data_offset;  // override, in 4-byte words
};

inline Bytes tcp(std::uint16_t sport, std::uint16_t dport, std::uint8_t flags, const Bytes& payload,
                 const TcpOpts& o = {}) {
  Bytes h(20);
  put16(h, 0, sport);
  put16(h, 2, dport);
  put32(h, 4, o.seq);
  put32(h, 8, o.ack);
  const std::size_t words = (20 + o.options.size()) / 4;
  h[12] = static_cast<std::uint8_t>((o.data_offset ? *o.data_offset : words) << 4);
  h[13] = flags;
  put16(h, 14, o.window);
  return cat({h, o.options, payload});
}

inline Bytes udp(std::uint16_t sport, std::uint16_t dport, const Bytes& payload,
                 std::optional<std::uint16_t> length = std::nullopt) {
  Bytes h(8);
  put16(h, 0, sport);
  put16(h, 2, dport);
  put16(h, 4, length ? *length : static_cast<std::uint16_t>(8 + payload.size()));
  return cat({h, payload});
}

inline Bytes icmp(std::uint8_t type, std::uint8_t code, const Bytes& payload) {
  Bytes h(8);
  h[0] = type;
  h[1] = code;
  return cat({h, payload});
}

inline Bytes sctp(std::uint16_t sport, std::uint16_t dport, const Bytes& payload) {
  Bytes h(12);
  put16(h, 0, sport);
  put16(h, 2, dport);
  put32(h, 4, 0xdeadbeef);
  return cat({h, payload});
}

// ---- Tunnels ---------------------------------------------------------------

/// GRE with the given first two bytes (flags, version) and the optional
/// words those flags announce already zero-filled in `extra`.
inline Bytes gre(std::uint16_t proto, const Bytes& payload, std::uint8_t flags = 0, std::uint8_t version = 0,
                 const Bytes& extra = {}) {
  Bytes h(4);
  h[0] = flags;
  h[1] = version;
  put16(h, 2, proto);
  return cat({h, extra, payload});
}

inline Bytes vxlan(std::uint32_t vni, const Bytes& inner_frame, std::uint8_t flags = 0x08) {
  Bytes h(8);
  h[0] = flags;
  put32(h, 4, vni << 8);
  return cat({h, inner_frame});
}

// ---- Decoding --------------------------------------------------------------

/// Decodes `frame` from an exactly sized heap copy, so AddressSanitizer sees
/// any read past the end. wirelen 0 means "as captured".
inline DecodedPacket decode_frame(const Bytes& frame, LinkType link = LinkType::ethernet, std::uint32_t wirelen = 0) {
  const std::vector<std::uint8_t> exact(frame.begin(), frame.end());
  PacketView v;
  v.data = exact.empty() ? nullptr : exact.data();
  v.caplen = static_cast<std::uint32_t>(exact.size());
  v.wirelen = wirelen == 0 ? v.caplen : wirelen;
  v.link = link;
  return decode_packet(v);
}

/// Text form of the address at `off` in `frame` (4 or 16 bytes).
inline std::string address_at(const Bytes& frame, std::uint32_t off, int version) {
  char buf[64];
  std::string out;
  if (version == 4) {
    std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", frame.at(off), frame.at(off + 1), frame.at(off + 2),
                  frame.at(off + 3));
    return buf;
  }
  for (std::uint32_t i = 0; i < 16; i += 2) {
    std::snprintf(buf, sizeof buf, "%s%02x%02x", i ? ":" : "", frame.at(off + i), frame.at(off + i + 1));
    out += buf;
  }
  return out;
}

}  // namespace opensoc::decode::test
