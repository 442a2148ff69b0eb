// Tests for index_terms (fill_document) and query_compiler: twenty hand-made
// documents go into an in-memory Xapian database through fill_document, and
// each query form, built as a QueryNode by hand, must match exactly the
// expected documents. Single-threaded.
#include <algorithm>
#include <catch2/catch.hpp>
#include <initializer_list>
#include <set>
#include <string>
#include <utility>
#include <variant>
#include <vector>
#include <xapian.h>

#include "search/field_schema.hpp"
#include "search/index_terms.hpp"
#include "search/query_ast.hpp"
#include "search/query_compiler.hpp"
#include "search/search_document.hpp"

namespace opensoc::search {
namespace {

using Ids = std::set<std::string>;

constexpr TimestampNs kBase = 1795860000LL * kNsPerSecond;  // 2026-11-28T10:00:00Z

struct DocSpec {
  std::string id;
  int second = 0;  // @timestamp = kBase + second
  std::vector<std::pair<std::string, std::string>> values;
  std::vector<std::pair<std::string, double>> numbers;
  DocumentKind kind = DocumentKind::session;
};

SearchDocument make_document(const DocSpec& s) {
  SearchDocument d;
  d.kind = s.kind;
  d.ts = kBase + s.second * kNsPerSecond;
  d.unique_id = s.id;
  d.json = s.id;
  for (const auto& [name, value] : s.values) {
    const FieldSpec* f = find_field(name);
    REQUIRE(f != nullptr);
    d.values.emplace_back(f, value);
  }
  for (const auto& [name, value] : s.numbers) {
    const FieldSpec* f = find_field(name);
    REQUIRE(f != nullptr);
    d.numbers.emplace_back(f, value);
  }
  return d;
}

std::vector<DocSpec> corpus() {
  using V = std::vector<std::pair<std::string, std::string>>;
  using N = std::vector<std::pair<std::string, double>>;
  return {
      {"a1", 1,
       V{{"source.ip", "10.1.2.3"}, {"destination.ip", "192.168.1.10"}, {"network.transport", "tcp"},
         {"network.protocol", "tls"}, {"tls.client.server_name", "www.example.com"}},
       N{{"source.port", 51000}, {"destination.port", 443}, {"network.bytes", 1500}}},
      {"a2", 2,
       V{{"source.ip", "10.1.200.4"}, {"destination.ip", "8.8.8.8"}, {"network.transport", "udp"},
         {"network.protocol", "dns"}, {"dns.question.name", "mail.example.com"}},
       N{{"destination.port", 53}, {"network.bytes", 200}}},
      {"a3", 3,
       V{{"source.ip", "10.20.0.5"}, {"destination.ip", "93.184.216.34"}, {"network.transport", "tcp"},
         {"network.protocol", "http"}, {"url.domain", "example.com"}, {"http.request.method", "GET"},
         {"user_agent.original", "Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0"}},
       N{{"destination.port", 80}, {"http.response.status_code", 200}, {"network.bytes", 5000}}},
      {"a4", 4, V{{"source.ip", "10.16.1.1"}, {"destination.ip", "172.16.0.1"}, {"network.protocol", "ssh"}},
       N{{"destination.port", 22}, {"network.bytes", 1000}}},
      {"a5", 5,
       V{{"source.ip", "11.0.0.1"}, {"destination.ip", "10.1.2.3"}, {"network.protocol", "http"},
         {"url.domain", "badexample.com"}, {"user_agent.original", "curl/7.88.1"},
         {"url.original", "http://badexample.com/login?user=admin"}},
       N{{"destination.port", 8080}, {"http.response.status_code", 404}, {"network.bytes", 999}}},
      {"a6", 6, V{{"source.ip", "10.31.255.255"}, {"destination.ip", "1.1.1.1"}},
       N{{"destination.port", 853}, {"network.bytes", 1001}}},
      {"a7", 7, V{{"source.ip", "10.32.0.1"}, {"destination.ip", "1.0.0.1"}, {"tls.client.server_name", "EXAMPLE.net"}},
       N{{"destination.port", 443}}},
      {"a8", 8,
       V{{"source.ip", "2001:db8::1"}, {"destination.ip", "2001:db8:1::2"}, {"network.protocol", "tls"},
         {"tls.client.server_name", "api.example.org"}},
       N{{"destination.port", 443}, {"network.bytes", 3000}}},
      {"a9", 9,
       V{{"source.ip", "2001:0db8:0:ff::5"}, {"destination.ip", "2001:db9::1"}, {"network.transport", "udp"},
         {"dns.question.name", "www.Example.COM."}},
       N{{"destination.port", 53}, {"network.bytes", 80}}},
      {"a10", 10, V{{"source.ip", "2001:db8:0:100::1"}, {"destination.ip", "2a00::1"}},
       N{{"destination.port", 80}, {"network.bytes", 0}}},
      {"a11", 11, V{{"source.ip", "2001:db9::7"}, {"destination.ip", "2a00::2"}}, N{{"destination.port", 443}}},
      {"e12", 12, V{{"source.ip", "10.1.2.3"}, {"destination.ip", "8.8.4.4"}, {"dns.question.name", "a.b.example.com"}},
       N{{"destination.port", 53}}, DocumentKind::event},
      {"e13", 13, V{{"source.ip", "192.168.1.10"}, {"destination.ip", "8.8.8.8"}, {"dns.question.name", "example.com."}},
       N{{"destination.port", 53}}, DocumentKind::event},
      {"a14", 14, V{{"source.ip", "172.16.5.5"}, {"destination.ip", "10.1.2.30"}, {"tls.client.ja3", "ABCDEF0123"}},
       N{{"source.port", 443}, {"destination.port", 40000}, {"network.bytes", 1000000}}},
      {"a15", 15,
       V{{"source.ip", "192.168.1.11"}, {"destination.ip", "192.168.1.10"}, {"user_agent.original", "OpenSSH_9.2 Linux"}},
       N{{"destination.port", 22}}},
      {"a16", 16, V{{"source.ip", "10.0.0.1"}, {"destination.ip", "10.255.255.255"}, {"network.transport", "udp"}},
       N{{"destination.port", 137}, {"network.bytes", 1000.5}}},
      {"a17", 17, V{{"source.ip", "::ffff:10.1.2.3"}}, N{{"destination.port", 443}}},
      {"a18", 18, V{{"source.ip", "0.0.0.0"}, {"destination.ip", "255.255.255.255"}, {"dhcp.hostname", "laptop-01"}},
       N{{"destination.port", 67}}},
      {"a19", 19, V{{"source.ip", "10.2.0.1"}, {"url.domain", "login.example.com.evil.net"}}, N{}},
      {"a20", 20, V{{"source.ip", "10.1.2.3"}, {"destination.ip", "10.1.2.4"}},
       N{{"destination.port", 445}, {"network.vlan.id", 100}}},
  };
}

class Corpus {
 public:
  Corpus() : db_(std::string(), Xapian::DB_BACKEND_INMEMORY) {
    for (const DocSpec& s : corpus()) {
      SearchDocument d = make_document(s);
      if (s.id == "a20") d.times.emplace_back(find_field("tls.server.not_after"), kBase + 100 * kNsPerSecond);
      Xapian::Document doc;
      fill_document(d, doc);
      db_.add_document(doc);
      all_.insert(s.id);
    }
  }
  Ids run(const Xapian::Query& q) const {
    Xapian::Enquire enquire(db_);
    enquire.set_query(q);
    Ids ids;
    const Xapian::MSet m = enquire.get_mset(0, db_.get_doccount() + 1);
    for (auto it = m.begin(); it != m.end(); ++it) ids.insert(it.get_document().get_data());
    return ids;
  }
  Ids match(const QueryNode& n) const {
    auto r = compile_query(n);
    if (auto* e = std::get_if<QueryError>(&r)) FAIL("unexpected error: " << e->message);
    return run(std::get<Xapian::Query>(r));
  }
  const Ids& all() const { return all_; }
  Xapian::WritableDatabase& db() { return db_; }

