// Stenographer query text -> SliceQuery (steno_query.hpp). Runs on the API
// thread for each slice request with a query; the input is untrusted, so
// every failure is a QueryError naming the column, and both recursion
// (parentheses) and input size are bounded before anything is built.
//
// Shape: a tokenizer over the whole text, then recursive descent with one
// level per parenthesis. Each level collects "term (and|or term)*" and folds
// it left-to-right (equal precedence, as Stenographer's yacc grammar has),
// building runs of the same operator as balanced trees so that a long list of
// alternatives stays shallow.
#include "slice/steno_query.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "slice/time_value.hpp"
#include "slice/query_text.hpp"

namespace opensoc::slice {
namespace {

using Op = FilterExpr::Node::Op;

struct Token {
  enum class Kind : std::uint8_t { word, quoted, lparen, rparen, and_op, or_op, end };
  Kind kind = Kind::end;
  std::string_view text;
  std::uint32_t column = 0;  // 1-based
};

bool is_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

QueryError error_at(std::uint32_t column, const std::string& what) {
  return QueryError{"query", "column " + std::to_string(column) + ": " + what, column};
}

// Splits the text; the only failure is an unterminated quote.
std::optional<QueryError> tokenize(std::string_view s, std::vector<Token>& out) {
  std::size_t i = 0;
  const auto col = [](std::size_t pos) { return static_cast<std::uint32_t>(pos + 1); };
  while (i < s.size()) {
    const char c = s[i];
    if (is_space(c)) {
      ++i;
    } else if (c == '(' || c == ')') {
      out.push_back({c == '(' ? Token::Kind::lparen : Token::Kind::rparen, s.substr(i, 1), col(i)});
      ++i;
    } else if ((c == '&' || c == '|') && i + 1 < s.size() && s[i + 1] == c) {
      out.push_back({c == '&' ? Token::Kind::and_op : Token::Kind::or_op, s.substr(i, 2), col(i)});
      i += 2;
    } else if (c == '"') {
      const std::size_t close = s.find('"', i + 1);
      if (close == std::string_view::npos) return error_at(col(i), "unterminated quoted string");
      out.push_back({Token::Kind::quoted, s.substr(i + 1, close - i - 1), col(i)});
      i = close + 1;
    } else {
      const std::size_t begin = i;
      while (i < s.size() && !is_space(s[i]) && s[i] != '(' && s[i] != ')' && s[i] != '"' &&
             !((s[i] == '&' || s[i] == '|') && i + 1 < s.size() && s[i + 1] == s[i])) {
        ++i;
      }
      const std::string_view w = s.substr(begin, i - begin);
      Token::Kind k = Token::Kind::word;
      if (iequals(w, "and")) k = Token::Kind::and_op;
      if (iequals(w, "or")) k = Token::Kind::or_op;
      out.push_back({k, w, col(begin)});
    }
  }
  out.push_back({Token::Kind::end, {}, col(s.size())});
  return std::nullopt;
}

// One term of a level: a filter, or a before/after that was applied to the
// query's time range and contributes no filter.
struct Term {
  FilterExpr filter;
  bool is_time = false;
  std::uint32_t column = 0;
};

class Parser {
 public:
  Parser(std::vector<Token> tokens, TimestampNs now) : tokens_(std::move(tokens)), now_(now) {}

  QueryResult<SliceQuery> run() {
    if (tokens_.front().kind == Token::Kind::end) return error_at(1, "empty query");
    auto filter = expr(0);
    if (!filter) return *error_;
    const Token& t = peek();
    if (t.kind == Token::Kind::rparen) return error_at(t.column, "unmatched ')'");
    if (t.kind != Token::Kind::end) return error_at(t.column, "expected 'and' or 'or' before " + quote(t.text));
    if (filter->depth() > kMaxParsedFilterDepth) return error_at(1, "query is too complex (filter too deep)");
    query_.filter = std::move(*filter);
    return std::move(query_);
  }

