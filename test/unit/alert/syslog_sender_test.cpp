#include "alert/syslog_sender.hpp"

#include <chrono>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "alert/syslog_format.hpp"
#include "alert_test_support.hpp"

using namespace opensoc;
using namespace opensoc::alert;

namespace {

// A socket bound to 127.0.0.1 on a free port, closed at scope exit.
class LocalSocket {
 public:
  explicit LocalSocket(int type) : fd_(::socket(AF_INET, type, 0)) {
    REQUIRE(fd_ >= 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    socklen_t len = sizeof a;
    REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) == 0);
    port_ = ntohs(a.sin_port);
    if (type == SOCK_STREAM) REQUIRE(::listen(fd_, 4) == 0);
  }
  ~LocalSocket() { close(); }
  LocalSocket(const LocalSocket&) = delete;
  LocalSocket& operator=(const LocalSocket&) = delete;
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  [[nodiscard]] int fd() const { return fd_; }
  [[nodiscard]] std::uint16_t port() const { return port_; }

 private:
  int fd_;
  std::uint16_t port_ = 0;
};

bool readable(int fd, int timeout_ms) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, timeout_ms) > 0;
}

std::string receive_datagram(int fd) {
  REQUIRE(readable(fd, 2000));
  char buf[70000];
  const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
  REQUIRE(n > 0);
  return std::string(buf, static_cast<std::size_t>(n));
}

int accept_one(int listener) {
  REQUIRE(readable(listener, 2000));
  const int fd = ::accept(listener, nullptr, nullptr);
  REQUIRE(fd >= 0);
  return fd;
}

// Reads octet-counted frames ("<len> <msg>") until `count` arrived.
std::vector<std::string> receive_frames(int fd, std::size_t count) {
  std::string bytes;
  std::vector<std::string> frames;
  while (frames.size() < count) {
    REQUIRE(readable(fd, 2000));
    char buf[4096];
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    REQUIRE(n > 0);
    bytes.append(buf, static_cast<std::size_t>(n));
    while (true) {
      const auto space = bytes.find(' ');
      if (space == std::string::npos) break;
      const std::size_t len = std::stoul(bytes.substr(0, space));
      REQUIRE(bytes.substr(0, space) == std::to_string(len));  // digits only, no leading zeros
      if (bytes.size() < space + 1 + len) break;
      frames.push_back(bytes.substr(space + 1, len));
      bytes.erase(0, space + 1 + len);
    }
  }
  CHECK(bytes.empty());
  return frames;
}

}  // namespace

TEST_CASE("SyslogSender refuses an unknown transport or format", "[alert][syslog]") {
  auto t = SyslogSender::open("127.0.0.1", 514, "tls", "rfc5424");
  REQUIRE_FALSE(t);
  CHECK(t.error().message == "syslog: transport must be udp or tcp, not \"tls\"");
  auto f = SyslogSender::open("127.0.0.1", 514, "udp", "leef");
  REQUIRE_FALSE(f);
  CHECK(f.error().message == "syslog: format must be rfc5424 or cef, not \"leef\"");
}

TEST_CASE("SyslogSender sends one RFC 5424 datagram per alert over UDP", "[alert][syslog]") {
  LocalSocket collector(SOCK_DGRAM);
  auto sender = SyslogSender::open("127.0.0.1", collector.port(), "udp", "rfc5424", "sensor-1");
  REQUIRE(sender);
  const Alert a = fixture::make_alert();
  REQUIRE((*sender)->send(a));
  CHECK(receive_datagram(collector.fd()) == alert_syslog_rfc5424(a, "sensor-1"));
  CHECK((*sender)->stats().sent == 1);
  CHECK((*sender)->stats().dropped == 0);
}

TEST_CASE("SyslogSender frames CEF over TCP with octet counting and reconnects", "[alert][syslog]") {
  LocalSocket collector(SOCK_STREAM);
  auto opened = SyslogSender::open("127.0.0.1", collector.port(), "tcp", "cef", "sensor-1");
  REQUIRE(opened);
  SyslogSender& sender = **opened;
  Alert a = fixture::make_alert(1);
  Alert b = fixture::make_alert(2);
  b.hit.signature = "line one\nline two";  // octet counting carries line breaks safely
  REQUIRE(sender.send(a));
  REQUIRE(sender.send(b));
  int conn = accept_one(collector.fd());
  const auto frames = receive_frames(conn, 2);
  CHECK(frames == std::vector<std::string>{alert_syslog_cef(a, "sensor-1"), alert_syslog_cef(b, "sensor-1")});
  CHECK(sender.stats().sent == 2);

  // The collector drops the connection: the next sends notice, reconnect once
  // and deliver on the new connection.
  ::close(conn);
  Alert c = fixture::make_alert(3);
  bool reconnected = false;
  for (int i = 0; i < 20 && !reconnected; ++i) {
    (void)sender.send(c);
    reconnected = sender.stats().reconnects == 1;
    if (!reconnected) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  REQUIRE(reconnected);
  conn = accept_one(collector.fd());
  const auto after = receive_frames(conn, 1);
  CHECK(after[0] == alert_syslog_cef(c, "sensor-1"));
  ::close(conn);
  CHECK(sender.pending() == 0);
}

TEST_CASE("SyslogSender drops and counts when the TCP collector is away and the queue is full", "[alert][syslog]") {
  std::uint16_t port = 0;
  {
    LocalSocket probe(SOCK_STREAM);  // a port that was free a moment ago, now closed
    port = probe.port();
  }
  SyslogSenderOptions options;
  options.max_pending_bytes = 600;
  options.reconnect_backoff_ms = 60000;
  auto opened = SyslogSender::open("127.0.0.1", port, "tcp", "rfc5424", "h", options);
  REQUIRE(opened);
  SyslogSender& sender = **opened;
  const Alert a = fixture::make_alert();
  const auto start = std::chrono::steady_clock::now();
  CHECK(sender.send(a));  // queued (about 330 bytes)
  const auto dropped = sender.send(a);
  REQUIRE_FALSE(dropped);
  CHECK(dropped.error().message == "syslog tcp 127.0.0.1:" + std::to_string(port) + ": queue full (dropped)");
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::milliseconds(500));  // never blocks for long
  const auto s = sender.stats();
  CHECK(s.sent == 0);
  CHECK(s.dropped == 1);
  CHECK(s.connect_failures == 1);
  CHECK(sender.pending() == 1);
}