 private:
  Xapian::WritableDatabase db_;
  Ids all_;
};

QueryNode field(std::string f, std::string v, std::size_t pos = 0, bool quoted = false) {
  QueryNode n;
  n.kind = QueryNodeKind::field;
  n.field = std::move(f);
  n.value = std::move(v);
  n.position = pos;
  n.quoted = quoted;
  return n;
}

QueryNode range(std::string f, const char* low, bool low_inc, const char* high, bool high_inc, std::size_t pos = 0) {
  QueryNode n;
  n.kind = QueryNodeKind::range;
  n.field = std::move(f);
  n.position = pos;
  if (low != nullptr) {
    n.has_low = true;
    n.low = low;
    n.low_inclusive = low_inc;
  }
  if (high != nullptr) {
    n.has_high = true;
    n.high = high;
    n.high_inclusive = high_inc;
  }
  return n;
}

QueryNode text(std::string v, bool quoted = false) {
  QueryNode n;
  n.kind = QueryNodeKind::text;
  n.value = std::move(v);
  n.quoted = quoted;
  return n;
}

QueryNode node(QueryNodeKind k, std::vector<QueryNode> children) {
  QueryNode n;
  n.kind = k;
  n.children = std::move(children);
  return n;
}
QueryNode and_(std::vector<QueryNode> c) { return node(QueryNodeKind::and_, std::move(c)); }
QueryNode or_(std::vector<QueryNode> c) { return node(QueryNodeKind::or_, std::move(c)); }
QueryNode not_(QueryNode c) { return node(QueryNodeKind::not_, {std::move(c)}); }

QueryError error_of(const QueryNode& n) {
  auto r = compile_query(n);
  REQUIRE(std::holds_alternative<QueryError>(r));
  return std::get<QueryError>(r);
}

Ids minus(Ids a, const Ids& b) {
  for (const auto& x : b) a.erase(x);
  return a;
}

}  // namespace

TEST_CASE("fill_document writes kind, id, timestamp slot, facet slots and data", "[query_compiler]") {
  SearchDocument d;
  d.kind = DocumentKind::event;
  d.ts = kBase;
  d.unique_id = "abc";
  d.json = R"({"x":1})";
  d.values.emplace_back(find_field("http.request.method"), "GET");
  d.values.emplace_back(find_field("http.request.method"), "POST");
  d.values.emplace_back(find_field("source.ip"), "2001:0DB8:0:0::1");
  d.values.emplace_back(find_field("dns.question.name"), "WWW.Example.com.");
  d.numbers.emplace_back(find_field("destination.port"), 443);
  d.times.emplace_back(find_field("tls.server.not_after"), kBase + 5);
  d.times.emplace_back(find_field("tls.server.not_after"), -7);  // second value: slot keeps the first
  Xapian::Document doc;
  fill_document(d, doc);

  std::set<std::string> terms;
  for (auto it = doc.termlist_begin(); it != doc.termlist_end(); ++it) terms.insert(*it);
  const std::set<std::string> expected{
      "KEVENT", "Qabc", "XHM:get", "XHM:post", "XSIP:2001:db8::1", "XSIP/6/0:", "XSIP/6/16:2001",
      "XSIP/6/32:20010db8", "XSIP/6/48:20010db80000", "XSIP/6/64:20010db800000000", "XDQN:www.example.com",
      "XDQNS:.example.com", "XDQNS:.com", "XDQNR:moc.elpmaxe.www", "www", "example", "com", "XDP:443",
      // presence terms, for field:*
      "E:XHM", "E:XSIP", "E:XDQN", "E:XDP"};
  CHECK(terms == expected);
  CHECK(doc.get_value(kTimestampSlot) == timestamp_slot_value(kBase));
  CHECK(timestamp_slot_value(0x0102030405060708LL) == std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8));
  CHECK(timestamp_slot_value(-5) == std::string(8, '\0'));
  CHECK(doc.get_value(20) == "GET");  // facet slot: first value as given
  CHECK(doc.get_value(2) == "2001:db8::1");
  CHECK(doc.get_value(17) == "www.example.com");
  CHECK(Xapian::sortable_unserialise(doc.get_value(5)) == 443.0);
  CHECK(doc.get_value(35) == timestamp_slot_value(kBase + 5));
  CHECK(doc.get_data() == R"({"x":1})");
}

