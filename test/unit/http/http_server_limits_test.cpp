// HttpServer against hostile clients over real loopback TCP: refused methods,
// versions and targets never reach the handler; a slowloris is cut off after
// request_timeout_s in total; a throwing handler costs one 500, not the
// server; pipelining is bounded; header fields reach the handler lower-cased.
#include "http/http_server.hpp"
#include "serving_test_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

using namespace opensoc;

namespace {

using LimitsServer = test::ServingTestServer;

int connect_to(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  timeval tv{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  return fd;
}

bool send_all(int fd, const std::string& s) {
  std::size_t done = 0;
  while (done < s.size()) {
    const ssize_t n = ::send(fd, s.data() + done, s.size() - done, MSG_NOSIGNAL);
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

// Everything the server sends until it closes the connection.
std::string read_to_close(int fd) {
  std::string out;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) FAIL("client receive timed out");
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

// Sends one raw request and returns the whole answer (the server closes
// after every refusal, and the requests below ask it to close otherwise).
std::string exchange(std::uint16_t port, const std::string& raw) {
  const int fd = connect_to(port);
  send_all(fd, raw);
  std::string out = read_to_close(fd);
  ::close(fd);
  return out;
}

std::string status_line(const std::string& response) { return response.substr(0, response.find("\r\n")); }

std::size_t count(const std::string& hay, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + needle.size())) ++n;
  return n;
}

struct Recorder {
  std::mutex mu;
  std::vector<api::Request> seen;
  http::HttpServer::Handler handler() {
    return [this](const api::Request& r) {
      std::lock_guard lock(mu);
      seen.push_back(r);
      api::Response resp;
      resp.body = "{\"ok\":true}\n";
      return resp;
    };
  }
  std::size_t calls() {
    std::lock_guard lock(mu);
    return seen.size();
  }
};

}  // namespace

TEST_CASE("methods the API does not serve are refused before any handler runs", "[http]") {
  Recorder rec;
  LimitsServer server(rec.handler());
  const std::string trace = exchange(server.port(), "TRACE / HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(status_line(trace) == "HTTP/1.1 405 Method Not Allowed");
  CHECK(trace.find("Allow: GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS\r\n") != std::string::npos);
  CHECK(status_line(exchange(server.port(), "CONNECT x:443 HTTP/1.1\r\nHost: x\r\n\r\n")) ==
        "HTTP/1.1 405 Method Not Allowed");
  CHECK(status_line(exchange(server.port(), "FROB / HTTP/1.1\r\nHost: x\r\n\r\n")) ==
        "HTTP/1.1 501 Not Implemented");
  CHECK(status_line(exchange(server.port(), "G\x01T / HTTP/1.1\r\n\r\n")) == "HTTP/1.1 400 Bad Request");
  CHECK(rec.calls() == 0);
  CHECK(status_line(exchange(server.port(), "GET / HTTP/1.1\r\nConnection: close\r\n\r\n")) == "HTTP/1.1 200 OK");
  CHECK(rec.calls() == 1);
}

TEST_CASE("other HTTP versions, long targets, bad encodings and framing get 4xx", "[http]") {
  Recorder rec;
  LimitsServer server(rec.handler());
  // The parser refuses every version but 1.0 and 1.1 as malformed.
  CHECK(status_line(exchange(server.port(), "GET / HTTP/1.2\r\n\r\n")) == "HTTP/1.1 400 Bad Request");
  CHECK(status_line(exchange(server.port(), "GET / HTTP/2.0\r\n\r\n")) == "HTTP/1.1 400 Bad Request");
  CHECK(status_line(exchange(server.port(), "GET / HTTP/0.9\r\n\r\n")) == "HTTP/1.1 400 Bad Request");
  CHECK(status_line(exchange(server.port(), "GET / HTTX/1.1\r\n\r\n")) == "HTTP/1.1 400 Bad Request");
  const std::string long_target = "/api/v1/stats?q=" + std::string(9000, 'a');
  CHECK(status_line(exchange(server.port(), "GET " + long_target + " HTTP/1.1\r\n\r\n")) ==
        "HTTP/1.1 414 URI Too Long");
  CHECK(status_line(exchange(server.port(), "GET /a%zz HTTP/1.1\r\n\r\n")) == "HTTP/1.1 400 Bad Request");
  CHECK(status_line(exchange(server.port(), "GET /a%00b HTTP/1.1\r\n\r\n")) == "HTTP/1.1 400 Bad Request");
  CHECK(status_line(exchange(server.port(), "GET / HTTP/1.1\r\nNoColonHere\r\n\r\n")) == "HTTP/1.1 400 Bad Request");
  CHECK(status_line(exchange(server.port(), "POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd")) ==
        "HTTP/1.1 400 Bad Request");
  CHECK(status_line(exchange(server.port(), "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nab\r\n0\r\n\r\n")) ==
        "HTTP/1.1 400 Bad Request");
  CHECK(status_line(exchange(server.port(), "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\nabc")) ==
        "HTTP/1.1 400 Bad Request");
  CHECK(status_line(exchange(server.port(), "POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n")) ==
        "HTTP/1.1 400 Bad Request");
  CHECK(status_line(exchange(server.port(), "GET / HTTP/1.1\r\n folded-first\r\nX-A: a\r\n\r\n")) ==
        "HTTP/1.1 400 Bad Request");
  CHECK(status_line(exchange(server.port(), "GET / HTTP/1.1\r\nX-Big: " + std::string(20000, 'b') + "\r\n\r\n")) ==
        "HTTP/1.1 431 Request Header Fields Too Large");
  CHECK(status_line(exchange(server.port(), "POST / HTTP/1.1\r\nContent-Length: 2000000\r\n\r\n")) ==
        "HTTP/1.1 413 Payload Too Large");
  CHECK(rec.calls() == 0);
}

TEST_CASE("header fields reach the handler lower-cased, in order, repeats kept", "[http]") {
  Recorder rec;
  LimitsServer server(rec.handler());
  const std::string out = exchange(server.port(),
                                   "POST /x?a=1 HTTP/1.1\r\nHost: h\r\nX-Thing: One\r\nx-thing: two\r\n"
                                   "Content-Length: 2\r\nConnection: close\r\n\r\nhi");
  CHECK(status_line(out) == "HTTP/1.1 200 OK");
  REQUIRE(rec.calls() == 1);
  const api::Request& r = rec.seen[0];
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"host", "h"}, {"x-thing", "One"}, {"x-thing", "two"}, {"content-length", "2"}, {"connection", "close"}};
  CHECK(r.headers == expected);
  CHECK(r.header("X-THING") == "One");
  CHECK(r.body == "hi");
  CHECK(r.path == "/x");
  CHECK_FALSE(r.tls);
  CHECK(r.client_cert_subject.empty());
}

