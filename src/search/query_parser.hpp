#pragma once
// The analysts' search query language, text to QueryNode. Pure function of
// the text: no state, no I/O, safe from any thread (the API request thread
// calls it). Field names and value formats are not checked here; the query
// compiler does that, using the byte positions recorded in each node.
//
// Syntax (operators are case-sensitive):
//   a b, a AND b, a && b      all of        (juxtaposition is AND)
//   a OR b, a || b            any of        (binds looser than AND)
//   NOT a, !a, -a             negation      (binds tighter than AND; `-` must touch its term)
//   ( ... )                   grouping
//   word, "a phrase"          free text     ("\"" and "\\" escape inside quotes)
//   name:value                field         (value runs to whitespace or ')'; may hold ':' for
//                                            IPv6 and '*' for wildcards; name:"quoted" too)
//   name:>N  >=N  <N  <=N     one-sided range
//   name:N..M, name:[N TO M]  inclusive range; '*' on either side is open
// A word that is exactly AND, OR or NOT is an operator; quote it to search for it.
#include <string>
#include <string_view>
#include <variant>

#include "search/query_ast.hpp"

namespace opensoc::search {

/// Deepest nesting of parentheses and negations that parses; one more is an error.
inline constexpr int kMaxQueryDepth = 64;

/// Parses an analyst's query. Empty or all-whitespace text is match_all.
/// Never throws on malformed input (only std::bad_alloc can escape) and never
/// recurses deeper than kMaxQueryDepth levels of the grammar, so any bytes are
/// safe. On success every node's [position, position + length) lies within
/// `text`; parentheses are not nodes, and an and_/or_ node spans its first to
/// last child. Nested and_/or_ of the same kind are flattened into one node.
/// On error, QueryError::position is the byte offset the message points at.
std::variant<QueryNode, QueryError> parse_search_query(std::string_view text);

/// One-line S-expression of `node` for tests, logs and fuzzing, e.g.
/// "(and (field source.ip 10.0.0.0/8) (range destination.port 1 1024))".
/// Forms: (all), (and ...), (or ...), (not x), (field name value), (text value),
/// (range name low high). Quoted values print in double quotes with '"' and '\'
/// escaped; an open range bound prints as *, an exclusive one with a leading
/// '>' (low) or '<' (high). Recursion depth equals the tree's depth, which is
/// bounded for trees from parse_search_query.
std::string to_debug_string(const QueryNode& node);

}  // namespace opensoc::search
