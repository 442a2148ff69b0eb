#pragma once
// What every intel loader fuzz harness asserts about one load, beyond "no
// crash": a refused feed says why; the report agrees with what was returned
// and keeps at most kMaxErrors messages; every value returned is already
// canonical (normalising it again changes nothing) with confidence and
// severity in range; and an IntelSet built from the result matches each
// indicator on its own value. A failed check traps. Single-threaded.
#include <string_view>
#include <vector>

#include "intel/indicator_normaliser.hpp"
#include "intel/intel_load_report.hpp"
#include "intel/intel_set.hpp"
#include "opensoc/core/enrichment.hpp"
#include "opensoc/core/result.hpp"

namespace opensoc::intel::fuzz {

inline void check_matches_itself(const IntelSet& set, const Indicator& ind) {
  std::vector<ThreatMatch> m;
  switch (ind.type) {
    case IndicatorType::ipv4:
    case IndicatorType::ipv6: {
      const auto a = IpAddress::parse(ind.value);
      if (!a) __builtin_trap();
      set.match_ip(*a, "f", 0, m);
      break;
    }
    case IndicatorType::cidr: {
      const auto a = IpAddress::parse(std::string_view(ind.value).substr(0, ind.value.find('/')));
      if (!a) __builtin_trap();
      set.match_ip(*a, "f", 0, m);
      break;
    }
    case IndicatorType::domain: set.match_domain(ind.value, "f", 0, m); break;
    case IndicatorType::url: set.match_url(ind.value, "f", 0, m); break;
    default: set.match_hash(ind.type, ind.value, "f", 0, m); break;
  }
  if (m.empty()) __builtin_trap();  // at packet time 0 nothing has expired
}

inline void check_load(const Result<std::vector<Indicator>>& r, const IntelLoadReport& report) {
  if (!r) {
    if (r.error().message.empty()) __builtin_trap();
    return;
  }
  if (report.loaded != r->size() || report.expired > report.loaded) __builtin_trap();
  if (report.errors.size() > IntelLoadReport::kMaxErrors || report.errors.size() > report.rejected) __builtin_trap();
  for (const Indicator& ind : *r) {
    const auto again = normalise_indicator(ind.type, ind.value);
    if (!again || again->type != ind.type || again->value != ind.value) __builtin_trap();
    if (ind.confidence > 100 || ind.severity < 1 || ind.severity > 4) __builtin_trap();
  }
  const auto set = IntelSet::build(*r);
  if (set->size() > r->size() || (set->size() == 0) != r->empty()) __builtin_trap();
  for (const Indicator& ind : *r) check_matches_itself(*set, ind);
}

}  // namespace opensoc::intel::fuzz
