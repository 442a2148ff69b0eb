#include "pipeline/flow_record_json.hpp"

#include <catch2/catch.hpp>
#include <simdjson.h>

using namespace opensoc;

TEST_CASE("append_flow_record_json writes ECS fields and the Community ID", "[pipeline][json]") {
  FlowRecord r;
  r.src_ip = *IpAddress::parse("128.232.110.120");
  r.dst_ip = *IpAddress::parse("66.35.250.204");
  r.src_port = 34855;
  r.dst_port = 80;
  r.ip_proto = 6;
  r.vlan = 100;
  r.first_ts = 1'700'000'000'000'000'001;
  r.last_ts = r.first_ts + 1'500'000'000;
  r.src_packets = 5;
  r.dst_packets = 4;
  r.src_bytes = 500;
  r.dst_bytes = 4000;
  r.src_tcp_flags = 0x02 | 0x10 | 0x01;
  r.tcp_state = TcpState::closed;
  r.end_reason = FlowEndReason::fin;
  r.flow_id = 42;
  std::string out;
  pipeline::append_flow_record_json(out, r);

  simdjson::dom::parser p;
  simdjson::dom::element d;
  REQUIRE(p.parse(out).get(d) == simdjson::SUCCESS);
  CHECK(std::string_view(d["@timestamp"]) == "2023-11-14T22:13:20.000000001Z");
  CHECK(std::string_view(d["source"]["ip"]) == "128.232.110.120");
  CHECK(uint64_t(d["source"]["port"]) == 34855);
  CHECK(uint64_t(d["destination"]["bytes"]) == 4000);
  CHECK(std::string_view(d["network"]["transport"]) == "tcp");
  // Published test vector of the Community ID spec for this 5-tuple.
  CHECK(std::string_view(d["network"]["community_id"]) == "1:LQU9qZlK+B5F3KDmev6m5PMibrg=");
  CHECK(uint64_t(d["network"]["packets"]) == 9);
  CHECK(std::string_view(d["network"]["vlan"]["id"]) == "100");
  CHECK(int64_t(d["event"]["duration"]) == 1'500'000'000);
  CHECK(std::string_view(d["event"]["reason"]) == "fin");
  CHECK(std::string_view(d["tcp"]["state"]) == "closed");
  CHECK(d["tcp"]["source_flags"].get_array().size() == 3);
}

TEST_CASE("append_flow_record_json describes ICMP by type and code, without ports", "[pipeline][json]") {
  FlowRecord r;
  r.src_ip = *IpAddress::parse("192.168.0.89");
  r.dst_ip = *IpAddress::parse("192.168.0.1");
  r.ip_proto = 1;
  r.src_port = 8;
  r.dst_port = 0;
  std::string out;
  pipeline::append_flow_record_json(out, r);
  simdjson::dom::parser p;
  simdjson::dom::element d;
  REQUIRE(p.parse(out).get(d) == simdjson::SUCCESS);
  CHECK(std::string_view(d["network"]["transport"]) == "icmp");
  CHECK(uint64_t(d["icmp"]["type"]) == 8);
  CHECK(d["source"]["port"].error() == simdjson::NO_SUCH_FIELD);
  CHECK(std::string_view(d["network"]["community_id"]) == "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=");
}