TEST_CASE("fill_document indexes IPv4 network terms and caps long terms", "[query_compiler]") {
  SearchDocument d;
  d.unique_id = "s";
  d.values.emplace_back(find_field("destination.ip"), "10.1.2.3");
  d.values.emplace_back(find_field("url.path"), std::string(500, 'A'));
  Xapian::Document doc;
  fill_document(d, doc);
  std::set<std::string> terms;
  for (auto it = doc.termlist_begin(); it != doc.termlist_end(); ++it) terms.insert(*it);
  const std::set<std::string> expected{"KSESSION", "Qs", "XDIP:10.1.2.3", "XDIP/4/0:", "XDIP/4/8:0a",
                                       "XDIP/4/16:0a01", "XDIP/4/24:0a0102", "XUP:" + std::string(236, 'a'),
                                       "E:XDIP", "E:XUP"};
  CHECK(terms == expected);
}

TEST_CASE("query_compiler matches keyword and alias fields exactly", "[query_compiler]") {
  Corpus c;
  CHECK(c.match(field("network.transport", "udp")) == Ids{"a2", "a9", "a16"});
  CHECK(c.match(field("proto", "TLS")) == Ids{"a1", "a8"});
  CHECK(c.match(field("ja3", "abcdef0123")) == Ids{"a14"});
  CHECK(c.match(field("method", "get")) == Ids{"a3"});
  CHECK(c.match(field("Source.IP", "10.1.2.3")) == Ids{"a1", "e12", "a20"});
  CHECK(c.match(field("ip", "10.1.2.3")) == Ids{"a1", "a5", "e12", "a20"});
  CHECK(c.match(field("ip", "2001:db8:0:0:0:0:0:1")) == Ids{"a8"});  // canonicalised
  CHECK(c.match(field("port", "443")) == Ids{"a1", "a7", "a8", "a11", "a14", "a17"});
  CHECK(c.match(field("destination.port", "443")) == Ids{"a1", "a7", "a8", "a11", "a17"});
  CHECK(c.match(field("status", "404")) == Ids{"a5"});
  CHECK(c.match(field("network.vlan.id", "100")) == Ids{"a20"});
}

