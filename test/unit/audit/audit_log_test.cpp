// AuditLog: the exact line format, whole lines under concurrent writers,
// logrotate's rename, and the GET /api/v1/audit reader.
#include "audit/audit_log.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <simdjson.h>

#include "support/temp_dir.hpp"

namespace opensoc::audit {
namespace {

// 2026-11-28T21:00:00Z
constexpr TimestampNs kBase = 1795899600LL * 1'000'000'000;

AuditEntry entry(TimestampNs t, std::string user, std::string action, std::string outcome = "ok",
                 std::string source = "127.0.0.1", std::string target = "/api/v1/x") {
  AuditEntry e;
  e.time = t;
  e.user = std::move(user);
  e.source = std::move(source);
  e.action = std::move(action);
  e.outcome = std::move(outcome);
  e.target = std::move(target);
  return e;
}

std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void append_raw(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::app);
  out << bytes;
}

api::Request get(std::vector<std::pair<std::string, std::string>> params) {
  api::Request r;
  r.method = "GET";
  r.path = "/api/v1/audit";
  r.target = r.path;
  for (auto& [k, v] : params) r.query.emplace(k, v);
  return r;
}

struct Answer {
  int status = 0;
  std::vector<std::string> users;    // entries' "user", in answer order
  std::vector<std::string> targets;  // entries' "target"
  std::uint64_t returned = 0;
  std::uint64_t skipped = 0;
  std::uint64_t scanned = 0;
  bool truncated = false;
  std::string parameter;  // error.parameter on 400
  std::string body;
};

Answer ask(const AuditLog& log, std::vector<std::pair<std::string, std::string>> params) {
  const api::Response r = log.serve(get(std::move(params)));
  Answer a;
  a.status = r.status;
  a.body = r.body;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE(parser.parse(r.body).get(doc) == simdjson::SUCCESS);
  if (r.status != 200) {
    std::string_view p;
    if (doc["error"]["parameter"].get(p) == simdjson::SUCCESS) a.parameter = std::string(p);
    return a;
  }
  simdjson::dom::array entries;
  REQUIRE(doc["entries"].get(entries) == simdjson::SUCCESS);
  for (auto e : entries) {
    std::string_view u, t;
    REQUIRE(e["user"].get(u) == simdjson::SUCCESS);
    REQUIRE(e["target"].get(t) == simdjson::SUCCESS);
    a.users.emplace_back(u);
    a.targets.emplace_back(t);
  }
  REQUIRE(doc["returned"].get(a.returned) == simdjson::SUCCESS);
  REQUIRE(doc["skipped"].get(a.skipped) == simdjson::SUCCESS);
  REQUIRE(doc["scanned_bytes"].get(a.scanned) == simdjson::SUCCESS);
  REQUIRE(doc["truncated"].get(a.truncated) == simdjson::SUCCESS);
  return a;
}

}  // namespace

TEST_CASE("render_audit_line writes fixed keys in order, then details", "[audit]") {
  AuditEntry e = entry(kBase + 123456789, "alice", "pcap", "ok", "10.0.0.5", "/api/v1/pcap");
  e.details = {{"query", "host 10.0.0.1", false}, {"bytes", "1234", true}};
  CHECK(render_audit_line(e) ==
        "{\"@timestamp\":\"2026-11-28T21:00:00.123456789Z\",\"user\":\"alice\",\"source\":\"10.0.0.5\","
        "\"action\":\"pcap\",\"outcome\":\"ok\",\"target\":\"/api/v1/pcap\",\"query\":\"host 10.0.0.1\","
        "\"bytes\":1234}\n");
}

TEST_CASE("render_audit_line writes an empty entry with the epoch and empty strings", "[audit]") {
  CHECK(render_audit_line(AuditEntry{}) ==
        "{\"@timestamp\":\"1970-01-01T00:00:00.000000000Z\",\"user\":\"\",\"source\":\"\",\"action\":\"\","
        "\"outcome\":\"\",\"target\":\"\"}\n");
}

