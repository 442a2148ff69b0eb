#pragma once
// QueryCompiler: turns a parsed query (QueryNode) into a Xapian::Query over
// the terms and slots of index_terms.hpp. Pure function of its input; any
// thread; allocates (control plane, once per search request).
//
// Meaning of each form (analyst-facing; keep docs/ in step):
//   field:value      exact value (lower-cased). An alias is the OR of its
//                    fields; `host:` with an address or CIDR also searches
//                    source.ip and destination.ip. On a text field the value
//                    (quoted or not) must equal the whole field.
//   field:*.ex.com   domain fields: names strictly BELOW ex.com (a.ex.com,
//                    b.a.ex.com), never ex.com itself, as in Suricata's
//                    dotprefix and analysts' usage. One term, exact.
//   field:*ample.com domain fields: any name ending so (includes ample.com);
//                    a wildcard on the reversed name.
//   field:foo*       any value starting with foo (keyword, text, domain, ip
//                    text such as 10.1.*).
//   ip:10.0.0.0/12   CIDR. IPv4: any length (at most 128 terms). IPv6: /0,
//                    /8 to /64 and /120 to /128; other lengths would need more
//                    than 256 terms and are REFUSED with an error rather than
//                    silently over-matching. Host bits set are masked off.
//   port:443         numbers: exact value (fractional values via the slot).
//   bytes:>N >=N <N <=N N..M   number and time fields (time: RFC 3339 or
//                    Unix seconds with optional fraction). Number ranges and
//                    facets see only a field's FIRST value (the slot).
//   word / "a b c"   free text: every word (alnum run of 2..64) must occur;
//                    a word with none matches nothing. `foo*` wildcard on a
//                    word. A bare address or CIDR means `ip:`.
//   NOT x            everything except x (AND_NOT); inside an AND, the
//                    positives AND_NOT the OR of the negatives.
// Wildcards expand to at most kMaxWildcardExpansion terms; beyond that
// Xapian throws Xapian::WildcardError from Enquire::get_mset (the executor
// reports it as "wildcard too broad"), rather than silently under-matching.
#include <cstddef>
#include <variant>

#include "search/query_ast.hpp"

namespace Xapian {
class Query;
}

namespace opensoc::search {

inline constexpr unsigned kMaxWildcardExpansion = 10000;

/// Compiles `root` against the field schema. On error, the QueryError names
/// the offending node's position, and its message repeats it ("unknown
/// field 'dns.qname' at 0; did you mean dns.question.name?"). Errors: unknown
/// field, bad address/CIDR, unsupported CIDR length, bad number, bad time,
/// range on a non-number/non-time field, wildcard on a number/time field,
/// wildcard in the middle or at both ends, leading wildcard on a non-domain
/// field, NOT without exactly one operand.
std::variant<Xapian::Query, QueryError> compile_query(const QueryNode& root);

}  // namespace opensoc::search