TEST_CASE("query_compiler host alias covers names and, for addresses, source and destination ip",
          "[query_compiler]") {
  Corpus c;
  CHECK(c.match(field("host", "example.com")) == Ids{"a3", "e13"});
  CHECK(c.match(field("host", "laptop-01")) == Ids{"a18"});
  CHECK(c.match(field("host", "1.1.1.1")) == Ids{"a6"});
  CHECK(c.match(field("host", "10.1.2.0/24")) == Ids{"a1", "a5", "a14", "e12", "a20"});
  CHECK(c.match(field("sni", "example.net")) == Ids{"a7"});
}

TEST_CASE("query_compiler CIDR matches exactly at indexed and expanded lengths", "[query_compiler]") {
  Corpus c;
  SECTION("IPv4 /8") {
    CHECK(c.match(field("source.ip", "10.0.0.0/8")) ==
          Ids{"a1", "a2", "a3", "a4", "a6", "a7", "a16", "a19", "a20", "e12"});
  }
  SECTION("IPv4 /12, host bits masked") {
    CHECK(c.match(field("ip", "10.16.0.0/12")) == Ids{"a3", "a4", "a6"});
    CHECK(c.match(field("ip", "10.17.3.4/12")) == Ids{"a3", "a4", "a6"});
  }
  SECTION("IPv4 /24, /27, /29, /32") {
    CHECK(c.match(field("ip", "10.1.2.0/24")) == Ids{"a1", "a5", "a14", "e12", "a20"});
    CHECK(c.match(field("ip", "10.1.2.0/27")) == Ids{"a1", "a5", "a14", "e12", "a20"});
    CHECK(c.match(field("ip", "10.1.2.0/29")) == Ids{"a1", "a5", "e12", "a20"});
    CHECK(c.match(field("ip", "10.1.2.30/32")) == Ids{"a14"});
  }
  SECTION("IPv4 /0 and /1") {
    CHECK(c.match(field("destination.ip", "0.0.0.0/0")) ==
          minus(c.all(), Ids{"a8", "a9", "a10", "a11", "a17", "a19"}));
    CHECK(c.match(field("destination.ip", "128.0.0.0/1")) ==
          Ids{"a1", "a4", "a15", "a18"});
  }
  SECTION("IPv6 /32 /48 /56 /120 /128") {
    CHECK(c.match(field("ip", "2001:db8::/32")) == Ids{"a8", "a9", "a10"});
    CHECK(c.match(field("ip", "2001:db8:1::/48")) == Ids{"a8"});
    CHECK(c.match(field("source.ip", "2001:db8::/48")) == Ids{"a8", "a9", "a10"});
    CHECK(c.match(field("ip", "2001:db8::/56")) == Ids{"a8", "a9"});
    CHECK(c.match(field("ip", "2001:db9::/120")) == Ids{"a9", "a11"});
    CHECK(c.match(field("ip", "2001:db9::7/128")) == Ids{"a11"});
  }
  SECTION("an IPv4-mapped IPv6 address is not in the IPv4 network") {
    CHECK(c.match(field("ip", "::ffff:10.1.2.3")) == Ids{"a17"});
  }
}

