#include "ingest/stream_listener.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <future>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "ingest/telemetry_receivers.hpp"
#include "ingest_test_support.hpp"

using namespace opensoc::ingest;
using namespace opensoc::ingest::test;
namespace asio = boost::asio;

namespace {

// Sends `count` frames, alternating octet counting and LF framing, in big
// writes; sendall blocks while the receiver holds back.
constexpr const char* kTcpSender = R"(
import socket, sys
port, count = int(sys.argv[1]), int(sys.argv[2])
s = socket.create_connection(('127.0.0.1', port))
buf = bytearray()
for i in range(count):
    msg = b'<13>frame %d' % i
    buf += (b'%d %s' % (len(msg), msg)) if i % 2 == 0 else msg + b'\n'
    if len(buf) > 65536:
        s.sendall(buf)
        buf = bytearray()
s.sendall(buf)
s.close()
print(count)
)";

struct Running {
  MessageQueue queue;
  std::unique_ptr<TelemetryReceivers> receivers;
  std::uint16_t port = 0;

  explicit Running(const ListenerConfig& listener, std::size_t capacity = 1024) : queue(capacity) {
    ReceiversConfig config;
    config.listeners.push_back(listener);
    auto r = TelemetryReceivers::start(config, queue);
    REQUIRE(r.has_value());
    receivers = std::move(*r);
    port = stats_of(*receivers).port;
    REQUIRE(port != 0);
  }
  [[nodiscard]] ListenerStats stats() const { return stats_of(*receivers); }
};

ListenerConfig tcp_listener(TcpFraming framing = TcpFraming::automatic) {
  auto c = make_listener("syslog-tcp", ListenerProtocol::syslog, ListenerTransport::tcp);
  c.framing = framing;
  return c;
}

asio::ip::tcp::socket connect_to(asio::io_context& io, std::uint16_t port) {
  asio::ip::tcp::socket s(io);
  s.connect({asio::ip::make_address("127.0.0.1"), port});
  return s;
}

// True when the server closed `s` (EOF or reset) within `timeout`.
bool closed_by_peer(asio::ip::tcp::socket& s, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  const int ms = static_cast<int>(timeout.count());
  timeval tv{static_cast<time_t>(ms / 1000), static_cast<suseconds_t>((ms % 1000) * 1000)};
  ::setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  char byte = 0;
  const ssize_t n = ::recv(s.native_handle(), &byte, 1, 0);
  return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

std::string logger_tcp(std::uint16_t port, const std::string& flags, const std::string& file) {
  return "logger --server 127.0.0.1 --port " + std::to_string(port) + " --tcp " + flags +
         " --tag opensoc-test -f " + shell_quote(file);
}

}  // namespace

TEST_CASE("StreamListener receives every line logger sends over TCP, once, in order", "[ingest][tcp]") {
  TempDir dir;
  const std::string lines = dir.file("lines.txt");
  {
    std::ofstream f(lines);
    for (int i = 0; i < 200; ++i) f << "line number " << i << '\n';
  }
  struct Variant {
    const char* flags;
    TcpFraming framing;
  };
  // logger frames with LF by default and with RFC 6587 octet counting (no LF) on request.
  const Variant variants[] = {{"--rfc5424", TcpFraming::automatic},
                              {"--rfc5424", TcpFraming::newline},
                              {"--rfc3164", TcpFraming::automatic},
                              {"--rfc5424 --octet-count", TcpFraming::automatic},
                              {"--rfc5424 --octet-count", TcpFraming::octet_counting},
                              {"--rfc3164 --octet-count", TcpFraming::octet_counting}};
  for (const auto& v : variants) {
    INFO(v.flags << " framing " << static_cast<int>(v.framing));
    Running r(tcp_listener(v.framing));
    REQUIRE(run_command(logger_tcp(r.port, v.flags, lines)));
    const auto got = drain(r.queue, 200);
    REQUIRE(got.size() == 200);
    const bool rfc5424 = std::string(v.flags).find("5424") != std::string::npos;
    for (int i = 0; i < 200; ++i) {
      const auto& m = got[static_cast<std::size_t>(i)];
      const std::string tail = (rfc5424 ? "] line number " : "opensoc-test: line number ") + std::to_string(i);
      REQUIRE(m.bytes.size() > tail.size());
      CHECK(m.bytes.rfind(rfc5424 ? "<13>1 " : "<13>", 0) == 0);
      CHECK(m.bytes.substr(m.bytes.size() - tail.size()) == tail);
      CHECK(m.sender.to_string() == "127.0.0.1");
      CHECK_FALSE(m.truncated);
    }
    CHECK(drain(r.queue, 1, std::chrono::milliseconds(50)).empty());
    CHECK(wait_until([&] { return r.stats().connections_open == 0; }));
    const auto s = r.stats();
    CHECK(s.messages == 200);
    CHECK(s.connections == 1);
    CHECK(s.framing_errors == 0);
  }
}

