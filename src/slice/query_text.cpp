// Text helpers of the query parsers (see query_text.hpp).
#include "slice/query_text.hpp"

#include <algorithm>

#include "opensoc/core/ip_protocol.hpp"

namespace opensoc::slice {

std::string quote(std::string_view s) {
  std::string out = "'";
  const std::size_t n = std::min<std::size_t>(s.size(), 40);
  for (std::size_t i = 0; i < n; ++i) {
    const char c = s[i];
    out += (c >= 0x20 && c < 0x7f) ? c : '?';
  }
  if (s.size() > n) out += "...";
  out += "'";
  return out;
}

std::optional<NamedProtocol> protocol_by_name(std::string_view name) noexcept {
  if (iequals(name, "tcp")) return NamedProtocol{kIpProtoTcp, false};
  if (iequals(name, "udp")) return NamedProtocol{kIpProtoUdp, false};
  if (iequals(name, "sctp")) return NamedProtocol{kIpProtoSctp, false};
  if (iequals(name, "icmp")) return NamedProtocol{kIpProtoIcmp, true};
  return std::nullopt;
}

}  // namespace opensoc::slice
