// HttpServer sending BodyStream responses over real loopback TCP: the server
// runs its event loop on a thread, the client is a plain POSIX socket that
// parses the chunked framing itself, so the test does not trust Beast to
// check Beast.
#include "http/http_server.hpp"
#include "serving_test_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

using namespace opensoc;

namespace {

using Fields = std::vector<std::pair<std::string, std::string>>;

// The byte at absolute body offset k: position-dependent, so a lost,
// duplicated or reordered piece cannot go unnoticed.
char body_byte(std::uint64_t k) { return static_cast<char>((k * 2654435761u) >> 13); }

// Piece i's size: 3000 pieces of 0 B .. ~40 KiB plus a few of 1 MiB, about
// 60 MB in all; piece 7 is empty (not the end) on purpose.
std::size_t piece_size(std::size_t i) {
  if (i == 7) return 0;
  if (i % 700 == 3) return 1u << 20;
  return 1 + (i * 7919) % 40000;
}

constexpr std::size_t kPieces = 3000;

std::uint64_t expected_total() {
  std::uint64_t t = 0;
  for (std::size_t i = 0; i < kPieces; ++i) t += piece_size(i);
  return t;
}

// Yields kPieces pieces (the last one together with `false`), or forever when
// `endless`; throws after `throw_after` pieces when that is non-zero.
// Records how far it got and when it is destroyed.
struct Probe {
  std::atomic<std::uint64_t> produced{0};
  std::atomic<int> next_calls{0};
  std::atomic<bool> destroyed{false};
};

class PatternStream : public api::BodyStream {
 public:
  PatternStream(Probe& probe, bool endless, std::size_t throw_after)
      : probe_(probe), endless_(endless), throw_after_(throw_after) {}
  ~PatternStream() override { probe_.destroyed = true; }

  bool next(std::string& out) override {
    probe_.next_calls.fetch_add(1);
    if (throw_after_ != 0 && i_ == throw_after_) throw std::runtime_error("disk vanished");
    const std::size_t n = endless_ ? 64 * 1024 : piece_size(i_);
    for (std::size_t j = 0; j < n; ++j) out.push_back(body_byte(offset_ + j));
    offset_ += n;
    probe_.produced.store(offset_);
    ++i_;
    return endless_ || i_ < kPieces;
  }

  Fields trailers() override {
    return {{"X-Opensoc-Packets", std::to_string(i_)},
            {"X-Opensoc-Truncated", "no"},
            {"X-Not-Announced", "dropped"},
            {"X-Opensoc-Evil", "a\r\nInjected: yes"}};
  }

 private:
  Probe& probe_;
  bool endless_;
  std::size_t throw_after_;
  std::size_t i_ = 0;
  std::uint64_t offset_ = 0;
};

struct StreamingHandler {
  Probe* probe;
  bool endless = false;
  std::size_t throw_after = 0;

  api::Response operator()(const api::Request& r) const {
    api::Response resp;
    if (r.path == "/small") {
      resp.body = "{\"small\":true}\n";
      return resp;
    }
    resp.content_type = "application/vnd.tcpdump.pcap";
    resp.headers.emplace_back("Content-Disposition", "attachment; filename=\"t.pcap\"");
    resp.stream = std::make_shared<PatternStream>(*probe, endless, throw_after);
    resp.trailer_names = {"X-Opensoc-Packets", "X-Opensoc-Truncated", "X-Opensoc-Evil"};
    return resp;
  }
};

using TestServer = test::ServingTestServer;

// Blocking client socket with a receive deadline, so a server that hangs
// fails the test instead of hanging it.
class Client {
 public:
  explicit Client(std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd_ >= 0);
    timeval tv{10, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  }
  ~Client() { close(); }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  void send(const std::string& s) {
    std::size_t done = 0;
    while (done < s.size()) {
      const ssize_t n = ::send(fd_, s.data() + done, s.size() - done, MSG_NOSIGNAL);
      REQUIRE(n > 0);
      done += static_cast<std::size_t>(n);
    }
  }

