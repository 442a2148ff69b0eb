#include "api/router.hpp"

#include <catch2/catch.hpp>
#include <simdjson.h>

#include "api/stats_render.hpp"

using namespace opensoc;

namespace {
StatsSnapshot sample_snapshot() {
  StatsSnapshot s;
  s.version = "test";
  s.started = 1'000'000'000;
  s.now = 3'500'000'000;
  PortSnapshot p;
  p.device = "net_pcap0";
  p.packets = 10;
  p.bytes = 1000;
  p.nic_dropped = 2;
  s.ports.push_back(p);
  QueueSnapshot q;
  q.name = "net_pcap0:0";
  q.packets = 10;
  q.bytes = 1000;
  s.queues.push_back(q);
  WorkerSnapshot w;
  w.packets = 10;
  w.bytes = 1000;
  w.anomalies[static_cast<std::size_t>(DecodeAnomaly::tcp_truncated)] = 3;
  w.anomalies[static_cast<std::size_t>(DecodeAnomaly::ethertype_unsupported)] = 1;
  w.flows_created = 4;
  w.flows_closed_fin = 1;
  s.workers.push_back(w);
  return s;
}

api::Response get(const api::Router& router, const std::string& method, const std::string& target) {
  api::Request r;
  r.method = method;
  std::string err;
  REQUIRE(api::parse_target(target, r, err));
  return router.handle(r);
}
}  // namespace

TEST_CASE("Router answers health, stats and metrics and 404s the rest", "[api]") {
  api::Router router(api::ApiServices{sample_snapshot});
  CHECK(get(router, "GET", "/api/v1/health").status == 200);
  auto stats = get(router, "GET", "/api/v1/stats");
  CHECK(stats.status == 200);
  CHECK(stats.content_type == "application/json");
  auto metrics = get(router, "GET", "/metrics");
  CHECK(metrics.status == 200);
  CHECK(metrics.content_type.rfind("text/plain", 0) == 0);
  auto missing = get(router, "GET", "/api/v1/nope");
  CHECK(missing.status == 404);
  CHECK(missing.body.find("\"status\":404") != std::string::npos);
}

TEST_CASE("Router refuses other methods with 405 and an Allow header", "[api]") {
  api::Router router(api::ApiServices{sample_snapshot});
  auto r = get(router, "DELETE", "/api/v1/stats");
  CHECK(r.status == 405);
  REQUIRE(r.headers.size() == 1);
  CHECK(r.headers[0].first == "Allow");
}

TEST_CASE("Router rejects unknown stats parameters with 400 naming them", "[api]") {
  api::Router router(api::ApiServices{sample_snapshot});
  auto r = get(router, "GET", "/api/v1/stats?verbose=1");
  CHECK(r.status == 400);
  CHECK(r.body.find("verbose") != std::string::npos);
}

TEST_CASE("Router turns a failing service into a 500 JSON error", "[api]") {
  api::Router router(api::ApiServices{[]() -> StatsSnapshot { throw std::runtime_error("boom"); }});
  auto r = get(router, "GET", "/api/v1/stats");
  CHECK(r.status == 500);
  CHECK(r.body.find("boom") != std::string::npos);
}

TEST_CASE("render_stats_json reports totals, drops and anomalies by name", "[api][stats]") {
  const std::string json = api::render_stats_json(sample_snapshot());
  simdjson::dom::parser p;
  simdjson::dom::element doc;
  REQUIRE(p.parse(json).get(doc) == simdjson::SUCCESS);
  CHECK(uint64_t(doc["capture"]["packets"]) == 10);
  CHECK(uint64_t(doc["capture"]["dropped"]["nic"]) == 2);
  CHECK(uint64_t(doc["capture"]["dropped"]["total"]) == 2);
  CHECK(uint64_t(doc["capture"]["ports"].at(0)["queues"].at(0)["packets"]) == 10);
  CHECK(uint64_t(doc["decode"]["errors"]) == 3);
  CHECK(uint64_t(doc["decode"]["unsupported"]) == 1);
  CHECK(uint64_t(doc["decode"]["anomalies"]["tcp_truncated"]) == 3);
  CHECK(uint64_t(doc["flows"]["created"]) == 4);
  CHECK(uint64_t(doc["flows"]["closed_by_reason"]["fin"]) == 1);
  CHECK(double(doc["uptime_seconds"]) == Approx(2.5));
}