TEST_CASE("StreamListener slows a fast TCP sender into a tiny queue and loses nothing", "[ingest][tcp]") {
  TempDir dir;
  Running r(tcp_listener(), 16);
  constexpr int kFrames = 20'000;
  auto sender = std::async(std::launch::async, [&] {
    return run_python(dir, "tcp_sender", kTcpSender, std::to_string(r.port) + " " + std::to_string(kFrames));
  });
  std::vector<ReceivedMessage> got;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (got.size() < kFrames && std::chrono::steady_clock::now() < deadline) {
    r.queue.pop(got, 16, 20);
    std::this_thread::sleep_for(std::chrono::microseconds(200));  // a slow consumer
  }
  REQUIRE(sender.get().has_value());
  REQUIRE(got.size() == kFrames);
  for (int i = 0; i < kFrames; ++i) {
    REQUIRE(got[static_cast<std::size_t>(i)].bytes == "<13>frame " + std::to_string(i));
  }
  CHECK(drain(r.queue, 1, std::chrono::milliseconds(50)).empty());
  CHECK(wait_until([&] { return r.stats().messages == kFrames; }));
  const auto s = r.stats();
  CHECK(s.messages == kFrames);
  CHECK(s.paused > 0);
  CHECK(s.dropped_queue == 0);
  CHECK(s.framing_errors == 0);
  CHECK(r.queue.high_water() == 16);
}

TEST_CASE("StreamListener closes a connection on a bad octet count and counts it", "[ingest][tcp]") {
  Running r(tcp_listener(TcpFraming::octet_counting));
  asio::io_context io;
  auto s = connect_to(io, r.port);
  asio::write(s, asio::buffer(std::string("11 <13>1 first<13>1 no count\n")));
  const auto got = drain(r.queue, 1);
  REQUIRE(got.size() == 1);
  CHECK(got[0].bytes == "<13>1 first");
  CHECK(closed_by_peer(s));
  CHECK(wait_until([&] { return r.stats().connections_open == 0; }));
  CHECK(r.stats().framing_errors == 1);
  CHECK(r.stats().messages == 1);
}

TEST_CASE("StreamListener delivers a partial last line when the peer closes, and cuts long frames",
          "[ingest][tcp]") {
  auto config = tcp_listener();
  config.max_message_bytes = 10;
  Running r(config);
  asio::io_context io;
  {
    auto s = connect_to(io, r.port);
    asio::write(s, asio::buffer(std::string("<13>short\n<13>0123456789abc\n13 <13>123456789<13>partial")));
  }  // closed mid-frame
  const auto got = drain(r.queue, 4);
  REQUIRE(got.size() == 4);
  CHECK(got[0].bytes == "<13>short");
  CHECK_FALSE(got[0].truncated);
  CHECK(got[1].bytes == "<13>012345");
  CHECK(got[1].truncated);
  CHECK(got[2].bytes == "<13>123456");
  CHECK(got[2].truncated);
  CHECK(got[3].bytes == "<13>partia");
  CHECK(got[3].truncated);
  CHECK(r.stats().truncated == 3);
}

TEST_CASE("StreamListener refuses connections beyond max_connections", "[ingest][tcp]") {
  auto config = tcp_listener();
  config.max_connections = 1;
  Running r(config);
  asio::io_context io;
  auto first = connect_to(io, r.port);
  asio::write(first, asio::buffer(std::string("<13>first\n")));
  REQUIRE(drain(r.queue, 1).size() == 1);
  auto second = connect_to(io, r.port);
  CHECK(closed_by_peer(second));
  CHECK(wait_until([&] { return r.stats().connections_refused == 1; }));
  first.close();
  CHECK(wait_until([&] { return r.stats().connections_open == 0; }));
  auto third = connect_to(io, r.port);
  asio::write(third, asio::buffer(std::string("<13>third\n")));
  const auto got = drain(r.queue, 1);
  REQUIRE(got.size() == 1);
  CHECK(got[0].bytes == "<13>third");
  CHECK(r.stats().connections == 2);
  CHECK(r.stats().connections_refused == 1);
}

TEST_CASE("StreamListener closes connections idle longer than idle_timeout_s", "[ingest][tcp]") {
  auto config = tcp_listener();
  config.idle_timeout_s = 1;
  Running r(config);
  asio::io_context io;
  auto s = connect_to(io, r.port);
  asio::write(s, asio::buffer(std::string("<13>hello\n")));
  const auto t0 = std::chrono::steady_clock::now();
  CHECK(closed_by_peer(s, std::chrono::seconds(4)));
  const auto waited = std::chrono::steady_clock::now() - t0;
  CHECK(waited >= std::chrono::milliseconds(800));
  CHECK(wait_until([&] { return r.stats().connections_open == 0; }));
  CHECK(drain(r.queue, 1).size() == 1);
}

TEST_CASE("StreamListener frames JSON listeners by line whatever the framing setting", "[ingest][tcp]") {
  auto config = make_listener("json-tcp", ListenerProtocol::json, ListenerTransport::tcp);
  config.framing = TcpFraming::octet_counting;
  Running r(config);
  asio::io_context io;
  auto s = connect_to(io, r.port);
  asio::write(s, asio::buffer(std::string("12 {\"a\":1}\n{\"b\":2}\r\n")));
  const auto got = drain(r.queue, 2);
  REQUIRE(got.size() == 2);
  CHECK(got[0].bytes == "12 {\"a\":1}");
  CHECK(got[1].bytes == "{\"b\":2}");
  CHECK(r.stats().protocol == "json");
  CHECK(r.stats().transport == "tcp");
}
