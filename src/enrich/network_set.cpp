// NetworkSet: the internal networks as a prefix trie (see network_set.hpp).
// Parsed on the control thread; contains() runs on the indexer thread.
#include "enrich/network_set.hpp"

#include <array>
#include <string_view>

namespace opensoc::enrich {

Result<NetworkSet> NetworkSet::parse(const std::vector<std::string>& cidrs) {
  NetworkSet set;
  for (const auto& text : cidrs) {
    const auto cidr = parse_cidr(text);
    if (!cidr) return Error{"internal network '" + text + "' is not an address or CIDR network"};
    set.networks_.insert(cidr->first, cidr->second, 1);
  }
  return set;
}

NetworkSet NetworkSet::private_defaults() {
  static constexpr std::array<std::string_view, 9> kPrivate{
      "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "127.0.0.0/8",
      "169.254.0.0/16", "fc00::/7", "fe80::/10", "::1/128"};
  NetworkSet set;
  for (const auto text : kPrivate) {
    const auto cidr = parse_cidr(text);
    if (cidr) set.networks_.insert(cidr->first, cidr->second, 1);
  }
  return set;
}

bool NetworkSet::contains(const IpAddress& address) const noexcept {
  return networks_.longest_match(unmap_ipv4(address)) != nullptr;
}

}  // namespace opensoc::enrich
