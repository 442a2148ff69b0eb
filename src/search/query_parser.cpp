#include "search/query_parser.hpp"

// Recursive descent over the query text, one precedence level per function
// (or -> and -> unary -> primary), tokens peeked straight from the text with no
// token list. Runs on whichever thread serves the search request; it owns
// nothing beyond the call. Recursion happens only at '(' and at negations,
// and both count against kMaxQueryDepth, so hostile input cannot exhaust the
// stack; everything else is a loop. Every byte read is index-checked against
// the text's size first.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "opensoc/core/result.hpp"

namespace opensoc::search {

namespace {

using NodeResult = Result<QueryNode, QueryError>;

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// Field names: ECS dotted names, @timestamp, short aliases. ASCII only, and
// checked by hand because <cctype> is undefined for negative chars.
bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '@' || c == '-';
}

// A free-text word ends where a new token could begin.
bool ends_word(char c) { return is_space(c) || c == '(' || c == ')' || c == '"'; }

// A field value may contain '(' and '"' (URLs, user agents) and ':' (IPv6);
// only whitespace or a closing group ends it.
bool ends_value(char c) { return is_space(c) || c == ')'; }

enum class TokenKind : std::uint8_t { end, lparen, rparen, and_op, or_op, not_op, minus, quote, word };

struct Token {
  TokenKind kind = TokenKind::end;
  std::size_t start = 0;
  std::size_t end = 0;  ///< one past the token's last byte (for word: the free-word extent)
};

bool starts_operand(TokenKind k) {
  return k == TokenKind::lparen || k == TokenKind::not_op || k == TokenKind::minus || k == TokenKind::quote ||
         k == TokenKind::word;
}

QueryError error_at(std::size_t position, std::string message) { return QueryError{position, std::move(message)}; }

std::size_t end_of(const QueryNode& n) { return n.position + n.length; }

// Moves `child` into `out`, splicing its children instead when it is the same
// kind of junction: (a b) c and a (b c) are both one and_ of three.
void append_flattened(std::vector<QueryNode>& out, QueryNode&& child, QueryNodeKind junction) {
  if (child.kind != junction) {
    out.push_back(std::move(child));
    return;
  }
  for (QueryNode& grandchild : child.children) out.push_back(std::move(grandchild));
}

QueryNode make_junction(QueryNodeKind kind, std::vector<QueryNode>&& children) {
  QueryNode node;
  node.kind = kind;
  node.position = children.front().position;
  node.length = end_of(children.back()) - node.position;
  node.children = std::move(children);
  return node;
}

// A range bound as typed; '*' means that side is open.
void set_low(QueryNode& node, std::string_view text, bool inclusive) {
  if (text == "*") return;
  node.has_low = true;
  node.low = std::string(text);
  node.low_inclusive = inclusive;
}

void set_high(QueryNode& node, std::string_view text, bool inclusive) {
  if (text == "*") return;
  node.has_high = true;
  node.high = std::string(text);
  node.high_inclusive = inclusive;
}

class QueryParser {
 public:
  explicit QueryParser(std::string_view text) : text_(text) {}

  NodeResult parse_query() {
    Token t = peek();
    if (t.kind == TokenKind::end) return QueryNode{};  // match_all
    NodeResult root = parse_or();
    if (!root) return root;
    t = peek();
    // parse_or stops only at the end or at a ')' it did not open.
    if (t.kind != TokenKind::end) return error_at(t.start, "unexpected ')'");
    return root;
  }

 private:
  // The byte at i, or NUL past the end: callers compare it with printable bytes only.
  char at(std::size_t i) const { return i < text_.size() ? text_[i] : '\0'; }
  bool has(std::size_t i) const { return i < text_.size(); }

  // The next token, skipping whitespace (pos_ moves past it; nothing else).
  Token peek() {
    while (has(pos_) && is_space(text_[pos_])) ++pos_;
    Token t;
    t.start = pos_;
    t.end = pos_;
    if (!has(pos_)) return t;
    const char c = text_[pos_];
    t.end = pos_ + 1;
    if (c == '(') {
      t.kind = TokenKind::lparen;
    } else if (c == ')') {
      t.kind = TokenKind::rparen;
    } else if (c == '"') {
      t.kind = TokenKind::quote;
    } else if (c == '!') {
      t.kind = TokenKind::not_op;
    } else if (c == '-') {
      t.kind = TokenKind::minus;
    } else if (c == '&' && at(pos_ + 1) == '&') {
      t.kind = TokenKind::and_op;
      t.end = pos_ + 2;
    } else if (c == '|' && at(pos_ + 1) == '|') {
      t.kind = TokenKind::or_op;
      t.end = pos_ + 2;
    } else {
      std::size_t e = pos_;
      while (has(e) && !ends_word(text_[e])) ++e;
      t.end = e;
      const std::string_view w = text_.substr(pos_, e - pos_);
      t.kind = w == "AND" ? TokenKind::and_op
               : w == "OR" ? TokenKind::or_op
               : w == "NOT" ? TokenKind::not_op
                            : TokenKind::word;
    }
    return t;
  }

