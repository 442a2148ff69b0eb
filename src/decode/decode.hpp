#pragma once
// Public entry point of the decode module: one frame in, one DecodedPacket out.
#include "opensoc/core/decoded_packet.hpp"
#include "opensoc/core/packet_view.hpp"

namespace opensoc::decode {

/// Decodes one frame. Never throws, never allocates, never reads outside
/// [pkt.data, pkt.data + pkt.caplen). Runs on the capture worker; pure
/// function of its input, so any thread may call it concurrently.
///
/// Semantics worth knowing when reading the result:
/// - The first anomaly wins and decoding stops at the header that had it;
///   fields decoded before it remain (a truncated TCP header still leaves the
///   IP addresses, with no L4 layer bit set). The one exception: a TCP option
///   list that overruns its header is recorded as tcp_options_truncated while
///   the TCP layer stays decoded, since the fixed header is sound.
/// - IP and L4 layer bits and fields describe the innermost IP packet that
///   decoded cleanly. L2 bits (Ethernet, VLAN, MPLS, SLL) and tunnel bits
///   (GRE, VXLAN) accumulate across encapsulations; tunnel_depth counts GRE,
///   VXLAN and IP-in-IP (protocols 4 and 41) levels, at most 4
///   (tunnel_too_deep beyond).
/// - vlan[] holds the first two tags seen, outermost first; vlan_count counts
///   every tag (more than 3 stacked in one Ethernet header is vlan_too_many).
/// - IPv4 total length / IPv6 payload length bound everything after them, so
///   Ethernet trailer padding is never payload; a length larger than the
///   frame was on the wire is ipv4_bad_total_length / ipv6_bad_payload_length
///   (a frame cut short by the capture snap length is not an anomaly).
/// - payload_offset/payload_len cover the captured bytes after the last
///   header decoded (after L3 when the IP protocol is not decoded; after L2
///   for an unsupported ethertype).
/// - Null/loopback frames shorter than their 4-byte header report
///   sll_truncated (the anomaly for a truncated link pseudo-header).
DecodedPacket decode_packet(const PacketView& pkt) noexcept;

}  // namespace opensoc::decode
