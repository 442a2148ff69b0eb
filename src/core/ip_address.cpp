// Text forms of IpAddress (include/opensoc/core/ip_address.hpp).
#include "opensoc/core/ip_address.hpp"

#include <arpa/inet.h>

namespace opensoc {

std::string IpAddress::to_string() const {
  char buf[INET6_ADDRSTRLEN];
  if (version == 4) {
    if (inet_ntop(AF_INET, bytes.data(), buf, sizeof buf) != nullptr) return buf;
  } else if (version == 6) {
    if (inet_ntop(AF_INET6, bytes.data(), buf, sizeof buf) != nullptr) return buf;
  }
  return {};
}

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  char buf[INET6_ADDRSTRLEN];
  text.copy(buf, text.size());
  buf[text.size()] = '\0';
  IpAddress a;
  if (inet_pton(AF_INET, buf, a.bytes.data()) == 1) {
    a.version = 4;
    return a;
  }
  if (inet_pton(AF_INET6, buf, a.bytes.data()) == 1) {
    a.version = 6;
    return a;
  }
  return std::nullopt;
}

}  // namespace opensoc
