#pragma once
// Turns a parsed DNS message (views into the packet) into an owned DnsEvent,
// and pairs queries with their responses by DNS id within one session.
#include <array>
#include <cstdint>
#include <span>

#include "opensoc/core/protocol_event.hpp"
#include "proto/dns_parser.hpp"

namespace opensoc::session {

/// `status` is the parser's result; anything but ok marks the event malformed.
DnsEvent make_dns_event(const proto::DnsMessage& m, proto::DnsParseStatus status);

/// Transaction ids of one session's DNS messages, as Suricata 8 numbers
/// them: one per message, in order (queries and answers pair by DNS id).
class DnsTransactions {
 public:
  std::uint32_t on_message(std::uint16_t dns_id, bool response);

 private:
  std::uint32_t next_tx_ = 0;
};

}  // namespace opensoc::session
