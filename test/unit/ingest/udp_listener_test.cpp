#include "ingest/udp_listener.hpp"

#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>

#include "ingest/telemetry_receivers.hpp"
#include "ingest_test_support.hpp"
#include "opensoc/core/time.hpp"

using namespace opensoc::ingest;
using namespace opensoc::ingest::test;

namespace {

// Sends `count` datagrams "flood <i>" as fast as python can.
constexpr const char* kUdpFlood = R"(
import socket, sys
port, count = int(sys.argv[1]), int(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
for i in range(count):
    s.sendto(b'<13>flood %d' % i, ('127.0.0.1', port))
print(count)
)";

std::string logger_udp(std::uint16_t port, const char* format, const std::string& message) {
  return "logger --server 127.0.0.1 --port " + std::to_string(port) + " --udp " + format + " --tag opensoc-test " +
         shell_quote(message);
}

}  // namespace

TEST_CASE("UdpListener receives logger's RFC 5424 and RFC 3164 datagrams intact, LF trimmed", "[ingest][udp]") {
  MessageQueue queue(16);
  ReceiversConfig config;
  config.listeners.push_back(make_listener("syslog-udp", ListenerProtocol::syslog, ListenerTransport::udp));
  auto receivers = TelemetryReceivers::start(config, queue);
  REQUIRE(receivers.has_value());
  const std::uint16_t port = stats_of(**receivers).port;
  REQUIRE(port != 0);

  const opensoc::TimestampNs before = opensoc::wall_clock_ns();
  REQUIRE(run_command(logger_udp(port, "--rfc5424", "hello over udp 5424")));
  REQUIRE(run_command(logger_udp(port, "--rfc3164", "hello over udp 3164")));
  const auto got = drain(queue, 2);
  const opensoc::TimestampNs after = opensoc::wall_clock_ns();
  REQUIRE(got.size() == 2);

  // logger: "<13>1 TIMESTAMP HOST opensoc-test - - [timeQuality ...] MSG"
  CHECK(got[0].bytes.rfind("<13>1 ", 0) == 0);
  CHECK(got[0].bytes.find(" opensoc-test ") != std::string::npos);
  CHECK(got[0].bytes.size() > std::string(" hello over udp 5424").size());
  CHECK(got[0].bytes.substr(got[0].bytes.size() - 20) == " hello over udp 5424");
  // "<13>Nov 28 17:38:06 HOST opensoc-test: MSG"
  CHECK(got[1].bytes.rfind("<13>", 0) == 0);
  CHECK(got[1].bytes.find(" opensoc-test: hello over udp 3164") != std::string::npos);
  CHECK(got[1].bytes.substr(got[1].bytes.size() - 19) == "hello over udp 3164");
  for (const auto& m : got) {
    CHECK(m.listener == 0);
    CHECK(m.sender.to_string() == "127.0.0.1");
    CHECK(m.sender_port != 0);
    CHECK(m.received >= before);
    CHECK(m.received <= after);
    CHECK_FALSE(m.truncated);
    CHECK(m.bytes.back() != '\n');
  }
  // The counters follow the push that made the messages visible.
  CHECK(wait_until([&] { return stats_of(**receivers).messages == 2; }));
  const ListenerStats s = stats_of(**receivers);
  CHECK(s.name == "syslog-udp");
  CHECK(s.protocol == "syslog");
  CHECK(s.transport == "udp");
  CHECK(s.address == "127.0.0.1");
  CHECK(s.messages == 2);
  CHECK(s.bytes == got[0].bytes.size() + got[1].bytes.size());
  CHECK(s.dropped_queue == 0);
  CHECK(s.dropped_socket == 0);
}

