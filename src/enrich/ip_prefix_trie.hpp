#pragma once
// IpPrefixTrie<V>: a binary trie of IPv4 and IPv6 prefixes with a value per
// prefix, for longest-prefix lookups (asset inventory, internal networks,
// threat-intel CIDRs). Built once on a control thread; read-only afterwards,
// so any number of threads may look up concurrently without locks.
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "opensoc/core/ip_address.hpp"

namespace opensoc::enrich {

/// Parses "10.0.0.0/8", "2001:db8::/32" or a bare address (= /32 or /128).
/// Host bits below the prefix are cleared ("10.1.2.3/8" -> 10.0.0.0/8).
/// nullopt for anything else (bad address, prefix out of range, junk).
/// Leading and trailing blanks are ignored. Does not allocate.
std::optional<std::pair<IpAddress, std::uint8_t>> parse_cidr(std::string_view text);

/// ::ffff:a.b.c.d as the IPv4 address a.b.c.d; any other address unchanged.
/// Tables are keyed by the IPv4 form, so a dual-stack socket's view of an
/// IPv4 peer finds the same entry.
IpAddress unmap_ipv4(const IpAddress& address) noexcept;

/// Nodes live in one vector and link by 32-bit index; values live in a second
/// vector. IPv4 and IPv6 have separate roots, so 10.0.0.0/8 never matches an
/// IPv6 address. Lookups walk at most 33 / 129 nodes and never allocate.
/// Not thread-safe while being built; `const` methods are safe concurrently.
template <typename V>
class IpPrefixTrie {
 public:
  IpPrefixTrie() { nodes_.resize(2); }  // roots: [0] IPv4, [1] IPv6

  /// Stores `value` for `network`/`prefix_len` (bits past the prefix are
  /// ignored). A later insert of the same prefix replaces the value. A
  /// prefix longer than the family allows (33+ for IPv4, 129+ for IPv6) or
  /// an address with no version is ignored.
  void insert(const IpAddress& network, std::uint8_t prefix_len, V value) {
    const std::uint32_t bits = family_bits(network);
    if (bits == 0 || prefix_len > bits) return;
    std::uint32_t node = root(network);
    for (std::uint32_t i = 0; i < prefix_len; ++i) {
      const int b = bit(network, i);
      std::uint32_t next = nodes_[node].child[b];
      if (next == kNone) {
        next = static_cast<std::uint32_t>(nodes_.size());
        nodes_.push_back(Node{});
        nodes_[node].child[b] = next;
      }
      node = next;
    }
    if (nodes_[node].value == kNone) {
      nodes_[node].value = static_cast<std::uint32_t>(values_.size());
      values_.push_back(std::move(value));
    } else {
      values_[nodes_[node].value] = std::move(value);
    }
  }

  /// The value of the longest stored prefix containing `address`; nullptr
  /// when none does. The pointer lives as long as the trie is not modified.
  [[nodiscard]] const V* longest_match(const IpAddress& address) const noexcept {
    const V* best = nullptr;
    walk(address, [&](const V& v, std::uint8_t) { best = &v; });
    return best;
  }

  /// The value stored for exactly `network`/`prefix_len`, or nullptr.
  [[nodiscard]] const V* find(const IpAddress& network, std::uint8_t prefix_len) const noexcept {
    const std::uint32_t bits = family_bits(network);
    if (bits == 0 || prefix_len > bits) return nullptr;
    std::uint32_t node = root(network);
    for (std::uint32_t i = 0; i < prefix_len && node != kNone; ++i) node = nodes_[node].child[bit(network, i)];
    if (node == kNone || nodes_[node].value == kNone) return nullptr;
    return &values_[nodes_[node].value];
  }

  /// Calls `f(value)` or `f(value, prefix_len)` for every stored prefix that
  /// contains `address`, shortest first.
  template <class F>
  void for_each_match(const IpAddress& address, F&& f) const {
    walk(address, [&](const V& v, std::uint8_t len) {
      if constexpr (std::is_invocable_v<F&, const V&, std::uint8_t>) {
        f(v, len);
      } else {
        f(v);
      }
    });
  }

  /// Number of distinct prefixes stored.
  [[nodiscard]] std::size_t size() const noexcept { return values_.size(); }
  [[nodiscard]] bool empty() const noexcept { return values_.empty(); }

 private:
  static constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();

  struct Node {
    std::uint32_t child[2] = {kNone, kNone};
    std::uint32_t value = kNone;
  };

  static std::uint32_t family_bits(const IpAddress& a) noexcept {
    return a.version == 4 ? 32U : a.version == 6 ? 128U : 0U;
  }
  static std::uint32_t root(const IpAddress& a) noexcept { return a.version == 6 ? 1U : 0U; }
  static int bit(const IpAddress& a, std::uint32_t i) noexcept {
    return (a.bytes[i / 8] >> (7 - i % 8)) & 1;
  }

  template <class G>
  void walk(const IpAddress& address, G&& g) const noexcept(std::is_nothrow_invocable_v<G&, const V&, std::uint8_t>) {
    const std::uint32_t bits = family_bits(address);
    if (bits == 0) return;
    std::uint32_t node = root(address);
    for (std::uint32_t i = 0;; ++i) {
      if (nodes_[node].value != kNone) g(values_[nodes_[node].value], static_cast<std::uint8_t>(i));
      if (i == bits) return;
      node = nodes_[node].child[bit(address, i)];
      if (node == kNone) return;
    }
  }

  std::vector<Node> nodes_;
  std::vector<V> values_;
};

}  // namespace opensoc::enrich