TEST_CASE("query_compiler domain wildcards: suffix below a name, leading and trailing", "[query_compiler]") {
  Corpus c;
  CHECK(c.match(field("dns", "*.example.com")) == Ids{"a2", "a9", "e12"});  // not example.com itself
  CHECK(c.match(field("domain", "*.example.com")) == Ids{"a1", "a2", "a9", "e12"});
  CHECK(c.match(field("domain", "*.EXAMPLE.com.")) == Ids{"a1", "a2", "a9", "e12"});
  CHECK(c.match(field("url.domain", "*.evil.net")) == Ids{"a19"});
  CHECK(c.match(field("url.domain", "*ample.com")) == Ids{"a3", "a5"});
  CHECK(c.match(field("dns.question.name", "*b.example.com")) == Ids{"e12"});
  CHECK(c.match(field("sni", "www.*")) == Ids{"a1"});
  CHECK(c.match(field("sni", "api*")) == Ids{"a8"});
  CHECK(c.match(field("dns.question.name", "mail.*")) == Ids{"a2"});
  CHECK(c.match(field("source.ip", "10.1.*")) == Ids{"a1", "a2", "e12", "a20"});
  CHECK(c.match(field("ja3", "abc*")) == Ids{"a14"});
  CHECK(c.match(field("dns", "*.example.com", 0, true)).empty());  // quoted: literal
}

TEST_CASE("query_compiler field:* matches the documents that have the field at all", "[query_compiler]") {
  Corpus c;
  CHECK(c.match(field("sni", "*")) == Ids{"a1", "a7", "a8"});
  CHECK(c.match(field("sni", "*")) == c.match(field("tls.client.server_name", "*")));
  // An alias is present when any of its fields is; numbers count too.
  const Ids with_bytes = c.match(field("bytes", "*"));
  CHECK(!with_bytes.empty());
  CHECK(with_bytes == c.match(range("bytes", "0", true, nullptr, true)));
}

TEST_CASE("query_compiler numbers: exact values and ranges", "[query_compiler]") {
  Corpus c;
  CHECK(c.match(field("bytes", "1000")) == Ids{"a4"});
  CHECK(c.match(field("bytes", "1000.0")) == Ids{"a4"});
  CHECK(c.match(field("bytes", "1000.5")) == Ids{"a16"});
  CHECK(c.match(range("bytes", "1000", false, nullptr, true)) == Ids{"a1", "a3", "a6", "a8", "a14", "a16"});
  CHECK(c.match(range("bytes", "1000", true, nullptr, true)) == Ids{"a1", "a3", "a4", "a6", "a8", "a14", "a16"});
  CHECK(c.match(range("bytes", nullptr, true, "1000", false)) == Ids{"a2", "a5", "a9", "a10"});
  CHECK(c.match(range("bytes", nullptr, true, "1000", true)) == Ids{"a2", "a4", "a5", "a9", "a10"});
  CHECK(c.match(range("bytes", "999", true, "1001", true)) == Ids{"a4", "a5", "a6", "a16"});
  CHECK(c.match(range("bytes", "999", false, "1001", false)) == Ids{"a4", "a16"});
  CHECK(c.match(range("port", "40000", true, nullptr, true)) == Ids{"a1", "a14"});
  CHECK(c.match(range("status", "400", true, "499", true)) == Ids{"a5"});
}

TEST_CASE("query_compiler time ranges accept times relative to now", "[query_compiler]") {
  // The corpus lies at 2026-11-28T10:00Z, before any run of this test.
  Corpus c;
  const Ids all = c.match(range("@timestamp", "0", true, nullptr, true));
  REQUIRE(!all.empty());
  CHECK(c.match(range("@timestamp", "100000d ago", true, nullptr, true)) == all);
  CHECK(c.match(range("@timestamp", nullptr, true, "now", true)) == all);
  CHECK(c.match(range("@timestamp", "now", true, nullptr, true)).empty());
  CHECK(c.match(range("@timestamp", "1s ago", true, nullptr, true)).empty());
  for (const char* bad : {"5 ago", "1y ago", "m ago", "1h  ago", "1h later"}) {
    INFO(bad);
    CHECK(std::holds_alternative<QueryError>(compile_query(range("@timestamp", bad, true, nullptr, true))));
  }
}

