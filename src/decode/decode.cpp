// The decode module: turns one captured frame into a DecodedPacket, the
// zero-copy description (offsets, ids, flags) of its L2–L4 headers that the
// flow table and later stages read.
//
// In:  a PacketView from the capture source (bytes + link type).
// Out: a DecodedPacket by value; nothing is retained between calls.
// Thread: the capture worker that owns the frame, once per packet. There is no
// state besides constant tables, so workers never share anything.
//
// How a frame is walked: the link type names the first decoder; each layer
// decoder (one file per protocol: ethernet.cpp, vlan.cpp, ipv4.cpp, ...)
// checks and reads its header, records what it learned, and returns the next
// protocol as a number in a registry (ethertype, IP protocol, UDP port).
// dispatch.cpp maps numbers to decoders through dense tables built at compile
// time and loops until a decoder stops; the loop, not recursion, carries
// tunnels (GRE, VXLAN, IP-in-IP) back to the Ethernet/IP decoders, with the
// nesting bounded by the limits in decode_state.hpp.
//
// Untrusted bytes are never an error: a malformed header records the first
// DecodeAnomaly and stops the walk, keeping what was decoded before it.
// Per-packet cost: no allocation, no syscalls, no virtual calls; one table
// lookup and one indirect call per layer.
#include "decode/decode.hpp"

#include "decode/decode_state.hpp"
#include "decode/dispatch.hpp"

namespace opensoc::decode {

DecodedPacket decode_packet(const PacketView& pkt) noexcept {
  detail::DecodeState s(pkt.data, pkt.data == nullptr ? 0 : pkt.caplen, pkt.wirelen);
  detail::run_decoders(s, detail::NextLayer::link(static_cast<std::uint16_t>(pkt.link), 0));
  return s.out;
}

}  // namespace opensoc::decode
