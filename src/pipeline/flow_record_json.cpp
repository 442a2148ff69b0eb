// FlowRecord -> ECS JSON (see flow_record_json.hpp). Runs on the consumer
// thread, never on a capture core: the Community ID hash is computed here.
#include "pipeline/flow_record_json.hpp"

#include "opensoc/core/ip_protocol.hpp"

#include "flow/community_id.hpp"
#include "opensoc/core/json_writer.hpp"

namespace opensoc::pipeline {

std::string transport_name(std::uint8_t p) { return transport_keyword(p); }

namespace {
void tcp_flag_names(JsonWriter& w, std::uint8_t flags) {
  static constexpr const char* kNames[] = {"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"};
  w.begin_array();
  for (int i = 0; i < 8; ++i) {
    if (flags & (1u << i)) w.value(kNames[i]);
  }
  w.end_array();
}
}  // namespace

void append_flow_record_json(std::string& out, const FlowRecord& r, std::uint16_t community_id_seed) {
  JsonWriter w(out);
  const bool icmp = r.ip_proto == 1 || r.ip_proto == 58;
  w.begin_object();
  w.field("@timestamp", format_rfc3339_ns(r.first_ts));
  w.key("event").begin_object();
  w.field("kind", "event");
  w.key("category").begin_array().value("network").end_array();
  w.key("type").begin_array().value("connection").value(r.end_reason == FlowEndReason::active ? "info" : "end").end_array();
  w.field("start", format_rfc3339_ns(r.first_ts));
  w.field("end", format_rfc3339_ns(r.last_ts));
  w.field("duration", static_cast<std::int64_t>(r.last_ts - r.first_ts));
  w.field("reason", end_reason_name(r.end_reason));
  w.end_object();

  // ECS source.* / destination.*: what each side sent. ICMP has no ports.
  auto endpoint = [&](const char* side, const IpAddress& ip, std::uint16_t port, std::uint64_t packets,
                      std::uint64_t bytes) {
    w.key(side).begin_object();
    w.field("ip", ip.to_string());
    if (!icmp) w.field("port", port);
    w.field("packets", packets).field("bytes", bytes);
    w.end_object();
  };
  endpoint("source", r.src_ip, r.src_port, r.src_packets, r.src_bytes);
  endpoint("destination", r.dst_ip, r.dst_port, r.dst_packets, r.dst_bytes);

  w.key("network").begin_object();
  w.field("transport", transport_name(r.ip_proto));
  w.field("iana_number", std::to_string(r.ip_proto));
  w.field("type", r.src_ip.version == 6 ? "ipv6" : "ipv4");
  w.field("community_id", flow::community_id_v1(r, community_id_seed));
  w.field("packets", r.src_packets + r.dst_packets);
  w.field("bytes", r.src_bytes + r.dst_bytes);
  if (r.vlan != 0) {
    w.key("vlan").begin_object().field("id", std::to_string(r.vlan)).end_object();
    if (r.inner_vlan != 0) w.key("inner").begin_object().key("vlan").begin_object().field("id", std::to_string(r.inner_vlan)).end_object().end_object();
  }
  w.end_object();

  if (icmp) {
    w.key("icmp").begin_object().field("type", r.src_port).field("code", r.dst_port).end_object();
  }
  if (r.ip_proto == 6) {
    w.key("tcp").begin_object();
    w.key("source_flags");
    tcp_flag_names(w, r.src_tcp_flags);
    w.key("destination_flags");
    tcp_flag_names(w, r.dst_tcp_flags);
    w.field("state", tcp_state_name(r.tcp_state));
    w.end_object();
  }
  w.key("flow").begin_object().field("id", std::to_string(r.flow_id)).end_object();
  w.key("observer").begin_object().field("worker", r.worker).end_object();
  w.end_object();
}

}  // namespace opensoc::pipeline
