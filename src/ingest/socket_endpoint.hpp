#pragma once
// Conversions between socket addresses and the project's IpAddress, and the
// "address:port" text used in error messages. IPv4-mapped IPv6 peers (a
// dual-stack "::" listener) are reported as the IPv4 address they are.
#include <cstdint>
#include <string>

#include <sys/socket.h>

#include <boost/asio/ip/address.hpp>

#include "opensoc/core/ip_address.hpp"

namespace opensoc::ingest {

[[nodiscard]] IpAddress to_ip_address(const boost::asio::ip::address& a);
/// From what recvmmsg filled in; version 0 for an unknown family.
[[nodiscard]] IpAddress to_ip_address(const sockaddr_storage& sa, std::uint16_t& port);
/// "127.0.0.1:5514", "[::1]:5514".
[[nodiscard]] std::string endpoint_text(const std::string& address, std::uint16_t port);

}  // namespace opensoc::ingest