TEST_CASE("render_audit_line escapes quotes, control bytes and invalid UTF-8", "[audit]") {
  AuditEntry e = entry(kBase, "ev\"il\\", "login", "failed", "::1", "a\nb\r\tc\x01\x7f");
  e.details = {{"reason", std::string("bad \xff\xfe utf8 \xc3\xa9 ok"), false}};
  CHECK(render_audit_line(e) ==
        "{\"@timestamp\":\"2026-11-28T21:00:00.000000000Z\",\"user\":\"ev\\\"il\\\\\",\"source\":\"::1\","
        "\"action\":\"login\",\"outcome\":\"failed\",\"target\":\"a\\nb\\r\\tc\\u0001\\u007f\","
        "\"reason\":\"bad \\ufffd\\ufffd utf8 \xc3\xa9 ok\"}\n");
  // A newline in any field never splits the record.
  const std::string line = render_audit_line(e);
  CHECK(line.find('\n') == line.size() - 1);
}

TEST_CASE("render_audit_line never lets a detail replace a fixed key", "[audit]") {
  AuditEntry e = entry(kBase, "alice", "login");
  e.details = {{"user", "mallory", false}, {"@timestamp", "0", true}, {"outcome", "ok", false}};
  CHECK(render_audit_line(e) ==
        "{\"@timestamp\":\"2026-11-28T21:00:00.000000000Z\",\"user\":\"alice\",\"source\":\"127.0.0.1\","
        "\"action\":\"login\",\"outcome\":\"ok\",\"target\":\"/api/v1/x\",\"detail.user\":\"mallory\","
        "\"detail.@timestamp\":0,\"detail.outcome\":\"ok\"}\n");
}

TEST_CASE("render_audit_line writes a numeric detail that is not a number as a string", "[audit]") {
  AuditEntry e = entry(kBase, "a", "search");
  e.details = {{"n", "-1.5e3", true}, {"bad", "12; DROP", true}, {"empty", "", true}, {"lead", "01", true}};
  const std::string line = render_audit_line(e);
  CHECK(line.find("\"n\":-1.5e3,\"bad\":\"12; DROP\",\"empty\":\"\",\"lead\":\"01\"}") != std::string::npos);
}

TEST_CASE("render_audit_line writes a password only when a caller passes it", "[audit]") {
  AuditEntry e = entry(kBase, "alice", "login", "failed");
  CHECK(render_audit_line(e).find("hunter2") == std::string::npos);
  e.details = {{"password", "hunter2", false}};
  CHECK(render_audit_line(e).find("\"password\":\"hunter2\"") != std::string::npos);
}

TEST_CASE("AuditLog::open creates the parent directories and a 0640 file", "[audit]") {
  test::TempDir dir;
  const std::string path = dir.file("a/b/c/audit.log");
  const mode_t old_mask = ::umask(022);
  auto log = AuditLog::open(path);
  ::umask(old_mask);
  REQUIRE(log.has_value());
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0640);
  CHECK((*log)->path() == path);
  (*log)->record(entry(kBase, "alice", "login"));
  CHECK((*log)->written() == 1);
  CHECK((*log)->errors() == 0);
  CHECK(read_all(path) == render_audit_line(entry(kBase, "alice", "login")));
}

TEST_CASE("AuditLog::open appends to an existing file", "[audit]") {
  test::TempDir dir;
  const std::string path = dir.file("audit.log");
  append_raw(path, "earlier\n");
  auto log = AuditLog::open(path);
  REQUIRE(log.has_value());
  (*log)->record(entry(kBase, "bob", "logout"));
  const auto lines = read_lines(path);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0] == "earlier");
}

TEST_CASE("AuditLog::open fails with a message when the directory cannot be made", "[audit]") {
  test::TempDir dir;
  append_raw(dir.file("file"), "x");
  auto log = AuditLog::open(dir.file("file/sub/audit.log"));
  REQUIRE_FALSE(log.has_value());
  CHECK(log.error().message.find("file/sub") != std::string::npos);
}

