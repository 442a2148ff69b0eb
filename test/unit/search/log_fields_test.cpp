// Tests for what search learnt for log events (issue 8): dynamic fields
// (parser-made names outside the schema, "XF:name=value" terms) indexed by
// SearchDocument::add_any and fill_document and queried through the query
// compiler; how unknown names are told apart from typos of schema fields;
// and two shard writers sharing one directory through writer tags.
#include <set>
#include <string>
#include <string_view>
#include <variant>

#include <catch2/catch.hpp>
#include <xapian.h>

#include "search/field_schema.hpp"
#include "search/index_terms.hpp"
#include "search/query_compiler.hpp"
#include "search/query_parser.hpp"
#include "search/search_document.hpp"
#include "search/search_executor.hpp"
#include "search/search_shards.hpp"
#include "support/temp_dir.hpp"

namespace opensoc::search {
namespace {

using Ids = std::set<std::string>;

constexpr TimestampNs kBase = 1795860000LL * kNsPerSecond;  // 2026-11-28T10:00:00Z, an hour boundary

std::variant<Xapian::Query, QueryError> compile_text(std::string_view text) {
  auto parsed = parse_search_query(text);
  REQUIRE(std::holds_alternative<QueryNode>(parsed));
  return compile_query(std::get<QueryNode>(parsed));
}

std::string error_of(std::string_view text) {
  auto r = compile_text(text);
  REQUIRE(std::holds_alternative<QueryError>(r));
  return std::get<QueryError>(r).message;
}

class LogCorpus {
 public:
  LogCorpus() : db_(std::string(), Xapian::DB_BACKEND_INMEMORY) {
    add("cef-blocked", {{"cef.extensions.deviceCustomString1", "Blocked"},
                        {"cef.extensions.deviceCustomString1Label", "Action"},
                        {"kv.policyid", "42"},
                        {"host.hostname", "fw1"},
                        {"process.pid", "4321"},
                        {"message", "Connection blocked by policy"}});
    add("cef-allowed", {{"cef.extensions.deviceCustomString1", "Allowed"},
                        {"myapp.request.user", "Bob"},
                        {"host.hostname", "fw2"},
                        {"process.pid", "not a number"}});
    add("plain", {{"host.hostname", "web1"}, {"kv.policyid", "421"}});
  }

  Ids match(std::string_view text) const {
    auto r = compile_text(text);
    if (auto* e = std::get_if<QueryError>(&r)) FAIL("query '" << text << "': " << e->message);
    Xapian::Enquire enquire(db_);
    enquire.set_query(std::get<Xapian::Query>(r));
    Ids ids;
    const Xapian::MSet m = enquire.get_mset(0, db_.get_doccount() + 1);
    for (auto it = m.begin(); it != m.end(); ++it) ids.insert(it.get_document().get_data());
    return ids;
  }
  const Xapian::WritableDatabase& db() const { return db_; }

