#pragma once
/// StatsSnapshot: every counter of a running pipeline at one instant, as plain
/// values. The daemon assembles it from the capture sources, workers and the
/// flow consumer on the HTTP thread; the API renders it as JSON and as
/// Prometheus text. Nothing in it points into another module's state.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "opensoc/core/decode_anomaly.hpp"
#include "opensoc/core/time.hpp"

namespace opensoc {

struct QueueSnapshot {
  std::string name;              ///< "net_pcap0:0", "file:x.pcap"
  std::uint16_t port = 0;
  std::uint16_t queue = 0;
  std::uint16_t worker = 0;
  std::uint64_t packets = 0;     ///< frames the worker received from this queue
  std::uint64_t bytes = 0;       ///< their wire bytes
};

struct PortSnapshot {
  std::string device;
  std::uint16_t index = 0;       ///< position in the config
  std::uint16_t rx_queues = 0;
  std::uint64_t packets = 0;     ///< device counter ipackets
  std::uint64_t bytes = 0;       ///< device counter ibytes
  std::uint64_t nic_dropped = 0; ///< imissed: frames the NIC could not place in a ring
  std::uint64_t nic_errors = 0;  ///< ierrors: erroneous frames
  std::uint64_t mbuf_failures = 0;  ///< rx_nombuf: no mbuf for an arriving frame
};

struct WorkerSnapshot {
  std::uint16_t worker = 0;
  std::uint32_t lcore = 0;
  std::uint64_t packets = 0;
  std::uint64_t bytes = 0;
  std::uint64_t bursts = 0;
  std::uint64_t idle_polls = 0;
  std::array<std::uint64_t, kDecodeAnomalyCount> anomalies{};  ///< by DecodeAnomaly index
  std::uint64_t non_ip_packets = 0;
  std::uint64_t flows_active = 0;
  std::uint64_t flows_created = 0;
  std::uint64_t flows_closed_fin = 0;
  std::uint64_t flows_closed_rst = 0;
  std::uint64_t flows_closed_idle = 0;
  std::uint64_t flows_evicted = 0;     ///< memory pressure
  std::uint64_t flows_closed_shutdown = 0;
  std::uint64_t flow_interim_records = 0;
  std::uint64_t ring_records = 0;      ///< flow records pushed to the consumer ring
  std::uint64_t ring_drops = 0;        ///< records lost because the ring was full
  std::uint64_t ring_occupancy = 0;
  std::uint64_t ring_capacity = 0;
  std::uint64_t store_packets = 0;     ///< packets written to segments
  std::uint64_t store_bytes = 0;       ///< record bytes written (16-byte headers included)
  std::uint64_t store_drops = 0;       ///< packets not stored (disk full, invalid time, ...)
  std::uint64_t store_segments_opened = 0;
  std::uint64_t store_write_errors = 0;
};

struct ConsumerSnapshot {
  std::uint64_t records = 0;          ///< flow records taken off the rings
  std::uint64_t records_written = 0;  ///< written to the flow log
  std::uint64_t write_errors = 0;
};

/// The packet store on disk and its index, as the indexer thread sees it.
struct StoreSnapshot {
  bool enabled = false;
  std::uint64_t bytes_used = 0;        ///< disk space of every segment file (allocated bytes)
  std::uint64_t segments = 0;          ///< segment files on disk (open ones included)
  TimestampNs oldest_packet_ns = 0;    ///< 0 when the store is empty
  TimestampNs newest_packet_ns = 0;
  std::uint64_t indexed_packets = 0;   ///< packets in the index (all segments on disk)
  std::uint64_t index_bytes = 0;       ///< LMDB pages in use
  std::uint64_t index_commits = 0;
  std::uint64_t index_errors = 0;      ///< failed commits, unreadable segments
  std::uint64_t segments_removed = 0;  ///< by retention, since start
  std::uint64_t bytes_removed = 0;
  std::uint64_t close_errors = 0;      ///< segments the closer could not finish
  TimestampNs last_commit_ns = 0;      ///< wall time of the last commit
};

/// Sessions, protocol events and the search index, as the indexer thread sees them.
struct SessionSnapshot {
  bool enabled = false;
  std::uint64_t packets = 0;            ///< packets the session builders saw
  std::uint64_t sessions = 0;           ///< final session records
  std::uint64_t interim_sessions = 0;
  std::uint64_t events = 0;
  std::uint64_t events_dns = 0;
  std::uint64_t events_http = 0;
  std::uint64_t events_tls = 0;
  std::uint64_t events_ssh = 0;
  std::uint64_t events_dhcp = 0;
  std::uint64_t events_quic = 0;
  std::uint64_t events_over_cap = 0;
  std::uint64_t detect_failed = 0;
  std::uint64_t datagram_parse_errors = 0;
  std::uint64_t streams_truncated = 0;  ///< sessions whose reassembly hit a bound
  std::uint64_t reassembly_gaps = 0;
  std::uint64_t reassembly_gap_bytes = 0;
  std::uint64_t reassembly_buffered = 0;   ///< out-of-order bytes held now
  std::uint64_t reassembly_depth_reached = 0;
  std::uint64_t reassembly_budget_exhausted = 0;
  std::uint64_t buffer_overflows = 0;   ///< handshake/banner/detection buffers cut short by the budget
  std::uint64_t search_documents = 0;
  std::uint64_t search_commits = 0;
  std::uint64_t search_shards = 0;
  std::uint64_t search_shards_dropped = 0;
  std::uint64_t search_errors = 0;
  std::uint64_t export_lines = 0;
  std::uint64_t export_errors = 0;
  TimestampNs last_commit_ns = 0;
};

/// Enrichment, intel, rules, detectors and alerts (the detection stage).
struct DetectionSnapshot {
  bool enabled = false;
  std::uint64_t packets_inspected = 0;   ///< packets given to the signature rules
  std::uint64_t events_inspected = 0;
  std::uint64_t sessions_inspected = 0;
  std::uint64_t rule_matches = 0;        ///< signature hits (after thresholds)
  std::uint64_t intel_matches = 0;       ///< indicator matches recorded on sessions/events/logs
  std::uint64_t logs_inspected = 0;      ///< log events and flow records given to enrichment and intel
  std::uint64_t behaviour_hits = 0;
  std::uint64_t alerts_created = 0;
  std::uint64_t alerts_folded = 0;       ///< hits folded into an open alert by deduplication
  std::uint64_t alert_errors = 0;        ///< store failures
  std::uint64_t syslog_sent = 0;
  std::uint64_t syslog_errors = 0;
  std::uint64_t rules_loaded = 0;
  std::uint64_t rules_rejected = 0;
  std::uint64_t indicators = 0;
  std::uint64_t assets = 0;
  std::uint64_t geoip_databases = 0;
  std::uint64_t reloads = 0;
  std::uint64_t reload_errors = 0;
  TimestampNs last_reload_ns = 0;
  std::uint64_t alerts_total = 0;        ///< in the store
  std::uint64_t alerts_by_status[4] = {};    ///< new, acknowledged, escalated, closed
  std::uint64_t alerts_by_severity[4] = {};  ///< 1 (high) .. 4 (info)
};

/// One telemetry listener (syslog / JSON lines / NetFlow): what its socket
/// read and lost, and what the log pipeline made of it.
struct ListenerSnapshot {
  std::string name;
  std::string protocol;   ///< "syslog", "json", "netflow", "api"
  std::string transport;  ///< "udp", "tcp", "tls", "http"
  std::string address;
  std::uint16_t port = 0;
  std::uint64_t messages = 0;        ///< frames read and queued
  std::uint64_t bytes = 0;
  std::uint64_t dropped_queue = 0;   ///< UDP: the queue was full
  std::uint64_t dropped_socket = 0;  ///< UDP: the kernel dropped them (receive buffer full)
  std::uint64_t truncated = 0;
  std::uint64_t framing_errors = 0;
  std::uint64_t connections = 0;
  std::uint64_t connections_open = 0;
  std::uint64_t connections_refused = 0;
  std::uint64_t tls_failures = 0;
  std::uint64_t paused = 0;          ///< TCP: reads paused for back-pressure
  std::uint64_t parsed = 0;          ///< messages a parser accepted (pipeline)
  std::uint64_t failed = 0;          ///< messages kept raw: no parser accepted them
  std::uint64_t records = 0;         ///< NetFlow: flow records decoded
};

struct ParserCounters {
  std::string name;  ///< "rfc5424", "cef", "eve", ..., or "raw"
  std::uint64_t parsed = 0;
  std::uint64_t failed = 0;
};

/// Non-packet telemetry: receivers, the queue to the log pipeline, parsers.
struct TelemetrySnapshot {
  bool enabled = false;
  std::vector<ListenerSnapshot> listeners;  ///< config order; the REST API's ingest last
  std::uint64_t queue_size = 0;
  std::uint64_t queue_capacity = 0;
  std::uint64_t queue_high_water = 0;
  std::uint64_t received = 0;      ///< messages the pipeline took from the queue (+ API events)
  std::uint64_t events = 0;        ///< log events made (a NetFlow datagram makes many)
  std::uint64_t parsed = 0;
  std::uint64_t raw = 0;           ///< kept as raw events
  std::uint64_t flows = 0;         ///< NetFlow/IPFIX flow records
  std::uint64_t indexed = 0;       ///< documents in the search index (committed or pending)
  std::uint64_t index_errors = 0;
  std::uint64_t commits = 0;
  std::vector<ParserCounters> parsers;
  // NetFlow decoder (all listeners).
  std::uint64_t netflow_packets = 0;
  std::uint64_t netflow_templates = 0;
  std::uint64_t netflow_templates_active = 0;
  std::uint64_t netflow_missing_template = 0;
  std::uint64_t netflow_malformed = 0;
  std::uint64_t netflow_sequence_gaps = 0;
  std::uint64_t netflow_unsupported_version = 0;
  std::uint64_t netflow_templates_refused = 0;  ///< over netflow max_templates
  std::string last_error;
};

struct StatsSnapshot {
  std::string version;
  TimestampNs now = 0;
  TimestampNs started = 0;
  std::vector<PortSnapshot> ports;
  std::vector<QueueSnapshot> queues;
  std::vector<WorkerSnapshot> workers;
  ConsumerSnapshot consumer;
  StoreSnapshot store;
  SessionSnapshot sessions;
  DetectionSnapshot detection;
  TelemetrySnapshot telemetry;
};

}  // namespace opensoc
