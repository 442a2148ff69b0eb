// Tests for proto::Http1Parser: hand-made framing edge cases (every split
// point, every truncation, hostile lengths, limits) and real corpus streams
// compared message by message with tshark.
#include "proto/http1_parser.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <map>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "proto_test_support.hpp"
#include "support/external_tools.hpp"

using namespace opensoc::proto;

namespace {

struct Message {
  Http1Head head;  // views cleared; strings below hold the copies
  std::string method, target, path, query, version, host, user_agent, referer, reason, content_type, te;
  std::string body;
  Http1MessageEnd end;
  bool ended = false;
};

// Records events; optionally tells a response parser each request's method.
struct Recorder : Http1Sink {
  std::vector<Message> messages;
  Http1Parser* responses = nullptr;

  void on_head(const Http1Head& h) override {
    Message m;
    m.head = h;
    m.method = h.method;
    m.target = h.target;
    m.path = h.path;
    m.query = h.query;
    m.version = h.version;
    m.host = h.host;
    m.user_agent = h.user_agent;
    m.referer = h.referer;
    m.reason = h.reason;
    m.content_type = h.content_type;
    m.te = h.transfer_encoding;
    m.head.method = m.head.target = m.head.path = m.head.query = m.head.version = {};
    m.head.host = m.head.user_agent = m.head.referer = m.head.reason = m.head.content_type = {};
    m.head.transfer_encoding = {};
    messages.push_back(std::move(m));
    if (responses != nullptr) responses->note_request_method(h.method);
  }
  void on_body(std::span<const std::uint8_t> data) override {
    REQUIRE(!messages.empty());
    messages.back().body.append(reinterpret_cast<const char*>(data.data()), data.size());
  }
  void on_message_end(const Http1MessageEnd& e) override {
    REQUIRE(!messages.empty());
    REQUIRE(!messages.back().ended);
    messages.back().end = e;
    messages.back().ended = true;
  }
};

std::span<const std::uint8_t> bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// A summary that two runs must agree on exactly.
std::string summarize(const std::vector<Message>& ms) {
  std::ostringstream o;
  for (const auto& m : ms) {
    o << m.method << '|' << m.target << '|' << m.path << '|' << m.query << '|' << m.version << '|' << m.host << '|'
      << m.user_agent << '|' << m.referer << '|' << m.head.status_code << '|' << m.reason << '|' << m.content_type
      << '|' << m.te << '|' << m.head.has_content_length << m.head.content_length << '|' << m.head.chunked << '|'
      << m.head.header_count << '|' << m.body << '|' << static_cast<int>(m.end.body_kind) << '|' << m.end.body_bytes
      << '|' << m.end.chunk_count << '|' << m.end.trailer_count << '|' << m.end.complete << m.ended << '\n';
  }
  return o.str();
}

struct Run {
  std::vector<Message> messages;
  Http1Status status;
  Http1Counters counters;
};

Run run_pieces(Http1Direction dir, std::string_view stream, const std::vector<std::size_t>& cuts, bool finish,
               const std::vector<std::string>& methods = {}) {
  Http1Parser p(dir);
  for (const auto& m : methods) p.note_request_method(m);
  Recorder r;
  std::size_t prev = 0;
  for (const std::size_t c : cuts) {
    p.feed(bytes(stream.substr(prev, c - prev)), r);
    prev = c;
  }
  p.feed(bytes(stream.substr(prev)), r);
  if (finish) p.finish(r);
  return {std::move(r.messages), p.status(), p.counters()};
}

Run run_whole(Http1Direction dir, std::string_view stream, bool finish = true,
              const std::vector<std::string>& methods = {}) {
  return run_pieces(dir, stream, {}, finish, methods);
}

const std::string kPipelinedRequests =
    "\r\n"
    "GET /index.html?a=1&b=2 HTTP/1.1\r\n"
    "Host: example.com\r\n"
    "User-Agent: curl/8.0\r\n"
    "Referer: http://r.example/\r\n"
    "\r\n"
    "POST /submit HTTP/1.1\r\n"
    "Host: example.com\r\n"
    "Content-Type: text/plain\r\n"
    "Content-Length: 11\r\n"
    "\r\n"
    "hello world"
    "PUT /up HTTP/1.1\n"
    "Transfer-Encoding: gzip, chunked\n"
    "X-Folded: one\n"
    "  two\n"
    "\n"
    "5;ext=1\r\nabcde\r\n"
    "10\r\n0123456789abcdef\r\n"
    "0\r\nX-Trailer: t\r\n\r\n"
    "HEAD /h HTTP/1.0\r\n\r\n";

const std::string kResponses =
    "HTTP/1.1 100 Continue\r\n\r\n"
    "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5\r\n\r\nhello"
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
    "HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n"
    "HTTP/1.1 204 No Content\r\n\r\n"
    "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"  // answers HEAD: no body
    "HTTP/1.0 200\r\nContent-Type: a/b\r\n\r\nuntil close";

}  // namespace