TEST_CASE("AuditLog keeps lines whole under concurrent writers", "[audit]") {
  test::TempDir dir;
  const std::string path = dir.file("audit.log");
  constexpr int kThreads = 4;
  constexpr int kPerThread = 2000;
  // A long detail makes each line span several cache lines and pages' worth
  // of a buffered writer, so interleaving would show.
  const std::string filler(300, 'x');

  const auto run = [&](const std::vector<AuditLog*>& logs) {
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        AuditLog& log = *logs[static_cast<std::size_t>(t) % logs.size()];
        for (int i = 0; i < kPerThread; ++i) {
          AuditEntry e = entry(kBase + i, "t" + std::to_string(t), "search");
          e.target = std::to_string(i);
          e.details = {{"filler", filler, false}};
          log.record(e);
        }
      });
    }
    for (auto& th : threads) th.join();
  };

  SECTION("one AuditLog shared by the threads") {
    auto log = AuditLog::open(path);
    REQUIRE(log.has_value());
    run({log->get()});
    CHECK((*log)->written() == kThreads * kPerThread);
    CHECK((*log)->errors() == 0);
  }
  SECTION("one AuditLog per thread, as daemon and CLI each have their own") {
    std::vector<std::unique_ptr<AuditLog>> owned;
    std::vector<AuditLog*> logs;
    for (int t = 0; t < kThreads; ++t) {
      auto log = AuditLog::open(path);
      REQUIRE(log.has_value());
      logs.push_back(log->get());
      owned.push_back(std::move(*log));
    }
    run(logs);
  }

  const auto lines = read_lines(path);
  REQUIRE(lines.size() == kThreads * kPerThread);
  simdjson::dom::parser parser;
  std::set<std::pair<std::string, std::string>> seen;
  std::size_t bad = 0;
  for (const auto& line : lines) {
    simdjson::dom::element doc;
    std::string_view user, target, fill;
    if (parser.parse(line).get(doc) != simdjson::SUCCESS || doc["user"].get(user) != simdjson::SUCCESS ||
        doc["target"].get(target) != simdjson::SUCCESS || doc["filler"].get(fill) != simdjson::SUCCESS ||
        fill != filler) {
      ++bad;
      continue;
    }
    seen.emplace(std::string(user), std::string(target));
  }
  CHECK(bad == 0);
  CHECK(seen.size() == kThreads * kPerThread);
}

TEST_CASE("AuditLog starts a new file when logrotate moved or deleted it", "[audit]") {
  test::TempDir dir;
  const std::string path = dir.file("audit.log");
  auto opened = AuditLog::open(path);
  REQUIRE(opened.has_value());
  AuditLog& log = **opened;
  log.record(entry(kBase + 1, "one", "login"));
  log.record(entry(kBase + 2, "two", "login"));

  SECTION("renamed") {
    REQUIRE(std::rename(path.c_str(), dir.file("audit.log.1").c_str()) == 0);
    log.record(entry(kBase + 3, "three", "login"));
    const auto old_lines = read_lines(dir.file("audit.log.1"));
    REQUIRE(old_lines.size() == 2);
    CHECK(old_lines[0].find("\"user\":\"one\"") != std::string::npos);
    CHECK(old_lines[1].find("\"user\":\"two\"") != std::string::npos);
  }
  SECTION("deleted") {
    REQUIRE(::unlink(path.c_str()) == 0);
    log.record(entry(kBase + 3, "three", "login"));
  }
  const auto new_lines = read_lines(path);
  REQUIRE(new_lines.size() == 1);
  CHECK(new_lines[0].find("\"user\":\"three\"") != std::string::npos);
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0137) == 0);  // never more than 0640
  CHECK(log.written() == 3);
  CHECK(log.errors() == 0);
  // Subsequent writes stay in the new file (no reopen storm).
  log.record(entry(kBase + 4, "four", "login"));
  CHECK(read_lines(path).size() == 2);
}

TEST_CASE("AuditLog counts a write it could not do", "[audit]") {
  test::TempDir dir;
  const std::string sub = dir.file("sub");
  auto opened = AuditLog::open(sub + "/audit.log");
  REQUIRE(opened.has_value());
  AuditLog& log = **opened;
  // The file and its directory vanish, and the directory's name becomes a
  // file: no new log can be created, and the old descriptor still points at
  // the deleted file, which takes the line.
  REQUIRE(::unlink((sub + "/audit.log").c_str()) == 0);
  REQUIRE(::rmdir(sub.c_str()) == 0);
  append_raw(sub, "not a directory");
  log.record(entry(kBase, "a", "login"));
  CHECK(log.errors() == 1);
}