TEST_CASE("UdpListener keeps NetFlow datagrams byte for byte and cuts long ones at the maximum", "[ingest][udp]") {
  MessageQueue queue(16);
  ReceiversConfig config;
  config.listeners.push_back(make_listener("netflow", ListenerProtocol::netflow, ListenerTransport::udp));
  config.listeners.push_back(make_listener("syslog-small", ListenerProtocol::syslog, ListenerTransport::udp));
  config.listeners[1].max_message_bytes = 8;
  auto receivers = TelemetryReceivers::start(config, queue);
  REQUIRE(receivers.has_value());

  boost::asio::io_context io;
  boost::asio::ip::udp::socket sender(io, boost::asio::ip::udp::endpoint(boost::asio::ip::udp::v4(), 0));
  const auto loopback = boost::asio::ip::make_address("127.0.0.1");
  const std::string netflow("\x00\x05\x00\x01\r\n\x00\n", 8);  // ends in LF, which is data here
  sender.send_to(boost::asio::buffer(netflow), {loopback, stats_of(**receivers, 0).port});
  sender.send_to(boost::asio::buffer(std::string("0123456789abcdef")), {loopback, stats_of(**receivers, 1).port});

  auto got = drain(queue, 2);
  REQUIRE(got.size() == 2);
  if (got[0].listener != 0) std::swap(got[0], got[1]);
  CHECK(got[0].listener == 0);
  CHECK(got[0].bytes == netflow);
  CHECK_FALSE(got[0].truncated);
  CHECK(got[0].sender_port == sender.local_endpoint().port());
  CHECK(got[1].listener == 1);
  CHECK(got[1].bytes == "01234567");
  CHECK(got[1].truncated);
  CHECK(stats_of(**receivers, 1).truncated == 1);
  CHECK(stats_of(**receivers, 0).truncated == 0);
}

TEST_CASE("UdpListener accounts for every datagram of a flood: queued, dropped by the queue or by the kernel",
          "[ingest][udp]") {
  TempDir dir;
  MessageQueue queue(8);  // and no consumer
  ReceiversConfig config;
  config.listeners.push_back(make_listener("flood", ListenerProtocol::syslog, ListenerTransport::udp));
  config.listeners[0].socket_buffer_bytes = 4096;  // the kernel's minimum: it must drop too
  auto receivers = TelemetryReceivers::start(config, queue);
  REQUIRE(receivers.has_value());
  const std::uint16_t port = stats_of(**receivers).port;

  constexpr std::uint64_t kSent = 50'000;
  REQUIRE(run_python(dir, "udp_flood", kUdpFlood, std::to_string(port) + " " + std::to_string(kSent)));
  const bool balanced = wait_until([&] {
    const auto s = stats_of(**receivers);
    return s.messages + s.dropped_queue + s.dropped_socket >= kSent;
  });
  const auto s = stats_of(**receivers);
  INFO("messages " << s.messages << " dropped_queue " << s.dropped_queue << " dropped_socket " << s.dropped_socket);
  CHECK(balanced);
  CHECK(s.messages + s.dropped_queue + s.dropped_socket == kSent);
  CHECK(s.messages == 8);
  CHECK(queue.size() == 8);
  CHECK(s.dropped_queue > 0);
  CHECK(s.dropped_socket > 0);
  // The first datagrams are the ones queued.
  const auto got = drain(queue, 8);
  REQUIRE(got.size() == 8);
  CHECK(got[0].bytes == "<13>flood 0");
}

TEST_CASE("UdpListener reports IPv6 senders, and IPv4 senders of a dual-stack listener as IPv4", "[ingest][udp]") {
  MessageQueue queue(16);
  ReceiversConfig config;
  config.listeners.push_back(make_listener("v6", ListenerProtocol::syslog, ListenerTransport::udp));
  config.listeners[0].address = "::1";
  config.listeners.push_back(make_listener("any", ListenerProtocol::syslog, ListenerTransport::udp));
  config.listeners[1].address = "::";
  auto receivers = TelemetryReceivers::start(config, queue);
  REQUIRE(receivers.has_value());
  CHECK(stats_of(**receivers, 0).address == "::1");

  boost::asio::io_context io;
  boost::asio::ip::udp::socket v6(io, boost::asio::ip::udp::endpoint(boost::asio::ip::udp::v6(), 0));
  v6.send_to(boost::asio::buffer(std::string("<13>six")),
             {boost::asio::ip::make_address("::1"), stats_of(**receivers, 0).port});
  auto got = drain(queue, 1);
  REQUIRE(got.size() == 1);
  CHECK(got[0].sender.version == 6);
  CHECK(got[0].sender.to_string() == "::1");

  boost::asio::ip::udp::socket v4(io, boost::asio::ip::udp::endpoint(boost::asio::ip::udp::v4(), 0));
  v4.send_to(boost::asio::buffer(std::string("<13>four")),
             {boost::asio::ip::make_address("127.0.0.1"), stats_of(**receivers, 1).port});
  got = drain(queue, 1);
  REQUIRE(got.size() == 1);
  CHECK(got[0].bytes == "<13>four");
  CHECK(got[0].sender.version == 4);
  CHECK(got[0].sender.to_string() == "127.0.0.1");
  CHECK(got[0].sender_port == v4.local_endpoint().port());
}