TEST_CASE("Http1Parser emits pipelined requests with their fields and bodies", "[proto][http1]") {
  const auto run = run_whole(Http1Direction::request, kPipelinedRequests);
  REQUIRE(run.status == Http1Status::ok);
  REQUIRE(run.messages.size() == 4);
  const auto& get = run.messages[0];
  CHECK(get.method == "GET");
  CHECK(get.target == "/index.html?a=1&b=2");
  CHECK(get.path == "/index.html");
  CHECK(get.query == "a=1&b=2");
  CHECK(get.version == "HTTP/1.1");
  CHECK(get.host == "example.com");
  CHECK(get.user_agent == "curl/8.0");
  CHECK(get.referer == "http://r.example/");
  CHECK(get.head.header_count == 3);
  CHECK(get.end.body_kind == Http1BodyKind::none);
  CHECK(get.ended);

  const auto& post = run.messages[1];
  CHECK(post.method == "POST");
  CHECK(post.query.empty());
  CHECK(post.content_type == "text/plain");
  CHECK(post.head.has_content_length);
  CHECK(post.head.content_length == 11);
  CHECK(post.body == "hello world");
  CHECK(post.end.body_kind == Http1BodyKind::content_length);
  CHECK(post.end.body_bytes == 11);

  const auto& put = run.messages[2];
  CHECK(put.te == "gzip, chunked");
  CHECK(put.head.chunked);
  CHECK(put.head.header_count == 2);
  CHECK(put.body == "abcde0123456789abcdef");
  CHECK(put.end.body_kind == Http1BodyKind::chunked);
  CHECK(put.end.chunk_count == 2);
  CHECK(put.end.trailer_count == 1);
  CHECK(put.end.complete);

  const auto& head = run.messages[3];
  CHECK(head.method == "HEAD");
  CHECK(head.head.version_major == 1);
  CHECK(head.head.version_minor == 0);
  CHECK(run.counters.requests == 4);
  CHECK(run.counters.messages_completed == 4);
  CHECK(run.counters.body_bytes == 32);
}

TEST_CASE("Http1Parser joins an obs-folded value with spaces", "[proto][http1]") {
  const auto run = run_whole(Http1Direction::request, "GET / HTTP/1.1\r\nUser-Agent: a\r\n\tb\r\nHost: h\r\n\r\n");
  REQUIRE(run.messages.size() == 1);
  CHECK(run.messages[0].user_agent == "a   b");
  CHECK(run.messages[0].host == "h");
  CHECK(run.messages[0].head.header_count == 2);
}

