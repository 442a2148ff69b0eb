#pragma once
// IntelSet: the threat-intel indicators as an immutable matcher. Built once on
// a control thread (startup, feed reload, POST /api/v1/intel) and published as
// shared_ptr<const IntelSet>; the indexer thread matches sessions and events
// against the set it holds while the next one is built elsewhere. All const
// methods are safe from any number of threads at once; nothing is locked.
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "enrich/ip_prefix_trie.hpp"
#include "opensoc/core/enrichment.hpp"
#include "opensoc/core/ip_address.hpp"
#include "opensoc/core/time.hpp"

namespace opensoc::intel {

class IntelSet {
 public:
  /// Builds the matcher. Values are normalised again (so a hand-made
  /// Indicator with "EVIL.com." works); one that does not normalise is
  /// dropped. Duplicates (same type and value) collapse into one: the higher
  /// confidence wins, on a tie the later expiry (0, never, is latest).
  /// Blocking CPU work, about 0.3 s per 500,000 indicators; allocates.
  static std::shared_ptr<const IntelSet> build(std::vector<Indicator> indicators);

  /// Distinct indicators held.
  [[nodiscard]] std::size_t size() const noexcept { return indicators_.size(); }
  [[nodiscard]] std::size_t count(IndicatorType type) const noexcept { return counts_[static_cast<std::size_t>(type)]; }
  /// The indicators held, deduplicated and normalised, in first-seen order.
  [[nodiscard]] const std::vector<Indicator>& indicators() const noexcept { return indicators_; }

  // Each match_* appends a ThreatMatch{indicator, field, observed value} to
  // `out` for every indicator that matches and is live at `now` (packet time:
  // expires == 0 or now < expires). Nothing is allocated unless something
  // matches. `field` is the ECS field the caller took the value from.

  /// The address itself (ipv4 / ipv6 indicators) and every cidr containing it.
  /// An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is matched as a.b.c.d.
  void match_ip(const IpAddress& address, std::string_view field, TimestampNs now, std::vector<ThreatMatch>& out) const;
  /// Domain indicators equal to `name` or a parent of it: "a.b.evil.com"
  /// matches "evil.com" and "b.evil.com", never "notevil.com" matching
  /// "evil.com". ASCII case-insensitive; one trailing dot ignored.
  void match_domain(std::string_view name, std::string_view field, TimestampNs now, std::vector<ThreatMatch>& out) const;
  /// URL indicators equal to `url` once both are normalised
  /// (normalise_url_into: scheme and host case, default port, fragment).
  void match_url(std::string_view url, std::string_view field, TimestampNs now, std::vector<ThreatMatch>& out) const;
  /// `type` is ja3, ja4, cert_sha1 or cert_sha256 (other types match
  /// nothing). Hex values are compared case-insensitively, colons ignored;
  /// ja4 exactly.
  void match_hash(IndicatorType type, std::string_view value, std::string_view field, TimestampNs now,
                  std::vector<ThreatMatch>& out) const;

 private:
  IntelSet() = default;

  struct AddressHash {
    std::size_t operator()(const IpAddress& a) const noexcept;
  };
  // Keys view the values in indicators_, which never reallocates after build.
  using ValueIndex = std::unordered_map<std::string_view, std::uint32_t>;

  void emit(std::uint32_t index, std::string_view field, std::string_view observed, TimestampNs now,
            std::vector<ThreatMatch>& out) const;
  const ValueIndex* value_index(IndicatorType type) const noexcept;
  ValueIndex* value_index(IndicatorType type) noexcept;

  std::vector<Indicator> indicators_;
  std::array<std::size_t, 9> counts_{};
  std::unordered_map<IpAddress, std::uint32_t, AddressHash> addresses_;
  enrich::IpPrefixTrie<std::uint32_t> networks_;
  ValueIndex domains_;
  ValueIndex urls_;
  std::array<ValueIndex, 4> hashes_;  // ja3, ja4, cert_sha1, cert_sha256
  std::size_t longest_domain_ = 0;
};

}  // namespace opensoc::intel
