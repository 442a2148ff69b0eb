// log_protocol_event (src/detect/log_protocol_event.cpp): the DNS, HTTP and
// TLS transactions that log records describe, as the rules' buffers see them.
#include <catch2/catch.hpp>

#include "detect/log_protocol_event.hpp"

namespace opensoc::detect {
namespace {

TEST_CASE("log_protocol_event makes a DNS query from every dns.question.name", "[detect][logs]") {
  LogEvent log;
  log.add("dns.question.name", "a.example");
  log.add("dns.question.name", "b.example");
  log.add("dns.type", "query");
  ProtocolEvent pe;
  REQUIRE(log_protocol_event(log, pe));
  const auto* dns = std::get_if<DnsEvent>(&pe.body);
  REQUIRE(dns != nullptr);
  REQUIRE(dns->queries.size() == 2);
  CHECK(dns->queries[0].name == "a.example");
  CHECK(dns->queries[1].name == "b.example");
  CHECK_FALSE(dns->response);
  log.fields[2].value = "answer";
  REQUIRE(log_protocol_event(log, pe));
  CHECK(std::get<DnsEvent>(pe.body).response);
}

TEST_CASE("log_protocol_event makes an HTTP request with the request-target of an absolute URL", "[detect][logs]") {
  LogEvent log;
  log.add("url.original", "http://files.example:8080/dl/x.zip?v=2");
  log.add("url.domain", "files.example");
  log.add("http.request.method", "GET");
  log.add("user_agent.original", "curl/8.1");
  log.add("http.response.status_code", "200", LogValueType::integer);
  ProtocolEvent pe;
  REQUIRE(log_protocol_event(log, pe));
  const auto& http = std::get<HttpEvent>(pe.body);
  CHECK(http.uri == "/dl/x.zip?v=2");
  CHECK(http.path == "/dl/x.zip");
  CHECK(http.query == "v=2");
  CHECK(http.host == "files.example");
  CHECK(http.method == "GET");
  CHECK(http.user_agent == "curl/8.1");
  CHECK(http.has_response);
  CHECK(http.status == 200);
}

TEST_CASE("log_protocol_event makes a TLS client hello from SNI and JA3", "[detect][logs]") {
  LogEvent log;
  log.add("tls.client.server_name", "www.example.org");
  log.add("tls.client.ja3", "e7d705a3286e19ea42f587b344ee6865");
  ProtocolEvent pe;
  REQUIRE(log_protocol_event(log, pe));
  const auto& tls = std::get<TlsEvent>(pe.body);
  CHECK(tls.has_client_hello);
  CHECK(tls.sni == "www.example.org");
  CHECK(tls.ja3 == "e7d705a3286e19ea42f587b344ee6865");
}

TEST_CASE("log_protocol_event refuses a log that describes no transaction", "[detect][logs]") {
  LogEvent log;
  log.add("source.ip", "10.0.0.1", LogValueType::ip);
  log.add("event.action", "deny");
  ProtocolEvent pe;
  CHECK_FALSE(log_protocol_event(log, pe));
}

}  // namespace
}  // namespace opensoc::detect