  // Operators are named as typed; symbols in quotes so "'!' at 3" reads.
  std::string op_name(const Token& t) const {
    const std::string_view s = text_.substr(t.start, t.end - t.start);
    if (s == "AND" || s == "OR" || s == "NOT") return std::string(s);
    return "'" + std::string(s) + "'";
  }

  NodeResult parse_or() {
    NodeResult first = parse_and();
    if (!first) return first;
    Token t = peek();
    if (t.kind != TokenKind::or_op) return first;
    std::vector<QueryNode> children;
    append_flattened(children, std::move(*first), QueryNodeKind::or_);
    while ((t = peek()).kind == TokenKind::or_op) {
      pos_ = t.end;
      if (!starts_operand(peek().kind))
        return error_at(t.start, op_name(t) + " at " + std::to_string(t.start) + " needs a right-hand side");
      NodeResult rhs = parse_and();
      if (!rhs) return rhs;
      append_flattened(children, std::move(*rhs), QueryNodeKind::or_);
    }
    return make_junction(QueryNodeKind::or_, std::move(children));
  }

  NodeResult parse_and() {
    NodeResult first = parse_unary();
    if (!first) return first;
    std::vector<QueryNode> children;
    append_flattened(children, std::move(*first), QueryNodeKind::and_);
    for (;;) {
      const Token t = peek();
      if (t.kind == TokenKind::and_op) {
        pos_ = t.end;
        if (!starts_operand(peek().kind))
          return error_at(t.start, op_name(t) + " at " + std::to_string(t.start) + " needs a right-hand side");
      } else if (!starts_operand(t.kind)) {
        break;  // OR, ')' or the end: the caller's business
      }
      NodeResult rhs = parse_unary();
      if (!rhs) return rhs;
      append_flattened(children, std::move(*rhs), QueryNodeKind::and_);
    }
    if (children.size() == 1) return std::move(children.front());
    return make_junction(QueryNodeKind::and_, std::move(children));
  }

  NodeResult parse_unary() {
    const Token t = peek();
    switch (t.kind) {
      case TokenKind::not_op: {
        pos_ = t.end;
        if (!starts_operand(peek().kind))
          return error_at(t.start, op_name(t) + " at " + std::to_string(t.start) + " needs an operand");
        return negate(t.start, [this] { return parse_unary(); });
      }
      case TokenKind::minus: {
        pos_ = t.end;
        // `-` binds to the term it touches: "a - b" is more likely a typo than a negation.
        const TokenKind next = has(pos_) && !is_space(text_[pos_]) ? peek().kind : TokenKind::end;
        if (next != TokenKind::lparen && next != TokenKind::quote && next != TokenKind::word)
          return error_at(t.start, "'-' at " + std::to_string(t.start) + " needs a term right after it");
        return negate(t.start, [this] { return parse_primary(peek()); });
      }
      case TokenKind::and_op:
      case TokenKind::or_op:
        return error_at(t.start, op_name(t) + " at " + std::to_string(t.start) + " needs a left-hand side");
      case TokenKind::rparen:
        return error_at(t.start, "unexpected ')'");
      case TokenKind::end:
        return error_at(t.start, "expected a term at " + std::to_string(t.start));
      default:
        return parse_primary(t);
    }
  }

  template <typename ParseOperand>
  NodeResult negate(std::size_t start, ParseOperand parse_operand) {
    if (++depth_ > kMaxQueryDepth) return too_deep(start);
    NodeResult operand = parse_operand();
    --depth_;
    if (!operand) return operand;
    QueryNode node;
    node.kind = QueryNodeKind::not_;
    node.position = start;
    node.length = end_of(*operand) - start;
    node.children.push_back(std::move(*operand));
    return node;
  }

