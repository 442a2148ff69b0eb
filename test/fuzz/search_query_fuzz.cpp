// Fuzzes the analysts' search query parser (text straight from an API
// request). Beyond "no crash and no unbounded recursion": an error points
// inside the text (or just past it) and says something; an accepted tree has
// every span inside the text, children nested inside their parent, and_/or_
// flattened with at least two children, not_ with exactly one, a field name
// on every field and range; and it prints.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "search/query_parser.hpp"

namespace {

using opensoc::search::QueryNode;
using opensoc::search::QueryNodeKind;

void check_node(const QueryNode& n, std::size_t begin, std::size_t end, int depth) {
  // Each level of the tree costs at least one '(' or negation, or is a leaf.
  if (depth > 2 * opensoc::search::kMaxQueryDepth + 2) __builtin_trap();
  if (n.position < begin || n.position > end || n.length > end - n.position) __builtin_trap();
  switch (n.kind) {
    case QueryNodeKind::match_all:
      if (depth != 0 || !n.children.empty()) __builtin_trap();
      break;
    case QueryNodeKind::and_:
    case QueryNodeKind::or_:
      if (n.children.size() < 2) __builtin_trap();
      for (const QueryNode& c : n.children)
        if (c.kind == n.kind) __builtin_trap();  // should have been flattened
      break;
    case QueryNodeKind::not_:
      if (n.children.size() != 1) __builtin_trap();
      break;
    case QueryNodeKind::field:
      if (n.field.empty() || !n.children.empty()) __builtin_trap();
      break;
    case QueryNodeKind::range:
      if (n.field.empty() || !n.children.empty()) __builtin_trap();
      if ((n.has_low && n.low.empty()) || (n.has_high && n.high.empty())) __builtin_trap();
      break;
    case QueryNodeKind::text:
      if (n.value.empty() || n.length == 0 || !n.children.empty()) __builtin_trap();
      break;
  }
  for (const QueryNode& c : n.children) check_node(c, n.position, n.position + n.length, depth + 1);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto parsed = opensoc::search::parse_search_query(text);
  if (const auto* e = std::get_if<opensoc::search::QueryError>(&parsed)) {
    if (e->position > size || e->message.empty()) __builtin_trap();
    return 0;
  }
  const QueryNode& root = std::get<QueryNode>(parsed);
  check_node(root, 0, size, 0);
  const std::string printed = opensoc::search::to_debug_string(root);
  if (printed.size() < 5 || printed.front() != '(' || printed.back() != ')') __builtin_trap();
  return 0;
}
