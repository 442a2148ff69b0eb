// `opensocd ingest`: files -> PcapFileSource -> CaptureWorker -> FlowConsumer.
//
// One worker on the calling thread reads the files in order; the flow
// consumer runs on its own thread. The worker waits when the flow-record ring
// is full (RingFullPolicy::wait): offline, losing a record would be a bug,
// and there is no line rate to keep up with.
#include "daemon/ingest_command.hpp"

#include <chrono>
#include <cstdio>

#include "api/stats_render.hpp"
#include "capture/pcap_file_source.hpp"
#include "opensoc/core/json_writer.hpp"
#include "pipeline/capture_worker.hpp"
#include "pipeline/flow_consumer.hpp"

namespace opensoc::daemon {

int run_ingest(const config::AppConfig& config, const IngestOptions& options, const telemetry::Logger& log) {
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
  (*consumer)->start();

  const auto t0 = std::chrono::steady_clock::now();
  for (auto& s : sources) {
    while (!s->exhausted()) worker.poll(*s);
  }
  worker.flush(FlowEndReason::shutdown);
  (*consumer)->stop();
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  StatsSnapshot snap;
  snap.workers.push_back(worker.snapshot());
  snap.consumer = (*consumer)->snapshot();
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
    std::printf("elapsed:        %.3f s (%.0f packets/s, %.3f Gbit/s)\n", elapsed, pps, bps / 1e9);
  }
  if (snap.consumer.write_errors != 0) {
    log.error("ingest: {} flow records could not be written to {}", snap.consumer.write_errors,
              config.pipeline.flow_log_path);
    return 1;
  }
  return 0;
}

}  // namespace opensoc::daemon
