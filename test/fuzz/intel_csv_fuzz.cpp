// Fuzzes the CSV feed loader (a feed file or an upload is untrusted text).
// Beyond "no crash": the report agrees with what was returned and keeps at
// most 100 messages; every value returned is already canonical (normalising
// it again changes nothing); and an IntelSet built from the result matches
// each indicator on its own value.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "intel/indicator_normaliser.hpp"
#include "intel/intel_csv_loader.hpp"
#include "intel/intel_set.hpp"

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
  if (m.empty()) __builtin_trap();  // at packet time 0 nothing has expired
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  opensoc::intel::IntelLoadReport report;
  auto r = opensoc::intel::parse_intel_csv(text, "fuzz", report);
  if (!r) {
    if (r.error().message.empty()) __builtin_trap();
    return 0;
  }
  if (report.loaded != r->size() || report.expired > report.loaded) __builtin_trap();
  if (report.errors.size() > opensoc::intel::IntelLoadReport::kMaxErrors || report.errors.size() > report.rejected) __builtin_trap();
  for (const Indicator& ind : *r) {
    const auto again = opensoc::intel::normalise_indicator(ind.type, ind.value);
    if (!again || again->type != ind.type || again->value != ind.value) __builtin_trap();
    if (ind.confidence > 100 || ind.severity < 1 || ind.severity > 4) __builtin_trap();
  }
  const auto set = opensoc::intel::IntelSet::build(*r);
  if (set->size() > r->size() || (set->size() == 0) != r->empty()) __builtin_trap();
  for (const Indicator& ind : *r) check_matches_itself(*set, ind);
  return 0;
}
