#include "detect/dns_tunnel_detector.hpp"

// DNS tunnel detection. A tunnel (iodine, dnscat2, DNS exfiltration malware)
// must put its data in the query names it sends to the one authoritative
// server it controls, so under one registered domain it produces
//   - many distinct subdomains (each chunk of data is a new name),
//   - labels that are long and random (base32/base64/hex encoded data),
//   - or many TXT/NULL queries (the record types that carry data back).
// Each is counted per registered domain over a tumbling window of window_s
// starting with the domain's first query; reaching any threshold raises one
// hit for that domain and window. Only queries are counted (responses repeat
// the question). Reverse lookups (.arpa) and mDNS (.local) are skipped: a
// busy resolver asks about thousands of distinct addresses legitimately.
// Runs on the indexer thread.

#include <algorithm>
#include <array>
#include <cmath>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "detect/detector_support.hpp"
#include "opensoc/core/json_writer.hpp"

namespace opensoc::detect {
namespace {

constexpr std::size_t kMaxDomains = 4096;
constexpr std::size_t kEvidencePerDomain = 32;
constexpr std::uint16_t kTypeNull = 10;
constexpr std::uint16_t kTypeTxt = 16;

// Second-level labels under which registrars sell names (a small list, not
// the Public Suffix List: enough to keep example.co.uk from being "co.uk").
constexpr std::array<std::string_view, 32> kPublicSecondLevel = {
    "co.uk",  "org.uk", "ac.uk",  "gov.uk", "me.uk",  "net.uk", "com.au", "net.au",
    "org.au", "edu.au", "gov.au", "co.nz",  "org.nz", "co.jp",  "ne.jp",  "or.jp",
    "ac.jp",  "co.za",  "com.br", "com.cn", "com.tw", "com.hk", "com.sg", "com.mx",
    "com.ar", "com.tr", "co.in",  "co.kr",  "co.il",  "com.my", "com.ua", "co.id",
};

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Lets the domain table be searched with a string_view (no copy per query).
struct DomainHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

struct DomainWindow {
  TimestampNs window_start = 0;
  TimestampNs last_seen = 0;
  std::unordered_set<std::uint64_t> subdomains;  // hashes, at most the threshold
  std::uint32_t queries = 0;
  std::uint32_t long_high_entropy = 0;
  std::uint32_t txt_null = 0;
  bool alerted = false;
  std::vector<AlertEvidence> evidence;  // distinct sessions, the last kEvidencePerDomain
};

// True when some label of `prefix` is at least `min_len` long and random-looking.
bool has_long_random_label(std::string_view prefix, std::uint32_t min_len, double min_entropy) {
  while (!prefix.empty()) {
    const std::size_t dot = prefix.find('.');
    const std::string_view label = prefix.substr(0, dot);
    if (label.size() >= min_len && shannon_entropy(label) >= min_entropy) return true;
    if (dot == std::string_view::npos) break;
    prefix.remove_prefix(dot + 1);
  }
  return false;
}

}  // namespace

std::string_view registered_domain(std::string_view name) noexcept {
  while (!name.empty() && name.back() == '.') name.remove_suffix(1);
  const std::size_t last = name.rfind('.');
  if (last == std::string_view::npos || last == 0) return name;
  const std::size_t second = name.rfind('.', last - 1);
  if (second == std::string_view::npos) return name;
  const std::string_view two = name.substr(second + 1);
  if (std::find(kPublicSecondLevel.begin(), kPublicSecondLevel.end(), two) == kPublicSecondLevel.end()) return two;
  if (second == 0) return name;
  const std::size_t third = name.rfind('.', second - 1);
  return third == std::string_view::npos ? name : name.substr(third + 1);
}

double shannon_entropy(std::string_view label) noexcept {
  if (label.empty()) return 0;
  std::array<std::uint32_t, 256> counts{};
  for (const char c : label) ++counts[static_cast<unsigned char>(c)];
  double bits = 0;
  const double n = static_cast<double>(label.size());
  for (const std::uint32_t c : counts) {
    if (c == 0) continue;
    const double p = static_cast<double>(c) / n;
    bits -= p * std::log2(p);
  }
  return bits;
}

struct DnsTunnelDetector::State {
  DnsTunnelConfig config;
  std::unordered_map<std::string, DomainWindow, DomainHash, std::equal_to<>> domains;
  std::string lower;  // reused buffer for the lower-cased query name
  std::uint64_t evictions = 0;