  /// Reads more bytes into the buffer; false on EOF (or reset), fails the
  /// test on the receive deadline.
  bool fill() {
    char tmp[65536];
    const ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) FAIL("client receive timed out");
    if (n <= 0) return false;
    buf_.append(tmp, static_cast<std::size_t>(n));
    received_ += static_cast<std::size_t>(n);
    if (pause_per_mib_.count() != 0 && received_ >= next_pause_) {
      next_pause_ += 1u << 20;
      std::this_thread::sleep_for(pause_per_mib_);
    }
    return true;
  }

  /// Makes this a slow reader: a pause after every MiB received.
  void throttle(std::chrono::milliseconds pause_per_mib) {
    pause_per_mib_ = pause_per_mib;
    next_pause_ = received_ + (1u << 20);
  }

  /// The text up to `delim` (consumed with it); false on EOF before it.
  bool read_until(const std::string& delim, std::string& out) {
    std::size_t pos;
    while ((pos = buf_.find(delim)) == std::string::npos) {
      if (!fill()) return false;
    }
    out = buf_.substr(0, pos);
    buf_.erase(0, pos + delim.size());
    return true;
  }

  bool read_exact(std::size_t n, std::string& out) {
    while (buf_.size() < n) {
      if (!fill()) return false;
    }
    out.append(buf_, 0, n);
    buf_.erase(0, n);
    return true;
  }

  std::string read_to_eof() {
    while (fill()) {
    }
    return std::exchange(buf_, {});
  }

 private:
  int fd_ = -1;
  std::string buf_;
  std::size_t received_ = 0;
  std::size_t next_pause_ = 0;
  std::chrono::milliseconds pause_per_mib_{0};
};

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

struct Head {
  std::string status_line;
  Fields fields;  // names lower-cased

  [[nodiscard]] int count(const std::string& name) const {
    int n = 0;
    for (const auto& f : fields) n += f.first == name ? 1 : 0;
    return n;
  }
  [[nodiscard]] std::string get(const std::string& name) const {
    for (const auto& f : fields) {
      if (f.first == name) return f.second;
    }
    return {};
  }
};

Fields parse_fields(const std::string& block) {
  Fields out;
  std::size_t start = 0;
  while (start < block.size()) {
    std::size_t end = block.find("\r\n", start);
    if (end == std::string::npos) end = block.size();
    const std::string line = block.substr(start, end - start);
    const std::size_t colon = line.find(':');
    REQUIRE(colon != std::string::npos);
    std::size_t v = colon + 1;
    while (v < line.size() && line[v] == ' ') ++v;
    out.emplace_back(lower(line.substr(0, colon)), line.substr(v));
    start = end + 2;
  }
  return out;
}

Head read_head(Client& c) {
  std::string block;
  REQUIRE(c.read_until("\r\n\r\n", block));
  Head h;
  const std::size_t eol = block.find("\r\n");
  h.status_line = block.substr(0, eol);
  if (eol != std::string::npos) h.fields = parse_fields(block.substr(eol + 2));
  return h;
}

struct ChunkedBody {
  std::string bytes;
  Fields trailers;
  std::size_t chunks = 0;
  bool complete = false;  // the last chunk and the trailer section arrived
};

// RFC 9112 7.1 chunked-body, strictly: hex size CRLF, data CRLF, ... "0" CRLF,
// trailer fields, CRLF. No chunk extensions are expected from our server.
ChunkedBody read_chunked(Client& c) {
  ChunkedBody b;
  for (;;) {
    std::string size_line;
    if (!c.read_until("\r\n", size_line)) return b;
    REQUIRE(!size_line.empty());
    for (const char ch : size_line) REQUIRE(std::isxdigit(static_cast<unsigned char>(ch)));
    const std::size_t size = std::stoul(size_line, nullptr, 16);
    if (size == 0) break;
    REQUIRE(size <= (2u << 20));
    if (!c.read_exact(size, b.bytes)) return b;
    std::string crlf;
    if (!c.read_exact(2, crlf)) return b;
    REQUIRE(crlf == "\r\n");
    ++b.chunks;
  }
  // Trailer fields, one per line, up to an empty line.
  for (;;) {
    std::string line;
    if (!c.read_until("\r\n", line)) return b;
    if (line.empty()) break;
    const Fields f = parse_fields(line);
    b.trailers.insert(b.trailers.end(), f.begin(), f.end());
  }
  b.complete = true;
  return b;
}