TEST_CASE("AuditLog::serve answers newest first with filters", "[audit]") {
  test::TempDir dir;
  const std::string path = dir.file("audit.log");
  auto opened = AuditLog::open(path);
  REQUIRE(opened.has_value());
  AuditLog& log = **opened;
  const TimestampNs s = 1'000'000'000;
  log.record(entry(kBase + 0 * s, "alice", "login", "ok", "10.0.0.1", "e0"));
  log.record(entry(kBase + 1 * s, "bob", "login", "failed", "10.0.0.2", "e1"));
  log.record(entry(kBase + 2 * s, "alice", "pcap", "ok", "10.0.0.1", "e2"));
  log.record(entry(kBase + 3 * s, "carol", "token.use", "ok", "10.0.0.3", "e3"));
  log.record(entry(kBase + 4 * s, "alice", "login", "failed", "10.0.0.2", "e4"));

  SECTION("no filter: all, newest first") {
    const Answer a = ask(log, {});
    REQUIRE(a.status == 200);
    CHECK(a.targets == std::vector<std::string>{"e4", "e3", "e2", "e1", "e0"});
    CHECK(a.returned == 5);
    CHECK(a.skipped == 0);
    CHECK(a.scanned == read_all(path).size());
    CHECK_FALSE(a.truncated);
  }
  SECTION("user") {
    CHECK(ask(log, {{"user", "alice"}}).targets == std::vector<std::string>{"e4", "e2", "e0"});
  }
  SECTION("action") {
    CHECK(ask(log, {{"action", "login"}}).targets == std::vector<std::string>{"e4", "e1", "e0"});
  }
  SECTION("outcome") {
    CHECK(ask(log, {{"outcome", "failed"}}).targets == std::vector<std::string>{"e4", "e1"});
  }
  SECTION("source") {
    CHECK(ask(log, {{"source", "10.0.0.2"}}).targets == std::vector<std::string>{"e4", "e1"});
  }
  SECTION("filters combine") {
    CHECK(ask(log, {{"user", "alice"}, {"action", "login"}, {"outcome", "ok"}}).targets ==
          std::vector<std::string>{"e0"});
    CHECK(ask(log, {{"user", "nobody"}}).targets.empty());
  }
  SECTION("start and end, RFC 3339 and epoch seconds, both inclusive") {
    CHECK(ask(log, {{"start", "2026-11-28T21:00:01Z"}, {"end", "2026-11-28T21:00:03Z"}}).targets ==
          std::vector<std::string>{"e3", "e2", "e1"});
    CHECK(ask(log, {{"start", "1795899602"}}).targets == std::vector<std::string>{"e4", "e3", "e2"});
    CHECK(ask(log, {{"end", "1795899600.5"}}).targets == std::vector<std::string>{"e0"});
  }
  SECTION("limit keeps the newest") {
    const Answer a = ask(log, {{"limit", "2"}});
    CHECK(a.targets == std::vector<std::string>{"e4", "e3"});
    CHECK(a.returned == 2);
    CHECK(ask(log, {{"limit", "1"}, {"user", "bob"}}).targets == std::vector<std::string>{"e1"});
    CHECK(ask(log, {{"limit", "10000"}}).returned == 5);
  }
  SECTION("entries are the lines as written") {
    const Answer a = ask(log, {{"limit", "1"}});
    std::string line = read_lines(path).back();
    CHECK(a.body == "{\"entries\":[" + line + "],\"returned\":1,\"skipped\":0,\"scanned_bytes\":" +
                        std::to_string(a.scanned) + ",\"truncated\":false}\n");
  }
}

TEST_CASE("AuditLog::serve refuses bad parameters naming them", "[audit]") {
  test::TempDir dir;
  auto opened = AuditLog::open(dir.file("audit.log"));
  REQUIRE(opened.has_value());
  AuditLog& log = **opened;
  const auto bad = [&](std::vector<std::pair<std::string, std::string>> params, const std::string& name) {
    const Answer a = ask(log, std::move(params));
    CHECK(a.status == 400);
    CHECK(a.parameter == name);
  };
  bad({{"password", "x"}}, "password");
  bad({{"limit", "0"}}, "limit");
  bad({{"limit", "10001"}}, "limit");
  bad({{"limit", "-1"}}, "limit");
  bad({{"limit", "ten"}}, "limit");
  bad({{"limit", ""}}, "limit");
  bad({{"limit", "99999999999999999999"}}, "limit");
  bad({{"start", "yesterday"}}, "start");
  bad({{"end", "2026-13-01T00:00:00Z"}}, "end");
  bad({{"start", "1795899602"}, {"end", "1795899601"}}, "start");
  bad({{"user", "a"}, {"user", "b"}}, "user");

  api::Request post = get({});
  post.method = "POST";
  CHECK(log.serve(post).status == 405);
}