  static QueryError too_deep(std::size_t at) {
    return error_at(at, "nesting deeper than " + std::to_string(kMaxQueryDepth) + " levels at " + std::to_string(at));
  }

  // `t` is the peeked token at pos_: '(', '"' or a word.
  NodeResult parse_primary(const Token& t) {
    if (t.kind == TokenKind::lparen) return parse_group(t);
    if (t.kind == TokenKind::quote) {
      auto phrase = parse_quoted(t.start);
      if (!phrase) return phrase.error();
      if (phrase->empty()) return error_at(t.start, "empty phrase at " + std::to_string(t.start));
      return leaf(QueryNodeKind::text, t.start, std::move(*phrase), true);
    }
    std::size_t name_end = t.start;
    while (has(name_end) && is_name_char(text_[name_end])) ++name_end;
    if (name_end > t.start && at(name_end) == ':') return parse_field(t.start, name_end);
    pos_ = t.end;
    return leaf(QueryNodeKind::text, t.start, std::string(text_.substr(t.start, t.end - t.start)), false);
  }

  NodeResult parse_group(const Token& open) {
    pos_ = open.end;
    if (++depth_ > kMaxQueryDepth) return too_deep(open.start);
    const Token first = peek();
    if (first.kind == TokenKind::end) return unclosed(open.start);
    if (first.kind == TokenKind::rparen) return error_at(open.start, "empty parentheses at " + std::to_string(open.start));
    NodeResult inner = parse_or();
    if (!inner) return inner;
    const Token close = peek();
    if (close.kind != TokenKind::rparen) return unclosed(open.start);
    pos_ = close.end;
    --depth_;
    return inner;
  }

  static QueryError unclosed(std::size_t open) {
    return error_at(open, "expected ')' to close '(' at " + std::to_string(open));
  }

  // A "..." string starting at `open`; leaves pos_ after the closing quote.
  // Only \" and \\ are escapes: any other backslash is kept, so Windows paths
  // ("C:\Windows\x.exe") can be typed as they are.
  Result<std::string, QueryError> parse_quoted(std::size_t open) {
    std::string out;
    std::size_t i = open + 1;
    while (has(i)) {
      const char c = text_[i];
      if (c == '"') {
        pos_ = i + 1;
        return out;
      }
      if (c == '\\' && (at(i + 1) == '"' || at(i + 1) == '\\')) {
        out.push_back(text_[i + 1]);
        i += 2;
        continue;
      }
      out.push_back(c);
      ++i;
    }
    return error_at(open, "unterminated quote opened at " + std::to_string(open));
  }

  NodeResult parse_field(std::size_t start, std::size_t name_end) {
    const std::string name(text_.substr(start, name_end - start));
    const std::size_t v = name_end + 1;  // past ':'
    if (!has(v) || ends_value(text_[v])) return error_at(start, "empty value for field '" + name + "'");
    const char c = text_[v];
    if (c == '"') {
      auto value = parse_quoted(v);
      if (!value) return value.error();
      QueryNode node = leaf(QueryNodeKind::field, start, std::move(*value), true);
      node.field = name;
      return node;
    }
    if (c == '[') return parse_bracket_range(start, name, v);
    if (c == '>' || c == '<') {
      const bool inclusive = at(v + 1) == '=';
      const std::size_t b = v + (inclusive ? 2 : 1);
      if (at(b) == '"') {  // a quoted bound: @timestamp:>"1h ago"
        auto bound = parse_quoted(b);
        if (!bound) return bound.error();
        if (bound->empty()) return empty_bound(b, name);
        QueryNode node = range_node(start, name);
        if (c == '>')
          set_low(node, *bound, inclusive);
        else
          set_high(node, *bound, inclusive);
        return node;
      }
      std::size_t e = b;
      while (has(e) && !ends_value(text_[e])) ++e;
      if (e == b) return empty_bound(b, name);
      pos_ = e;
      QueryNode node = range_node(start, name);
      if (c == '>')
        set_low(node, text_.substr(b, e - b), inclusive);
      else
        set_high(node, text_.substr(b, e - b), inclusive);
      return node;
    }
    std::size_t e = v;
    while (has(e) && !ends_value(text_[e])) ++e;
    pos_ = e;
    const std::string_view value = text_.substr(v, e - v);
    const std::size_t dots = value.find("..");
    if (dots == std::string_view::npos) {
      QueryNode node = leaf(QueryNodeKind::field, start, std::string(value), false);
      node.field = name;
      return node;
    }
    const std::string_view low = value.substr(0, dots);
    const std::string_view high = value.substr(dots + 2);
    if (low.empty()) return empty_bound(v, name);
    if (high.empty()) return empty_bound(e, name);
    QueryNode node = range_node(start, name);
    set_low(node, low, true);
    set_high(node, high, true);
    return node;
  }

