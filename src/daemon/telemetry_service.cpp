// TelemetryService: see telemetry_service.hpp.
#include "daemon/telemetry_service.hpp"

#include <string_view>

#include "logparse/json_log_parser.hpp"
#include "opensoc/core/json_writer.hpp"

namespace opensoc::daemon {

// Enrichment and intel of log events with the detection stage's newest
// tables, picked up once per batch.
class TelemetryService::DetectionHook final : public logs::LogHook {
 public:
  explicit DetectionHook(detect::DetectionStage& stage) : stage_(stage) {}
  void on_batch() noexcept override {
    try {
      tables_ = stage_.log_tables();
    } catch (...) {  // keeps the previous generation
    }
  }
  void on_log(LogEvent& event) noexcept override {
    try {
      stage_.inspect_log(event, tables_, &rules_state_);
    } catch (...) {  // an allocation failure: the event goes on unenriched
    }
  }

 private:
  detect::DetectionStage& stage_;
  detect::DetectionTables tables_;
  detect::LogInspectionState rules_state_;
};

Result<std::unique_ptr<TelemetryService>> TelemetryService::start(const config::AppConfig& config,
                                                                  detect::DetectionStage* detection,
                                                                  const telemetry::Logger& log) {
  const ingest::ReceiversConfig& rc = config.receivers;
  if (rc.listeners.empty() && !rc.api_ingest) return std::unique_ptr<TelemetryService>();
  std::unique_ptr<TelemetryService> s(new TelemetryService());
  s->queue_ = std::make_unique<ingest::MessageQueue>(rc.queue_messages);
  if (detection != nullptr) s->hook_ = std::make_unique<DetectionHook>(*detection);
  logs::LogPipelineOptions po;
  po.receivers = rc;
  po.search = config.search.enabled;
  po.shards.dir = config.data_dir + "/" + config.search.subdir;
  po.shards.shard_span_s = config.search.shard_span_s;
  po.shards.commit_ms = config.search.commit_ms;
  po.shards.sync = config.store.sync_on_close;
  auto pipeline = logs::LogPipeline::open(std::move(po), *s->queue_, s->hook_.get(), log);
  if (!pipeline) return pipeline.error().context("receivers");
  s->pipeline_ = std::move(*pipeline);
  s->pipeline_->start();
  if (!rc.listeners.empty()) {
    auto receivers = ingest::TelemetryReceivers::start(rc, *s->queue_);
    if (!receivers) {
      s->pipeline_->stop();
      return receivers.error().context("receivers");
    }
    s->receivers_ = std::move(*receivers);
    for (const auto& l : s->receivers_->stats()) {
      log.info("receiving {} over {} on {}:{} (listener {})", l.protocol, l.transport, l.address, l.port, l.name);
    }
  }
  s->api_ingest_ = rc.api_ingest;
  return s;
}

TelemetryService::~TelemetryService() { stop(); }

void TelemetryService::stop() {
  if (receivers_) receivers_->stop();
  if (pipeline_) pipeline_->stop();
  if (queue_) queue_->close();
}

TelemetrySnapshot TelemetryService::snapshot() const {
  TelemetrySnapshot t = pipeline_ ? pipeline_->snapshot() : TelemetrySnapshot{};
  if (!receivers_) return t;
  const auto rs = receivers_->stats();
  for (std::size_t i = 0; i < rs.size() && i < t.listeners.size(); ++i) {
    const ingest::ListenerStats& r = rs[i];
    ListenerSnapshot& l = t.listeners[i];
    l.port = r.port;
    l.address = r.address;
    l.messages = r.messages;
    l.bytes = r.bytes;
    l.dropped_queue = r.dropped_queue;
    l.dropped_socket = r.dropped_socket;
    l.truncated = r.truncated;
    l.framing_errors = r.framing_errors;
    l.connections = r.connections;
    l.connections_open = r.connections_open;
    l.connections_refused = r.connections_refused;
    l.tls_failures = r.tls_failures;
    l.paused = r.paused;
  }
  return t;
}

namespace {

std::optional<logparse::JsonFlavour> flavour_named(std::string_view n) {
  if (n.empty() || n == "auto") return logparse::JsonFlavour::automatic;
  if (n == "eve") return logparse::JsonFlavour::eve;
  if (n == "zeek") return logparse::JsonFlavour::zeek;
  if (n == "json") return logparse::JsonFlavour::generic;
  return std::nullopt;
}

}  // namespace

api::Response TelemetryService::serve_ingest(const api::Request& request) {
  if (!pipeline_ || !api_ingest_) return api::error_response(503, "API ingest disabled (receivers.api_ingest)");
  std::string parser_name;
  if (auto it = request.query.find("parser"); it != request.query.end()) parser_name = it->second;
  const auto flavour = flavour_named(parser_name);
  if (!flavour) return api::error_response(400, "parser must be auto, eve, zeek or json", "parser");

  thread_local logparse::JsonLogParser parser;
  // The HTTP server gives the peer's address without its port.
  const IpAddress sender = IpAddress::parse(request.remote_address).value_or(IpAddress{});
  const TimestampNs now = wall_clock_ns();
  std::vector<LogEvent> events;
  std::vector<std::pair<std::size_t, std::string>> errors;
  std::size_t rejected = 0;
  std::string_view body = request.body;
  std::size_t line_no = 0;
  while (!body.empty()) {
    const std::size_t nl = body.find('\n');
    std::string_view line = body.substr(0, nl);
    body = nl == std::string_view::npos ? std::string_view{} : body.substr(nl + 1);
    ++line_no;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    if (line.empty()) continue;
    LogEvent ev;
    ev.received = now;
    ev.listener = "api";
    ev.transport = "http";
    ev.sender = sender;
    if (auto r = parser.parse(line, *flavour, ev); !r) {
      ++rejected;
      if (errors.size() < 100) errors.emplace_back(line_no, r.error().message);
      continue;
    }
    ev.parsed = true;
    ev.original = std::string(line);
    events.push_back(std::move(ev));
  }
  const std::size_t accepted = events.size();
  if (!events.empty() && !pipeline_->submit(events, 2000)) {
    api::Response r = api::error_response(503, "the log pipeline is full; retry later");
    r.headers.emplace_back("Retry-After", "1");
    return r;
  }
  api::Response r;
  JsonWriter w(r.body);
  w.begin_object();
  w.field("accepted", static_cast<std::uint64_t>(accepted));
  w.field("rejected", static_cast<std::uint64_t>(rejected));
  w.key("errors").begin_array();
  for (const auto& [line, message] : errors) {
    w.begin_object().field("line", static_cast<std::uint64_t>(line)).field("error", message).end_object();
  }
  w.end_array();
  w.end_object();
  r.body.push_back('\n');
  return r;
}

}  // namespace opensoc::daemon
