#include "ingest/telemetry_receivers.hpp"

#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/write.hpp>

#include "ingest_test_support.hpp"

using namespace opensoc::ingest;
using namespace opensoc::ingest::test;
namespace asio = boost::asio;

TEST_CASE("TelemetryReceivers start fails naming the listener and address on a port clash", "[ingest]") {
  asio::io_context io;
  asio::ip::tcp::acceptor taken(io, {asio::ip::make_address("127.0.0.1"), 0});
  const std::uint16_t port = taken.local_endpoint().port();
  MessageQueue queue(4);
  ReceiversConfig config;
  config.listeners.push_back(make_listener("syslog-udp", ListenerProtocol::syslog, ListenerTransport::udp));
  config.listeners.push_back(make_listener("syslog-tcp", ListenerProtocol::syslog, ListenerTransport::tcp));
  config.listeners[1].port = port;
  auto r = TelemetryReceivers::start(config, queue);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message ==
        "listener syslog-tcp: bind 127.0.0.1:" + std::to_string(port) + ": Address already in use");

  asio::ip::udp::socket udp(io, {asio::ip::make_address("127.0.0.1"), 0});
  config.listeners[1] = make_listener("netflow", ListenerProtocol::netflow, ListenerTransport::udp);
  config.listeners[1].port = udp.local_endpoint().port();
  r = TelemetryReceivers::start(config, queue);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message == "listener netflow: bind 127.0.0.1:" + std::to_string(udp.local_endpoint().port()) +
                                 ": Address already in use");
}

TEST_CASE("TelemetryReceivers start refuses bad addresses, certificates and NetFlow over TCP", "[ingest]") {
  MessageQueue queue(4);
  ReceiversConfig config;
  config.listeners.push_back(make_listener("bad", ListenerProtocol::syslog, ListenerTransport::udp));
  config.listeners[0].address = "not-an-address";
  auto r = TelemetryReceivers::start(config, queue);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message == "listener bad: bad address 'not-an-address'");

  config.listeners[0] = make_listener("tls-nocert", ListenerProtocol::syslog, ListenerTransport::tls);
  r = TelemetryReceivers::start(config, queue);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message == "listener tls-nocert: transport tls needs tls_certificate and tls_key");

  config.listeners[0] = make_listener("nf", ListenerProtocol::netflow, ListenerTransport::tcp);
  r = TelemetryReceivers::start(config, queue);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message == "listener nf: netflow is received over udp only");
}

TEST_CASE("TelemetryReceivers report every listener in config order, with its bound port", "[ingest]") {
  MessageQueue queue(64);
  ReceiversConfig config;
  config.listeners.push_back(make_listener("syslog-udp", ListenerProtocol::syslog, ListenerTransport::udp));
  config.listeners.push_back(make_listener("syslog-tcp", ListenerProtocol::syslog, ListenerTransport::tcp));
  config.listeners.push_back(make_listener("json-tcp", ListenerProtocol::json, ListenerTransport::tcp));
  config.listeners.push_back(make_listener("netflow", ListenerProtocol::netflow, ListenerTransport::udp));
  auto r = TelemetryReceivers::start(config, queue);
  REQUIRE(r.has_value());
  auto& receivers = **r;
  const auto stats = receivers.stats();
  REQUIRE(stats.size() == 4);
  CHECK(stats[0].name == "syslog-udp");
  CHECK(stats[1].name == "syslog-tcp");
  CHECK(stats[2].name == "json-tcp");
  CHECK(stats[2].protocol == "json");
  CHECK(stats[3].name == "netflow");
  CHECK(stats[3].protocol == "netflow");
  for (const auto& s : stats) CHECK(s.port != 0);

  // Each listener stamps its own index.
  asio::io_context io;
  asio::ip::tcp::socket json(io);
  json.connect({asio::ip::make_address("127.0.0.1"), stats[2].port});
  asio::write(json, asio::buffer(std::string("{\"event_type\":\"alert\"}\n")));
  asio::ip::udp::socket udp(io, asio::ip::udp::endpoint(asio::ip::udp::v4(), 0));
  udp.send_to(asio::buffer(std::string("<13>udp")), {asio::ip::make_address("127.0.0.1"), stats[0].port});
  auto got = drain(queue, 2);
  REQUIRE(got.size() == 2);
  if (got[0].listener != 0) std::swap(got[0], got[1]);
  CHECK(got[0].listener == 0);
  CHECK(got[0].bytes == "<13>udp");
  CHECK(got[1].listener == 2);
  CHECK(got[1].bytes == "{\"event_type\":\"alert\"}");

  // stop() closes the sockets, keeps what is queued, and may be repeated.
  asio::write(json, asio::buffer(std::string("{\"queued\":true}\n")));
  REQUIRE(wait_until([&] { return queue.size() == 1; }));
  receivers.stop();
  receivers.stop();
  CHECK(queue.size() == 1);
  asio::ip::tcp::socket late(io);
  boost::system::error_code ec;
  late.connect({asio::ip::make_address("127.0.0.1"), stats[1].port}, ec);
  CHECK(ec == asio::error::connection_refused);
}

TEST_CASE("TelemetryReceivers with no listeners start and stop", "[ingest]") {
  MessageQueue queue(4);
  auto r = TelemetryReceivers::start(ReceiversConfig{}, queue);
  REQUIRE(r.has_value());
  CHECK((*r)->stats().empty());
}
