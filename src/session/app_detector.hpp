#pragma once
// Application protocol detection by content: the first bytes of each
// direction decide, the ports are only a hint (DNS over TCP, whose first
// bytes are a bare length). Pure functions, no state.
#include <cstdint>
#include <span>

#include "opensoc/core/protocol_event.hpp"

namespace opensoc::session {

/// Bytes after which a TCP session that matched nothing is given up ("failed").
inline constexpr std::size_t kDetectGiveUpBytes = 2048;

/// `client`/`server`: the first bytes of each direction seen so far.
/// Returns the protocol, AppProtocol::unknown when more bytes are needed, or
/// AppProtocol::failed when nothing will match.
AppProtocol detect_tcp_protocol(std::span<const std::uint8_t> client, std::span<const std::uint8_t> server,
                                std::uint16_t server_port, std::uint16_t client_port) noexcept;

/// For a UDP datagram of a session not yet classified.
AppProtocol detect_udp_protocol(std::span<const std::uint8_t> payload, std::uint16_t src_port,
                                std::uint16_t dst_port) noexcept;

}  // namespace opensoc::session
