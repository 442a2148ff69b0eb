// STIX 2.1 pattern subset (see the header): a tokenizer and a flat OR-list
// parser. Because only OR is accepted, brackets and parentheses are grouping
// without meaning, so they are only checked for balance and for every
// comparison sitting inside an observation expression.
#include "intel/stix_pattern.hpp"

#include <optional>

namespace opensoc::intel {
namespace {

enum class TokenKind { open_bracket, close_bracket, open_paren, close_paren, word, string, op };

struct Token {
  TokenKind kind;
  std::string text;  // word or operator text, or the unescaped string
};

bool is_word_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == ':' ||
         c == '.';
}

// Reads a quoted string at p[pos] == '\''; STIX escapes are \' and \\.
bool read_quoted(std::string_view p, std::size_t& pos, std::string& out) {
  ++pos;
  while (pos < p.size()) {
    const char c = p[pos++];
    if (c == '\'') return true;
    if (c == '\\') {
      if (pos >= p.size()) return false;
      const char e = p[pos++];
      if (e != '\'' && e != '\\') return false;
      out.push_back(e);
      continue;
    }
    out.push_back(c);
  }
  return false;
}

Result<std::vector<Token>> tokenize(std::string_view p) {
  std::vector<Token> tokens;
  std::size_t pos = 0;
  while (pos < p.size()) {
    const char c = p[pos];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      ++pos;
    } else if (c == '[' || c == ']' || c == '(' || c == ')') {
      tokens.push_back({c == '[' ? TokenKind::open_bracket
                        : c == ']' ? TokenKind::close_bracket
                        : c == '(' ? TokenKind::open_paren
                                   : TokenKind::close_paren,
                        {}});
      ++pos;
    } else if (c == '\'') {
      Token t{TokenKind::string, {}};
      if (!read_quoted(p, pos, t.text)) return Error{"unterminated or badly escaped string in pattern"};
      tokens.push_back(std::move(t));
    } else if (c == '=' || c == '!' || c == '<' || c == '>') {
      Token t{TokenKind::op, std::string(1, c)};
      ++pos;
      if (pos < p.size() && p[pos] == '=') {
        t.text.push_back('=');
        ++pos;
      }
      if (t.text == "!") return Error{"unexpected '!' in pattern"};
      tokens.push_back(std::move(t));
    } else if (is_word_char(c)) {
      // An object path may quote a key: x509-certificate:hashes.'SHA-256'.
      Token t{TokenKind::word, {}};
      while (pos < p.size()) {
        if (is_word_char(p[pos])) {
          t.text.push_back(p[pos++]);
        } else if (p[pos] == '\'' && !t.text.empty() && t.text.back() == '.') {
          std::string key;
          if (!read_quoted(p, pos, key)) return Error{"unterminated quoted key in object path"};
          t.text += key;
        } else {
          break;
        }
      }
      tokens.push_back(std::move(t));
    } else {
      return Error{"unexpected character '" + std::string(1, c) + "' in pattern"};
    }
  }
  return tokens;
}

std::string upper_without_dashes(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '-' || c == '_') continue;
    out.push_back((c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c);
  }
  return out;
}

// The indicator type an object path names, or the reason it cannot be held.
Result<IndicatorType> type_of_path(const std::string& path) {
  if (path == "ipv4-addr:value" || path == "ipv6-addr:value") return IndicatorType::ipv4;
  if (path == "domain-name:value") return IndicatorType::domain;
  if (path == "url:value") return IndicatorType::url;
  static constexpr std::string_view kCertHashes = "x509-certificate:hashes.";
  if (path.size() > kCertHashes.size() && std::string_view(path).substr(0, kCertHashes.size()) == kCertHashes) {
    const std::string algo = upper_without_dashes(std::string_view(path).substr(kCertHashes.size()));
    if (algo == "SHA1") return IndicatorType::cert_sha1;
    if (algo == "SHA256") return IndicatorType::cert_sha256;
  }
  return Error{"unsupported object path '" + path.substr(0, 80) + "'"};
}

bool is_word(const Token& t, std::string_view w) { return t.kind == TokenKind::word && t.text == w; }

}  // namespace

Result<std::vector<StixComparison>> parse_stix_pattern(std::string_view pattern) {
  auto tokens = tokenize(pattern);
  if (!tokens) return tokens.error();
  const std::vector<Token>& t = *tokens;
  std::vector<StixComparison> out;
  std::string stack;  // open '[' and '(' in order
  std::size_t brackets = 0;
  bool expect_comparison = true;  // else: expect a closer, OR, or the end
  std::size_t i = 0;
  while (i < t.size()) {
    const Token& tok = t[i];
    if (expect_comparison) {
      if (tok.kind == TokenKind::open_bracket || tok.kind == TokenKind::open_paren) {
        if (stack.size() >= 64) return Error{"pattern nested too deeply"};
        const bool bracket = tok.kind == TokenKind::open_bracket;
        if (bracket && brackets > 0) return Error{"'[' inside an observation expression"};
        stack.push_back(bracket ? '[' : '(');
        brackets += bracket ? 1 : 0;
        ++i;
        continue;
      }
      if (tok.kind != TokenKind::word) return Error{"expected an object path in pattern"};
      if (tok.text == "NOT") return Error{"NOT is not supported"};
      if (brackets == 0) return Error{"comparison outside '[...]'"};
      if (i + 2 >= t.size()) return Error{"incomplete comparison in pattern"};
      auto type = type_of_path(tok.text);
      if (!type) return type.error();
      const Token& op = t[i + 1];
      const bool address = *type == IndicatorType::ipv4;
      if (!(op.kind == TokenKind::op && op.text == "=") && !(address && is_word(op, "ISSUBSET"))) {
        return Error{"operator '" + op.text.substr(0, 20) + "' is not supported (only '='" +
                     (address ? std::string(" and ISSUBSET") : std::string()) + ")"};
      }
      const Token& value = t[i + 2];
      if (value.kind != TokenKind::string) return Error{"comparison value must be a quoted string"};
      if (out.size() >= kMaxStixComparisons) return Error{"too many comparisons in pattern"};
      out.push_back({*type, value.text});
      i += 3;
      expect_comparison = false;
      continue;
    }
    if (tok.kind == TokenKind::close_bracket || tok.kind == TokenKind::close_paren) {
      const char want = tok.kind == TokenKind::close_bracket ? '[' : '(';
      if (stack.empty() || stack.back() != want) return Error{"unbalanced brackets in pattern"};
      stack.pop_back();
      if (want == '[') --brackets;
      ++i;
      continue;
    }
    if (is_word(tok, "OR")) {
      expect_comparison = true;
      ++i;
      continue;
    }
    if (is_word(tok, "AND")) return Error{"AND is not supported (only OR of single comparisons)"};
    if (is_word(tok, "FOLLOWEDBY")) return Error{"FOLLOWEDBY is not supported"};
    if (is_word(tok, "WITHIN") || is_word(tok, "REPEATS") || is_word(tok, "START") || is_word(tok, "STOP"))
      return Error{"qualifier " + tok.text + " is not supported"};
    return Error{"unexpected token in pattern"};
  }
  if (expect_comparison) return Error{out.empty() ? "empty pattern" : "pattern ends after OR"};
  if (!stack.empty()) return Error{"unbalanced brackets in pattern"};
  return out;
}

}  // namespace opensoc::intel