 private:
  const Token& peek() const { return tokens_[pos_]; }
  const Token& next() { return tokens_[pos_ < tokens_.size() - 1 ? pos_++ : pos_]; }

  std::nullopt_t fail(QueryError e) {
    if (!error_) error_ = std::move(e);
    return std::nullopt;
  }

  // term ((and|or) term)*, folded left to right.
  std::optional<FilterExpr> expr(std::size_t depth) {
    std::vector<Term> terms;
    std::vector<Op> ops;
    auto first = term(depth);
    if (!first) return std::nullopt;
    terms.push_back(std::move(*first));
    while (peek().kind == Token::Kind::and_op || peek().kind == Token::Kind::or_op) {
      ops.push_back(next().kind == Token::Kind::and_op ? Op::all_of : Op::any_of);
      auto t = term(depth);
      if (!t) return std::nullopt;
      terms.push_back(std::move(*t));
    }
    // Left-associative: term i is a conjunct of the whole only if every
    // operator from the one joining it onwards is "and", i.e. it comes after
    // the last "or" plus its right operand.
    std::size_t first_top_conjunct = 0;
    for (std::size_t k = 0; k < ops.size(); ++k) {
      if (ops[k] == Op::any_of) first_top_conjunct = k + 2;
    }
    for (std::size_t i = 0; i < terms.size() && i < first_top_conjunct; ++i) {
      if (terms[i].is_time) {
        return fail(error_at(terms[i].column, "'before' and 'after' may only be joined to the query with 'and'"));
      }
    }
    // Drop the time terms with the "and" that joined each (all of those are
    // "and"), then fold runs of one operator as balanced trees.
    std::vector<FilterExpr> operands;
    std::vector<Op> joins;
    for (std::size_t i = 0; i < terms.size(); ++i) {
      if (terms[i].is_time) continue;
      if (!operands.empty()) joins.push_back(ops[i - 1]);
      operands.push_back(std::move(terms[i].filter));
    }
    if (operands.empty()) return FilterExpr{};
    FilterExpr acc = std::move(operands[0]);
    std::size_t i = 0;
    while (i < joins.size()) {
      std::size_t j = i;
      while (j < joins.size() && joins[j] == joins[i]) ++j;
      std::vector<FilterExpr> run;
      run.reserve(j - i + 1);
      run.push_back(std::move(acc));
      for (std::size_t k = i; k < j; ++k) run.push_back(std::move(operands[k + 1]));
      acc = FilterExpr::combine_all(joins[i], std::move(run));
      i = j;
    }
    return acc;
  }

  std::optional<Term> term(std::size_t depth) {
    const Token& t = next();
    switch (t.kind) {
      case Token::Kind::lparen: {
        if (depth + 1 > kMaxStenoParenDepth) {
          return fail(error_at(t.column, "parentheses nested deeper than " + std::to_string(kMaxStenoParenDepth)));
        }
        auto inner = expr(depth + 1);
        if (!inner) return std::nullopt;
        const Token& close = next();
        if (close.kind != Token::Kind::rparen) {
          return fail(error_at(close.column, "expected ')' to close the '(' at column " + std::to_string(t.column)));
        }
        return Term{std::move(*inner), false, t.column};
      }
      case Token::Kind::word: return keyword(t, depth);
      case Token::Kind::end: return fail(error_at(t.column, "unexpected end of query: expected a term"));
      case Token::Kind::rparen:
      case Token::Kind::and_op:
      case Token::Kind::or_op:
      case Token::Kind::quoted: break;
    }
    return fail(error_at(t.column, "expected a term, found " + quote(t.text)));
  }

  // The token after `after` must be a value (a word or a quoted string).
  const Token* value(const Token& after, const char* what) {
    const Token& v = next();
    if (v.kind == Token::Kind::word || v.kind == Token::Kind::quoted) return &v;
    fail(error_at(v.column, std::string("expected ") + what + " after " + quote(after.text)));
    return nullptr;
  }

