#pragma once
// Pieces every behavioural detector shares: the evidence of one session, the
// address hash of their tables, the eviction of a full table and the common
// fields of a behaviour hit. Called on the indexer thread by the detectors
// (inside BehaviourDetectors); nothing here keeps state.
#include <algorithm>
#include <cstddef>
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "opensoc/core/alert.hpp"
#include "opensoc/core/protocol_event.hpp"
#include "opensoc/core/time.hpp"

namespace opensoc::detect {

/// Fixed signature ids of the behavioural detectors (DetectionHit::signature_id).
enum BehaviourSid : std::uint32_t {
  kSidVolumeBaseline = 9000001,
  kSidLargeUpload = 9000002,
  kSidDnsTunnel = 9000003,
  kSidBeacon = 9000004,
  kSidHorizontalScan = 9000005,
  kSidVerticalScan = 9000006,
  kSidNewExternalDestination = 9000007,
};

/// The AlertEvidence of one session record: its ids, endpoints, times,
/// bytes each way and application protocol (when known).
[[nodiscard]] AlertEvidence session_evidence(const SessionRecord& r);

/// The same without heap strings, for a detector that keeps many sessions
/// per key (every final session of a busy network passes through them): no
/// allocation per session; expanded to AlertEvidence only for a hit.
struct CompactEvidence {
  std::uint64_t session_id = 0;
  TimestampNs first_ts = 0, last_ts = 0;
  std::uint64_t bytes_out = 0, bytes_in = 0;
  Endpoints endpoints;
  AppProtocol app = AppProtocol::unknown;
  std::uint8_t community_id_len = 0;
  std::array<char, 48> community_id{};  ///< "1:" + base64 of a SHA-1 is 30 characters
};
[[nodiscard]] CompactEvidence compact_session_evidence(const SessionRecord& r) noexcept;
[[nodiscard]] AlertEvidence expand_evidence(const CompactEvidence& c);

/// Hash for tables keyed by an IpAddress (all bytes plus the version).
struct IpAddressHash {
  std::size_t operator()(const IpAddress& a) const noexcept {
    const std::string_view bytes(reinterpret_cast<const char*>(a.bytes.data()), a.bytes.size());
    return std::hash<std::string_view>{}(bytes) ^ a.version;
  }
};

/// Erases the stalest eighth (by the values' `last_seen`) of a full table at
/// once, so that a full table costs O(1) amortised per new key rather than a
/// scan each time. Returns how many entries were erased. Allocates one
/// vector of table size; `table` must not be empty.
template <typename Table>
std::uint64_t evict_stalest_eighth(Table& table) {
  std::vector<TimestampNs> seen;
  seen.reserve(table.size());
  for (const auto& [_, v] : table) seen.push_back(v.last_seen);
  auto cut = seen.begin() + static_cast<std::ptrdiff_t>(seen.size() / 8);
  std::nth_element(seen.begin(), cut, seen.end());
  const TimestampNs cutoff = *cut;
  std::uint64_t erased = 0;
  for (auto it = table.begin(); it != table.end();) {
    if (it->second.last_seen <= cutoff) {
      it = table.erase(it);
      ++erased;
    } else {
      ++it;
    }
  }
  return erased;
}

/// The entry of `key` in a table of tumbling windows (values with
/// window_start and last_seen) for an input at packet time `ts`: created,
/// after evicting the stalest eighth (counted in `evictions`) when the table
/// already holds `max_entries`; restarted empty when its window of
/// `window_ns` has passed. The reference is valid until the table changes.
template <typename Table, typename Key>
typename Table::mapped_type& tumbling_window(Table& table, const Key& key, TimestampNs ts, TimestampNs window_ns,
                                             std::size_t max_entries, std::uint64_t& evictions) {
  using Window = typename Table::mapped_type;
  auto it = table.find(key);
  if (it == table.end()) {
    if (table.size() >= max_entries) evictions += evict_stalest_eighth(table);
    it = table.emplace(typename Table::key_type(key), Window{}).first;
    it->second.window_start = ts;
  }
  Window& w = it->second;
  if (ts - w.window_start >= window_ns) {
    w = Window{};
    w.window_start = ts;
  }
  w.last_seen = std::max(w.last_seen, ts);
  return w;
}

/// The fields every behaviour hit sets the same way: kind behaviour, rev 1,
/// its rule name, signature id, category, severity (1 high .. 4 info),
/// confidence (0..100) and packet time. The caller adds the sentence,
/// endpoints, evidence, dedup key and details.
[[nodiscard]] DetectionHit behaviour_hit(std::string_view rule_id, std::uint32_t signature_id, std::string_view category,
                                         std::uint8_t severity, std::uint8_t confidence, TimestampNs ts);

}  // namespace opensoc::detect
