// Threat intel (issue 5): indicators loaded from CSV feeds, STIX 2.1 bundles
// and the API become one immutable IntelSet. Built on a control thread
// (startup, reload, POST /api/v1/intel); the indexer thread matches every
// session's and event's addresses, names, URLs and fingerprints against the
// set it holds, and swaps to a new shared_ptr when one is published.
//
// Layout: exact addresses in a hash map (most feeds are single addresses),
// real CIDRs in the enrich module's prefix trie, domains in a hash map probed
// once per label suffix, URLs and fingerprints in hash maps. Keys for the
// text types are string_views into the owned indicators, so a probe with a
// view of the caller's (or a stack buffer's) bytes allocates nothing.
#include "intel/intel_set.hpp"

#include <algorithm>
#include <cstring>
#include <optional>

#include "intel/indicator_normaliser.hpp"

namespace opensoc::intel {
namespace {

constexpr char lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

constexpr std::size_t kHashIndexCount = 4;

std::size_t hash_slot(IndicatorType t) noexcept {
  switch (t) {
    case IndicatorType::ja3: return 0;
    case IndicatorType::ja4: return 1;
    case IndicatorType::cert_sha1: return 2;
    case IndicatorType::cert_sha256: return 3;
    default: return kHashIndexCount;
  }
}

bool newer_wins(const Indicator& incoming, const Indicator& held) noexcept {
  if (incoming.confidence != held.confidence) return incoming.confidence > held.confidence;
  if (held.expires == 0) return false;
  return incoming.expires == 0 || incoming.expires > held.expires;
}

}  // namespace

std::size_t IntelSet::AddressHash::operator()(const IpAddress& a) const noexcept {
  // FNV-1a over the used bytes and the version: cheap, and addresses in a
  // feed are spread enough that nothing stronger is needed.
  std::uint64_t h = 1469598103934665603ULL ^ a.version;
  for (std::size_t i = 0; i < a.size(); ++i) {
    h ^= a.bytes[i];
    h *= 1099511628211ULL;
  }
  return static_cast<std::size_t>(h ^ (h >> 29));
}

const IntelSet::ValueIndex* IntelSet::value_index(IndicatorType type) const noexcept {
  if (type == IndicatorType::domain) return &domains_;
  if (type == IndicatorType::url) return &urls_;
  const std::size_t slot = hash_slot(type);
  return slot < kHashIndexCount ? &hashes_[slot] : nullptr;
}

IntelSet::ValueIndex* IntelSet::value_index(IndicatorType type) noexcept {
  return const_cast<ValueIndex*>(static_cast<const IntelSet*>(this)->value_index(type));
}

std::shared_ptr<const IntelSet> IntelSet::build(std::vector<Indicator> input) {
  std::shared_ptr<IntelSet> set(new IntelSet());
  // Reserved once: push_back never reallocates, so views into values stay valid.
  set->indicators_.reserve(input.size());
  std::array<std::size_t, 9> expected{};
  for (const Indicator& in : input) ++expected[static_cast<std::size_t>(in.type)];
  // Reserved up front so that building is inserts without rehashing.
  set->addresses_.reserve(expected[static_cast<std::size_t>(IndicatorType::ipv4)] +
                          expected[static_cast<std::size_t>(IndicatorType::ipv6)]);
  set->domains_.reserve(expected[static_cast<std::size_t>(IndicatorType::domain)]);
  set->urls_.reserve(expected[static_cast<std::size_t>(IndicatorType::url)]);
  for (const IndicatorType t : {IndicatorType::ja3, IndicatorType::ja4, IndicatorType::cert_sha1, IndicatorType::cert_sha256})
    set->hashes_[hash_slot(t)].reserve(expected[static_cast<std::size_t>(t)]);

  for (Indicator& in : input) {
    std::optional<IpAddress> address;
    if (in.type == IndicatorType::ipv4 || in.type == IndicatorType::ipv6) {
      // Fast path for the bulk of most feeds: a plain address needs no more than a parse.
      address = IpAddress::parse(in.value);
      if (address) {
        address = enrich::unmap_ipv4(*address);
        in.type = address->version == 4 ? IndicatorType::ipv4 : IndicatorType::ipv6;
        in.value = address->to_string();
      }
    }
    if (!address) {
      auto n = normalise_indicator(in.type, in.value);
      if (!n) continue;
      in.type = n->type;
      in.value = std::move(n->value);
      if (in.type == IndicatorType::ipv4 || in.type == IndicatorType::ipv6) address = IpAddress::parse(in.value);
    }
    const auto index = static_cast<std::uint32_t>(set->indicators_.size());
    const std::uint32_t* held = nullptr;
    switch (in.type) {
      case IndicatorType::ipv4:
      case IndicatorType::ipv6: {
        if (!address) continue;
        const auto [it, inserted] = set->addresses_.try_emplace(*address, index);
        if (!inserted) held = &it->second;
        break;
      }
      case IndicatorType::cidr: {
        const auto net = enrich::parse_cidr(in.value);
        if (!net) continue;
        held = set->networks_.find(net->first, net->second);
        if (!held) set->networks_.insert(net->first, net->second, index);
        break;
      }
      default: {
        ValueIndex* values = set->value_index(in.type);
        if (!values) continue;
        const auto it = values->find(std::string_view(in.value));
        if (it != values->end()) {
          held = &it->second;
          break;
        }
        set->indicators_.push_back(std::move(in));
        const Indicator& stored = set->indicators_.back();
        values->emplace(std::string_view(stored.value), index);
        ++set->counts_[static_cast<std::size_t>(stored.type)];
        if (stored.type == IndicatorType::domain) set->longest_domain_ = std::max(set->longest_domain_, stored.value.size());
        continue;
      }
    }
    if (held) {
      Indicator& kept = set->indicators_[*held];
      if (newer_wins(in, kept)) {
        // Same type and value: keep kept.value, whose bytes an index key may view.
        kept.source = std::move(in.source);
        kept.description = std::move(in.description);
        kept.id = std::move(in.id);
        kept.confidence = in.confidence;
        kept.severity = in.severity;
        kept.expires = in.expires;
      }
      continue;
    }
    ++set->counts_[static_cast<std::size_t>(in.type)];
    set->indicators_.push_back(std::move(in));
  }
  return set;
}

void IntelSet::emit(std::uint32_t index, std::string_view field, std::string_view observed, TimestampNs now,
                    std::vector<ThreatMatch>& out) const {
  const Indicator& ind = indicators_[index];
  if (ind.expires != 0 && now >= ind.expires) return;
  out.push_back(ThreatMatch{ind, std::string(field), std::string(observed)});
}

void IntelSet::match_ip(const IpAddress& address, std::string_view field, TimestampNs now, std::vector<ThreatMatch>& out) const {
  const IpAddress a = enrich::unmap_ipv4(address);
  // Liveness is checked before to_string so that an expired hit allocates nothing.
  if (!addresses_.empty()) {
    if (const auto it = addresses_.find(a); it != addresses_.end()) {
      const Indicator& ind = indicators_[it->second];
      if (ind.expires == 0 || now < ind.expires) emit(it->second, field, a.to_string(), now, out);
    }
  }
  if (networks_.empty()) return;
  networks_.for_each_match(a, [&](std::uint32_t index) {
    const Indicator& ind = indicators_[index];
    if (ind.expires == 0 || now < ind.expires) emit(index, field, a.to_string(), now, out);
  });
}

void IntelSet::match_domain(std::string_view name, std::string_view field, TimestampNs now, std::vector<ThreatMatch>& out) const {
  if (domains_.empty()) return;
  std::string_view trimmed = name;
  if (!trimmed.empty() && trimmed.back() == '.') trimmed.remove_suffix(1);
  if (trimmed.empty()) return;
  // Only suffixes no longer than the longest indicator can match, so only
  // that tail is lowered, into a buffer on the stack.
  char lowered[kMaxDomainLength];
  const std::size_t tail = std::min({trimmed.size(), longest_domain_, sizeof lowered});
  const std::size_t offset = trimmed.size() - tail;
  for (std::size_t i = 0; i < tail; ++i) lowered[i] = lower(trimmed[offset + i]);
  for (std::size_t p = offset; p < trimmed.size(); ++p) {
    if (p != 0 && trimmed[p - 1] != '.') continue;  // suffixes start at a label
    const auto it = domains_.find(std::string_view(lowered + (p - offset), trimmed.size() - p));
    if (it != domains_.end()) emit(it->second, field, name, now, out);
  }
}

void IntelSet::match_url(std::string_view url, std::string_view field, TimestampNs now, std::vector<ThreatMatch>& out) const {
  if (urls_.empty()) return;
  char normalised[kMaxUrlLength];
  const std::size_t n = normalise_url_into(url, normalised, sizeof normalised);
  if (n == 0) return;
  const auto it = urls_.find(std::string_view(normalised, n));
  if (it != urls_.end()) emit(it->second, field, url, now, out);
}

void IntelSet::match_hash(IndicatorType type, std::string_view value, std::string_view field, TimestampNs now,
                          std::vector<ThreatMatch>& out) const {
  const std::size_t slot = hash_slot(type);
  if (slot >= kHashIndexCount || hashes_[slot].empty()) return;
  const ValueIndex& index = hashes_[slot];
  if (type == IndicatorType::ja4) {
    if (const auto it = index.find(value); it != index.end()) emit(it->second, field, value, now, out);
    return;
  }
  char hex[64];
  std::size_t n = 0;
  for (char c : value) {
    if (c == ':') continue;
    if (n == sizeof hex) return;  // longer than any hash indicator
    hex[n++] = lower(c);
  }
  if (const auto it = index.find(std::string_view(hex, n)); it != index.end()) emit(it->second, field, value, now, out);
}

}  // namespace opensoc::intel
