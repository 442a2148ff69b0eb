// Packet store bring-up and shutdown order (see packet_store.hpp).
#include "daemon/packet_store.hpp"

#include <algorithm>

#include "store/posix_file.hpp"
#include "store/segment_recovery.hpp"

namespace opensoc::daemon {

namespace {
std::string index_directory(const config::AppConfig& config) { return config.data_dir + "/index"; }

std::string under_data_dir(const config::AppConfig& config, const std::string& path) {
  if (path.empty() || path.front() == '/') return path;
  return config.data_dir + "/" + path;
}

session::SessionStageOptions session_stage_options(const config::AppConfig& config) {
  session::SessionStageOptions o;
  o.session.flow = config.flow;
  o.session.community_id_seed = config.pipeline.community_id_seed;
  o.session.reassembly.max_buffered_per_direction =
      static_cast<std::uint32_t>(std::min<std::uint64_t>(config.sessions.max_buffered_per_direction, UINT32_MAX));
  o.session.reassembly.max_buffered_total = config.sessions.max_buffered_total;
  o.session.reassembly.max_depth = config.sessions.max_stream_depth;
  o.session.max_events_per_session = config.sessions.max_events_per_session;
  o.search = config.search.enabled;
  o.shards.dir = config.data_dir + "/" + config.search.subdir;
  o.shards.shard_span_s = config.search.shard_span_s;
  o.shards.commit_ms = config.search.commit_ms;
  o.shards.sync = config.store.sync_on_close;
  o.eve = {under_data_dir(config, config.exports.eve.path), config.exports.eve.rotate_bytes, config.exports.eve.keep_files};
  o.ecs = {under_data_dir(config, config.exports.ecs.path), config.exports.ecs.rotate_bytes, config.exports.ecs.keep_files};
  return o;
}
}  // namespace

Result<std::unique_ptr<index::PacketIndex>> open_packet_index(const config::AppConfig& config) {
  const std::string dir = index_directory(config);
  if (auto r = store::make_directories(dir); !r) return r.error().context("packet index");
  index::PacketIndex::Options o;
  o.map_size = config.store.index_map_bytes;
  o.no_sync = !config.store.sync_on_close;
  return index::PacketIndex::open(dir, o);
}

Result<std::unique_ptr<PacketStore>> PacketStore::open(const config::AppConfig& config, std::size_t workers,
                                                       const telemetry::Logger& log, const DetectionExtras& extras) {
  std::unique_ptr<PacketStore> s(new PacketStore());
  s->log_ = &log;
  auto recovered = store::recover_all_segments(config.store, config.data_dir);
  if (!recovered) return recovered.error().context("packet store recovery");
  for (const auto& r : *recovered) {
    log.info("store: recovered {} ({} records kept, {} bytes cut{})", r.path, r.records_kept, r.bytes_cut,
             r.torn() ? ", torn tail" : "");
  }
  auto idx = open_packet_index(config);
  if (!idx) return idx.error();
  s->index_ = std::move(*idx);

  index::IndexerOptions io;
  io.store = config.store;
  io.data_dir = config.data_dir;
  io.community_id_seed = config.pipeline.community_id_seed;
  if (config.sessions.enabled && config.detection.enabled) {
    detect::DetectionStageOptions d;
    d.config = config.detection;
    d.data_dir = config.data_dir;
    d.extra_rule_files = extras.rule_files;
    d.extra_intel_files = extras.intel_files;
    detect::LoadReport report;
    auto stage = detect::DetectionStage::open(std::move(d), log, &report);
    if (!stage) return stage.error().context("detection");
    s->detection_ = std::move(*stage);
    for (const auto& e : report.rule_errors) {
      log.warn("rules: {}:{}: sid {}: {}", e.file, e.line, e.sid, e.message);
    }
    for (const auto& w : report.warnings) log.warn("detection: {}", w);
    log.info("detection: {} rules loaded, {} rejected; {} indicators; {} assets; {} GeoIP databases", report.rules_loaded,
             report.rule_errors.size(), report.indicators, report.enrichment.assets, report.enrichment.geoip.size());
  }
  if (config.sessions.enabled) {
    session::SessionStageOptions so = session_stage_options(config);
    so.hook = s->detection_.get();
    auto stage = session::SessionStage::open(std::move(so), log);
    if (!stage) return stage.error().context("sessions");
    s->sessions_ = std::move(*stage);
    io.observer = s->sessions_.get();
  }
  s->journal_ = std::make_unique<store::SegmentJournal>();
  s->indexer_ = std::make_unique<index::SegmentIndexer>(io, *s->index_, log, s->journal_.get());
  if (auto r = s->indexer_->reconcile(); !r) return r.error();

  s->closer_ = std::make_unique<store::SegmentCloser>(config.store.sync_on_close);
  for (std::size_t w = 0; w < workers; ++w) {
    auto writer = store::SegmentWriter::open(config.store, config.data_dir, static_cast<std::uint16_t>(w));
    if (!writer) return writer.error();
    (*writer)->set_closer(s->closer_.get());
    (*writer)->set_journal(s->journal_.get());
    s->writers_.push_back(std::move(*writer));
  }
  s->slice_options_.store = config.store;
  s->slice_options_.data_dir = config.data_dir;
  s->slice_options_.community_id_seed = config.pipeline.community_id_seed;
  return s;
}

PacketStore::~PacketStore() { (void)finish(); }

void PacketStore::start_indexer() { indexer_->start(); }

Result<void> PacketStore::finish() {
  if (finished_) return ok();
  finished_ = true;
  Result<void> result = ok();
  for (auto& w : writers_) {
    if (auto r = w->close(); !r && result) result = r;
  }
  closer_->drain();
  if (closer_->stats().errors.get() != 0 && result) result = Error{"segment close: " + closer_->last_error()};
  if (auto r = indexer_->stop(); !r && result) result = r;  // a last catch-up when it was running
  if (auto r = indexer_->catch_up(); !r && result) result = r;
  if (sessions_) {
    if (auto r = sessions_->finish(); !r && result) result = r;
  }
  return result;
}

StoreSnapshot PacketStore::snapshot() const {
  StoreSnapshot s = indexer_->snapshot();
  s.close_errors = closer_->stats().errors.get();
  return s;
}

SessionSnapshot PacketStore::session_snapshot() const { return sessions_ ? sessions_->snapshot() : SessionSnapshot{}; }

DetectionSnapshot PacketStore::detection_snapshot() const {
  return detection_ ? detection_->snapshot() : DetectionSnapshot{};
}

}  // namespace opensoc::daemon