  void on_query(const ProtocolEvent& ev, const DnsQuestionEntry& q, std::vector<DetectionHit>& out);
  DomainWindow& window_for(std::string_view domain, TimestampNs ts);
  [[nodiscard]] const char* tripped(const DomainWindow& d) const;
};

DomainWindow& DnsTunnelDetector::State::window_for(std::string_view domain, TimestampNs ts) {
  return tumbling_window(domains, domain, ts, static_cast<TimestampNs>(config.window_s) * kNsPerSecond, kMaxDomains,
                         evictions);
}

// A threshold of 0 switches that criterion off.
const char* DnsTunnelDetector::State::tripped(const DomainWindow& d) const {
  if (config.unique_subdomains > 0 && d.subdomains.size() >= config.unique_subdomains) return "unique_subdomains";
  if (config.long_high_entropy_queries > 0 && d.long_high_entropy >= config.long_high_entropy_queries)
    return "long_high_entropy_queries";
  if (config.txt_null_queries > 0 && d.txt_null >= config.txt_null_queries) return "txt_null_queries";
  return nullptr;
}

void DnsTunnelDetector::State::on_query(const ProtocolEvent& ev, const DnsQuestionEntry& q, std::vector<DetectionHit>& out) {
  lower.assign(q.name);
  for (char& c : lower) c = static_cast<char>((c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c);
  while (!lower.empty() && lower.back() == '.') lower.pop_back();
  if (lower.empty() || ends_with(lower, ".arpa") || lower == "arpa" || ends_with(lower, ".local")) return;

  const std::string_view name(lower);
  const std::string_view domain = registered_domain(name);
  DomainWindow& d = window_for(domain, ev.ts);
  ++d.queries;
  if (name.size() > domain.size() + 1) {
    const std::string_view prefix = name.substr(0, name.size() - domain.size() - 1);
    if (d.subdomains.size() < config.unique_subdomains) d.subdomains.insert(std::hash<std::string_view>{}(prefix));
    if (has_long_random_label(prefix, config.long_label, config.entropy_bits)) ++d.long_high_entropy;
  }
  if (q.type == kTypeTxt || q.type == kTypeNull) ++d.txt_null;

  if (d.evidence.empty() || d.evidence.back().session_id != ev.session_id) {
    if (d.evidence.size() >= kEvidencePerDomain) d.evidence.erase(d.evidence.begin());
    AlertEvidence e;
    e.session_id = ev.session_id;
    e.community_id = ev.community_id;
    e.endpoints = ev.endpoints;
    e.first_ts = ev.session_start;
    e.app_protocol = "dns";
    d.evidence.push_back(std::move(e));
  }
  d.evidence.back().last_ts = ev.ts;

  if (d.alerted) return;
  const char* reason = tripped(d);
  if (reason == nullptr) return;
  d.alerted = true;

  DetectionHit hit = behaviour_hit("dns_tunnel", kSidDnsTunnel, "command-and-control", 2, 60, ev.ts);
  hit.signature = fmt::format(
      "possible DNS tunnel under {}: {} distinct subdomains, {} queries with long high-entropy labels, {} TXT/NULL queries "
      "in {} queries within {} s",
      domain, d.subdomains.size(), d.long_high_entropy, d.txt_null, d.queries, config.window_s);
  hit.endpoints = ev.endpoints;
  hit.evidence = d.evidence;
  hit.dedup_key = fmt::format("dns_tunnel|{}", domain);
  JsonWriter w(hit.details_json);
  w.begin_object()
      .field("domain", domain)
      .field("triggered", reason)
      .field("queries", d.queries)
      .field("observed_unique_subdomains", static_cast<std::uint64_t>(d.subdomains.size()))
      .field("observed_long_high_entropy_queries", d.long_high_entropy)
      .field("observed_txt_null_queries", d.txt_null)
      .field("threshold_unique_subdomains", config.unique_subdomains)
      .field("threshold_long_high_entropy_queries", config.long_high_entropy_queries)
      .field("threshold_txt_null_queries", config.txt_null_queries)
      .field("long_label", config.long_label)
      .field("entropy_bits", config.entropy_bits)
      .field("window_s", config.window_s)
      .end_object();
  out.push_back(std::move(hit));
}

DnsTunnelDetector::DnsTunnelDetector(const DnsTunnelConfig& config) : state_(std::make_unique<State>()) {
  state_->config = config;
}
DnsTunnelDetector::~DnsTunnelDetector() = default;
DnsTunnelDetector::DnsTunnelDetector(DnsTunnelDetector&&) noexcept = default;
DnsTunnelDetector& DnsTunnelDetector::operator=(DnsTunnelDetector&&) noexcept = default;

void DnsTunnelDetector::on_event(const ProtocolEvent& event, std::vector<DetectionHit>& out) {
  if (!state_->config.enabled) return;
  const auto* dns = std::get_if<DnsEvent>(&event.body);
  if (dns == nullptr || dns->response) return;
  for (const DnsQuestionEntry& q : dns->queries) state_->on_query(event, q, out);
}

void DnsTunnelDetector::advance(TimestampNs now) {
  const TimestampNs window = static_cast<TimestampNs>(state_->config.window_s) * kNsPerSecond;
  std::erase_if(state_->domains, [&](const auto& kv) { return now - kv.second.window_start >= window; });
}

void DnsTunnelDetector::reconfigure(const DnsTunnelConfig& config) { state_->config = config; }
std::uint64_t DnsTunnelDetector::evictions() const noexcept { return state_->evictions; }
std::size_t DnsTunnelDetector::tracked_domains() const noexcept { return state_->domains.size(); }

}  // namespace opensoc::detect
