#pragma once
// NetworkSet: the operator's "internal" networks (config `internal_networks`),
// answering whether an address is one of ours. Built on the control thread at
// load; immutable afterwards and safe to read from any thread.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "enrich/ip_prefix_trie.hpp"
#include "opensoc/core/ip_address.hpp"
#include "opensoc/core/result.hpp"

namespace opensoc::enrich {

class NetworkSet {
 public:
  /// Each entry is a CIDR network or a bare address. An Error names the first
  /// entry that is neither. An empty list gives an empty set.
  static Result<NetworkSet> parse(const std::vector<std::string>& cidrs);

  /// RFC 1918, 100.64.0.0/10 (CGNAT), 127.0.0.0/8, 169.254.0.0/16,
  /// fc00::/7, fe80::/10 and ::1: what is internal when the config says nothing.
  static NetworkSet private_defaults();

  /// True when some network of the set contains `address` (an IPv4-mapped
  /// IPv6 address counts as its IPv4 form). No allocation.
  [[nodiscard]] bool contains(const IpAddress& address) const noexcept;

  /// Number of distinct networks.
  [[nodiscard]] std::size_t size() const noexcept { return networks_.size(); }

 private:
  IpPrefixTrie<std::uint8_t> networks_;  // the value is unused: presence is the answer
};

}  // namespace opensoc::enrich