TEST_CASE("Http1Parser frames responses by status, request method and headers", "[proto][http1]") {
  // 100 consumes no request; then GET, GET, GET(304), GET(204), HEAD, GET.
  const std::vector<std::string> methods{"GET", "GET", "GET", "GET", "HEAD", "GET"};
  const auto run = run_whole(Http1Direction::response, kResponses, true, methods);
  REQUIRE(run.status == Http1Status::ok);
  REQUIRE(run.messages.size() == 7);
  CHECK(run.messages[0].head.status_code == 100);
  CHECK(run.messages[0].reason == "Continue");
  CHECK(run.messages[0].end.body_kind == Http1BodyKind::none);
  CHECK(run.messages[1].body == "hello");
  CHECK(run.messages[1].content_type == "text/html");
  CHECK(run.messages[2].body == "abc");
  CHECK(run.messages[2].end.body_kind == Http1BodyKind::chunked);
  CHECK(run.messages[3].head.status_code == 304);
  CHECK(run.messages[3].end.body_kind == Http1BodyKind::none);
  CHECK(run.messages[4].end.body_kind == Http1BodyKind::none);
  CHECK(run.messages[5].head.content_length == 1000);
  CHECK(run.messages[5].end.body_kind == Http1BodyKind::none);
  CHECK(run.messages[6].head.status_code == 200);
  CHECK(run.messages[6].reason.empty());
  CHECK(run.messages[6].version == "HTTP/1.0");
  CHECK(run.messages[6].end.body_kind == Http1BodyKind::until_close);
  CHECK(run.messages[6].body == "until close");
  CHECK(run.messages[6].end.complete);
  CHECK(run.counters.unmatched_responses == 0);
  CHECK(run.counters.messages_completed == 7);

  SECTION("without the methods the HEAD response's bytes are taken as its body") {
    const auto blind = run_whole(Http1Direction::response, kResponses, true);
    CHECK(blind.counters.unmatched_responses == 5);  // the 100 answers no request
    REQUIRE(blind.messages.size() == 6);
    CHECK(blind.messages[5].end.body_kind == Http1BodyKind::content_length);
    CHECK_FALSE(blind.messages[5].end.complete);
  }
}

TEST_CASE("Http1Parser gives the same events for every split of the stream", "[proto][http1]") {
  const std::vector<std::string> methods{"GET", "GET", "GET", "GET", "HEAD", "GET"};
  for (const auto& [dir, stream] : {std::pair{Http1Direction::request, kPipelinedRequests},
                                    std::pair{Http1Direction::response, kResponses}}) {
    const auto whole = summarize(run_whole(dir, stream, true, methods).messages);
    for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
      INFO("cut " << cut);
      REQUIRE(summarize(run_pieces(dir, stream, {cut}, true, methods).messages) == whole);
    }
    std::vector<std::size_t> every;
    for (std::size_t i = 1; i < stream.size(); ++i) every.push_back(i);
    REQUIRE(summarize(run_pieces(dir, stream, every, true, methods).messages) == whole);
  }
}

TEST_CASE("Http1Parser handles every truncation of the stream consistently", "[proto][http1]") {
  const std::vector<std::string> methods{"GET", "GET", "GET", "GET", "HEAD", "GET"};
  for (const auto& [dir, stream] : {std::pair{Http1Direction::request, kPipelinedRequests},
                                    std::pair{Http1Direction::response, kResponses}}) {
    const auto full = run_whole(dir, stream, true, methods).messages;
    for (std::size_t len = 0; len <= stream.size(); ++len) {
      INFO("prefix " << len);
      const auto run = run_whole(dir, stream.substr(0, len), true, methods);
      REQUIRE(run.status == Http1Status::ok);
      REQUIRE(run.messages.size() <= full.size());
      for (std::size_t i = 0; i < run.messages.size(); ++i) {
        const auto& got = run.messages[i];
        const auto& want = full[i];
        REQUIRE(got.method == want.method);
        REQUIRE(got.target == want.target);
        REQUIRE(got.head.status_code == want.head.status_code);
        REQUIRE(got.ended);
        // Every message but the last is whole; the last may be cut short
        // (an until-close body just ends earlier).
        if (i + 1 < run.messages.size() || got.end.complete) {
          if (want.end.body_kind != Http1BodyKind::until_close) REQUIRE(got.body == want.body);
        } else {
          REQUIRE(want.body.substr(0, got.body.size()) == got.body);
        }
      }
      // finish() inside a delimited body reports exactly one truncation.
      const bool mid_message = !run.messages.empty() && !run.messages.back().end.complete;
      if (mid_message) CHECK(run.counters.truncated_at_finish == 1);
      if (len == stream.size()) CHECK(run.counters.truncated_at_finish == 0);
    }
  }
}

