// Socket address conversions for the receivers (any thread; pure).
#include "ingest/socket_endpoint.hpp"

#include <cstring>

#include <netinet/in.h>

namespace opensoc::ingest {
namespace {

IpAddress from_v6_bytes(const std::uint8_t* b) {
  static constexpr std::uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(b, kMapped, sizeof kMapped) == 0) return IpAddress::v4(b + 12);
  return IpAddress::v6(b);
}

}  // namespace

IpAddress to_ip_address(const boost::asio::ip::address& a) {
  if (a.is_v4()) {
    const auto b = a.to_v4().to_bytes();
    return IpAddress::v4(b.data());
  }
  const auto b = a.to_v6().to_bytes();
  return from_v6_bytes(b.data());
}

IpAddress to_ip_address(const sockaddr_storage& sa, std::uint16_t& port) {
  port = 0;
  if (sa.ss_family == AF_INET) {
    sockaddr_in in{};
    std::memcpy(&in, &sa, sizeof in);
    port = ntohs(in.sin_port);
    return IpAddress::v4(reinterpret_cast<const std::uint8_t*>(&in.sin_addr));
  }
  if (sa.ss_family == AF_INET6) {
    sockaddr_in6 in6{};
    std::memcpy(&in6, &sa, sizeof in6);
    port = ntohs(in6.sin6_port);
    return from_v6_bytes(reinterpret_cast<const std::uint8_t*>(&in6.sin6_addr));
  }
  return {};
}

std::string endpoint_text(const std::string& address, std::uint16_t port) {
  if (address.find(':') != std::string::npos) return "[" + address + "]:" + std::to_string(port);
  return address + ":" + std::to_string(port);
}

}  // namespace opensoc::ingest
