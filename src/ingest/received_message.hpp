#pragma once
/// ReceivedMessage: one framed message as a receiver read it, before any
/// parsing: which listener, who sent it, when, and its bytes.
#include <cstdint>
#include <string>

#include "opensoc/core/ip_address.hpp"
#include "opensoc/core/time.hpp"

namespace opensoc::ingest {

struct ReceivedMessage {
  std::uint16_t listener = 0;   ///< index into ReceiversConfig::listeners (kApiListener: the REST API)
  TimestampNs received = 0;     ///< wall clock when read
  IpAddress sender;
  std::uint16_t sender_port = 0;
  bool truncated = false;       ///< cut at max_message_bytes
  std::string bytes;            ///< one frame (syslog message, JSON line, NetFlow datagram), framing removed
};

inline constexpr std::uint16_t kApiListener = 0xffff;

}  // namespace opensoc::ingest
