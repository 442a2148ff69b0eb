#pragma once
// Turns a parsed DNS message (views into the packet) into an owned DnsEvent.
// Transaction ids are a per-session message count, as Suricata 8 numbers
// them: queries and answers pair by DNS id, not by tx_id.
#include <cstdint>
#include <span>

#include "opensoc/core/protocol_event.hpp"
#include "proto/dns_parser.hpp"

namespace opensoc::session {

/// `status` is the parser's result; anything but ok marks the event malformed.
DnsEvent make_dns_event(const proto::DnsMessage& m, proto::DnsParseStatus status);

}  // namespace opensoc::session
