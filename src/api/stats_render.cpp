// JSON and Prometheus renderings of the pipeline counters.
#include "api/stats_render.hpp"

#include <fmt/format.h>

#include "opensoc/core/json_writer.hpp"

namespace opensoc::api {

void render_receivers(JsonWriter& w, const TelemetrySnapshot& t);

StatsTotals compute_totals(const StatsSnapshot& s) {
  StatsTotals t;
  for (const auto& w : s.workers) {
    t.packets += w.packets;
    t.bytes += w.bytes;
    for (std::size_t i = 0; i < kDecodeAnomalyCount; ++i) {
      const auto a = static_cast<DecodeAnomaly>(i);
      if (anomaly_is_error(a)) {
        t.decode_errors += w.anomalies[i];
      } else if (a != DecodeAnomaly::none) {
        t.decode_unsupported += w.anomalies[i];
      }
    }
    t.flows_active += w.flows_active;
    t.flows_created += w.flows_created;
    t.ring_drops += w.ring_drops;
  }
  for (const auto& p : s.ports) {
    t.nic_dropped += p.nic_dropped;
    t.nic_errors += p.nic_errors;
    t.mbuf_failures += p.mbuf_failures;
  }
  return t;
}

std::string render_stats_json(const StatsSnapshot& s) {
  const StatsTotals t = compute_totals(s);
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.field("version", s.version);
  w.field("time", format_rfc3339_ns(s.now));
  w.field("started", format_rfc3339_ns(s.started));
  w.field("uptime_seconds", static_cast<double>(s.now - s.started) / 1e9);

  w.key("capture").begin_object();
  w.field("packets", t.packets);
  w.field("bytes", t.bytes);
  // Everything that arrived but did not reach a worker, by reason.
  w.key("dropped").begin_object();
  w.field("nic", t.nic_dropped);
  w.field("nic_errors", t.nic_errors);
  w.field("mbuf_alloc", t.mbuf_failures);
  w.field("total", t.nic_dropped + t.nic_errors + t.mbuf_failures);
  w.end_object();
  w.key("ports").begin_array();
  for (const auto& p : s.ports) {
    w.begin_object();
    w.field("device", p.device);
    w.field("index", p.index);
    w.field("rx_queues", p.rx_queues);
    w.field("packets", p.packets);
    w.field("bytes", p.bytes);
    w.field("nic_dropped", p.nic_dropped);
    w.field("nic_errors", p.nic_errors);
    w.field("mbuf_failures", p.mbuf_failures);
    w.key("queues").begin_array();
    for (const auto& q : s.queues) {
      if (q.port != p.index) continue;
      w.begin_object();
      w.field("queue", q.queue);
      w.field("name", q.name);
      w.field("worker", q.worker);
      w.field("packets", q.packets);
      w.field("bytes", q.bytes);
      w.end_object();
    }
    w.end_array();
    w.end_object();
  }
  w.end_array();
  w.end_object();

  w.key("decode").begin_object();
  w.field("errors", t.decode_errors);
  w.field("unsupported", t.decode_unsupported);
  w.key("anomalies").begin_object();
  for (std::size_t i = 1; i < kDecodeAnomalyCount; ++i) {
    std::uint64_t n = 0;
    for (const auto& wk : s.workers) n += wk.anomalies[i];
    w.field(anomaly_name(static_cast<DecodeAnomaly>(i)), n);
  }
  w.end_object();
  w.end_object();

  std::uint64_t fin = 0, rst = 0, idle = 0, evicted = 0, shutdown = 0, interim = 0, non_ip = 0;
  for (const auto& wk : s.workers) {
    fin += wk.flows_closed_fin;
    rst += wk.flows_closed_rst;
    idle += wk.flows_closed_idle;
    evicted += wk.flows_evicted;
    shutdown += wk.flows_closed_shutdown;
    interim += wk.flow_interim_records;
    non_ip += wk.non_ip_packets;
  }
  w.key("flows").begin_object();
  w.field("active", t.flows_active);
  w.field("created", t.flows_created);
  w.field("closed", fin + rst + idle + evicted + shutdown);
  w.key("closed_by_reason").begin_object();
  w.field("fin", fin).field("rst", rst).field("idle_timeout", idle).field("memory_pressure", evicted).field("shutdown", shutdown);
  w.end_object();
  w.field("interim_records", interim);
  w.field("non_ip_packets", non_ip);
  w.end_object();

  w.key("pipeline").begin_object();
  w.field("ring_drops", t.ring_drops);
  w.field("flow_records", s.consumer.records);
  w.field("flow_records_written", s.consumer.records_written);
  w.field("flow_log_write_errors", s.consumer.write_errors);
  w.key("workers").begin_array();
  for (const auto& wk : s.workers) {
    w.begin_object();
    w.field("worker", wk.worker).field("lcore", wk.lcore);
    w.field("packets", wk.packets).field("bytes", wk.bytes).field("bursts", wk.bursts);
    w.field("flows_active", wk.flows_active);
    w.field("ring_records", wk.ring_records).field("ring_drops", wk.ring_drops);
    w.field("ring_occupancy", wk.ring_occupancy).field("ring_capacity", wk.ring_capacity);
    w.end_object();
  }
  w.end_array();
  w.end_object();

  // The packet store: what is on disk (the indexer's view) and what the
  // workers wrote or could not write.
  std::uint64_t stored = 0, stored_bytes = 0, store_drops = 0, store_errors = 0;
  for (const auto& wk : s.workers) {
    stored += wk.store_packets;
    stored_bytes += wk.store_bytes;
    store_drops += wk.store_drops;
    store_errors += wk.store_write_errors;
  }
  const StoreSnapshot& st = s.store;
  w.key("store").begin_object();
  w.field("enabled", st.enabled);
  w.field("bytes_used", st.bytes_used).field("segments", st.segments);
  w.field("oldest_packet_ns", st.oldest_packet_ns).field("newest_packet_ns", st.newest_packet_ns);
  if (st.oldest_packet_ns != 0) {
    w.field("oldest_packet", format_rfc3339_ns(st.oldest_packet_ns));
    w.field("newest_packet", format_rfc3339_ns(st.newest_packet_ns));
  }
  w.field("packets_stored", stored).field("bytes_stored", stored_bytes);
  w.field("packets_dropped", store_drops).field("write_errors", store_errors + st.close_errors);
  w.field("segments_removed", st.segments_removed).field("bytes_removed", st.bytes_removed);
  w.field("indexed_packets", st.indexed_packets).field("index_bytes", st.index_bytes);
  w.field("index_commits", st.index_commits).field("index_errors", st.index_errors);
  if (st.last_commit_ns != 0) w.field("index_last_commit", format_rfc3339_ns(st.last_commit_ns));
  w.end_object();
  const SessionSnapshot& ss = s.sessions;
  w.key("sessions").begin_object();
  w.field("enabled", ss.enabled).field("packets", ss.packets);
  w.field("sessions", ss.sessions).field("interim_sessions", ss.interim_sessions);
  w.key("events").begin_object();
  w.field("total", ss.events).field("dns", ss.events_dns).field("http", ss.events_http).field("tls", ss.events_tls);
  w.field("ssh", ss.events_ssh).field("dhcp", ss.events_dhcp).field("quic", ss.events_quic);
  w.field("over_cap", ss.events_over_cap);
  w.end_object();
  w.field("detect_failed", ss.detect_failed).field("datagram_parse_errors", ss.datagram_parse_errors);
  w.key("reassembly").begin_object();
  w.field("gaps", ss.reassembly_gaps).field("gap_bytes", ss.reassembly_gap_bytes);
  w.field("buffered_bytes", ss.reassembly_buffered).field("streams_truncated", ss.streams_truncated);
  w.field("depth_reached", ss.reassembly_depth_reached).field("budget_exhausted", ss.reassembly_budget_exhausted);
  w.field("buffer_overflows", ss.buffer_overflows);
  w.end_object();
  w.key("search").begin_object();
  w.field("documents", ss.search_documents).field("commits", ss.search_commits);
  w.field("shards", ss.search_shards).field("shards_dropped", ss.search_shards_dropped);
  w.field("errors", ss.search_errors);
  if (ss.last_commit_ns != 0) w.field("last_commit", format_rfc3339_ns(ss.last_commit_ns));
  w.end_object();
  w.field("export_lines", ss.export_lines).field("export_errors", ss.export_errors);
  w.end_object();
  const DetectionSnapshot& ds = s.detection;
  w.key("detection").begin_object();
  w.field("enabled", ds.enabled);
  w.field("packets_inspected", ds.packets_inspected).field("events_inspected", ds.events_inspected);
  w.field("sessions_inspected", ds.sessions_inspected);
  w.key("rules").begin_object().field("loaded", ds.rules_loaded).field("rejected", ds.rules_rejected);
  w.field("matches", ds.rule_matches).end_object();
  w.key("intel").begin_object().field("indicators", ds.indicators).field("matches", ds.intel_matches).end_object();
  w.key("enrichment").begin_object().field("assets", ds.assets).field("geoip_databases", ds.geoip_databases).end_object();
  w.field("behaviour_hits", ds.behaviour_hits);
  w.key("alerts").begin_object();
  w.field("created", ds.alerts_created).field("folded", ds.alerts_folded).field("errors", ds.alert_errors);
  w.field("total", ds.alerts_total);
  w.key("by_status").begin_object();
  w.field("new", ds.alerts_by_status[0]).field("acknowledged", ds.alerts_by_status[1]);
  w.field("escalated", ds.alerts_by_status[2]).field("closed", ds.alerts_by_status[3]);
  w.end_object();
  w.key("by_severity").begin_object();
  w.field("1", ds.alerts_by_severity[0]).field("2", ds.alerts_by_severity[1]);
  w.field("3", ds.alerts_by_severity[2]).field("4", ds.alerts_by_severity[3]);
  w.end_object();
  w.field("syslog_sent", ds.syslog_sent).field("syslog_errors", ds.syslog_errors);
  w.end_object();
  w.field("reloads", ds.reloads).field("reload_errors", ds.reload_errors);
  if (ds.last_reload_ns != 0) w.field("last_reload", format_rfc3339_ns(ds.last_reload_ns));
  w.field("logs_inspected", ds.logs_inspected);
  w.end_object();
  render_receivers(w, s.telemetry);
  w.end_object();
  out.push_back('\n');
  return out;
}

namespace {
std::string label_value(std::string_view v);
}  // namespace

void render_receivers(JsonWriter& w, const TelemetrySnapshot& t) {
  w.key("receivers").begin_object();
  w.field("enabled", t.enabled);
  w.key("listeners").begin_array();
  for (const ListenerSnapshot& l : t.listeners) {
    w.begin_object();
    w.field("name", l.name).field("protocol", l.protocol).field("transport", l.transport);
    w.field("address", l.address).field("port", l.port);
    w.field("messages", l.messages).field("bytes", l.bytes);
    w.field("dropped_queue", l.dropped_queue).field("dropped_socket", l.dropped_socket);
    w.field("truncated", l.truncated).field("framing_errors", l.framing_errors);
    w.field("connections", l.connections).field("connections_open", l.connections_open);
    w.field("connections_refused", l.connections_refused).field("tls_failures", l.tls_failures);
    w.field("paused", l.paused);
    w.field("parsed", l.parsed).field("failed", l.failed).field("records", l.records);
    w.end_object();
  }
  w.end_array();
  w.key("queue").begin_object();
  w.field("size", t.queue_size).field("capacity", t.queue_capacity).field("high_water", t.queue_high_water);
  w.end_object();
  w.key("pipeline").begin_object();
  w.field("received", t.received).field("events", t.events).field("parsed", t.parsed).field("raw", t.raw);
  w.field("flows", t.flows).field("indexed", t.indexed).field("index_errors", t.index_errors);
  w.field("commits", t.commits);
  if (!t.last_error.empty()) w.field("last_error", t.last_error);
  w.end_object();
  w.key("parsers").begin_object();
  for (const ParserCounters& p : t.parsers) {
    w.key(p.name).begin_object().field("parsed", p.parsed).field("failed", p.failed).end_object();
  }
  w.end_object();
  w.key("netflow").begin_object();
  w.field("packets", t.netflow_packets).field("records", t.flows).field("templates", t.netflow_templates);
  w.field("templates_active", t.netflow_templates_active).field("missing_template", t.netflow_missing_template);
  w.field("malformed", t.netflow_malformed).field("sequence_gaps", t.netflow_sequence_gaps);
  w.field("unsupported_version", t.netflow_unsupported_version);
  w.field("templates_refused", t.netflow_templates_refused);
  w.end_object();
  w.end_object();
}

namespace {
std::string label_value(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

class Exposition {
 public:
  explicit Exposition(std::string& out) : out_(out) {}
  void family(std::string_view name, std::string_view type, std::string_view help) {
    fmt::format_to(std::back_inserter(out_), "# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
  }
  void sample(std::string_view name, std::string_view labels, std::uint64_t v) {
    if (labels.empty()) {
      fmt::format_to(std::back_inserter(out_), "{} {}\n", name, v);
    } else {
      fmt::format_to(std::back_inserter(out_), "{}{{{}}} {}\n", name, labels, v);
    }
  }

 private:
  std::string& out_;
};
}  // namespace

std::string render_prometheus(const StatsSnapshot& s) {
  std::string out;
  Exposition e(out);
  e.family("opensoc_build_info", "gauge", "Build information.");
  e.sample("opensoc_build_info", fmt::format("version=\"{}\"", label_value(s.version)), 1);
  e.family("opensoc_start_time_seconds", "gauge", "Start time of the daemon, Unix seconds.");
  e.sample("opensoc_start_time_seconds", "", static_cast<std::uint64_t>(s.started / kNsPerSecond));

  struct PortMetric {
    const char* name;
    const char* help;
    std::uint64_t PortSnapshot::*field;
  };
  static constexpr PortMetric kPort[] = {
      {"opensoc_port_received_packets_total", "Frames the device received (ipackets).", &PortSnapshot::packets},
      {"opensoc_port_received_bytes_total", "Bytes the device received (ibytes).", &PortSnapshot::bytes},
      {"opensoc_port_nic_dropped_packets_total", "Frames the NIC dropped for lack of ring space (imissed).", &PortSnapshot::nic_dropped},
      {"opensoc_port_nic_error_packets_total", "Erroneous frames (ierrors).", &PortSnapshot::nic_errors},
      {"opensoc_port_mbuf_alloc_failures_total", "Frames lost for lack of an mbuf (rx_nombuf).", &PortSnapshot::mbuf_failures},
  };
  for (const auto& m : kPort) {
    e.family(m.name, "counter", m.help);
    for (const auto& p : s.ports) e.sample(m.name, fmt::format("device=\"{}\"", label_value(p.device)), p.*m.field);
  }

  e.family("opensoc_queue_packets_total", "counter", "Frames a capture worker took from an RX queue.");
  for (const auto& q : s.queues)
    e.sample("opensoc_queue_packets_total", fmt::format("queue=\"{}\",worker=\"{}\"", label_value(q.name), q.worker), q.packets);
  e.family("opensoc_queue_bytes_total", "counter", "Wire bytes a capture worker took from an RX queue.");
  for (const auto& q : s.queues)
    e.sample("opensoc_queue_bytes_total", fmt::format("queue=\"{}\",worker=\"{}\"", label_value(q.name), q.worker), q.bytes);

  e.family("opensoc_worker_packets_total", "counter", "Frames decoded by a capture worker.");
  for (const auto& w : s.workers) e.sample("opensoc_worker_packets_total", fmt::format("worker=\"{}\"", w.worker), w.packets);
  e.family("opensoc_worker_bytes_total", "counter", "Wire bytes decoded by a capture worker.");
  for (const auto& w : s.workers) e.sample("opensoc_worker_bytes_total", fmt::format("worker=\"{}\"", w.worker), w.bytes);

  e.family("opensoc_decode_anomalies_total", "counter", "Frames not fully decoded, by reason.");
  for (std::size_t i = 1; i < kDecodeAnomalyCount; ++i) {
    std::uint64_t n = 0;
    for (const auto& w : s.workers) n += w.anomalies[i];
    e.sample("opensoc_decode_anomalies_total", fmt::format("reason=\"{}\"", anomaly_name(static_cast<DecodeAnomaly>(i))), n);
  }

  e.family("opensoc_flows_active", "gauge", "Flows open in the flow tables.");
  for (const auto& w : s.workers) e.sample("opensoc_flows_active", fmt::format("worker=\"{}\"", w.worker), w.flows_active);
  e.family("opensoc_flows_created_total", "counter", "Flows created.");
  for (const auto& w : s.workers) e.sample("opensoc_flows_created_total", fmt::format("worker=\"{}\"", w.worker), w.flows_created);
  e.family("opensoc_flows_closed_total", "counter", "Flows ended, by reason.");
  for (const auto& w : s.workers) {
    const std::pair<const char*, std::uint64_t> reasons[] = {{"fin", w.flows_closed_fin},
                                                              {"rst", w.flows_closed_rst},
                                                              {"idle_timeout", w.flows_closed_idle},
                                                              {"memory_pressure", w.flows_evicted},
                                                              {"shutdown", w.flows_closed_shutdown}};
    for (const auto& [r, n] : reasons)
      e.sample("opensoc_flows_closed_total", fmt::format("worker=\"{}\",reason=\"{}\"", w.worker, r), n);
  }

  e.family("opensoc_ring_drops_total", "counter", "Flow records lost because a worker's ring was full.");
  for (const auto& w : s.workers) e.sample("opensoc_ring_drops_total", fmt::format("worker=\"{}\"", w.worker), w.ring_drops);
  e.family("opensoc_ring_occupancy", "gauge", "Flow records waiting in a worker's ring.");
  for (const auto& w : s.workers) e.sample("opensoc_ring_occupancy", fmt::format("worker=\"{}\"", w.worker), w.ring_occupancy);

  e.family("opensoc_store_packets_total", "counter", "Packets written to segments.");
  for (const auto& w : s.workers) e.sample("opensoc_store_packets_total", fmt::format("worker=\"{}\"", w.worker), w.store_packets);
  e.family("opensoc_store_dropped_total", "counter", "Packets not stored (disk full, unwritable time).");
  for (const auto& w : s.workers) e.sample("opensoc_store_dropped_total", fmt::format("worker=\"{}\"", w.worker), w.store_drops);
  e.family("opensoc_store_bytes_used", "gauge", "Disk space held by segment files.");
  e.sample("opensoc_store_bytes_used", "", s.store.bytes_used);
  e.family("opensoc_store_segments", "gauge", "Segment files on disk.");
  e.sample("opensoc_store_segments", "", s.store.segments);
  e.family("opensoc_store_oldest_packet_seconds", "gauge", "Time of the oldest packet on disk (retention horizon).");
  e.sample("opensoc_store_oldest_packet_seconds", "", static_cast<std::uint64_t>(s.store.oldest_packet_ns / kNsPerSecond));
  e.family("opensoc_store_segments_removed_total", "counter", "Segments removed by retention.");
  e.sample("opensoc_store_segments_removed_total", "", s.store.segments_removed);
  e.family("opensoc_index_bytes", "gauge", "LMDB packet index pages in use.");
  e.sample("opensoc_index_bytes", "", s.store.index_bytes);
  e.family("opensoc_index_errors_total", "counter", "Failed index commits and unreadable segments.");
  e.sample("opensoc_index_errors_total", "", s.store.index_errors);

  const SessionSnapshot& ss = s.sessions;
  e.family("opensoc_sessions_total", "counter", "Final session records built from stored packets.");
  e.sample("opensoc_sessions_total", "", ss.sessions);
  e.family("opensoc_protocol_events_total", "counter", "Protocol events by application protocol.");
  e.sample("opensoc_protocol_events_total", "protocol=\"dns\"", ss.events_dns);
  e.sample("opensoc_protocol_events_total", "protocol=\"http\"", ss.events_http);
  e.sample("opensoc_protocol_events_total", "protocol=\"tls\"", ss.events_tls);
  e.sample("opensoc_protocol_events_total", "protocol=\"ssh\"", ss.events_ssh);
  e.sample("opensoc_protocol_events_total", "protocol=\"dhcp\"", ss.events_dhcp);
  e.sample("opensoc_protocol_events_total", "protocol=\"quic\"", ss.events_quic);
  e.family("opensoc_reassembly_gaps_total", "counter", "TCP stream holes skipped by reassembly.");
  e.sample("opensoc_reassembly_gaps_total", "", ss.reassembly_gaps);
  e.family("opensoc_streams_truncated_total", "counter", "Sessions whose reassembly hit a bound (parsers stopped).");
  e.sample("opensoc_streams_truncated_total", "", ss.streams_truncated);
  e.family("opensoc_search_documents_total", "counter", "Documents added to the search index.");
  e.sample("opensoc_search_documents_total", "", ss.search_documents);
  e.family("opensoc_search_errors_total", "counter", "Search index write errors.");
  e.sample("opensoc_search_errors_total", "", ss.search_errors);
  e.family("opensoc_export_lines_total", "counter", "EVE/ECS lines written.");
  e.sample("opensoc_export_lines_total", "", ss.export_lines);

  const DetectionSnapshot& ds = s.detection;
  e.family("opensoc_rules_loaded", "gauge", "Signature rules loaded.");
  e.sample("opensoc_rules_loaded", "", ds.rules_loaded);
  e.family("opensoc_rules_rejected", "gauge", "Signature rules refused at load (see /api/v1/rules).");
  e.sample("opensoc_rules_rejected", "", ds.rules_rejected);
  e.family("opensoc_intel_indicators", "gauge", "Threat-intel indicators loaded.");
  e.sample("opensoc_intel_indicators", "", ds.indicators);
  e.family("opensoc_detection_hits_total", "counter", "Detection hits by kind.");
  e.sample("opensoc_detection_hits_total", "kind=\"signature\"", ds.rule_matches);
  e.sample("opensoc_detection_hits_total", "kind=\"intel\"", ds.intel_matches);
  e.sample("opensoc_detection_hits_total", "kind=\"behaviour\"", ds.behaviour_hits);
  e.family("opensoc_alerts_created_total", "counter", "Alerts created (after deduplication).");
  e.sample("opensoc_alerts_created_total", "", ds.alerts_created);
  e.family("opensoc_alerts", "gauge", "Alerts in the store by status.");
  e.sample("opensoc_alerts", "status=\"new\"", ds.alerts_by_status[0]);
  e.sample("opensoc_alerts", "status=\"acknowledged\"", ds.alerts_by_status[1]);
  e.sample("opensoc_alerts", "status=\"escalated\"", ds.alerts_by_status[2]);
  e.sample("opensoc_alerts", "status=\"closed\"", ds.alerts_by_status[3]);
  e.family("opensoc_alert_errors_total", "counter", "Alerts that could not be stored.");
  e.sample("opensoc_alert_errors_total", "", ds.alert_errors);
  e.family("opensoc_reloads_total", "counter", "Rule/intel/enrichment reloads (SIGHUP, POST /api/v1/reload).");
  e.sample("opensoc_reloads_total", "", ds.reloads);

  const TelemetrySnapshot& t = s.telemetry;
  if (t.enabled) {
    e.family("opensoc_receiver_messages_total", "counter", "Telemetry frames read and queued, per listener.");
    for (const auto& l : t.listeners) e.sample("opensoc_receiver_messages_total", "listener=\"" + label_value(l.name) + "\"", l.messages);
    e.family("opensoc_receiver_bytes_total", "counter", "Telemetry bytes read, per listener.");
    for (const auto& l : t.listeners) e.sample("opensoc_receiver_bytes_total", "listener=\"" + label_value(l.name) + "\"", l.bytes);
    e.family("opensoc_receiver_dropped_total", "counter", "Telemetry messages lost, per listener and reason.");
    for (const auto& l : t.listeners) {
      e.sample("opensoc_receiver_dropped_total", "listener=\"" + label_value(l.name) + "\",reason=\"queue\"", l.dropped_queue);
      e.sample("opensoc_receiver_dropped_total", "listener=\"" + label_value(l.name) + "\",reason=\"socket\"", l.dropped_socket);
    }
    e.family("opensoc_receiver_parsed_total", "counter", "Messages per listener by outcome (parsed, or kept raw).");
    for (const auto& l : t.listeners) {
      e.sample("opensoc_receiver_parsed_total", "listener=\"" + label_value(l.name) + "\",outcome=\"parsed\"", l.parsed);
      e.sample("opensoc_receiver_parsed_total", "listener=\"" + label_value(l.name) + "\",outcome=\"failed\"", l.failed);
    }
    e.family("opensoc_log_events_total", "counter", "Log events per parser and outcome.");
    for (const auto& p : t.parsers) {
      e.sample("opensoc_log_events_total", "parser=\"" + label_value(p.name) + "\",outcome=\"parsed\"", p.parsed);
      e.sample("opensoc_log_events_total", "parser=\"" + label_value(p.name) + "\",outcome=\"failed\"", p.failed);
    }
    e.family("opensoc_log_queue_messages", "gauge", "Messages waiting between the receivers and the log pipeline.");
    e.sample("opensoc_log_queue_messages", "", t.queue_size);
    e.family("opensoc_log_indexed_total", "counter", "Log events and flow records indexed.");
    e.sample("opensoc_log_indexed_total", "", t.indexed);
    e.family("opensoc_netflow_records_total", "counter", "NetFlow/IPFIX flow records decoded.");
    e.sample("opensoc_netflow_records_total", "", t.flows);
    e.family("opensoc_netflow_missing_template_total", "counter", "NetFlow v9/IPFIX data sets without a known template.");
    e.sample("opensoc_netflow_missing_template_total", "", t.netflow_missing_template);
  }

  e.family("opensoc_flow_records_total", "counter", "Flow records taken by the consumer.");
  e.sample("opensoc_flow_records_total", "", s.consumer.records);
  e.family("opensoc_flow_log_write_errors_total", "counter", "Flow log writes that failed.");
  e.sample("opensoc_flow_log_write_errors_total", "", s.consumer.write_errors);
  return out;
}

}  // namespace opensoc::api
