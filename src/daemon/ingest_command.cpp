// `opensocd ingest`: files -> PcapFileSource -> CaptureWorker -> FlowConsumer,
// and (store.enabled) the packet store: segments, indexed by the indexer
// thread while the files are read, everything committed before exit.
//
// One worker on the calling thread reads the files in order; the flow
// consumer runs on its own thread. The worker waits when the flow-record ring
// is full (RingFullPolicy::wait): offline, losing a record would be a bug,
// and there is no line rate to keep up with.
#include "daemon/ingest_command.hpp"

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "api/stats_render.hpp"
#include "capture/pcap_file_source.hpp"
#include "daemon/packet_store.hpp"
#include "opensoc/core/json_writer.hpp"
#include "pipeline/capture_worker.hpp"
#include "pipeline/flow_consumer.hpp"

namespace opensoc::daemon {

namespace {

// Removes a scratch data directory (ingest --eve-out without a config) once
// everything that writes there is gone: declared before them, destroyed after.
struct ScratchDirectory {
  const config::AppConfig& config;
  ~ScratchDirectory() {
    if (!config.data_dir_is_temporary) return;
    std::error_code ec;
    std::filesystem::remove_all(config.data_dir, ec);
  }
};

}  // namespace

int run_ingest(const config::AppConfig& config, const IngestOptions& options, const telemetry::Logger& log) {
  const ScratchDirectory scratch{config};
  std::vector<std::unique_ptr<capture::PcapFileSource>> sources;
  for (std::size_t i = 0; i < options.captures.size(); ++i) {
    auto s = capture::PcapFileSource::open(options.captures[i], static_cast<std::uint16_t>(i));
    if (!s) {
      log.error("ingest: {}", s.error().message);
      return 1;
    }
    sources.push_back(std::move(*s));
  }

  SpscRing<FlowRecord> ring(config.pipeline.flow_ring_size);
  auto consumer = pipeline::FlowConsumer::create({&ring}, config.pipeline);
  if (!consumer) {
    log.error("ingest: {}", consumer.error().message);
    return 1;
  }
  pipeline::CaptureWorker worker(0, 0, config.flow, ring, pipeline::RingFullPolicy::wait);
  std::unique_ptr<PacketStore> store;
  if ((!options.rule_files.empty() || !options.intel_files.empty()) &&
      !(config.store.enabled && config.sessions.enabled && config.detection.enabled)) {
    log.error("ingest: --rules and --intel need store.enabled, sessions.enabled and detectors.enabled");
    return 2;
  }
  if (config.store.enabled) {
    auto s = PacketStore::open(config, 1, log, DetectionExtras{options.rule_files, options.intel_files});
    if (!s) {
      log.error("ingest: {}", s.error().message);
      return 1;
    }
    store = std::move(*s);
    worker.attach_store(store->writer(0));
    store->start_indexer();
  }
  (*consumer)->start();

  const auto t0 = std::chrono::steady_clock::now();
  for (auto& s : sources) {
    while (!s->exhausted()) worker.poll(*s);
  }
  worker.flush(FlowEndReason::shutdown);
  (*consumer)->stop();
  bool store_failed = false;
  if (store) {
    if (auto r = store->finish(); !r) {
      log.error("ingest: packet store: {}", r.error().message);
      store_failed = true;
    }
  }
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  StatsSnapshot snap;
  snap.workers.push_back(worker.snapshot());
  snap.consumer = (*consumer)->snapshot();
  if (store) {
    snap.store = store->snapshot();
    snap.sessions = store->session_snapshot();
    snap.detection = store->detection_snapshot();
  }
  const SessionSnapshot& ss = snap.sessions;
  const DetectionSnapshot& ds = snap.detection;
  const api::StatsTotals t = api::compute_totals(snap);
  std::uint64_t truncated = 0;
  for (auto& s : sources) {
    truncated += s->stats().truncated_records;
    if (!s->error().empty()) log.warn("ingest: {}", s->error());
  }
  const double pps = elapsed > 0 ? static_cast<double>(t.packets) / elapsed : 0;
  const double bps = elapsed > 0 ? static_cast<double>(t.bytes) * 8 / elapsed : 0;

  if (options.json) {
    std::string out;
    JsonWriter w(out);
    w.begin_object();
    w.field("files", static_cast<std::uint64_t>(sources.size()));
    w.field("packets", t.packets);
    w.field("bytes", t.bytes);
    w.field("flows", t.flows_created);
    w.field("flow_records", snap.consumer.records);
    w.field("decode_errors", t.decode_errors);
    w.field("decode_unsupported", t.decode_unsupported);
    w.field("truncated_records", truncated);
    w.field("elapsed_seconds", elapsed);
    w.field("packets_per_second", pps);
    w.field("bits_per_second", bps);
    w.key("anomalies").begin_object();
    for (std::size_t i = 1; i < kDecodeAnomalyCount; ++i) {
      const auto n = snap.workers[0].anomalies[i];
      if (n != 0) w.field(anomaly_name(static_cast<DecodeAnomaly>(i)), n);
    }
    w.end_object();
    if (store) {
      const WorkerSnapshot& ws = snap.workers[0];
      w.key("store").begin_object();
      w.field("packets_stored", ws.store_packets).field("packets_dropped", ws.store_drops);
      w.field("segments", snap.store.segments).field("bytes_used", snap.store.bytes_used);
      w.field("indexed_packets", snap.store.indexed_packets).field("index_bytes", snap.store.index_bytes);
      w.end_object();
    }
    if (ss.enabled) {
      w.key("sessions").begin_object();
      w.field("sessions", ss.sessions).field("events", ss.events).field("dns", ss.events_dns);
      w.field("http", ss.events_http).field("tls", ss.events_tls).field("ssh", ss.events_ssh);
      w.field("dhcp", ss.events_dhcp).field("quic", ss.events_quic);
      w.field("search_documents", ss.search_documents).field("export_lines", ss.export_lines);
      w.field("reassembly_gaps", ss.reassembly_gaps).field("streams_truncated", ss.streams_truncated);
      w.end_object();
    }
    if (ds.enabled) {
      w.key("detection").begin_object();
      w.field("rules_loaded", ds.rules_loaded).field("rules_rejected", ds.rules_rejected);
      w.field("indicators", ds.indicators).field("rule_matches", ds.rule_matches);
      w.field("intel_matches", ds.intel_matches).field("behaviour_hits", ds.behaviour_hits);
      w.field("alerts_created", ds.alerts_created).field("alerts_folded", ds.alerts_folded);
      w.field("alert_errors", ds.alert_errors);
      w.end_object();
    }
    w.key("captures").begin_array();
    for (auto& s : sources) {
      const auto st = s->stats();
      w.begin_object().field("file", s->name()).field("packets", st.packets).field("bytes", st.bytes);
      w.field("truncated_records", st.truncated_records).end_object();
    }
    w.end_array();
    w.end_object();
    std::printf("%s\n", out.c_str());
  } else {
    std::printf("files:          %zu\n", sources.size());
    std::printf("packets:        %llu\n", static_cast<unsigned long long>(t.packets));
    std::printf("bytes:          %llu\n", static_cast<unsigned long long>(t.bytes));
    std::printf("flows:          %llu\n", static_cast<unsigned long long>(t.flows_created));
    std::printf("decode errors:  %llu (unsupported protocols: %llu)\n",
                static_cast<unsigned long long>(t.decode_errors), static_cast<unsigned long long>(t.decode_unsupported));
    for (std::size_t i = 1; i < kDecodeAnomalyCount; ++i) {
      const auto n = snap.workers[0].anomalies[i];
      if (n != 0)
        std::printf("  %-28s %llu\n", std::string(anomaly_name(static_cast<DecodeAnomaly>(i))).c_str(),
                    static_cast<unsigned long long>(n));
    }
    if (truncated != 0) std::printf("truncated records: %llu\n", static_cast<unsigned long long>(truncated));
    if (store) {
      const WorkerSnapshot& ws = snap.workers[0];
      std::printf("stored:         %llu packets in %llu segments (%llu dropped), index %llu bytes\n",
                  static_cast<unsigned long long>(ws.store_packets), static_cast<unsigned long long>(snap.store.segments),
                  static_cast<unsigned long long>(ws.store_drops), static_cast<unsigned long long>(snap.store.index_bytes));
    }
    if (ss.enabled) {
      std::printf("sessions:       %llu, events %llu (dns %llu, http %llu, tls %llu, ssh %llu, dhcp %llu, quic %llu)\n",
                  static_cast<unsigned long long>(ss.sessions), static_cast<unsigned long long>(ss.events),
                  static_cast<unsigned long long>(ss.events_dns), static_cast<unsigned long long>(ss.events_http),
                  static_cast<unsigned long long>(ss.events_tls), static_cast<unsigned long long>(ss.events_ssh),
                  static_cast<unsigned long long>(ss.events_dhcp), static_cast<unsigned long long>(ss.events_quic));
    }
    if (ds.enabled) {
      std::printf("detection:      %llu rules (%llu rejected), %llu indicators; %llu rule matches, %llu intel matches, "
                  "%llu detector hits -> %llu alerts (%llu folded)\n",
                  static_cast<unsigned long long>(ds.rules_loaded), static_cast<unsigned long long>(ds.rules_rejected),
                  static_cast<unsigned long long>(ds.indicators), static_cast<unsigned long long>(ds.rule_matches),
                  static_cast<unsigned long long>(ds.intel_matches), static_cast<unsigned long long>(ds.behaviour_hits),
                  static_cast<unsigned long long>(ds.alerts_created), static_cast<unsigned long long>(ds.alerts_folded));
    }
    std::printf("elapsed:        %.3f s (%.0f packets/s, %.3f Gbit/s)\n", elapsed, pps, bps / 1e9);
  }
  if (store_failed || (store && snap.workers[0].store_drops != 0)) {
    if (store && snap.workers[0].store_drops != 0)
      log.error("ingest: {} packets could not be stored ({})", snap.workers[0].store_drops,
                store->writer(0)->last_error());
    return 1;
  }
  if (ds.alert_errors != 0) {
    log.error("ingest: {} alerts could not be stored (see above)", ds.alert_errors);
    return 1;
  }
  if (ss.export_errors != 0 || ss.search_errors != 0) {
    log.error("ingest: {} export and {} search errors (see above)", ss.export_errors, ss.search_errors);
    return 1;
  }
  if (snap.consumer.write_errors != 0) {
    log.error("ingest: {} flow records could not be written to {}", snap.consumer.write_errors,
              config.pipeline.flow_log_path);
    return 1;
  }
  return 0;
}

}  // namespace opensoc::daemon
