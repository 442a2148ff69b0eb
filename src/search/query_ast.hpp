#pragma once
// QueryNode: the parsed form of an analyst's search query, between the text
// parser (query_parser) and the Xapian compiler (query_compiler). Field names
// are kept as typed (ECS name or alias); the compiler resolves them.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace opensoc::search {

enum class QueryNodeKind : std::uint8_t {
  match_all,  ///< empty query
  and_,       ///< all children
  or_,        ///< any child
  not_,       ///< one child, negated (compiled as match_all AND_NOT child at top level)
  field,      ///< field:value, field:"quoted value", field:*.suffix, field:prefix*, field:10.0.0.0/8
  range,      ///< field:>N, field:>=N, field:<N, field:<=N, field:N..M
  text,       ///< a bare word or "quoted phrase": free text
};

struct QueryNode {
  QueryNodeKind kind = QueryNodeKind::match_all;
  std::size_t position = 0;  ///< byte offset of the node's first character in the query text
  std::size_t length = 0;    ///< bytes of query text the node spans
  std::string field;         ///< field/range: as typed
  std::string value;         ///< field/text: unquoted, escapes resolved
  bool quoted = false;       ///< value was in double quotes: no wildcard meaning
  // range: a missing bound is open; values as typed (number or time text)
  bool has_low = false;
  bool has_high = false;
  bool low_inclusive = true;
  bool high_inclusive = true;
  std::string low;
  std::string high;
  std::vector<QueryNode> children;
};

struct QueryError {
  std::size_t position = 0;  ///< byte offset of the offending character
  std::string message;       ///< e.g. "expected ')' to close '(' at 4"
};

}  // namespace opensoc::search