TEST_CASE("query_compiler time ranges accept RFC 3339 and Unix seconds", "[query_compiler]") {
  Corpus c;
  CHECK(c.match(range("@timestamp", "2026-11-28T10:00:05Z", true, "1795860007", true)) == Ids{"a5", "a6", "a7"});
  CHECK(c.match(range("@timestamp", "2026-11-28T10:00:05Z", false, "2026-11-28T11:00:07+01:00", false)) ==
        Ids{"a6"});
  CHECK(c.match(range("@timestamp", "1795860019.5", true, nullptr, true)) == Ids{"a20"});
  CHECK(c.match(range("@timestamp", nullptr, true, "2026-11-28T10:00:01.000000001Z", true)) == Ids{"a1"});
  CHECK(c.match(field("@timestamp", "2026-11-28T10:00:03Z")) == Ids{"a3"});
  CHECK(c.match(field("@timestamp", "2026-11-28t10:00:03.000z")) == Ids{"a3"});
  CHECK(c.match(field("@timestamp", "2026-11-28T09:30:03-00:30")) == Ids{"a3"});
  CHECK(c.match(range("tls.server.not_after", "2026-11-28T10:01:40Z", true, nullptr, true)) == Ids{"a20"});
  CHECK(c.match(range("tls.server.not_after", "2026-11-28T10:01:40Z", false, nullptr, true)).empty());
}

TEST_CASE("query_compiler free text: words, phrases, wildcard, bare address", "[query_compiler]") {
  Corpus c;
  CHECK(c.match(text("Firefox")) == Ids{"a3"});
  CHECK(c.match(text("linux")) == Ids{"a3", "a15"});
  CHECK(c.match(text("Linux Firefox", true)) == Ids{"a3"});
  CHECK(c.match(text("fire*")) == Ids{"a3"});
  CHECK(c.match(text("example")) == Ids{"a1", "a2", "a3", "a7", "a8", "a9", "a19", "e12", "e13"});
  CHECK(c.match(text("10.1.2.30")) == Ids{"a14"});
  CHECK(c.match(text("x")).empty());
  CHECK(c.match(field("ua", "curl/7.88.1", 0, true)) == Ids{"a5"});
  CHECK(c.match(field("ua", "curl")).empty());  // text fields match the whole value
}

TEST_CASE("query_compiler NOT, AND and OR nesting", "[query_compiler]") {
  Corpus c;
  QueryNode all;
  CHECK(c.match(all) == c.all());
  CHECK(c.match(and_({field("destination.port", "443"), not_(field("proto", "tls"))})) == Ids{"a7", "a11", "a17"});
  CHECK(c.match(not_(field("source.ip", "10.0.0.0/8"))) ==
        minus(c.all(), Ids{"a1", "a2", "a3", "a4", "a6", "a7", "a16", "a19", "a20", "e12"}));
  CHECK(c.match(and_({not_(field("proto", "tls")), not_(field("proto", "http"))})) ==
        minus(c.all(), Ids{"a1", "a8", "a3", "a5"}));
  CHECK(c.match(or_({and_({field("proto", "dns"), range("bytes", "100", false, nullptr, true)}),
                     and_({field("destination.port", "22"), not_(field("ip", "192.168.0.0/16"))})})) ==
        Ids{"a2", "a4"});
  CHECK(c.match(or_({field("ja3", "abcdef0123"), and_({field("port", "53"), not_(text("example"))})})) ==
        Ids{"a14"});
  CHECK(c.match(and_({field("port", "53"), or_({field("ip", "8.8.8.8"), field("ip", "2001:db8::/32")})})) ==
        Ids{"a2", "a9", "e13"});
}