void check_pattern(const std::string& bytes) {
  REQUIRE(bytes.size() == expected_total());
  std::uint64_t first_bad = bytes.size();
  for (std::uint64_t k = 0; k < bytes.size(); ++k) {
    if (bytes[k] != body_byte(k)) {
      first_bad = k;
      break;
    }
  }
  CHECK(first_bad == bytes.size());
}

void check_small_answer(Client& c) {
  c.send("GET /small HTTP/1.1\r\nHost: t\r\n\r\n");
  const Head h = read_head(c);
  CHECK(h.status_line == "HTTP/1.1 200 OK");
  const std::string len = h.get("content-length");
  REQUIRE(!len.empty());
  std::string body;
  REQUIRE(c.read_exact(std::stoul(len), body));
  CHECK(body == "{\"small\":true}\n");
}

bool wait_for(const std::atomic<bool>& flag, std::chrono::seconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (!flag.load()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

}  // namespace

TEST_CASE("HttpServer streams a BodyStream as exact chunked bytes with announced trailers", "[http][stream]") {
  Probe probe;
  TestServer server(StreamingHandler{&probe});
  Client c(server.port());
  c.send("GET /api/v1/pcap HTTP/1.1\r\nHost: t\r\n\r\n");
  const Head h = read_head(c);
  CHECK(h.status_line == "HTTP/1.1 200 OK");
  CHECK(h.get("content-type") == "application/vnd.tcpdump.pcap");
  CHECK(h.get("content-disposition") == "attachment; filename=\"t.pcap\"");
  CHECK(lower(h.get("transfer-encoding")) == "chunked");
  CHECK(h.count("content-length") == 0);
  CHECK(h.get("trailer") == "X-Opensoc-Packets, X-Opensoc-Truncated, X-Opensoc-Evil");

  const ChunkedBody b = read_chunked(c);
  REQUIRE(b.complete);
  check_pattern(b.bytes);
  // Piece 7 is empty and must not become a chunk (a zero-size chunk is the end).
  CHECK(b.chunks == kPieces - 1);
  CHECK(b.trailers == Fields{{"x-opensoc-packets", std::to_string(kPieces)}, {"x-opensoc-truncated", "no"}});
  CHECK(wait_for(probe.destroyed, std::chrono::seconds(5)));

  SECTION("and keeps the connection for the next request") { check_small_answer(c); }
}

TEST_CASE("HttpServer sends a BodyStream unchunked to an HTTP/1.0 client and closes", "[http][stream]") {
  Probe probe;
  TestServer server(StreamingHandler{&probe});
  Client c(server.port());
  c.send("GET /api/v1/pcap HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  const Head h = read_head(c);
  CHECK(h.status_line.rfind("HTTP/1.1 200", 0) == 0);
  CHECK(h.count("transfer-encoding") == 0);
  CHECK(h.count("content-length") == 0);
  CHECK(h.count("trailer") == 0);
  CHECK(lower(h.get("connection")) == "close");
  const std::string body = c.read_to_eof();
  check_pattern(body);
}

TEST_CASE("HttpServer answers HEAD for a streamed response with headers only", "[http][stream]") {
  Probe probe;
  TestServer server(StreamingHandler{&probe});
  Client c(server.port());
  c.send("HEAD /api/v1/pcap HTTP/1.1\r\nHost: t\r\n\r\n");
  const Head h = read_head(c);
  CHECK(h.status_line == "HTTP/1.1 200 OK");
  CHECK(lower(h.get("transfer-encoding")) == "chunked");
  // A body byte would be read as the start of the next response's status line.
  check_small_answer(c);
  CHECK(probe.next_calls.load() == 0);
  CHECK(wait_for(probe.destroyed, std::chrono::seconds(5)));
}

TEST_CASE("HttpServer frees the stream of a client that hangs up mid-body and keeps serving", "[http][stream]") {
  Probe probe;
  TestServer server(StreamingHandler{&probe, /*endless=*/true});
  {
    Client c(server.port());
    c.send("GET /api/v1/pcap HTTP/1.1\r\nHost: t\r\n\r\n");
    const Head h = read_head(c);
    CHECK(h.status_line == "HTTP/1.1 200 OK");
    std::string some;
    REQUIRE(c.read_exact(1000, some));
  }  // closed with unread data: the server sees a reset on its next write
  CHECK(wait_for(probe.destroyed, std::chrono::seconds(5)));
  Client next(server.port());
  check_small_answer(next);
}

TEST_CASE("HttpServer holds back a stream the client is not reading, then drops it at the deadline",
          "[http][stream]") {
  Probe probe;
  TestServer server(StreamingHandler{&probe, /*endless=*/true}, /*timeout_s=*/1);
  Client c(server.port());
  c.send("GET /api/v1/pcap HTTP/1.1\r\nHost: t\r\n\r\n");
  // Never read: production may only run ahead by what the kernel's socket
  // buffers hold (a few MiB on loopback) plus the one piece in flight.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const std::uint64_t stalled = probe.produced.load();
  CHECK(stalled > 0);
  CHECK(stalled < 64u * 1024 * 1024);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK(probe.produced.load() <= stalled + 64 * 1024);
  // The write deadline (1 s) passes with the client still silent.
  CHECK(wait_for(probe.destroyed, std::chrono::seconds(5)));
  Client next(server.port());
  check_small_answer(next);
}

TEST_CASE("HttpServer truncates the chunked body when the stream throws and keeps serving", "[http][stream]") {
  Probe probe;
  TestServer server(StreamingHandler{&probe, /*endless=*/false, /*throw_after=*/50});
  {
    Client c(server.port());
    c.send("GET /api/v1/pcap HTTP/1.1\r\nHost: t\r\n\r\n");
    const Head h = read_head(c);
    CHECK(h.status_line == "HTTP/1.1 200 OK");
    const ChunkedBody b = read_chunked(c);
    CHECK_FALSE(b.complete);
    std::uint64_t first_50 = 0;
    for (std::size_t i = 0; i < 50; ++i) first_50 += piece_size(i);
    CHECK(b.bytes.size() == first_50);
  }
  CHECK(wait_for(probe.destroyed, std::chrono::seconds(5)));
  Client next(server.port());
  check_small_answer(next);
}

TEST_CASE("HttpServer gives each chunk its own write deadline, so a slow reader gets the whole body",
          "[http][stream]") {
  // ~65 MB at ~30 MB/s: about 2 s against a 1 s per-write deadline. The
  // kernel buffers fill at once, so from then on every write waits for the
  // reader; each must get a fresh second, not what is left of the first.
  Probe probe;
  TestServer server(StreamingHandler{&probe}, /*timeout_s=*/1);
  Client c(server.port());
  c.throttle(std::chrono::milliseconds(30));
  const auto started = std::chrono::steady_clock::now();
  c.send("GET /api/v1/pcap HTTP/1.1\r\nHost: t\r\n\r\n");
  const Head h = read_head(c);
  CHECK(h.status_line == "HTTP/1.1 200 OK");
  const ChunkedBody b = read_chunked(c);
  CHECK(std::chrono::steady_clock::now() - started > std::chrono::milliseconds(1500));
  REQUIRE(b.complete);
  check_pattern(b.bytes);
}

TEST_CASE("HttpServer completes a stream whose pieces come slower in total than the write deadline",
          "[http][stream]") {
  // 12 pieces 150 ms apart: 1.8 s in all against a 1 s per-write deadline.
  struct SlowStream : api::BodyStream {
    int i = 0;
    bool next(std::string& out) override {
      std::this_thread::sleep_for(std::chrono::milliseconds(150));
      out.assign(1000, static_cast<char>('a' + i));
      return ++i < 12;
    }
  };
  TestServer server(
      [](const api::Request&) {
        api::Response resp;
        resp.stream = std::make_shared<SlowStream>();
        return resp;
      },
      /*timeout_s=*/1);
  Client c(server.port());
  c.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n");
  const Head h = read_head(c);
  CHECK(h.status_line == "HTTP/1.1 200 OK");
  CHECK(h.count("trailer") == 0);
  const ChunkedBody b = read_chunked(c);
  REQUIRE(b.complete);
  CHECK(b.chunks == 12);
  CHECK(b.trailers.empty());
  std::string expected;
  for (int i = 0; i < 12; ++i) expected.append(1000, static_cast<char>('a' + i));
  CHECK(b.bytes == expected);
}
