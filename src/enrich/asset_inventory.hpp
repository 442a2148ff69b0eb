#pragma once
// AssetInventory: the operator's list of known hosts and networks (name,
// owner, role, criticality), read from a CSV or YAML file, answering "which
// asset is this address" by longest prefix. Loaded on the control thread;
// immutable afterwards and safe to read from any thread.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "enrich/ip_prefix_trie.hpp"
#include "opensoc/core/enrichment.hpp"
#include "opensoc/core/ip_address.hpp"
#include "opensoc/core/result.hpp"

namespace opensoc::enrich {

/// "low".."critical" (any case) or "1".."4"; "" is unknown. nullopt otherwise.
std::optional<Criticality> parse_criticality(std::string_view text);

class AssetInventory {
 public:
  /// Reads `path`, CSV for ".csv", YAML for ".yaml"/".yml".
  ///
  /// CSV: a header row naming the columns in any order (case-insensitive):
  /// `cidr` (or `address` / `ip`) and `name` are required; `owner`, `role`,
  /// `criticality` optional; others ignored. Fields may be double-quoted
  /// (commas inside, "" for a quote). Blank lines and lines starting with #
  /// are skipped.
  /// YAML: `assets: [ {cidr: , name: , owner: , role: , criticality: } ]`.
  ///
  /// A bad row (bad network, empty name, bad criticality, wrong field
  /// count) is appended to `warnings` as "file:line: reason" and skipped; a
  /// network listed twice keeps the later row (with a warning). Error: the
  /// file cannot be read, has an unknown extension, a missing header or
  /// required column, bad YAML, or rows of which none was usable.
  static Result<AssetInventory> load(const std::string& path, std::vector<std::string>& warnings);

  /// The CSV and YAML parsers behind load(); `name` is used in messages.
  static Result<AssetInventory> parse_csv(std::string_view text, std::string_view name,
                                          std::vector<std::string>& warnings);
  static Result<AssetInventory> parse_yaml(std::string_view text, std::string_view name,
                                           std::vector<std::string>& warnings);

  /// The asset of the longest listed prefix containing `address` (an
  /// IPv4-mapped address counts as IPv4), or nullptr. The pointer lives as
  /// long as the inventory. No allocation.
  [[nodiscard]] const AssetInfo* find(const IpAddress& address) const noexcept;

  /// Number of distinct networks listed.
  [[nodiscard]] std::size_t size() const noexcept { return assets_.size(); }

 private:
  class Builder;
  std::vector<AssetInfo> assets_;        // indexed by the trie's values
  IpPrefixTrie<std::uint32_t> by_network_;
};

}  // namespace opensoc::enrich
