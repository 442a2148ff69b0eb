// Tests for the `receivers:` section of the config (src/config/config_loader.cpp
// read_receivers / read_listener) into ingest::ReceiversConfig: a full section
// read exactly, the defaults, and each refusal with its line, column and key
// path.
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

#include "config/config_loader.hpp"

namespace opensoc::config {
namespace {

using ingest::ListenerProtocol;
using ingest::ListenerTransport;
using ingest::TcpFraming;

AppConfig parsed(std::string_view yaml) {
  auto result = parse_config(yaml, "t.yaml");
  if (!result) FAIL(result.error().message);
  return std::move(result).value();
}

std::string errors_of(std::string_view yaml) {
  const auto result = parse_config(yaml, "t.yaml");
  REQUIRE_FALSE(result.has_value());
  return result.error().message;
}

constexpr std::string_view kFull = R"(receivers:
  queue_messages: 4096
  api_ingest: false
  retention_days: 7
  netflow_template_timeout: 10m
  patterns:
    sshd_auth: '%{WORD:event.outcome} password for %{USERNAME:user.name} from %{IP:source.ip}'
    fw_drop: 'DROP %{IP:source.ip} -> %{IP:destination.ip}'
  pattern_order: [fw_drop, sshd_auth]
  listeners:
    - name: syslog-udp
      protocol: syslog
      transport: udp
      listen: 127.0.0.1:5514
      socket_buffer_bytes: 1MiB
      max_message_bytes: 8KiB
    - name: syslog-tls
      protocol: syslog
      transport: tls
      listen: "[::1]:6514"
      framing: octet-counting
      max_connections: 10
      idle_timeout: 30s
      parsers: [rfc5424, cef, "pattern:sshd_auth"]
      tls: {certificate: /etc/opensoc/tls.crt, key: /etc/opensoc/tls.key, client_ca: /etc/opensoc/ca.pem}
    - {name: json-tcp, protocol: json, transport: tcp, listen: 127.0.0.1:0, framing: newline, parsers: [eve, zeek]}
    - {name: netflow, protocol: netflow, transport: udp, listen: 0.0.0.0:2055}
)";

TEST_CASE("parse_config reads a full receivers section exactly", "[config][receivers]") {
  const ingest::ReceiversConfig r = parsed(kFull).receivers;
  CHECK(r.queue_messages == 4096);
  CHECK_FALSE(r.api_ingest);
  CHECK(r.retention_days == 7);
  CHECK(r.netflow_template_timeout_s == 600);
  CHECK(r.patterns == std::map<std::string, std::string>{
                          {"fw_drop", "DROP %{IP:source.ip} -> %{IP:destination.ip}"},
                          {"sshd_auth",
                           "%{WORD:event.outcome} password for %{USERNAME:user.name} from %{IP:source.ip}"}});
  CHECK(r.pattern_order == std::vector<std::string>{"fw_drop", "sshd_auth"});
  REQUIRE(r.listeners.size() == 4);

  const ingest::ListenerConfig& udp = r.listeners[0];
  CHECK(udp.name == "syslog-udp");
  CHECK(udp.protocol == ListenerProtocol::syslog);
  CHECK(udp.transport == ListenerTransport::udp);
  CHECK(udp.address == "127.0.0.1");
  CHECK(udp.port == 5514);
  CHECK(udp.framing == TcpFraming::automatic);
  CHECK(udp.socket_buffer_bytes == 1u << 20);
  CHECK(udp.max_message_bytes == 8192);
  CHECK(udp.max_connections == 256);
  CHECK(udp.idle_timeout_s == 600);
  CHECK(udp.parsers == std::vector<std::string>{"auto"});
  CHECK(udp.tls_certificate.empty());

  const ingest::ListenerConfig& tls = r.listeners[1];
  CHECK(tls.name == "syslog-tls");
  CHECK(tls.protocol == ListenerProtocol::syslog);
  CHECK(tls.transport == ListenerTransport::tls);
  CHECK(tls.address == "::1");
  CHECK(tls.port == 6514);
  CHECK(tls.framing == TcpFraming::octet_counting);
  CHECK(tls.max_connections == 10);
  CHECK(tls.idle_timeout_s == 30);
  CHECK(tls.max_message_bytes == 65536);
  CHECK(tls.socket_buffer_bytes == 8u << 20);
  CHECK(tls.parsers == std::vector<std::string>{"rfc5424", "cef", "pattern:sshd_auth"});
  CHECK(tls.tls_certificate == "/etc/opensoc/tls.crt");
  CHECK(tls.tls_key == "/etc/opensoc/tls.key");
  CHECK(tls.tls_client_ca == "/etc/opensoc/ca.pem");

  const ingest::ListenerConfig& json = r.listeners[2];
  CHECK(json.name == "json-tcp");
  CHECK(json.protocol == ListenerProtocol::json);
  CHECK(json.transport == ListenerTransport::tcp);
  CHECK(json.address == "127.0.0.1");
  CHECK(json.port == 0);  // any free port, reported once bound
  CHECK(json.framing == TcpFraming::newline);
  CHECK(json.parsers == std::vector<std::string>{"eve", "zeek"});

  const ingest::ListenerConfig& nf = r.listeners[3];
  CHECK(nf.name == "netflow");
  CHECK(nf.protocol == ListenerProtocol::netflow);
  CHECK(nf.transport == ListenerTransport::udp);
  CHECK(nf.address == "0.0.0.0");
  CHECK(nf.port == 2055);
}

TEST_CASE("parse_config leaves receivers at their defaults when the section is absent or empty",
          "[config][receivers]") {
  for (std::string_view yaml : {std::string_view{"log_level: info\n"}, std::string_view{"receivers:\n"}}) {
    const ingest::ReceiversConfig r = parsed(yaml).receivers;
    const ingest::ReceiversConfig d;
    CHECK(r.listeners.empty());
    CHECK(r.patterns.empty());
    CHECK(r.pattern_order.empty());
    CHECK(r.queue_messages == d.queue_messages);
    CHECK(r.api_ingest == d.api_ingest);
    CHECK(r.retention_days == d.retention_days);
    CHECK(r.netflow_template_timeout_s == d.netflow_template_timeout_s);
  }
}

TEST_CASE("parse_config refuses bad listeners with line, column and key path", "[config][receivers]") {
  struct Case {
    const char* what;
    const char* yaml;
    const char* message;
  };
  const Case cases[] = {
      {"unknown protocol",
       "receivers:\n  listeners:\n    - {name: a, protocol: smtp, transport: udp, listen: 127.0.0.1:25}\n",
       "t.yaml:3:27: receivers.listeners[0].protocol: expected syslog | json | netflow, got 'smtp'"},
      {"unknown transport",
       "receivers:\n  listeners:\n    - {name: a, protocol: syslog, transport: sctp, listen: 127.0.0.1:25}\n",
       "t.yaml:3:46: receivers.listeners[0].transport: expected udp | tcp | tls, got 'sctp'"},
      {"bad listen",
       "receivers:\n  listeners:\n    - {name: a, protocol: syslog, transport: udp, listen: localhost:514}\n",
       "t.yaml:3:59: receivers.listeners[0].listen: expected a numeric IPv4 address or a bracketed IPv6 address (host "
       "names are not resolved), got 'localhost'"},
      {"listen port out of range",
       "receivers:\n  listeners:\n    - {name: a, protocol: syslog, transport: udp, listen: 127.0.0.1:70000}\n",
       "t.yaml:3:59: receivers.listeners[0].listen: expected a port between 0 (any free port) and 65535, got "
       "'70000'"},
      {"tls without certificate",
       "receivers:\n  listeners:\n    - name: a\n      protocol: syslog\n      transport: tls\n"
       "      listen: 127.0.0.1:6514\n",
       "t.yaml:3:7: receivers.listeners[0].tls: transport tls needs tls.certificate and tls.key"},
      {"netflow over tcp",
       "receivers:\n  listeners:\n    - {name: nf, protocol: netflow, transport: tcp, listen: 127.0.0.1:2055}\n",
       "t.yaml:3:7: receivers.listeners[0].transport: netflow is received over udp"},
      {"unknown parser name",
       "receivers:\n  listeners:\n    - {name: a, listen: 127.0.0.1:514, parsers: [rfc5424, gelf]}\n",
       "t.yaml:3:49: receivers.listeners[0].parsers: unknown parser \"gelf\" (auto, syslog, rfc5424, rfc3164, json, "
       "eve, zeek, cef, leef, kv or pattern:<a name under receivers.patterns>)"},
      {"pattern:<missing>",
       "receivers:\n  patterns: {a: '%{IP:source.ip}'}\n  listeners:\n"
       "    - {name: a, listen: 127.0.0.1:514, parsers: [\"pattern:b\"]}\n",
       "t.yaml:4:49: receivers.listeners[0].parsers: unknown parser \"pattern:b\" (auto, syslog, rfc5424, rfc3164, "
       "json, eve, zeek, cef, leef, kv or pattern:<a name under receivers.patterns>)"},
      {"duplicate listener name",
       "receivers:\n  listeners:\n    - {name: a, listen: 127.0.0.1:514}\n"
       "    - {name: a, transport: tcp, listen: 127.0.0.1:514}\n",
       "t.yaml:4:7: receivers.listeners[1].name: listener name \"a\" used twice"},
      {"pattern_order naming a missing pattern",
       "receivers:\n  patterns:\n    a: '%{IP:source.ip}'\n  pattern_order: [a, c]\n",
       "t.yaml:4:18: receivers.pattern_order: \"c\" is not under receivers.patterns"},
      {"listener without listen",
       "receivers:\n  listeners:\n    - {name: a, protocol: syslog}\n",
       "t.yaml:3:7: receivers.listeners[0].listen: every listener needs listen: ADDR:PORT"},
      {"unknown listener key",
       "receivers:\n  listeners:\n    - {name: a, listen: 127.0.0.1:514, port: 514}\n",
       "t.yaml:3:40: receivers.listeners[0].port: unknown key (expected one of: name, protocol, transport, listen, "
       "framing, parsers, max_message_bytes, socket_buffer_bytes, max_connections, idle_timeout, tls)"},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    CHECK(errors_of(c.yaml) == c.message);
  }
}

TEST_CASE("parse_config reports every bad listener, not just the first", "[config][receivers]") {
  const std::string e = errors_of(
      "receivers:\n"
      "  listeners:\n"
      "    - {name: a, protocol: smtp, listen: 127.0.0.1:25}\n"
      "    - {name: b, protocol: netflow, transport: tls, listen: 127.0.0.1:2055}\n");
  CHECK(e ==
        "t.yaml:3:27: receivers.listeners[0].protocol: expected syslog | json | netflow, got 'smtp'\n"
        "t.yaml:4:7: receivers.listeners[1].tls: transport tls needs tls.certificate and tls.key\n"
        "t.yaml:4:7: receivers.listeners[1].transport: netflow is received over udp");
}

TEST_CASE("the shipped configs' receivers sections load", "[config][receivers]") {
  // demo.yaml receives syslog on 5514 (UDP and TCP) and JSON lines on 5515.
  const char* root = std::getenv("OPENSOC_SOURCE_ROOT");
  std::string dir = root != nullptr && *root != '\0' ? root : "";
#ifdef OPENSOC_SOURCE_ROOT
  if (dir.empty()) dir = OPENSOC_SOURCE_ROOT;
#endif
  REQUIRE_FALSE(dir.empty());
  auto demo = load_config(dir + "/config/demo.yaml");
  if (!demo) FAIL(demo.error().message);
  const auto& l = demo->receivers.listeners;
  REQUIRE(l.size() == 4);
  CHECK(l[0].name == "syslog-udp");
  CHECK(l[0].transport == ListenerTransport::udp);
  CHECK(l[0].port == 5514);
  CHECK(l[1].transport == ListenerTransport::tcp);
  CHECK(l[1].port == 5514);
  CHECK(l[2].protocol == ListenerProtocol::json);
  CHECK(l[2].port == 5515);
  CHECK(l[3].protocol == ListenerProtocol::netflow);
  CHECK(demo->receivers.patterns.count("sshd_auth") == 1);
  auto shipped = load_config(dir + "/config/opensoc.yaml");
  if (!shipped) FAIL(shipped.error().message);
  CHECK(shipped->receivers.listeners.empty());
}

}  // namespace
}  // namespace opensoc::config