TEST_CASE("AuditLog::serve skips and counts lines that are not entries", "[audit]") {
  test::TempDir dir;
  const std::string path = dir.file("audit.log");
  auto opened = AuditLog::open(path);
  REQUIRE(opened.has_value());
  AuditLog& log = **opened;
  log.record(entry(kBase, "a", "login", "ok", "1.1.1.1", "first"));
  append_raw(path, "not json\n");
  append_raw(path, "[1,2,3]\n");
  append_raw(path, "{\"user\":\"no timestamp\"}\n");
  append_raw(path, "{\"@timestamp\":\"garbage\",\"user\":\"x\"}\n");
  append_raw(path, std::string("{\"@timestamp\":\"2026-11-28T21:00:00Z\",\"user\":\"\xff\"}\n"));
  append_raw(path, "\n");
  log.record(entry(kBase, "b", "login", "ok", "1.1.1.1", "second"));
  SECTION("complete file") {
    const Answer a = ask(log, {});
    CHECK(a.targets == std::vector<std::string>{"second", "first"});
    CHECK(a.skipped == 5);
  }
  SECTION("a torn last line is skipped too") {
    append_raw(path, "{\"@timestamp\":\"2026-11-28T21:00:00.000000000Z\",\"user\":\"torn\"");
    const Answer a = ask(log, {});
    CHECK(a.targets == std::vector<std::string>{"second", "first"});
    CHECK(a.skipped == 6);
  }
}

TEST_CASE("AuditLog::serve reads a file larger than its read block", "[audit]") {
  test::TempDir dir;
  const std::string path = dir.file("audit.log");
  auto opened = AuditLog::open(path);
  REQUIRE(opened.has_value());
  AuditLog& log = **opened;
  // ~250 bytes a line × 3000 ≈ 750 KB: a dozen 64 KiB blocks, lines cut at
  // every block edge.
  constexpr int kCount = 3000;
  for (int i = 0; i < kCount; ++i) {
    AuditEntry e = entry(kBase + i, "u" + std::to_string(i % 7), "search", "ok", "10.0.0.1", std::to_string(i));
    e.details = {{"query", std::string(static_cast<std::size_t>(100 + i % 50), 'q'), false}};
    log.record(e);
  }
  const Answer all = ask(log, {{"limit", "10000"}});
  REQUIRE(all.targets.size() == kCount);
  bool ordered = true;
  for (int i = 0; i < kCount; ++i) {
    if (all.targets[static_cast<std::size_t>(i)] != std::to_string(kCount - 1 - i)) ordered = false;
  }
  CHECK(ordered);
  CHECK(all.skipped == 0);
  CHECK(all.scanned == read_all(path).size());

  const Answer some = ask(log, {{"user", "u3"}, {"limit", "3"}});
  // The newest i with i % 7 == 3 below 3000 is 2999 (7 × 428 + 3).
  CHECK(some.targets == std::vector<std::string>{"2999", "2992", "2985"});
  // It stopped early: only the last blocks were read.
  CHECK(some.scanned < all.scanned);
  CHECK_FALSE(some.truncated);
}

TEST_CASE("AuditLog::serve reads at most 64 MiB back", "[audit]") {
  test::TempDir dir;
  const std::string path = dir.file("audit.log");
  auto opened = AuditLog::open(path);
  REQUIRE(opened.has_value());
  AuditLog& log = **opened;
  log.record(entry(kBase, "oldest", "login"));  // beyond the cap: never seen
  AuditEntry e = entry(kBase + 1, "bulk", "search");
  e.details = {{"query", std::string(1000, 'q'), false}};
  const std::string line = render_audit_line(e);
  std::string bulk;
  const std::size_t lines = (70u << 20) / line.size();
  bulk.reserve(lines * line.size());
  for (std::size_t i = 0; i < lines; ++i) bulk += line;
  append_raw(path, bulk);

  const Answer a = ask(log, {{"user", "oldest"}});
  CHECK(a.targets.empty());
  CHECK(a.scanned == 64u << 20);
  CHECK(a.truncated);
  CHECK(a.skipped == 0);
  // Under the cap, the newest lines are all there.
  const Answer b = ask(log, {{"user", "bulk"}, {"limit", "10000"}});
  CHECK(b.returned == 10000);
  CHECK_FALSE(b.truncated);
}

TEST_CASE("AuditLog::serve answers an empty list when the file is gone", "[audit]") {
  test::TempDir dir;
  const std::string path = dir.file("audit.log");
  auto opened = AuditLog::open(path);
  REQUIRE(opened.has_value());
  REQUIRE(::unlink(path.c_str()) == 0);
  const Answer a = ask(**opened, {});
  CHECK(a.status == 200);
  CHECK(a.returned == 0);
  CHECK(a.targets.empty());
}

}  // namespace opensoc::audit
