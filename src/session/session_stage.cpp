#include "session/session_stage.hpp"

#include <algorithm>

#include <xapian.h>

#include "search/index_terms.hpp"
#include "session/eve_json.hpp"
#include "session/session_document.hpp"

namespace opensoc::session {
namespace {

// Packet time moves on by the wall clock while a stream is silent this long,
// so idle sessions of a quiet live capture still end (as on the workers).
constexpr TimestampNs kIdleAdvanceAfter = 2 * kNsPerSecond;

}  // namespace

SessionStage::SessionStage(SessionStageOptions options, const telemetry::Logger& log)
    : opt_(std::move(options)), log_(log) {}

SessionStage::~SessionStage() = default;

Result<std::unique_ptr<SessionStage>> SessionStage::open(SessionStageOptions options, const telemetry::Logger& log) {
  std::unique_ptr<SessionStage> s(new SessionStage(std::move(options), log));
  if (s->opt_.search) {
    auto w = search::SearchShardWriter::open(s->opt_.shards);
    if (!w) return w.error().context("search index " + s->opt_.shards.dir);
    s->shards_ = std::move(*w);
  }
  for (auto [opts, file] : {std::pair{&s->opt_.eve, &s->eve_}, std::pair{&s->opt_.ecs, &s->ecs_}}) {
    if (opts->path.empty()) continue;
    auto f = JsonLinesFile::open(opts->path, opts->rotate_bytes, opts->keep_files);
    if (!f) return f.error().context("export file " + opts->path);
    *file = std::move(*f);
  }
  s->snap_.enabled = true;
  if (s->opt_.hook != nullptr) s->opt_.hook->bind(static_cast<StageOutputs&>(*s));
  return s;
}

void SessionStage::on_packet(std::uint16_t worker, const PacketView& pkt, const DecodedPacket& d) noexcept {
  Stream& st = streams_[worker];
  if (!st.builder) st.builder = std::make_unique<SessionBuilder>(opt_.session, worker, static_cast<SessionSink&>(*this));
  st.builder->on_packet(pkt, d);
  if (opt_.hook != nullptr && st.builder->last_packet().valid) opt_.hook->on_packet(worker, st.builder->last_packet(), pkt.ts);
  st.last_packet_ts = st.builder->last_packet_ts();
  st.wall_at_last_packet = 0;  // stamped at the end of the pass
}

void SessionStage::on_pass_end(TimestampNs wall_now, bool caught_up) noexcept {
  for (auto& [worker, st] : streams_) {
    if (st.wall_at_last_packet == 0) {
      st.wall_at_last_packet = wall_now;
    } else if (caught_up && wall_now - st.wall_at_last_packet >= kIdleAdvanceAfter) {
      st.builder->advance(st.last_packet_ts + (wall_now - st.wall_at_last_packet));
    }
  }
  if (opt_.hook != nullptr) {
    TimestampNs packet_now = 0;
    for (const auto& [worker, st] : streams_) packet_now = std::max(packet_now, st.builder->last_packet_ts());
    opt_.hook->on_pass_end(wall_now, packet_now);
  }
  if (shards_ && shards_->commit_due(wall_now)) {
    if (auto r = shards_->commit(); !r) {
      ++search_errors_;
      if (r.error().message != last_error_) log_.error("search: {}", r.error().message);
      last_error_ = r.error().message;
    }
    last_commit_wall_ = wall_now;
  }
  if (wall_now - last_commit_wall_ >= kNsPerSecond || caught_up) {
    for (JsonLinesFile* f : {eve_.get(), ecs_.get()}) {
      if (f != nullptr && !f->flush()) ++export_errors_;
    }
  }
  publish();
}

void SessionStage::on_retention(TimestampNs oldest_kept) noexcept {
  retention_floor_ = std::max(retention_floor_, oldest_kept);
  if (!shards_) return;
  if (auto r = shards_->drop_before(oldest_kept); !r) {
    ++search_errors_;
    log_.error("search retention: {}", r.error().message);
  }
}

Result<void> SessionStage::finish() noexcept {
  for (auto& [worker, st] : streams_) st.builder->flush(FlowEndReason::shutdown);
  if (opt_.hook != nullptr) opt_.hook->finish();
  Result<void> result = ok();
  if (shards_) {
    if (auto r = shards_->commit(); !r) {
      ++search_errors_;
      result = r.error().context("search commit");
    }
  }
  for (JsonLinesFile* f : {eve_.get(), ecs_.get()}) {
    if (f == nullptr) continue;
    if (auto r = f->flush(); !r) {
      ++export_errors_;
      if (result) result = r.error().context("export");
    }
  }
  publish();
  return result;
}

void SessionStage::index(search::SearchDocument doc) {
  if (!shards_) return;
  try {
    Xapian::Document xd;
    search::fill_document(doc, xd);
    const std::string unique = doc.unique_id.empty() ? std::string() : std::string(search::kUniqueIdPrefix) + doc.unique_id;
    // A session that began before the oldest packet retention kept goes to
    // the oldest kept shard, not into a re-created shard retention dropped.
    const TimestampNs place = std::max(doc.ts, retention_floor_);
    if (auto r = shards_->add(place, unique, std::move(xd)); !r) {
      ++search_errors_;
      if (r.error().message != last_error_) log_.error("search: {}", r.error().message);
      last_error_ = r.error().message;
    }
  } catch (const std::exception& e) {  // Xapian::Error is not a std::exception
    ++search_errors_;
    log_.error("search: {}", e.what());
  } catch (const Xapian::Error& e) {
    ++search_errors_;
    log_.error("search: {}", e.get_description());
  }
}

void SessionStage::write_export(JsonLinesFile* file, const std::string& line) {
  if (file == nullptr) return;
  if (auto r = file->write_line(line); !r) {
    ++export_errors_;
  } else {
    ++export_lines_;
  }
}

void SessionStage::write_eve_line(const std::string& line) { write_export(eve_.get(), line); }

void SessionStage::index_document(search::SearchDocument doc) { index(std::move(doc)); }

void SessionStage::on_event(ProtocolEvent& event) {
  if (opt_.hook != nullptr) opt_.hook->on_event(event);
  if (eve_) {
    line_.clear();
    append_eve_event(line_, event);
    write_export(eve_.get(), line_);
  }
  // The search document's data is the ECS rendering: rendered once, for the
  // index and the ECS export alike; not at all when neither wants it.
  if (!shards_ && !ecs_) return;
  search::SearchDocument doc = event_document(event);
  write_export(ecs_.get(), doc.json);
  index(std::move(doc));
}

void SessionStage::on_session(SessionRecord& session) {
  if (opt_.hook != nullptr) opt_.hook->on_session(session);
  const bool final = session.flow.end_reason != FlowEndReason::active && !session.provisional;
  // EVE flow records are final (Suricata logs a flow once); the search index
  // takes interim and provisional ones too, each replacing the last.
  if (eve_ && final) {
    line_.clear();
    append_eve_flow(line_, session);
    write_export(eve_.get(), line_);
  }
  if (!shards_ && !ecs_) return;
  search::SearchDocument doc = session_document(session);
  if (!session.provisional) write_export(ecs_.get(), doc.json);
  index(std::move(doc));
}

void SessionStage::publish() {
  SessionSnapshot s;
  s.enabled = true;
  for (const auto& [worker, st] : streams_) {
    const SessionBuilderStats b = st.builder->stats();
    s.packets += b.packets;
    s.sessions += b.sessions;
    s.interim_sessions += b.interim_sessions;
    s.events += b.events;
    s.events_dns += b.events_by_protocol[static_cast<int>(AppProtocol::dns)];
    s.events_http += b.events_by_protocol[static_cast<int>(AppProtocol::http)];
    s.events_tls += b.events_by_protocol[static_cast<int>(AppProtocol::tls)];
    s.events_ssh += b.events_by_protocol[static_cast<int>(AppProtocol::ssh)];
    s.events_dhcp += b.events_by_protocol[static_cast<int>(AppProtocol::dhcp)];
    s.events_quic += b.events_by_protocol[static_cast<int>(AppProtocol::quic)];
    s.events_over_cap += b.events_over_cap;
    s.detect_failed += b.detect_failed;
    s.datagram_parse_errors += b.datagram_parse_errors;
    s.streams_truncated += b.streams_truncated;
    s.reassembly_gaps += b.reassembly.gaps;
    s.reassembly_gap_bytes += b.reassembly.gap_bytes;
    s.reassembly_buffered += b.reassembly_buffered;
    s.reassembly_depth_reached += b.reassembly.depth_reached;
    s.reassembly_budget_exhausted += b.reassembly.budget_exhausted;
    s.buffer_overflows += b.buffer_overflows;
  }
  if (shards_) {
    const auto w = shards_->stats();
    s.search_documents = w.documents_added;
    s.search_commits = w.commits;
    s.search_shards = w.shards;
    s.search_shards_dropped = w.shards_dropped;
    s.search_errors = w.errors + search_errors_;
  } else {
    s.search_errors = search_errors_;
  }
  s.export_lines = export_lines_;
  s.export_errors = export_errors_;
  s.last_commit_ns = last_commit_wall_;
  std::lock_guard lock(mu_);
  snap_ = s;
}

SessionSnapshot SessionStage::snapshot() const {
  std::lock_guard lock(mu_);
  return snap_;
}

}  // namespace opensoc::session