  std::optional<std::uint32_t> number(const Token& kw, const char* what, std::uint32_t max) {
    const Token* v = value(kw, what);
    if (v == nullptr) return std::nullopt;
    const std::string_view s = v->text;
    std::uint32_t n = 0;
    bool ok = !s.empty() && s.size() <= 6;
    for (const char c : s) {
      if (c < '0' || c > '9') {
        ok = false;
        break;
      }
      n = n * 10 + static_cast<std::uint32_t>(c - '0');
    }
    if (!ok || n > max) {
      return fail(error_at(v->column, std::string("invalid ") + what + " " + quote(s) + " (0.." +
                                          std::to_string(max) + ")"));
    }
    return n;
  }

  std::optional<Term> leaf(const Predicate& p, std::uint32_t column) {
    return Term{FilterExpr::leaf(p), false, column};
  }

  std::optional<Term> proto_leaf(std::uint8_t proto, bool icmp_any, std::uint32_t column) {
    Predicate p;
    p.kind = Predicate::Kind::proto;
    p.proto = proto;
    p.icmp_any = icmp_any;
    return leaf(p, column);
  }

  std::optional<Term> host_or_net(const Token& kw, Direction dir, bool is_net) {
    const Token* v = value(kw, "an address");
    if (v == nullptr) return std::nullopt;
    auto prefix = parse_ip_prefix(v->text);
    if (!prefix) return fail(error_at(v->column, "invalid address " + quote(v->text)));
    if (is_net && peek().kind == Token::Kind::word && iequals(peek().text, "mask")) {
      const Token& mask_kw = next();
      if (v->text.find('/') != std::string_view::npos) {
        return fail(error_at(mask_kw.column, "'mask' after an address that already has a prefix length"));
      }
      const Token* m = value(mask_kw, "a netmask");
      if (m == nullptr) return std::nullopt;
      const auto len = mask_length(m->text, prefix->version);
      if (!len) return fail(error_at(m->column, "invalid netmask " + quote(m->text)));
      std::uint8_t lo[16], hi[16];
      prefix->prefix_len = *len;
      prefix->bounds(lo, hi);
      std::copy(lo, lo + 16, prefix->addr);
    }
    Predicate p;
    p.kind = Predicate::Kind::host;
    p.dir = dir;
    p.net = *prefix;
    return leaf(p, kw.column);
  }

  // A contiguous netmask of the address's family, as its prefix length.
  static std::optional<std::uint8_t> mask_length(std::string_view text, std::uint8_t version) {
    if (text.find('/') != std::string_view::npos) return std::nullopt;
    const auto m = parse_ip_prefix(text);
    if (!m || m->version != version) return std::nullopt;
    const unsigned bytes = version == 6 ? 16 : 4;
    unsigned len = 0;
    bool seen_zero = false;
    for (unsigned i = 0; i < bytes; ++i) {
      for (int b = 7; b >= 0; --b) {
        const bool one = ((m->addr[i] >> b) & 1) != 0;
        if (one && seen_zero) return std::nullopt;
        if (one) ++len;
        else seen_zero = true;
      }
    }
    return static_cast<std::uint8_t>(len);
  }

  std::optional<Term> time_term(const Token& kw, std::size_t depth, bool is_before) {
    if (depth > 0) {
      return fail(error_at(kw.column, "'before' and 'after' may not appear inside parentheses"));
    }
    const Token* v = value(kw, "a time");
    if (v == nullptr) return std::nullopt;
    std::string text(v->text);
    if (peek().kind == Token::Kind::word && iequals(peek().text, "ago")) {
      next();
      text += " ago";
    }
    const auto t = parse_time_value(text, now_);
    if (!t) {
      return fail(error_at(v->column, "invalid time " + quote(text) +
                                          " (RFC 3339, Unix seconds, or N[smhd] ago)"));
    }
    if (is_before) {
      query_.end = query_.end ? std::min(*query_.end, *t) : *t;
    } else {
      query_.start = query_.start ? std::max(*query_.start, *t) : *t;
    }
    if (query_.start && query_.end && *query_.start > *query_.end) {
      return fail(error_at(kw.column, "empty time range: 'after' is later than 'before'"));
    }
    return Term{FilterExpr{}, true, kw.column};
  }

