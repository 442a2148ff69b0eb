// ECS endpoint fields: see ecs_endpoint_fields.hpp.
#include "logparse/ecs_endpoint_fields.hpp"

#include <array>
#include <charconv>
#include <string>

#include "logparse/ascii_text.hpp"
#include "opensoc/core/ip_protocol.hpp"

namespace opensoc::logparse {

std::optional<std::uint8_t> ip_proto_from_text(std::string_view text) noexcept {
  if (text.empty()) return std::nullopt;
  unsigned n = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec == std::errc{} && end == text.data() + text.size()) {
    if (n > 255) return std::nullopt;
    return static_cast<std::uint8_t>(n);
  }
  struct Name {
    std::string_view name;
    std::uint8_t proto;
  };
  constexpr std::array<Name, 11> kNames = {{{"tcp", 6},
                                            {"udp", 17},
                                            {"icmp", 1},
                                            {"ipv6-icmp", 58},
                                            {"icmpv6", 58},
                                            {"icmp6", 58},
                                            {"sctp", 132},
                                            {"gre", 47},
                                            {"esp", 50},
                                            {"ah", 51},
                                            {"igmp", 2}}};
  for (const auto& nm : kNames)
    if (iequals(text, nm.name)) return nm.proto;
  return std::nullopt;
}

bool add_ip_field(LogEvent& out, std::string_view name, std::string_view text, IpAddress* endpoint) {
  auto ip = IpAddress::parse(text);
  if (!ip) return false;
  out.add(std::string(name), ip->to_string(), LogValueType::ip);
  if (endpoint != nullptr) *endpoint = *ip;
  return true;
}

bool add_port_field(LogEvent& out, std::string_view name, std::string_view text, std::uint16_t* endpoint) {
  unsigned port = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || port > 65535) return false;
  out.add(std::string(name), std::to_string(port), LogValueType::integer);
  if (endpoint != nullptr) *endpoint = static_cast<std::uint16_t>(port);
  return true;
}

bool add_transport_field(LogEvent& out, std::string_view text) {
  if (text.empty()) return false;
  const auto proto = ip_proto_from_text(text);
  if (proto) {
    out.add("network.transport", transport_keyword(*proto));
    out.endpoints.ip_proto = *proto;
    return true;
  }
  std::string keyword(text);
  for (char& c : keyword) c = lower(c);
  out.add("network.transport", std::move(keyword));
  return true;
}

bool add_integer_field(LogEvent& out, std::string_view name, std::string_view text) {
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) return false;
  out.add(std::string(name), std::to_string(v), LogValueType::integer);
  return true;
}

}  // namespace opensoc::logparse
