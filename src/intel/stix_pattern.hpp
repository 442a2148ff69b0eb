#pragma once
// The subset of the STIX 2.1 patterning language that an indicator set can
// hold: equality comparisons on one observable's value, joined by OR. Pure
// function of the text; any thread.
#include <string>
#include <string_view>
#include <vector>

#include "opensoc/core/enrichment.hpp"
#include "opensoc/core/result.hpp"

namespace opensoc::intel {

/// One `object:path = 'value'` comparison, value unescaped but not normalised.
struct StixComparison {
  IndicatorType type = IndicatorType::ipv4;  ///< ipv4 for both address objects: the value decides
  std::string value;
};

/// Most comparisons one pattern may hold.
inline constexpr std::size_t kMaxStixComparisons = 10000;

/// Splits a pattern into its comparisons. Accepted: observation expressions
/// `[...]` holding comparisons on ipv4-addr:value / ipv6-addr:value (`=` or
/// ISSUBSET), domain-name:value, url:value, x509-certificate:hashes.'SHA-1' /
/// 'SHA-256' (`=`), joined by OR inside or between brackets, parentheses
/// allowed. Refused with the reason: AND, FOLLOWEDBY, NOT, qualifiers
/// (WITHIN, REPEATS, START/STOP), other operators, other objects or paths,
/// syntax errors.
Result<std::vector<StixComparison>> parse_stix_pattern(std::string_view pattern);

}  // namespace opensoc::intel