TEST_CASE("Http1Parser gives up on oversized or overfull heads and keeps its counters", "[proto][http1]") {
  SECTION("header block limit") {
    Http1Parser p(Http1Direction::request, Http1Limits{64, 10});
    Recorder r;
    CHECK(p.feed(bytes("GET / HTTP/1.1\r\nHost: a\r\n\r\n"), r) == Http1Status::ok);
    const std::string big = "GET / HTTP/1.1\r\nX-Long: " + std::string(100, 'x') + "\r\n\r\n";
    CHECK(p.feed(bytes(big), r) == Http1Status::header_too_large);
    CHECK(p.gave_up());
    CHECK(p.feed(bytes("GET / HTTP/1.1\r\n\r\n"), r) == Http1Status::header_too_large);
    CHECK(r.messages.size() == 1);
    CHECK(p.counters().requests == 1);
    CHECK(p.counters().bytes_ignored >= 18);
  }
  SECTION("a head of exactly the limit passes") {
    const std::string head = "GET / HTTP/1.1\r\nX: " + std::string(64 - 16 - 3 - 4, 'y') + "\r\n\r\n";
    REQUIRE(head.size() == 64);
    Http1Parser p(Http1Direction::request, Http1Limits{64, 10});
    Recorder r;
    CHECK(p.feed(bytes(head), r) == Http1Status::ok);
    CHECK(r.messages.size() == 1);
    Http1Parser q(Http1Direction::request, Http1Limits{63, 10});
    CHECK(q.feed(bytes(head), r) == Http1Status::header_too_large);
  }
  SECTION("header count limit") {
    std::string head = "GET / HTTP/1.1\r\n";
    for (int i = 0; i < 4; ++i) head += "A: b\r\n";
    head += "\r\n";
    Http1Parser ok(Http1Direction::request, Http1Limits{1024, 4});
    Recorder r;
    CHECK(ok.feed(bytes(head), r) == Http1Status::ok);
    Http1Parser over(Http1Direction::request, Http1Limits{1024, 3});
    CHECK(over.feed(bytes(head), r) == Http1Status::too_many_headers);
  }
  SECTION("trailer block limits") {
    Http1Parser p(Http1Direction::request, Http1Limits{64, 2});
    Recorder r;
    CHECK(p.feed(bytes("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n"),
                 r) == Http1Status::too_many_headers);
    Http1Parser q(Http1Direction::request, Http1Limits{64, 10});
    CHECK(q.feed(bytes("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nA: " + std::string(80, 'z') +
                       "\r\n\r\n"),
                 r) == Http1Status::header_too_large);
  }
}

