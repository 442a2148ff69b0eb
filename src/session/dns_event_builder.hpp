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

/// Transaction ids for one session's DNS messages: a query opens one, the
/// response with the same DNS id gets the same one (Suricata's tx_id).
class DnsTransactions {
 public:
  std::uint32_t on_message(std::uint16_t dns_id, bool response);

 private:
  struct Open {
    std::uint16_t id;
    std::uint32_t tx;
  };
  std::array<Open, 32> open_{};
  std::uint32_t open_count_ = 0;
  std::uint32_t next_tx_ = 0;
};

}  // namespace opensoc::session