  // name:[low TO high], both inclusive; spaces allowed inside the brackets.
  NodeResult parse_bracket_range(std::size_t start, const std::string& name, std::size_t open) {
    auto skip_spaces = [this](std::size_t i) {
      while (has(i) && is_space(text_[i])) ++i;
      return i;
    };
    auto bound_end = [this](std::size_t i) {
      while (has(i) && !is_space(text_[i]) && text_[i] != ']') ++i;
      return i;
    };
    std::size_t i = skip_spaces(open + 1);
    const std::size_t low_end = bound_end(i);
    const std::string_view low = text_.substr(i, low_end - i);
    // "[ TO 5]": the TO is the keyword, not a low bound.
    if (low.empty() || (low == "TO" && at(low_end) != ']')) return empty_bound(i, name);
    i = skip_spaces(low_end);
    if (!(at(i) == 'T' && at(i + 1) == 'O' && (!has(i + 2) || is_space(text_[i + 2]) || text_[i + 2] == ']')))
      return error_at(i, "expected 'TO' in the range for field '" + name + "'");
    i = skip_spaces(i + 2);
    const std::size_t high_end = bound_end(i);
    if (high_end == i) return empty_bound(i, name);
    const std::string_view high = text_.substr(i, high_end - i);
    i = skip_spaces(high_end);
    if (at(i) != ']') return error_at(open, "expected ']' to close '[' at " + std::to_string(open));
    pos_ = i + 1;
    QueryNode node = range_node(start, name);
    set_low(node, low, true);
    set_high(node, high, true);
    return node;
  }

  static QueryError empty_bound(std::size_t at, const std::string& name) {
    return error_at(at, "empty range bound for field '" + name + "'");
  }

  // A node that ends at pos_ (the caller has consumed its text).
  QueryNode leaf(QueryNodeKind kind, std::size_t start, std::string value, bool quoted) const {
    QueryNode node;
    node.kind = kind;
    node.position = start;
    node.length = pos_ - start;
    node.value = std::move(value);
    node.quoted = quoted;
    return node;
  }

  QueryNode range_node(std::size_t start, const std::string& name) const {
    QueryNode node;
    node.kind = QueryNodeKind::range;
    node.position = start;
    node.length = pos_ - start;
    node.field = name;
    return node;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  int depth_ = 0;
};

void append_value(std::string& out, const std::string& value, bool quoted) {
  if (!quoted) {
    out += value;
    return;
  }
  out.push_back('"');
  for (const char c : value) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
}

void append_debug(std::string& out, const QueryNode& node) {
  switch (node.kind) {
    case QueryNodeKind::match_all:
      out += "(all)";
      return;
    case QueryNodeKind::and_:
    case QueryNodeKind::or_:
    case QueryNodeKind::not_:
      out += node.kind == QueryNodeKind::and_ ? "(and" : node.kind == QueryNodeKind::or_ ? "(or" : "(not";
      for (const QueryNode& child : node.children) {
        out.push_back(' ');
        append_debug(out, child);
      }
      out.push_back(')');
      return;
    case QueryNodeKind::field:
      out += "(field " + node.field + ' ';
      append_value(out, node.value, node.quoted);
      out.push_back(')');
      return;
    case QueryNodeKind::text:
      out += "(text ";
      append_value(out, node.value, node.quoted);
      out.push_back(')');
      return;
    case QueryNodeKind::range:
      out += "(range " + node.field + ' ';
      if (!node.has_low)
        out.push_back('*');
      else
        out += (node.low_inclusive ? "" : ">") + node.low;
      out.push_back(' ');
      if (!node.has_high)
        out.push_back('*');
      else
        out += (node.high_inclusive ? "" : "<") + node.high;
      out.push_back(')');
      return;
  }
  out += "(?)";
}

}  // namespace

std::variant<QueryNode, QueryError> parse_search_query(std::string_view text) {
  NodeResult r = QueryParser(text).parse_query();
  if (!r) return r.error();
  return std::move(r).value();
}

std::string to_debug_string(const QueryNode& node) {
  std::string out;
  append_debug(out, node);
  return out;
}

}  // namespace opensoc::search