TEST_CASE("query_compiler reports each error at the offending node", "[query_compiler]") {
  SECTION("unknown field suggests the closest name") {
    auto e = error_of(and_({field("port", "1"), field("dns.qname", "x", 7)}));
    CHECK(e.position == 7);
    CHECK(e.message == "unknown field 'dns.qname' at 7; did you mean dns.question.name?");
    CHECK(error_of(field("src.ip", "1.2.3.4", 3)).message == "unknown field 'src.ip' at 3; did you mean source.ip?");
    CHECK(error_of(field("zzzzzzzzzzzzz", "1")).message == "unknown field 'zzzzzzzzzzzzz' at 0");
  }
  SECTION("bad CIDR and bad address") {
    auto e = error_of(or_({field("ip", "1.1.1.1"), field("ip", "10.0.0.0/33", 12)}));
    CHECK(e.position == 12);
    CHECK(e.message == "bad CIDR '10.0.0.0/33' for source.ip at 12");
    CHECK(error_of(field("source.ip", "10.0.0/8", 2)).message == "bad CIDR '10.0.0/8' for source.ip at 2");
    CHECK(error_of(field("source.ip", "foo", 4)).message == "bad address 'foo' for source.ip at 4");
  }
  SECTION("IPv6 CIDR needing more than 256 terms is refused") {
    auto e = error_of(field("ip", "2001:db8::/96", 5));
    CHECK(e.position == 5);
    CHECK(e.message == "CIDR '2001:db8::/96' for source.ip needs more than 256 terms; IPv6 supports /0, /8 to /64 and "
                       "/120 to /128 at 5");
  }
  SECTION("bad number and bad time") {
    CHECK(error_of(field("port", "http", 9)).message == "bad number 'http' for source.port at 9");
    CHECK(error_of(range("bytes", "1", true, "1e", true, 3)).message == "bad number '1e' for network.bytes at 3");
    auto e = error_of(range("@timestamp", "2026-13-01T00:00:00Z", true, nullptr, true, 6));
    CHECK(e.position == 6);
    CHECK(e.message == "bad time '2026-13-01T00:00:00Z' for @timestamp (RFC 3339, Unix seconds, now or e.g. \"1h ago\") at 6");
    for (const char* bad : {"2026-02-29T00:00:00Z", "2026-11-28T24:00:00Z", "2026-11-28T10:00:00", "2026-11-28 10:00:00Z",
                            "2026-11-28T10:00:00.Z", "2026-11-28T10:00:00.1234567890Z", "1795860000.", "-5", "99999999999999",
                            "2026-11-28T10:00:00+0100", ""}) {
      CAPTURE(bad);
      CHECK(error_of(range("@timestamp", bad, true, nullptr, true)).position == 0);
    }
  }
  SECTION("range on a keyword field") {
    auto e = error_of(not_(range("network.transport", "5", true, nullptr, true, 4)));
    CHECK(e.position == 4);
    CHECK(e.message == "range on keyword field 'network.transport'; ranges need a number or time field at 4");
  }
  SECTION("wildcards in the wrong place or on the wrong type") {
    CHECK(error_of(field("port", "44*", 1)).message == "wildcard (other than field:*) on number field 'source.port' at 1");
    CHECK(error_of(field("ja3", "*abc", 2)).message ==
          "leading wildcard '*abc' on keyword field 'tls.client.ja3'; only domain fields support it at 2");
    CHECK(error_of(field("sni", "a*b", 3)).message == "wildcard 'a*b': one '*', at the start or the end of the value at 3");
    CHECK(error_of(field("sni", "*exa*", 3)).message ==
          "wildcard '*exa*': one '*', at the start or the end of the value at 3");
  }
  SECTION("NOT without one operand") {
    QueryNode n;
    n.kind = QueryNodeKind::not_;
    n.position = 8;
    CHECK(error_of(n).message == "NOT needs exactly one operand at 8");
  }
}

TEST_CASE("query_compiler wildcard expansion beyond the limit fails loudly", "[query_compiler]") {
  Xapian::WritableDatabase db(std::string(), Xapian::DB_BACKEND_INMEMORY);
  for (unsigned i = 0; i < kMaxWildcardExpansion + 1; ++i) {
    SearchDocument d;
    d.unique_id = std::to_string(i);
    d.values.emplace_back(find_field("tls.client.ja3"), "h" + std::to_string(i));
    Xapian::Document doc;
    fill_document(d, doc);
    db.add_document(doc);
  }
  auto r = compile_query(field("ja3", "h*"));
  REQUIRE(std::holds_alternative<Xapian::Query>(r));
  Xapian::Enquire enquire(db);
  enquire.set_query(std::get<Xapian::Query>(r));
  CHECK_THROWS_AS(enquire.get_mset(0, 10), Xapian::WildcardError);
}

}  // namespace opensoc::search
