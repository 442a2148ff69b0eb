#include "ingest/tls_server_context.hpp"

#include <catch2/catch.hpp>

#include <fstream>

#include <boost/asio/ssl/context.hpp>

#include "ingest/telemetry_receivers.hpp"
#include "ingest_test_support.hpp"

using namespace opensoc::ingest;
using namespace opensoc::ingest::test;

namespace {

// openssl s_client sends its stdin and, with -brief (no -ign_eof), closes
// at its end. The exit status tells whether the handshake succeeded.
std::string s_client(std::uint16_t port, const std::string& version_flags, const std::string& input_file,
                     const std::string& extra = "") {
  return "timeout 10 openssl s_client -connect 127.0.0.1:" + std::to_string(port) + " " + version_flags +
         " -brief " + extra + " < " + shell_quote(input_file) + " > /dev/null 2>&1";
}

ListenerConfig tls_listener(const TestCertificate& cert) {
  auto c = make_listener("syslog-tls", ListenerProtocol::syslog, ListenerTransport::tls);
  c.tls_certificate = cert.certificate;
  c.tls_key = cert.key;
  return c;
}

}  // namespace

TEST_CASE("TLS listener accepts TLS 1.2 and 1.3 and refuses TLS 1.1", "[ingest][tls]") {
  TempDir dir;
  const auto cert = make_self_signed_certificate(dir);
  const std::string input = dir.file("input.txt");
  {
    std::ofstream f(input);
    for (int i = 0; i < 50; ++i) f << "<13>1 - host app - - - tls line " << i << '\n';
    f << "17 <13>octet counted";
  }
  MessageQueue queue(1024);
  ReceiversConfig config;
  config.listeners.push_back(tls_listener(cert));
  auto receivers = TelemetryReceivers::start(config, queue);
  REQUIRE(receivers.has_value());
  const std::uint16_t port = stats_of(**receivers).port;

  for (const char* version : {"-tls1_2", "-tls1_3"}) {
    INFO(version);
    CHECK(run_command(s_client(port, version, input)).has_value());
    const auto got = drain(queue, 51);
    REQUIRE(got.size() == 51);
    for (int i = 0; i < 50; ++i) CHECK(got[static_cast<std::size_t>(i)].bytes == "<13>1 - host app - - - tls line " + std::to_string(i));
    CHECK(got[50].bytes == "<13>octet counted");
    CHECK(got[0].sender.to_string() == "127.0.0.1");
  }
  CHECK(stats_of(**receivers).tls_failures == 0);

  // OpenSSL 3 clients refuse TLS 1.1 themselves at the default security level.
  CHECK_FALSE(run_command(s_client(port, "-tls1_1", input, "-cipher DEFAULT@SECLEVEL=0")).has_value());
  CHECK(wait_until([&] { return stats_of(**receivers).tls_failures == 1; }));
  CHECK(drain(queue, 1, std::chrono::milliseconds(100)).empty());
  CHECK(wait_until([&] { return stats_of(**receivers).messages == 102; }));
  const auto s = stats_of(**receivers);
  CHECK(s.transport == "tls");
  CHECK(s.messages == 102);
  CHECK(s.connections == 3);
}

TEST_CASE("TLS listener with a client CA requires a client certificate it signed", "[ingest][tls]") {
  TempDir dir;
  const auto server = make_self_signed_certificate(dir, "server");
  const auto client = make_self_signed_certificate(dir, "client");
  const auto stranger = make_self_signed_certificate(dir, "stranger");
  const std::string input = dir.file("input.txt");
  {
    std::ofstream f(input);
    f << "<13>from a known client\n";
  }
  MessageQueue queue(16);
  ReceiversConfig config;
  config.listeners.push_back(tls_listener(server));
  config.listeners[0].tls_client_ca = client.certificate;  // self-signed: its own CA
  auto receivers = TelemetryReceivers::start(config, queue);
  REQUIRE(receivers.has_value());
  const std::uint16_t port = stats_of(**receivers).port;

  // TLS 1.2: the client learns of the refusal in the handshake itself.
  CHECK_FALSE(run_command(s_client(port, "-tls1_2", input)).has_value());
  CHECK_FALSE(run_command(s_client(port, "-tls1_2", input,
                                   "-cert " + shell_quote(stranger.certificate) + " -key " + shell_quote(stranger.key)))
                  .has_value());
  CHECK(wait_until([&] { return stats_of(**receivers).tls_failures == 2; }));
  CHECK(run_command(s_client(port, "-tls1_2", input,
                             "-cert " + shell_quote(client.certificate) + " -key " + shell_quote(client.key)))
            .has_value());
  const auto got = drain(queue, 1);
  REQUIRE(got.size() == 1);
  CHECK(got[0].bytes == "<13>from a known client");
  CHECK(stats_of(**receivers).tls_failures == 2);
}

TEST_CASE("make_tls_server_context names the file it cannot use", "[ingest][tls]") {
  TempDir dir;
  const auto cert = make_self_signed_certificate(dir);
  auto c = make_listener("t", ListenerProtocol::syslog, ListenerTransport::tls);
  c.tls_certificate = dir.file("missing.pem");
  c.tls_key = cert.key;
  auto r = make_tls_server_context(c);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message.rfind("certificate " + dir.file("missing.pem") + ": ", 0) == 0);

  const auto other = make_self_signed_certificate(dir, "other");
  c.tls_certificate = cert.certificate;
  c.tls_key = other.key;
  r = make_tls_server_context(c);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message.rfind("key " + other.key + ": ", 0) == 0);

  c.tls_key.clear();
  CHECK_FALSE(make_tls_server_context(c).has_value());
  c.tls_key = cert.key;
  CHECK(make_tls_server_context(c).has_value());
}