TEST_CASE("obsolete line folding is unfolded: no CR or LF reaches the handler", "[http]") {
  Recorder rec;
  LimitsServer server(rec.handler());
  const std::string out =
      exchange(server.port(), "GET / HTTP/1.1\r\nX-A: a\r\n folded\r\nX-B: b\r\nConnection: close\r\n\r\n");
  CHECK(status_line(out) == "HTTP/1.1 200 OK");
  REQUIRE(rec.calls() == 1);
  CHECK(rec.seen[0].header("x-a") == "a folded");  // RFC 9112 §5.2: each fold becomes one SP
  CHECK(rec.seen[0].header("x-b") == "b");
}

TEST_CASE("a handler that throws costs one 500 and the server keeps serving", "[http]") {
  std::atomic<int> calls{0};
  LimitsServer server([&calls](const api::Request& r) -> api::Response {
    ++calls;
    if (r.path == "/boom") throw std::runtime_error("handler bug");
    if (r.path == "/int") throw 42;
    api::Response resp;
    resp.body = "fine";
    return resp;
  });
  const std::string boom = exchange(server.port(), "GET /boom HTTP/1.1\r\n\r\n");
  CHECK(status_line(boom) == "HTTP/1.1 500 Internal Server Error");
  CHECK(boom.find("handler bug") == std::string::npos);  // internals are not echoed
  CHECK(status_line(exchange(server.port(), "GET /int HTTP/1.1\r\n\r\n")) == "HTTP/1.1 500 Internal Server Error");
  const std::string fine = exchange(server.port(), "GET /ok HTTP/1.1\r\nConnection: close\r\n\r\n");
  CHECK(status_line(fine) == "HTTP/1.1 200 OK");
  CHECK(calls == 3);
}

TEST_CASE("a slowloris header is cut off after request_timeout_s in total, not per byte", "[http]") {
  Recorder rec;
  LimitsServer server(rec.handler(), 2);
  const int fd = connect_to(server.port());
  timeval tv{0, 50 * 1000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  const std::string drip = "GET / HTTP/1.1\r\nX-Slow: " + std::string(1000, 's');
  const auto t0 = std::chrono::steady_clock::now();
  bool cut = false;
  // One byte every 150 ms: each read completes well inside any per-read
  // deadline, so only a whole-header deadline stops this.
  for (std::size_t i = 0; i < drip.size() && !cut; ++i) {
    if (!send_all(fd, drip.substr(i, 1))) {
      cut = true;
      break;
    }
    char c;
    const ssize_t n = ::recv(fd, &c, 1, 0);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) cut = true;
    if (std::chrono::steady_clock::now() - t0 > std::chrono::seconds(8)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ::close(fd);
  CHECK(cut);
  CHECK(elapsed >= 1.8);
  CHECK(elapsed < 3.5);
  CHECK(rec.calls() == 0);
}

TEST_CASE("a slow body is cut off by the same request deadline", "[http]") {
  Recorder rec;
  LimitsServer server(rec.handler(), 2);
  const int fd = connect_to(server.port());
  timeval tv{0, 50 * 1000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  REQUIRE(send_all(fd, "POST / HTTP/1.1\r\nContent-Length: 1000\r\n\r\n"));
  const auto t0 = std::chrono::steady_clock::now();
  bool cut = false;
  while (!cut && std::chrono::steady_clock::now() - t0 < std::chrono::seconds(8)) {
    if (!send_all(fd, "x")) cut = true;
    char c;
    const ssize_t n = ::recv(fd, &c, 1, 0);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) cut = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ::close(fd);
  CHECK(cut);
  CHECK(elapsed < 3.5);
  CHECK(rec.calls() == 0);
}

TEST_CASE("pipelined requests are answered in order and bounded per connection", "[http]") {
  Recorder rec;
  LimitsServer server(rec.handler());
  std::string burst;
  for (int i = 0; i < 1005; ++i) burst += "GET /p?i=" + std::to_string(i) + " HTTP/1.1\r\nHost: x\r\n\r\n";
  const int fd = connect_to(server.port());
  std::thread writer([fd, &burst] { send_all(fd, burst); });
  const std::string out = read_to_close(fd);
  writer.join();
  ::close(fd);
  CHECK(count(out, "HTTP/1.1 200 OK\r\n") == 1000);
  CHECK(count(out, "Connection: close\r\n") == 1);
  REQUIRE(rec.calls() == 1000);
  CHECK(rec.seen[0].query.find("i")->second == "0");
  CHECK(rec.seen[999].query.find("i")->second == "999");
}