TEST_CASE("render_prometheus emits HELP/TYPE once per family and labelled samples", "[api][metrics]") {
  const std::string text = api::render_prometheus(sample_snapshot());
  CHECK(text.find("# TYPE opensoc_port_nic_dropped_packets_total counter\n") != std::string::npos);
  CHECK(text.find("opensoc_port_nic_dropped_packets_total{device=\"net_pcap0\"} 2\n") != std::string::npos);
  CHECK(text.find("opensoc_decode_anomalies_total{reason=\"tcp_truncated\"} 3\n") != std::string::npos);
  CHECK(text.find("opensoc_queue_packets_total{queue=\"net_pcap0:0\",worker=\"0\"} 10\n") != std::string::npos);
  // Every family is declared exactly once.
  std::size_t pos = 0;
  int n = 0;
  while ((pos = text.find("# TYPE opensoc_flows_closed_total ", pos)) != std::string::npos) {
    ++n;
    ++pos;
  }
  CHECK(n == 1);
}

namespace {
// A body stream that yields nothing: routing tests only look at the Response.
struct EmptyStream : api::BodyStream {
  bool next(std::string&) override { return false; }
};

api::Response request(const api::Router& router, const std::string& method, const std::string& target,
                      const std::string& body = {}) {
  api::Request r;
  r.method = method;
  r.body = body;
  std::string err;
  REQUIRE(api::parse_target(target, r, err));
  return router.handle(r);
}
}  // namespace

TEST_CASE("Router hands GET and POST /api/v1/pcap to the pcap service unchanged", "[api][pcap]") {
  std::vector<api::Request> seen;
  api::ApiServices services{sample_snapshot, [&seen](const api::Request& r) {
                              seen.push_back(r);
                              api::Response resp;
                              resp.content_type = "application/vnd.tcpdump.pcap";
                              resp.stream = std::make_shared<EmptyStream>();
                              resp.trailer_names = {"X-Opensoc-Packets"};
                              return resp;
                            }};
  api::Router router(std::move(services));
  auto g = request(router, "GET", "/api/v1/pcap?host=10.0.0.1&host=10.0.0.2&port=443");
  CHECK(g.status == 200);
  CHECK(g.content_type == "application/vnd.tcpdump.pcap");
  CHECK(g.stream != nullptr);
  CHECK(g.trailer_names == std::vector<std::string>{"X-Opensoc-Packets"});
  auto p = request(router, "POST", "/api/v1/pcap", "host 10.1.2.3 and port 443");
  CHECK(p.status == 200);
  REQUIRE(seen.size() == 2);
  CHECK(seen[0].method == "GET");
  CHECK(seen[0].query.count("host") == 2);
  CHECK(seen[0].query.find("port")->second == "443");
  CHECK(seen[1].method == "POST");
  CHECK(seen[1].body == "host 10.1.2.3 and port 443");
}

TEST_CASE("Router passes the pcap service's 400 through with its parameter", "[api][pcap]") {
  api::Router router(api::ApiServices{sample_snapshot, [](const api::Request&) {
                                        return api::error_response(400, "not an address: 'x'", "host");
                                      }});
  auto r = request(router, "GET", "/api/v1/pcap?host=x");
  CHECK(r.status == 400);
  CHECK(r.body.find("\"parameter\":\"host\"") != std::string::npos);
}

TEST_CASE("Router refuses other methods on /api/v1/pcap with 405 and Allow: GET, POST", "[api][pcap]") {
  int calls = 0;
  api::Router router(api::ApiServices{sample_snapshot, [&calls](const api::Request&) {
                                        ++calls;
                                        return api::Response{};
                                      }});
  for (const char* method : {"PUT", "DELETE", "HEAD", "PATCH"}) {
    INFO(method);
    auto r = request(router, method, "/api/v1/pcap");
    CHECK(r.status == 405);
    REQUIRE(r.headers.size() == 1);
    CHECK(r.headers[0].first == "Allow");
    CHECK(r.headers[0].second == "GET, POST");
  }
  CHECK(calls == 0);
}

TEST_CASE("Router answers /api/v1/pcap with 503 when the packet store is disabled", "[api][pcap]") {
  api::Router router(api::ApiServices{sample_snapshot});
  for (const char* method : {"GET", "POST"}) {
    INFO(method);
    auto r = request(router, method, "/api/v1/pcap?host=10.0.0.1");
    CHECK(r.status == 503);
    CHECK(r.content_type == "application/json");
    CHECK(r.body == "{\"error\":{\"status\":503,\"message\":\"packet store disabled\"}}\n");
    CHECK_FALSE(r.stream);
  }
  CHECK(request(router, "DELETE", "/api/v1/pcap").status == 405);
}

TEST_CASE("Router turns a throwing pcap service into a 500 JSON error", "[api][pcap]") {
  api::Router router(api::ApiServices{sample_snapshot, [](const api::Request&) -> api::Response {
                                        throw std::runtime_error("index unreadable");
                                      }});
  auto r = request(router, "GET", "/api/v1/pcap");
  CHECK(r.status == 500);
  CHECK(r.body.find("index unreadable") != std::string::npos);
}
