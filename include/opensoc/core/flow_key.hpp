#pragma once
/// FlowKey: the identity of a flow, VLAN plus a normalised 5-tuple, so both
/// directions of a conversation produce the same key. The "lo" endpoint is the
/// smaller (address, port) pair; `swapped` on a packet says whether its source
/// was the "hi" side.
#include <cstdint>
#include <cstring>

namespace opensoc {

struct FlowKey {
  std::uint8_t lo_addr[16];   ///< IPv4 in the first 4 bytes, rest zero
  std::uint8_t hi_addr[16];
  std::uint16_t lo_port;
  std::uint16_t hi_port;
  std::uint16_t vlan;         ///< outer VLAN id (0 = none)
  std::uint8_t ip_proto;
  std::uint8_t ip_version;    ///< 4 or 6

  /// Compared as five 8-byte words: inline, where memcmp would be a call on
  /// every flow-table probe.
  friend bool operator==(const FlowKey& a, const FlowKey& b) noexcept {
    std::uint64_t x[5], y[5];
    std::memcpy(x, &a, sizeof x);
    std::memcpy(y, &b, sizeof y);
    return ((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]) | (x[3] ^ y[3]) | (x[4] ^ y[4])) == 0;
  }
};
static_assert(sizeof(FlowKey) == 40, "FlowKey must have no padding: it is hashed and compared as bytes");

}  // namespace opensoc