  std::optional<Term> keyword(const Token& kw, std::size_t depth) {
    const std::string_view w = kw.text;
    Predicate p;
    if (iequals(w, "host")) return host_or_net(kw, Direction::either, false);
    if (iequals(w, "net")) return host_or_net(kw, Direction::either, true);
    if (iequals(w, "port")) {
      const auto n = number(kw, "port", 65535);
      if (!n) return std::nullopt;
      p.kind = Predicate::Kind::port;
      p.port = static_cast<std::uint16_t>(*n);
      return leaf(p, kw.column);
    }
    if (iequals(w, "src") || iequals(w, "dst")) {
      const Direction dir = iequals(w, "src") ? Direction::src : Direction::dst;
      const Token& q = next();
      if (q.kind == Token::Kind::word && iequals(q.text, "host")) return host_or_net(q, dir, false);
      if (q.kind == Token::Kind::word && iequals(q.text, "net")) return host_or_net(q, dir, true);
      if (q.kind == Token::Kind::word && iequals(q.text, "port")) {
        const auto n = number(q, "port", 65535);
        if (!n) return std::nullopt;
        p.kind = Predicate::Kind::port;
        p.dir = dir;
        p.port = static_cast<std::uint16_t>(*n);
        return leaf(p, kw.column);
      }
      return fail(error_at(q.column, "expected 'host', 'net' or 'port' after " + quote(w)));
    }
    if (iequals(w, "ip")) {
      const Token& q = next();
      if (q.kind != Token::Kind::word || !iequals(q.text, "proto")) {
        return fail(error_at(q.column, "expected 'proto' after 'ip'"));
      }
      const auto n = number(q, "protocol", 255);
      if (!n) return std::nullopt;
      p.kind = Predicate::Kind::proto;
      p.proto = static_cast<std::uint8_t>(*n);
      return leaf(p, kw.column);
    }
    if (const auto named = protocol_by_name(w)) return proto_leaf(named->proto, named->icmp_any, kw.column);
    if (iequals(w, "vlan")) {
      const auto n = number(kw, "vlan", 4095);
      if (!n) return std::nullopt;
      p.kind = Predicate::Kind::vlan;
      p.vlan = static_cast<std::uint16_t>(*n);
      return leaf(p, kw.column);
    }
    if (iequals(w, "community_id")) {
      const Token* v = value(kw, "a community id");
      if (v == nullptr) return std::nullopt;
      const auto digest = parse_community_id(v->text);
      if (!digest) return fail(error_at(v->column, "invalid community id " + quote(v->text) + " (1:<base64>)"));
      p.kind = Predicate::Kind::community_id;
      p.community_id = *digest;
      return leaf(p, kw.column);
    }
    if (iequals(w, "before")) return time_term(kw, depth, true);
    if (iequals(w, "after")) return time_term(kw, depth, false);
    return fail(error_at(kw.column, "unknown term " + quote(w)));
  }

  std::vector<Token> tokens_;
  std::size_t pos_ = 0;
  TimestampNs now_;
  SliceQuery query_;
  std::optional<QueryError> error_;
};

}  // namespace

QueryResult<SliceQuery> parse_steno_query(std::string_view text, TimestampNs now) {
  if (text.size() > kMaxStenoQueryBytes) {
    return error_at(static_cast<std::uint32_t>(kMaxStenoQueryBytes + 1),
                    "query is longer than " + std::to_string(kMaxStenoQueryBytes) + " bytes");
  }
  std::vector<Token> tokens;
  if (auto e = tokenize(text, tokens)) return *e;
  return Parser(std::move(tokens), now).run();
}

}  // namespace opensoc::slice
