#pragma once
/// PacketView: a non-owning view of one captured frame, as a capture source
/// hands it to a worker. The bytes belong to the source (an mbuf, a mapped
/// file) and stay valid until the source's release() for the batch.
#include <array>
#include <cstdint>

#include "opensoc/core/time.hpp"

namespace opensoc {

/// Link-layer header types, numbered as in pcap's LINKTYPE_* registry so a
/// file's value can be used as is.
enum class LinkType : std::uint16_t {
  null_bsd = 0,       // 4-byte host-order address family
  ethernet = 1,
  raw = 101,          // raw IPv4 or IPv6, version from the first nibble
  linux_sll = 113,
  ipv4 = 228,
  ipv6 = 229,
  linux_sll2 = 276,
};

struct PacketView {
  const std::uint8_t* data = nullptr;  ///< first captured byte
  std::uint32_t caplen = 0;            ///< bytes available at data
  std::uint32_t wirelen = 0;           ///< length on the wire (>= caplen)
  TimestampNs ts = 0;                  ///< capture time
  LinkType link = LinkType::ethernet;
  std::uint16_t port = 0;              ///< capture port index (config order)
  std::uint16_t queue = 0;             ///< RX queue on that port
};

/// A burst of packets. Fixed capacity so that it lives on the worker's stack
/// or in its state, never on the heap per burst.
struct PacketBatch {
  static constexpr std::uint32_t kCapacity = 64;
  std::array<PacketView, kCapacity> packets{};
  std::uint32_t count = 0;
};

}  // namespace opensoc