TEST_CASE("Http1Parser rejects malformed heads and framing with a named status", "[proto][http1]") {
  struct Case {
    Http1Direction dir;
    std::string input;
    Http1Status want;
  };
  const Case cases[] = {
      {Http1Direction::request, "GET /\r\n\r\n", Http1Status::bad_start_line},
      {Http1Direction::request, "GET / HTTP/1.1x\r\n\r\n", Http1Status::bad_start_line},
      {Http1Direction::request, "G(T / HTTP/1.1\r\n\r\n", Http1Status::bad_start_line},
      {Http1Direction::request, "GET /\x01 HTTP/1.1\r\n\r\n", Http1Status::bad_start_line},
      {Http1Direction::request, "HTTP/1.1 200 OK\r\n\r\n", Http1Status::bad_start_line},
      {Http1Direction::response, "GET / HTTP/1.1\r\n\r\n", Http1Status::bad_start_line},
      {Http1Direction::response, "HTTP/1.1 20 OK\r\n\r\n", Http1Status::bad_start_line},
      {Http1Direction::response, "HTTP/1.1 2000\r\n\r\n", Http1Status::bad_start_line},
      {Http1Direction::request, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", Http1Status::http2_preface},
      {Http1Direction::request, "GET / HTTP/2.0\r\n\r\n", Http1Status::bad_start_line},
      {Http1Direction::response, "HTTP/2.0 200 OK\r\n\r\n", Http1Status::bad_start_line},
      {Http1Direction::request, "GET / HTTP/1.1\r\nNoColon\r\n\r\n", Http1Status::bad_header_line},
      {Http1Direction::request, "GET / HTTP/1.1\r\n folded-first: x\r\n\r\n", Http1Status::bad_header_line},
      {Http1Direction::request, "GET / HTTP/1.1\r\n: empty\r\n\r\n", Http1Status::bad_header_line},
      {Http1Direction::request, "GET / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n", Http1Status::bad_content_length},
      {Http1Direction::request, "GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", Http1Status::bad_content_length},
      {Http1Direction::request, "GET / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n",
       Http1Status::bad_content_length},
      {Http1Direction::request, "GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
       Http1Status::bad_content_length},
      {Http1Direction::request, "GET / HTTP/1.1\r\nContent-Length: 3, 4\r\n\r\n", Http1Status::bad_content_length},
      {Http1Direction::request, "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
       Http1Status::bad_transfer_encoding},
      {Http1Direction::request, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
       Http1Status::bad_chunk},
      {Http1Direction::request, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n\r\n", Http1Status::bad_chunk},
      {Http1Direction::request, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nabc\r\n",
       Http1Status::bad_chunk},
      {Http1Direction::request, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n11111111111111111\r\n",
       Http1Status::bad_chunk},
      {Http1Direction::request,
       "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1;" + std::string(2000, 'e') + "\r\n",
       Http1Status::bad_chunk},
  };
  for (const auto& c : cases) {
    INFO(c.input.substr(0, 80));
    Http1Parser p(c.dir);
    Recorder r;
    CHECK(p.feed(bytes(c.input), r) == c.want);
    CHECK(p.status() == c.want);
    CHECK(to_string(p.status()) != "ok");
  }
}

TEST_CASE("Http1Parser accepts tolerated variants", "[proto][http1]") {
  SECTION("repeated equal Content-Length and lists of one value") {
    const auto run = run_whole(Http1Direction::request,
                               "POST / HTTP/1.1\r\nContent-Length: 2\r\ncontent-length: 2, 2\r\n\r\nokGET / HTTP/1.1\r\n\r\n");
    REQUIRE(run.status == Http1Status::ok);
    REQUIRE(run.messages.size() == 2);
    CHECK(run.messages[0].body == "ok");
  }
  SECTION("Transfer-Encoding wins over Content-Length") {
    const auto run = run_whole(Http1Direction::request,
                               "POST / HTTP/1.1\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n"
                               "2\r\nok\r\n0\r\n\r\n");
    REQUIRE(run.messages.size() == 1);
    CHECK(run.messages[0].body == "ok");
    CHECK(run.messages[0].end.complete);
    CHECK(run.counters.te_and_content_length == 1);
  }
  SECTION("a 2xx to CONNECT and a 101 turn the rest into an opaque body") {
    const auto run = run_whole(Http1Direction::response, "HTTP/1.1 200 Connection established\r\n\r\n\x16\x03\x01", true,
                               {"CONNECT"});
    REQUIRE(run.messages.size() == 1);
    CHECK(run.messages[0].end.body_kind == Http1BodyKind::until_close);
    CHECK(run.messages[0].body == "\x16\x03\x01");
    const auto req = run_whole(Http1Direction::request, "CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n\x16\x03\x01");
    REQUIRE(req.status == Http1Status::ok);
    REQUIRE(req.messages.size() == 1);
    CHECK(req.messages[0].body == "\x16\x03\x01");
    const auto up = run_whole(Http1Direction::response, "HTTP/1.1 101 Switching\r\nUpgrade: websocket\r\n\r\n\x81\x00");
    CHECK(up.messages[0].end.body_kind == Http1BodyKind::until_close);
  }
  SECTION("a response without a queued request counts as unmatched") {
    const auto run = run_whole(Http1Direction::response, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    CHECK(run.counters.unmatched_responses == 1);
  }
  SECTION("the pending-method queue is bounded") {
    Http1Parser p(Http1Direction::response);
    for (int i = 0; i < 40; ++i) p.note_request_method("GET");
    CHECK(p.counters().pending_methods_dropped == 8);
  }
}

TEST_CASE("Http1Parser survives hostile byte soup", "[proto][http1]") {
  // Deterministic pseudo-random input built from protocol-ish fragments.
  const char* frags[] = {"GET ", "HTTP/1.1", " 200 ", "\r\n", "\n", ":", "Content-Length: 3", "Transfer-Encoding: chunked",
                         "0", "ffffffff", ";", " ", "\t", "x", "\x00", "\xff"};
  std::uint32_t seed = 12345;
  for (int round = 0; round < 300; ++round) {
    std::string s;
    for (int i = 0; i < 60; ++i) {
      seed = seed * 1103515245 + 12345;
      s += frags[(seed >> 16) % 16];
    }
    for (const auto dir : {Http1Direction::request, Http1Direction::response}) {
      Http1Parser p(dir, Http1Limits{256, 8});
      Recorder r;
      for (std::size_t i = 0; i < s.size(); i += 7) p.feed(bytes(std::string_view(s).substr(i, 7)), r);
      p.finish(r);
      for (const auto& m : r.messages) CHECK(m.ended);
    }
  }
}

// ---- the oracle: corpus HTTP streams against tshark ------------------------

namespace {

struct StreamBytes {
  std::string node0;  // each side's bytes up to its first gap
  std::string node1;
  bool gap0 = false;  // tshark had to paper over missing segments
  bool gap1 = false;
};

// Both directions of each TCP stream in `ids`, reassembled by tshark (one
// run for all of them: tshark's start-up dominates the test's time).
std::map<std::string, StreamBytes> follow_streams(const std::string& pcap, const std::set<std::string>& ids) {
  std::map<std::string, StreamBytes> out;
  std::string cmd = "tshark -n -r " + opensoc::test::shell_quote(pcap) + " -q";
  for (const auto& id : ids) cmd += " -z follow,tcp,raw," + id;
  const auto text = opensoc::test::run_command(cmd + " 2>/dev/null");
  if (!text) return out;
  std::istringstream in(*text);
  std::string line;
  StreamBytes* cur = nullptr;
  bool in_data = false;
  while (std::getline(in, line)) {
    if (line.rfind("Filter: tcp.stream eq ", 0) == 0) {
      cur = &out[line.substr(22)];
      in_data = false;
      continue;
    }
    if (line.rfind("Node 1:", 0) == 0) {
      in_data = true;
      continue;
    }
    if (cur == nullptr || !in_data || line.empty() || line[0] == '=') continue;
    const bool second = line[0] == '\t';
    const auto raw = opensoc::proto::test::from_hex(line);
    // In raw mode tshark writes a gap as the text "[N bytes missing in capture file]".
    bool& gap = second ? cur->gap1 : cur->gap0;
    if (std::string(raw.begin(), raw.end()).find("bytes missing in capture file]") != std::string::npos) gap = true;
    if (!gap) (second ? cur->node1 : cur->node0).append(raw.begin(), raw.end());
  }
  return out;
}

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  if (s.empty()) return out;
  std::size_t start = 0;
  for (;;) {
    const std::size_t c = s.find(',', start);
    out.push_back(s.substr(start, c == std::string::npos ? std::string::npos : c - start));
    if (c == std::string::npos) break;
    start = c + 1;
  }
  return out;
}

std::string join_nonempty(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) {
    if (s.empty()) continue;
    if (!out.empty()) out += ',';
    out += s;
  }
  return out;
}

// tshark shows a message only once its body is reassembled, so a last
// message cut short by the end of the capture is ours alone.
bool shown_all_but_cut_last(std::size_t shown, const std::vector<Message>& ours) {
  if (shown == ours.size()) return true;
  return shown + 1 == ours.size() && !ours.back().end.complete;
}

}  // namespace

TEST_CASE("Http1Parser agrees with tshark on corpus HTTP streams", "[proto][http1][corpus]") {
  namespace fs = std::filesystem;
  const fs::path tests = opensoc::test::corpus_dir() + "/suricata-verify/tests";
  if (!fs::exists(tests)) {
    WARN("corpus not found: " << tests.string());
    return;
  }
  std::vector<std::string> pcaps;
  for (const auto& dir : fs::directory_iterator(tests)) {
    std::ifstream yaml(dir.path() / "test.yaml");
    std::stringstream ss;
    ss << yaml.rdbuf();
    if (ss.str().find("event_type: http") == std::string::npos) continue;
    for (const auto& f : fs::directory_iterator(dir.path())) {
      if (f.path().extension() == ".pcap" && fs::file_size(f.path()) < 4'000'000) pcaps.push_back(f.path().string());
    }
  }
  std::sort(pcaps.begin(), pcaps.end());
  REQUIRE(pcaps.size() >= 30);

  std::size_t streams = 0;
  std::size_t streams_with_gaps = 0;
  std::size_t requests_compared = 0;
  std::size_t responses_compared = 0;
  for (const auto& pcap : pcaps) {
    // One row per HTTP packet: stream, then request fields, then response fields.
    const auto all_rows = opensoc::proto::test::tshark_rows(
        pcap, "http.request || http.response",
        {"tcp.stream", "http.request.method", "http.request.uri", "http.host", "http.user_agent", "http.content_type",
         "http.content_length", "http.response.code"});
    std::set<std::string> ids;
    for (const auto& row : all_rows) {
      REQUIRE(row.size() == 8);
      ids.insert(row[0]);
    }
    const auto followed = follow_streams(pcap, ids);
    for (const auto& id : ids) {
      INFO(pcap << " stream " << id);
      REQUIRE(followed.count(id) == 1);
      const auto& sb = followed.at(id);
      // The parser sees contiguous bytes only (gaps are the reassembler's to
      // report), so a side with a gap is parsed up to it and its complete
      // messages must be a prefix of what tshark, which resyncs, shows.
      const bool gap = sb.gap0 || sb.gap1;
      streams_with_gaps += gap ? 1 : 0;
      // Node 0 opened the connection, unless the capture starts mid-stream:
      // the side that speaks first with "HTTP/" is the server.
      const bool swapped = sb.node0.rfind("HTTP/", 0) == 0;
      const bool client_gap = swapped ? sb.gap1 : sb.gap0;
      const bool server_gap = swapped ? sb.gap0 : sb.gap1;
      const std::string& client = swapped ? sb.node1 : sb.node0;
      const std::string& server = swapped ? sb.node0 : sb.node1;

      Http1Parser resp_parser(Http1Direction::response);
      Http1Parser req_parser(Http1Direction::request);
      Recorder reqs;
      reqs.responses = &resp_parser;
      Recorder resps;
      req_parser.feed(bytes(client), reqs);
      req_parser.finish(reqs);
      resp_parser.feed(bytes(server), resps);
      resp_parser.finish(resps);
      ++streams;
      if (client_gap && !reqs.messages.empty() && !reqs.messages.back().end.complete) reqs.messages.pop_back();
      if (server_gap && !resps.messages.empty() && !resps.messages.back().end.complete) resps.messages.pop_back();
      if (pcap.find("/http2-range/") != std::string::npos && req_parser.gave_up()) {
        // h2c upgrade: after the 101 the client sends the HTTP/2 preface.
        CHECK(req_parser.status() == Http1Status::http2_preface);
      }
      if (pcap.find("/http1-noint-status/") != std::string::npos) {
        // "HTTP/1.0 2XX OK": tshark reads status 2, RFC 9112 wants 3DIGIT.
        CHECK(resp_parser.status() == Http1Status::bad_start_line);
        CHECK(resps.messages.empty());
        continue;
      }

      std::vector<std::vector<std::string>> req_rows;
      std::vector<std::vector<std::string>> resp_rows;
      for (const auto& row : all_rows) {
        if (row[0] != id) continue;
        if (!row[1].empty()) req_rows.push_back({row[1], row[2], row[3], row[4], row[5], row[6]});
        if (!row[7].empty()) resp_rows.push_back({row[7], row[5], row[6]});
      }
      std::size_t next = 0;
      for (const auto& row : req_rows) {
        REQUIRE(row.size() == 6);
        const std::size_t k = split_commas(row[0]).size();
        if (client_gap && next + k > reqs.messages.size()) break;
        REQUIRE(next + k <= reqs.messages.size());
        std::vector<std::string> method, uri, host, ua, ct, cl;
        for (std::size_t i = next; i < next + k; ++i) {
          const auto& m = reqs.messages[i];
          method.push_back(m.method);
          uri.push_back(m.target);
          host.push_back(m.host);
          ua.push_back(m.user_agent);
          ct.push_back(m.content_type);
          cl.push_back(m.head.has_content_length ? std::to_string(m.head.content_length) : "");
        }
        next += k;
        CHECK(join_nonempty(method) == row[0]);
        CHECK(join_nonempty(uri) == row[1]);
        CHECK(join_nonempty(host) == row[2]);
        CHECK(join_nonempty(ua) == row[3]);
        CHECK(join_nonempty(ct) == row[4]);
        CHECK(join_nonempty(cl) == row[5]);
        requests_compared += k;
      }
      CHECK(shown_all_but_cut_last(next, reqs.messages));
      CHECK((client_gap || !req_parser.gave_up() || req_parser.status() == Http1Status::http2_preface));

      next = 0;
      for (const auto& row : resp_rows) {
        REQUIRE(row.size() == 3);
        const std::size_t k = split_commas(row[0]).size();
        if (server_gap && next + k > resps.messages.size()) break;
        REQUIRE(next + k <= resps.messages.size());
        std::vector<std::string> code, ct, cl;
        for (std::size_t i = next; i < next + k; ++i) {
          const auto& m = resps.messages[i];
          code.push_back(std::to_string(m.head.status_code));
          ct.push_back(m.content_type);
          cl.push_back(m.head.has_content_length ? std::to_string(m.head.content_length) : "");
        }
        next += k;
        CHECK(join_nonempty(code) == row[0]);
        CHECK(join_nonempty(ct) == row[1]);
        CHECK(join_nonempty(cl) == row[2]);
        responses_compared += k;
      }
      CHECK(shown_all_but_cut_last(next, resps.messages));
      CHECK((server_gap || !resp_parser.gave_up()));
    }
  }
  CHECK(streams_with_gaps == 7);
  INFO("streams " << streams << " requests " << requests_compared << " responses " << responses_compared);
  // Exact, so that a stream silently dropping out of the comparison shows.
  CHECK(streams == 48);
  CHECK(requests_compared == 52);
  CHECK(responses_compared == 40);
}