 private:
  void add(const std::string& id, std::initializer_list<std::pair<std::string_view, std::string>> fields) {
    SearchDocument d;
    d.kind = DocumentKind::log;
    d.ts = kBase;
    d.json = id;
    for (const auto& [name, value] : fields) d.add_any(name, value);
    Xapian::Document doc;
    fill_document(d, doc);
    db_.add_document(doc);
  }
  Xapian::WritableDatabase db_;
};

TEST_CASE("add_any sorts fields by schema type and keeps other names as dynamic keywords", "[search][logs]") {
  SearchDocument d;
  d.add_any("host.hostname", "fw1");
  d.add_any("process.pid", "4321");
  d.add_any("process.pid", "12ab");
  d.add_any("event.created", "1795860000000000000");
  d.add_any("cef.extensions.act", "deny");
  d.add_any("kv.empty", "");
  REQUIRE(d.values.size() == 1);
  CHECK(d.values[0].first->name == "host.hostname");
  CHECK(d.values[0].second == "fw1");
  REQUIRE(d.numbers.size() == 1);
  CHECK(d.numbers[0].first->name == "process.pid");
  CHECK(d.numbers[0].second == 4321.0);
  REQUIRE(d.times.size() == 1);
  CHECK(d.times[0].first->name == "event.created");
  CHECK(d.times[0].second == kBase);
  REQUIRE(d.dynamic_values.size() == 1);
  CHECK(d.dynamic_values[0] == std::pair<std::string, std::string>{"cef.extensions.act", "deny"});
}

TEST_CASE("fill_document writes a log's kind term and its dynamic value and exists terms", "[search][logs]") {
  SearchDocument d;
  d.kind = DocumentKind::log;
  d.ts = kBase;
  d.add_any("cef.extensions.deviceCustomString1", "Blocked");
  Xapian::Document doc;
  fill_document(d, doc);
  std::set<std::string> terms;
  for (auto it = doc.termlist_begin(); it != doc.termlist_end(); ++it) terms.insert(*it);
  CHECK(terms == std::set<std::string>{"KLOG", "XF:cef.extensions.devicecustomstring1=blocked",
                                       "E:XF:cef.extensions.devicecustomstring1"});
  CHECK(dynamic_field_term("Kv.X", "A B") == "XF:kv.x=a b");
  CHECK(dynamic_exists_term("Kv.X") == "E:XF:kv.x");
}

TEST_CASE("dynamic fields are queried exactly, by prefix and for existence", "[search][logs]") {
  const LogCorpus c;
  SECTION("exact, case-insensitive") {
    CHECK(c.match("cef.extensions.deviceCustomString1:blocked") == Ids{"cef-blocked"});
    CHECK(c.match("cef.extensions.devicecustomstring1:BLOCKED") == Ids{"cef-blocked"});
    CHECK(c.match("cef.extensions.deviceCustomString1:Block").empty());
    CHECK(c.match("kv.policyid:42") == Ids{"cef-blocked"});
    CHECK(c.match("kv.policyid:421") == Ids{"plain"});
    CHECK(c.match("myapp.request.user:bob") == Ids{"cef-allowed"});
  }
  SECTION("prefix wildcard") {
    CHECK(c.match("cef.extensions.deviceCustomString1:bl*") == Ids{"cef-blocked"});
    CHECK(c.match("cef.extensions.deviceCustomString1:*") == Ids{"cef-blocked", "cef-allowed"});
    CHECK(c.match("kv.policyid:42*") == Ids{"cef-blocked", "plain"});
    // The label's name starts with the value's name: the name ends at '='.
    CHECK(c.match("cef.extensions.deviceCustomString1:a*") == Ids{"cef-allowed"});
  }
  SECTION("field:*") {
    CHECK(c.match("cef.extensions.deviceCustomString1Label:*") == Ids{"cef-blocked"});
    CHECK(c.match("kv.policyid:*") == Ids{"cef-blocked", "plain"});
    CHECK(c.match("kv.nothing:*").empty());
  }
  SECTION("with schema fields and boolean operators") {
    CHECK(c.match("host.hostname:fw1 kv.policyid:42") == Ids{"cef-blocked"});
    CHECK(c.match("kv.policyid:* NOT host.hostname:web1") == Ids{"cef-blocked"});
    CHECK(c.match("process.pid:4000..5000") == Ids{"cef-blocked"});
    CHECK(c.match("message:\"connection blocked by policy\"") == Ids{"cef-blocked"});
    CHECK(c.match("policy") == Ids{"cef-blocked"});
  }
  SECTION("a wildcard not at the end is refused") {
    CHECK(error_of("kv.policyid:*2") ==
          "wildcard '*2' on field 'kv.policyid': one '*', at the end of the value at 0");
    CHECK(error_of("kv.policyid:4*2*") ==
          "wildcard '4*2*' on field 'kv.policyid': one '*', at the end of the value at 0");
  }
}

TEST_CASE("unknown field names: typos of schema fields stay errors, parser roots are dynamic", "[search][logs]") {
  CHECK(error_of("soruce.ip:10.0.0.1") == "unknown field 'soruce.ip' at 0; did you mean source.ip?");
  // An abbreviation is a typo too, however much it leaves out.
  CHECK(error_of("dns.qname:x") == "unknown field 'dns.qname' at 0; did you mean dns.question.name?");
  CHECK(error_of("web1 host.hostnme:web1").find("unknown field 'host.hostnme' at 5") != std::string::npos);
  CHECK(error_of("hostnme:web1").find("unknown field 'hostnme'") != std::string::npos);
  // Under a parser's own root even a near-miss of a schema name is the parser's.
  CHECK(has_dynamic_root("log.syslog.structured_data.origin.ip"));
  CHECK(has_dynamic_root("cef.extensions.act"));
  CHECK_FALSE(has_dynamic_root("cef."));
  CHECK_FALSE(has_dynamic_root("cefx.act"));
  CHECK_FALSE(has_dynamic_root("source.ip"));
  for (const char* q : {"log.syslog.structured_data.origin.ip:1.2.3.4", "labels.original_timestamp:*",
                        "netflow.tcp_control_bits:27", "zeek.conn.history:ShADadfF", "myapp.request.user:bob"}) {
    INFO(q);
    CHECK(std::holds_alternative<Xapian::Query>(compile_text(q)));
  }
}

// ---- two writers, one directory ----

Xapian::Document doc_at(TimestampNs ts, const std::string& json) {
  SearchDocument d;
  d.kind = DocumentKind::log;
  d.ts = ts;
  d.json = json;
  Xapian::Document doc;
  fill_document(d, doc);
  return doc;
}

std::unique_ptr<SearchShardWriter> writer(const std::string& dir, const std::string& tag) {
  SearchShardOptions o;
  o.dir = dir;
  o.shard_span_s = 3600;
  o.sync = false;
  o.writer_tag = tag;
  auto w = SearchShardWriter::open(o);
  if (!w) FAIL(w.error().message);
  return std::move(*w);
}

std::set<std::string> shard_names(const std::string& dir) {
  auto listed = list_shard_dirs(dir);
  REQUIRE(listed);
  std::set<std::string> names;
  for (const ShardDir& d : *listed) names.insert(d.name);
  return names;
}

std::uint64_t total(const std::string& dir) {
  SearchRequest r;
  auto res = SearchExecutor(dir).run(r);
  REQUIRE(res);
  return res->total;
}

TEST_CASE("two shard writers share a directory and each drops only its own shards", "[search][logs]") {
  test::TempDir tmp;
  const std::string dir = tmp.file("search");
  constexpr std::int64_t kHour = 3600;
  const std::int64_t h0 = kBase / kNsPerSecond;
  const std::string plain0 = shard_dir_name(h0, 3600);
  const std::string plain2 = shard_dir_name(h0 + 2 * kHour, 3600);
  const std::string logs0 = shard_dir_name(h0, 3600, "logs");
  const std::string logs2 = shard_dir_name(h0 + 2 * kHour, 3600, "logs");
  CHECK(logs0 == plain0 + "-logs");
  {
    auto sessions = writer(dir, "");
    auto logs = writer(dir, "logs");
    REQUIRE(sessions->add(kBase + kNsPerSecond, "", doc_at(kBase + kNsPerSecond, "s0")));
    REQUIRE(sessions->add(kBase + 2 * kHour * kNsPerSecond, "", doc_at(kBase + 2 * kHour * kNsPerSecond, "s2")));
    REQUIRE(logs->add(kBase + 5 * kNsPerSecond, "", doc_at(kBase + 5 * kNsPerSecond, "l0")));
    REQUIRE(logs->add(kBase + 5 * kNsPerSecond, "", doc_at(kBase + 5 * kNsPerSecond, "l0b")));
    REQUIRE(logs->add(kBase + 2 * kHour * kNsPerSecond, "", doc_at(kBase + 2 * kHour * kNsPerSecond, "l2")));
    REQUIRE(sessions->commit());
    REQUIRE(logs->commit());
    CHECK(shard_names(dir) == std::set<std::string>{plain0, logs0, plain2, logs2});
    CHECK(total(dir) == 5);  // readers search every writer's shards
    CHECK(sessions->stats().shards == 2);
    CHECK(logs->stats().shards == 2);

    auto dropped = logs->drop_before(kBase + kHour * kNsPerSecond);
    REQUIRE(dropped);
    CHECK(*dropped == 1);
    CHECK(shard_names(dir) == std::set<std::string>{plain0, plain2, logs2});
    CHECK(total(dir) == 3);

    dropped = sessions->drop_before(kBase + kHour * kNsPerSecond);
    REQUIRE(dropped);
    CHECK(*dropped == 1);
    CHECK(shard_names(dir) == std::set<std::string>{plain2, logs2});
    CHECK(total(dir) == 2);
  }
  SECTION("a reopened writer knows only the shards with its tag") {
    auto logs = writer(dir, "logs");
    CHECK(logs->stats().shards == 1);
    auto dropped = logs->drop_before(kBase + 10 * kHour * kNsPerSecond);
    REQUIRE(dropped);
    CHECK(*dropped == 1);
    CHECK(shard_names(dir) == std::set<std::string>{plain2});
  }
}

TEST_CASE("shard directory names carry a lower-case writer tag", "[search][logs]") {
  CHECK(shard_dir_name(1234567, 3600, "logs") == "s000001234567-3600-logs");
  CHECK(shard_dir_name(1234567, 3600) == "s000001234567-3600");
  CHECK(shard_dir_tag("s000001234567-3600-logs") == "logs");
  CHECK(shard_dir_tag("s000001234567-3600").empty());
  const auto tagged = parse_shard_dir_name("s000001234567-3600-logs");
  REQUIRE(tagged);
  CHECK(tagged->start == 1234567LL * kNsPerSecond);
  CHECK(tagged->end == (1234567LL + 3600) * kNsPerSecond);
  const auto plain = parse_shard_dir_name("s000001234567-3600");
  REQUIRE(plain);
  CHECK(plain->start == tagged->start);
  CHECK_FALSE(parse_shard_dir_name("s000001234567-3600-Logs"));
  CHECK_FALSE(parse_shard_dir_name("s000001234567-3600-"));
  CHECK_FALSE(parse_shard_dir_name("s000001234567-3600-lo9s"));
  CHECK_FALSE(parse_shard_dir_name("s000001234567-3600-logs-x"));
}

}  // namespace
}  // namespace opensoc::search
