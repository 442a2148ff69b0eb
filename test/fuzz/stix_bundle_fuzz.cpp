// Fuzzes the JSON loaders: STIX 2.1 bundles (TAXII downloads, exports) and the
// POST /api/v1/intel body, both untrusted text, and the STIX pattern parser on
// the raw bytes. Beyond "no crash": the report agrees with what was returned;
// every value returned is already canonical; an IntelSet built from the
// result matches each indicator on its own value; an accepted pattern has at
// least one comparison and no more than the limit.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "intel/indicator_normaliser.hpp"
#include "intel/intel_json_loader.hpp"
#include "intel/intel_set.hpp"
#include "intel/stix_bundle_loader.hpp"
#include "intel/stix_pattern.hpp"

namespace {

using opensoc::Indicator;
using opensoc::IndicatorType;
using opensoc::ThreatMatch;

void check_matches_itself(const opensoc::intel::IntelSet& set, const Indicator& ind) {
  std::vector<ThreatMatch> m;
  switch (ind.type) {
    case IndicatorType::ipv4:
    case IndicatorType::ipv6: {
      const auto a = opensoc::IpAddress::parse(ind.value);
      if (!a) __builtin_trap();
      set.match_ip(*a, "f", 0, m);
      break;
    }
    case IndicatorType::cidr: {
      const auto a = opensoc::IpAddress::parse(std::string_view(ind.value).substr(0, ind.value.find('/')));
      if (!a) __builtin_trap();
      set.match_ip(*a, "f", 0, m);
      break;
    }
    case IndicatorType::domain: set.match_domain(ind.value, "f", 0, m); break;
    case IndicatorType::url: set.match_url(ind.value, "f", 0, m); break;
    default: set.match_hash(ind.type, ind.value, "f", 0, m); break;
  }
  if (m.empty()) __builtin_trap();
}

void check(const opensoc::Result<std::vector<Indicator>>& r, const opensoc::intel::IntelLoadReport& report) {
  if (!r) {
    if (r.error().message.empty()) __builtin_trap();
    return;
  }
  if (report.loaded != r->size() || report.expired > report.loaded) __builtin_trap();
  if (report.errors.size() > opensoc::intel::IntelLoadReport::kMaxErrors || report.errors.size() > report.rejected) __builtin_trap();
  for (const Indicator& ind : *r) {
    const auto again = opensoc::intel::normalise_indicator(ind.type, ind.value);
    if (!again || again->type != ind.type || again->value != ind.value || ind.confidence > 100) __builtin_trap();
  }
  const auto set = opensoc::intel::IntelSet::build(*r);
  for (const Indicator& ind : *r) check_matches_itself(*set, ind);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  {
    opensoc::intel::IntelLoadReport report;
    check(opensoc::intel::parse_stix_bundle(text, "fuzz", report), report);
  }
  {
    opensoc::intel::IntelLoadReport report;
    check(opensoc::intel::parse_intel_json(text, "fuzz", report), report);
  }
  const auto p = opensoc::intel::parse_stix_pattern(text);
  if (p && (p->empty() || p->size() > opensoc::intel::kMaxStixComparisons)) __builtin_trap();
  if (!p && p.error().message.empty()) __builtin_trap();
  return 0;
}
