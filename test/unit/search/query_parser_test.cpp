// Tests src/search/query_parser.cpp: every syntactic form, precedence, spans
// and each error with its byte position. Shapes are compared through
// to_debug_string, so a failure shows the whole tree.
#include "search/query_parser.hpp"

#include <string>
#include <string_view>
#include <variant>

#include <catch2/catch.hpp>

namespace opensoc::search {
namespace {

// The tree's debug string, or "error@<position>: <message>".
std::string shape(std::string_view text) {
  const auto r = parse_search_query(text);
  if (const auto* e = std::get_if<QueryError>(&r)) return "error@" + std::to_string(e->position) + ": " + e->message;
  return to_debug_string(std::get<QueryNode>(r));
}

QueryNode parsed(std::string_view text) {
  auto r = parse_search_query(text);
  REQUIRE(std::holds_alternative<QueryNode>(r));
  return std::get<QueryNode>(std::move(r));
}

// The text a node spans.
std::string_view span(std::string_view text, const QueryNode& n) { return text.substr(n.position, n.length); }

}  // namespace

TEST_CASE("query parser turns empty or blank text into match_all", "[query_parser]") {
  CHECK(shape("") == "(all)");
  CHECK(shape(" \t\r\n ") == "(all)");
  CHECK(parsed("   ").kind == QueryNodeKind::match_all);
}

TEST_CASE("query parser reads free text words and phrases", "[query_parser]") {
  CHECK(shape("evil") == "(text evil)");
  CHECK(shape("\"evil corp\"") == "(text \"evil corp\")");
  CHECK(shape("evil.example.com") == "(text evil.example.com)");
  CHECK(shape("mal*") == "(text mal*)");
  const QueryNode phrase = parsed("\"a b\"");
  CHECK(phrase.quoted);
  CHECK(phrase.value == "a b");
  const QueryNode word = parsed("a");
  CHECK_FALSE(word.quoted);
  // Only the exact words are operators.
  CHECK(shape("ANDROID ORACLE NOTE and or not") ==
        "(and (text ANDROID) (text ORACLE) (text NOTE) (text and) (text or) (text not))");
  CHECK(shape("\"AND\"") == "(text \"AND\")");
}

TEST_CASE("query parser reads field:value with dotted, @ and alias names", "[query_parser]") {
  CHECK(shape("dns.question.name:evil.example.com") == "(field dns.question.name evil.example.com)");
  CHECK(shape("@timestamp:2024-01-01T00:00:00Z") == "(field @timestamp 2024-01-01T00:00:00Z)");
  CHECK(shape("ip:10.1.2.3") == "(field ip 10.1.2.3)");
  CHECK(shape("source.ip:10.0.0.0/8") == "(field source.ip 10.0.0.0/8)");
  CHECK(shape("x-y_z:1") == "(field x-y_z 1)");
  const QueryNode f = parsed("network.transport:tcp");
  CHECK(f.kind == QueryNodeKind::field);
  CHECK(f.field == "network.transport");
  CHECK(f.value == "tcp");
  CHECK_FALSE(f.quoted);
}

TEST_CASE("query parser keeps colons of IPv6 values in the value", "[query_parser]") {
  CHECK(shape("source.ip:2001:db8::/32") == "(field source.ip 2001:db8::/32)");
  CHECK(shape("ip:::1") == "(field ip ::1)");
  CHECK(shape("ip:fe80::1%eth0 dns") == "(and (field ip fe80::1%eth0) (text dns))");
}

TEST_CASE("query parser keeps wildcards in field values", "[query_parser]") {
  CHECK(shape("dns.question.name:*.example.com") == "(field dns.question.name *.example.com)");
  CHECK(shape("user_agent.original:curl*") == "(field user_agent.original curl*)");
  CHECK(shape("tls.server.ja3s:*") == "(field tls.server.ja3s *)");
  // A quoted value has no wildcard meaning: the flag tells the compiler.
  const QueryNode q = parsed("url.path:\"/a*\"");
  CHECK(q.value == "/a*");
  CHECK(q.quoted);
}

TEST_CASE("query parser resolves escapes in quoted values and phrases", "[query_parser]") {
  const QueryNode q = parsed(R"(http.user_agent:"say \"hi\" \\ ok")");
  CHECK(q.kind == QueryNodeKind::field);
  CHECK(q.value == R"(say "hi" \ ok)");
  CHECK(q.quoted);
  CHECK(shape(R"(http.user_agent:"say \"hi\" \\ ok")") == R"((field http.user_agent "say \"hi\" \\ ok"))");
  // Other backslashes stay, so Windows paths need no doubling.
  CHECK(parsed(R"(file.path:"C:\Windows\x.exe")").value == R"(C:\Windows\x.exe)");
  CHECK(parsed(R"("a\"b")").value == "a\"b");
  CHECK(shape("f:\"a b\" c") == "(and (field f \"a b\") (text c))");
  // An empty quoted field value is asked for explicitly (field present, empty).
  CHECK(shape("http.user_agent:\"\"") == "(field http.user_agent \"\")");
}

TEST_CASE("query parser ends a field value at whitespace or ')' only", "[query_parser]") {
  CHECK(shape("url.original:/a?(b") == "(field url.original /a?(b)");
  CHECK(shape("f:a\"b") == "(field f a\"b)");
  CHECK(shape("f:a\tb") == "(and (field f a) (text b))");
  CHECK(shape("(f:a)") == "(field f a)");
}

TEST_CASE("query parser reads one-sided ranges", "[query_parser]") {
  CHECK(shape("destination.port:>1024") == "(range destination.port >1024 *)");
  CHECK(shape("destination.port:>=1024") == "(range destination.port 1024 *)");
  CHECK(shape("destination.port:<1024") == "(range destination.port * <1024)");
  CHECK(shape("destination.port:<=1024") == "(range destination.port * 1024)");
  const QueryNode gt = parsed("n:>5");
  CHECK(gt.kind == QueryNodeKind::range);
  CHECK(gt.field == "n");
  CHECK(gt.has_low);
  CHECK_FALSE(gt.low_inclusive);
  CHECK(gt.low == "5");
  CHECK_FALSE(gt.has_high);
  const QueryNode le = parsed("n:<=7");
  CHECK_FALSE(le.has_low);
  CHECK(le.has_high);
  CHECK(le.high_inclusive);
  CHECK(le.high == "7");
  CHECK(shape("@timestamp:>=2024-01-01T00:00:00Z") == "(range @timestamp 2024-01-01T00:00:00Z *)");
  // A bound with spaces is quoted: relative times.
  CHECK(shape("@timestamp:>\"1h ago\" sni:x") == "(and (range @timestamp >1h ago *) (field sni x))");
  CHECK(shape("@timestamp:<=\"now\"") == "(range @timestamp * now)");
  const auto q = parse_search_query("a @timestamp:>\"1h ago\"");
  REQUIRE(std::holds_alternative<QueryNode>(q));
  const QueryNode& r = std::get<QueryNode>(q).children.at(1);
  CHECK(r.position == 2);
  CHECK(r.length == 20);
}

TEST_CASE("query parser reads inclusive two-sided ranges in both spellings", "[query_parser]") {
  CHECK(shape("destination.port:1..1024") == "(range destination.port 1 1024)");
  CHECK(shape("destination.port:[1 TO 1024]") == "(range destination.port 1 1024)");
  CHECK(shape("destination.port:[ 1  TO 1024 ]") == "(range destination.port 1 1024)");
  CHECK(shape("n:*..10") == "(range n * 10)");
  CHECK(shape("n:10..*") == "(range n 10 *)");
  CHECK(shape("n:[* TO 10]") == "(range n * 10)");
  CHECK(shape("n:[10 TO *]") == "(range n 10 *)");
  CHECK(shape("@timestamp:2024-01-01..2024-02-01") == "(range @timestamp 2024-01-01 2024-02-01)");
  const QueryNode r = parsed("n:1..2");
  CHECK(r.has_low);
  CHECK(r.has_high);
  CHECK(r.low_inclusive);
  CHECK(r.high_inclusive);
  const QueryNode open = parsed("n:*..2");
  CHECK_FALSE(open.has_low);
  CHECK(open.low.empty());
  CHECK(shape("(n:[1 TO 2])") == "(range n 1 2)");
  CHECK(shape("n:[1 TO 2] x") == "(and (range n 1 2) (text x))");
  // Quoted values are never ranges.
  CHECK(shape("n:\"1..2\"") == "(field n \"1..2\")");
}

TEST_CASE("query parser treats juxtaposition as AND and accepts every operator spelling", "[query_parser]") {
  const std::string expected = "(and (text a) (text b))";
  CHECK(shape("a b") == expected);
  CHECK(shape("a AND b") == expected);
  CHECK(shape("a && b") == expected);
  CHECK(shape("a OR b") == "(or (text a) (text b))");
  CHECK(shape("a || b") == "(or (text a) (text b))");
  CHECK(shape("NOT a") == "(not (text a))");
  CHECK(shape("!a") == "(not (text a))");
  CHECK(shape("! a") == "(not (text a))");
  CHECK(shape("-a") == "(not (text a))");
  CHECK(shape("-source.ip:10.0.0.1") == "(not (field source.ip 10.0.0.1))");
  CHECK(shape("-\"x y\"") == "(not (text \"x y\"))");
  CHECK(shape("-(a OR b)") == "(not (or (text a) (text b)))");
  CHECK(shape("NOT(a)") == "(not (text a))");
  CHECK(shape("(a)(b)") == expected);
  CHECK(shape("a-b") == "(text a-b)");
  CHECK(shape("NOT NOT a") == "(not (not (text a)))");
}

TEST_CASE("query parser binds NOT tighter than AND, and AND tighter than OR", "[query_parser]") {
  CHECK(shape("a OR b AND c") == "(or (text a) (and (text b) (text c)))");
  CHECK(shape("a AND b OR c") == "(or (and (text a) (text b)) (text c))");
  CHECK(shape("a b OR c d") == "(or (and (text a) (text b)) (and (text c) (text d)))");
  CHECK(shape("NOT a b") == "(and (not (text a)) (text b))");
  CHECK(shape("NOT a OR b") == "(or (not (text a)) (text b))");
  CHECK(shape("a OR NOT b") == "(or (text a) (not (text b)))");
  CHECK(shape("(a OR b) c") == "(and (or (text a) (text b)) (text c))");
  CHECK(shape("-a b || c") == "(or (and (not (text a)) (text b)) (text c))");
  CHECK(shape("source.ip:10.0.0.0/8 destination.port:1..1024") ==
        "(and (field source.ip 10.0.0.0/8) (range destination.port 1 1024))");
}

TEST_CASE("query parser flattens nested junctions of the same kind", "[query_parser]") {
  CHECK(shape("a (b c) d") == "(and (text a) (text b) (text c) (text d))");
  CHECK(shape("(a b) AND (c && d)") == "(and (text a) (text b) (text c) (text d))");
  CHECK(shape("a OR (b OR (c OR d))") == "(or (text a) (text b) (text c) (text d))");
  CHECK(shape("((a))") == "(text a)");
  // Different kinds stay nested.
  CHECK(shape("(a OR b) (c OR d)") == "(and (or (text a) (text b)) (or (text c) (text d)))");
  CHECK(shape("a OR (b c)") == "(or (text a) (and (text b) (text c)))");
  CHECK(parsed("a (b c) d").children.size() == 4);
}

TEST_CASE("query parser records each node's byte span", "[query_parser]") {
  const std::string_view text = "  src:10.0.0.1 AND NOT \"x y\" OR port:[1 TO 5]";
  const QueryNode root = parsed(text);
  REQUIRE(root.kind == QueryNodeKind::or_);
  REQUIRE(root.children.size() == 2);
  CHECK(root.position == 2);
  CHECK(span(text, root) == "src:10.0.0.1 AND NOT \"x y\" OR port:[1 TO 5]");
  const QueryNode& conj = root.children[0];
  REQUIRE(conj.kind == QueryNodeKind::and_);
  REQUIRE(conj.children.size() == 2);
  CHECK(span(text, conj) == "src:10.0.0.1 AND NOT \"x y\"");
  CHECK(span(text, conj.children[0]) == "src:10.0.0.1");
  CHECK(conj.children[0].position == 2);
  CHECK(conj.children[0].length == 12);
  const QueryNode& neg = conj.children[1];
  CHECK(span(text, neg) == "NOT \"x y\"");
  REQUIRE(neg.children.size() == 1);
  CHECK(span(text, neg.children[0]) == "\"x y\"");
  CHECK(span(text, root.children[1]) == "port:[1 TO 5]");

  const std::string_view t2 = "a:\"q\\\"\" -b c:>=3 (d)";
  const QueryNode r2 = parsed(t2);
  REQUIRE(r2.children.size() == 4);
  CHECK(span(t2, r2.children[0]) == "a:\"q\\\"\"");
  CHECK(span(t2, r2.children[1]) == "-b");
  CHECK(span(t2, r2.children[1].children[0]) == "b");
  CHECK(span(t2, r2.children[2]) == "c:>=3");
  CHECK(span(t2, r2.children[3]) == "d");
  CHECK(r2.children[3].position == 18);
}

TEST_CASE("query parser reports unbalanced parentheses at the offending byte", "[query_parser]") {
  CHECK(shape("a (b c") == "error@2: expected ')' to close '(' at 2");
  CHECK(shape("(a (b) c") == "error@0: expected ')' to close '(' at 0");
  CHECK(shape("(") == "error@0: expected ')' to close '(' at 0");
  CHECK(shape("a b)") == "error@3: unexpected ')'");
  CHECK(shape(")") == "error@0: unexpected ')'");
  CHECK(shape("a ()") == "error@2: empty parentheses at 2");
  CHECK(shape("url.original:/a?(b)") == "error@18: unexpected ')'");
  // The value's '(' is not a group: the first ')' ends value and group alike.
  CHECK(shape("(url.original:/a?(b)") == "(field url.original /a?(b)");
  CHECK(shape("(url.original:/a?(b))") == "error@20: unexpected ')'");
}

TEST_CASE("query parser reports an unterminated quote where it opens", "[query_parser]") {
  CHECK(shape("a \"b c") == "error@2: unterminated quote opened at 2");
  CHECK(shape("f:\"b c") == "error@2: unterminated quote opened at 2");
  CHECK(shape("f:\"b\\\"") == "error@2: unterminated quote opened at 2");
  CHECK(shape("\"") == "error@0: unterminated quote opened at 0");
  CHECK(shape("x \"\"") == "error@2: empty phrase at 2");
}

TEST_CASE("query parser reports an operator without an operand", "[query_parser]") {
  CHECK(shape("a b c AND") == "error@6: AND at 6 needs a right-hand side");
  CHECK(shape("a AND OR b") == "error@2: AND at 2 needs a right-hand side");
  CHECK(shape("(a AND) b") == "error@3: AND at 3 needs a right-hand side");
  CHECK(shape("a &&") == "error@2: '&&' at 2 needs a right-hand side");
  CHECK(shape("a OR") == "error@2: OR at 2 needs a right-hand side");
  CHECK(shape("a || )") == "error@2: '||' at 2 needs a right-hand side");
  CHECK(shape("AND a") == "error@0: AND at 0 needs a left-hand side");
  CHECK(shape("a (OR b)") == "error@3: OR at 3 needs a left-hand side");
  CHECK(shape("a NOT") == "error@2: NOT at 2 needs an operand");
  CHECK(shape("NOT OR a") == "error@0: NOT at 0 needs an operand");
  CHECK(shape("a !") == "error@2: '!' at 2 needs an operand");
  CHECK(shape("a - b") == "error@2: '-' at 2 needs a term right after it");
  CHECK(shape("-") == "error@0: '-' at 0 needs a term right after it");
  CHECK(shape("--a") == "error@0: '-' at 0 needs a term right after it");
  CHECK(shape("-NOT a") == "error@0: '-' at 0 needs a term right after it");
}

TEST_CASE("query parser reports a field with an empty value at the field", "[query_parser]") {
  CHECK(shape("source.ip:") == "error@0: empty value for field 'source.ip'");
  CHECK(shape("a source.ip: 10.0.0.1") == "error@2: empty value for field 'source.ip'");
  CHECK(shape("(source.ip:)") == "error@1: empty value for field 'source.ip'");
}

TEST_CASE("query parser reports an empty range bound where the bound is missing", "[query_parser]") {
  CHECK(shape("port:>") == "error@6: empty range bound for field 'port'");
  CHECK(shape("port:>= x") == "error@7: empty range bound for field 'port'");
  CHECK(shape("port:<)") == "error@6: empty range bound for field 'port'");
  CHECK(shape("port:..5") == "error@5: empty range bound for field 'port'");
  CHECK(shape("port:5.. x") == "error@8: empty range bound for field 'port'");
  CHECK(shape("port:[ TO 5]") == "error@7: empty range bound for field 'port'");
  CHECK(shape("port:[]") == "error@6: empty range bound for field 'port'");
  CHECK(shape("port:[1 TO ]") == "error@11: empty range bound for field 'port'");
  CHECK(shape("port:[1 5]") == "error@8: expected 'TO' in the range for field 'port'");
  CHECK(shape("port:[1 TO 5") == "error@5: expected ']' to close '[' at 5");
  CHECK(shape("port:[1 TO 5 6]") == "error@5: expected ']' to close '[' at 5");
}

TEST_CASE("query parser rejects nesting deeper than the limit and accepts the limit", "[query_parser]") {
  SECTION("parentheses") {
    const auto nested = [](int n) { return std::string(n, '(') + "a" + std::string(n, ')'); };
    CHECK(shape(nested(kMaxQueryDepth)) == "(text a)");
    CHECK(shape(nested(kMaxQueryDepth + 1)) == "error@64: nesting deeper than 64 levels at 64");
  }
  SECTION("negations") {
    std::string ok;
    std::string expected = "(text a)";
    for (int i = 0; i < kMaxQueryDepth; ++i) {
      ok += "NOT ";
      expected = "(not " + expected + ")";
    }
    CHECK(shape(ok + "a") == expected);
    // '!' is level 1, so the last NOT (at 1 + 4 * 63) is level 65.
    CHECK(shape("!" + ok + "a") == "error@253: nesting deeper than 64 levels at 253");
  }
  SECTION("mixed, far beyond the limit, without exhausting the stack") {
    std::string deep;
    for (int i = 0; i < 100000; ++i) deep += "-(!";
    const auto r = parse_search_query(deep);
    REQUIRE(std::holds_alternative<QueryError>(r));
    CHECK(std::get<QueryError>(r).message == "nesting deeper than 64 levels at 64");
  }
}

TEST_CASE("query parser leaves field names and value formats to the compiler", "[query_parser]") {
  CHECK(shape("no.such.field:whatever") == "(field no.such.field whatever)");
  CHECK(shape("destination.port:>abc") == "(range destination.port >abc *)");
  // An IPv6 address as free text reads as a field named by its first group.
  CHECK(shape("2001:db8::1") == "(field 2001 db8::1)");
  CHECK(shape("\"2001:db8::1\"") == "(text \"2001:db8::1\")");
}

TEST_CASE("query parser survives awkward bytes", "[query_parser]") {
  const std::string nul("a\0b", 3);
  CHECK(shape(nul) == std::string("(text a\0b)", 10));
  CHECK(shape("\xff\xfe") == "(text \xff\xfe)");
  CHECK(shape("a & b | c") == "(and (text a) (text &) (text b) (text |) (text c))");
  CHECK(shape("a&&b") == "(text a&&b)");
  CHECK(shape(":x") == "(text :x)");
}

}  // namespace opensoc::search
