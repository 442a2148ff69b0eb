// LogPipeline: see log_pipeline.hpp.
#include "logs/log_pipeline.hpp"

#include <pthread.h>

#include <algorithm>
#include <span>

#include <xapian.h>

#include "logparse/message_parser.hpp"
#include "logparse/netflow_decoder.hpp"
#include "logs/log_document.hpp"
#include "logs/log_event_json.hpp"
#include "logs/log_fields.hpp"
#include "search/index_terms.hpp"

namespace opensoc::logs {
namespace {

constexpr TimestampNs kExpireEvery = 60 * kNsPerSecond;
constexpr TimestampNs kRetentionEvery = 600 * kNsPerSecond;
constexpr TimestampNs kDayNs = 86400 * kNsPerSecond;

// The name a listener's failures are counted under: its chain ("auto",
// "rfc5424+cef").
std::string chain_name(const std::vector<std::string>& chain) {
  std::string s;
  for (const auto& c : chain) {
    if (!s.empty()) s += '+';
    s += c;
  }
  return s.empty() ? "auto" : s;
}

}  // namespace

Result<std::unique_ptr<LogPipeline>> LogPipeline::open(LogPipelineOptions options, ingest::MessageQueue& queue,
                                                       LogHook* hook, const telemetry::Logger& log) {
  std::unique_ptr<LogPipeline> p(new LogPipeline(std::move(options), queue, hook, log));
  const auto& listeners = p->opt_.receivers.listeners;
  for (const auto& l : listeners) {
    p->chains_.push_back(chain_name(l.parsers));
    if (l.protocol == ingest::ListenerProtocol::netflow) {
      p->parsers_.push_back(nullptr);
      continue;
    }
    logparse::MessageParserConfig pc;
    pc.chain = l.parsers;
    if (l.protocol == ingest::ListenerProtocol::json && (pc.chain.empty() || pc.chain == std::vector<std::string>{"auto"})) {
      pc.chain = {"json"};
    }
    pc.patterns = p->opt_.receivers.patterns;
    pc.pattern_order = p->opt_.receivers.pattern_order;
    auto parser = logparse::MessageParser::create(pc);
    if (!parser) return parser.error().context("listener " + l.name);
    p->parsers_.push_back(std::move(*parser));
  }
  logparse::NetflowOptions no;
  no.template_timeout_s = p->opt_.receivers.netflow_template_timeout_s;
  p->netflow_ = std::make_unique<logparse::NetflowDecoder>(no);
  if (p->opt_.search) {
    p->opt_.shards.writer_tag = "logs";
    p->opt_.shards.append_only = true;  // logs are never replaced: no termlists to write
    auto shards = search::SearchShardWriter::open(p->opt_.shards);
    if (!shards) return shards.error().context("log search index");
    p->shards_ = std::move(*shards);
  }
  for (const auto& l : listeners) {
    ListenerSnapshot s;
    s.name = l.name;
    s.protocol = ingest::listener_protocol_name(l.protocol);
    s.transport = ingest::listener_transport_name(l.transport);
    s.address = l.address;
    s.port = l.port;
    p->per_listener_.push_back(std::move(s));
  }
  if (p->opt_.receivers.api_ingest) {
    ListenerSnapshot s;
    s.name = "api";
    s.protocol = "api";
    s.transport = "http";
    p->per_listener_.push_back(std::move(s));
  }
  p->counters_.enabled = true;
  p->publish();
  return p;
}

LogPipeline::LogPipeline(LogPipelineOptions options, ingest::MessageQueue& queue, LogHook* hook,
                         const telemetry::Logger& log)
    : opt_(std::move(options)), queue_(queue), hook_(hook), log_(log), fields_(std::make_unique<LogFieldList>()) {}

LogPipeline::~LogPipeline() { stop(); }

void LogPipeline::start() {
  if (started_) return;
  started_ = true;
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "opensoc-logs");
    run();
  });
}

void LogPipeline::stop() {
  if (!started_) return;
  stop_.store(true, std::memory_order_relaxed);
  submit_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  started_ = false;
}

bool LogPipeline::submit(std::vector<LogEvent>& events, std::uint32_t timeout_ms) {
  std::unique_lock lock(submit_mu_);
  const std::size_t limit = std::max<std::size_t>(queue_.capacity(), events.size());
  if (!submit_cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                           [&] { return submitted_.size() + events.size() <= limit || stop_.load(); })) {
    return false;
  }
  if (stop_.load()) return false;
  for (auto& e : events) submitted_.push_back(std::move(e));
  events.clear();
  return true;
}

void LogPipeline::run() {
  while (true) {
    const bool stopping = stop_.load(std::memory_order_relaxed);
    batch_.clear();
    // While stopping, take what is left without waiting.
    queue_.pop(batch_, opt_.batch, stopping ? 0 : 100);
    {
      std::lock_guard lock(submit_mu_);
      api_batch_.swap(submitted_);
    }
    submit_cv_.notify_all();
    if (!batch_.empty() || !api_batch_.empty()) {
      if (hook_ != nullptr) hook_->on_batch();
      for (auto& m : batch_) process(m);
      for (auto& ev : api_batch_) {
        ++counters_.received;
        if (!per_listener_.empty() && opt_.receivers.api_ingest) {
          ListenerSnapshot& ls = per_listener_.back();
          ++ls.messages;
          ++(ev.parsed ? ls.parsed : ls.failed);
        }
        finish_event(ev);
      }
      api_batch_.clear();
    }
    const bool drained = batch_.empty() && api_batch_.empty();
    after_batch(wall_clock_ns(), stopping && drained);
    if (stopping && drained) break;
  }
}

void LogPipeline::process(ingest::ReceivedMessage& msg) {
  ++counters_.received;
  const auto& listeners = opt_.receivers.listeners;
  if (msg.listener >= listeners.size()) return;  // the API posts through submit()
  const ingest::ListenerConfig& l = listeners[msg.listener];
  ListenerSnapshot& ls = per_listener_[msg.listener];
  if (l.protocol == ingest::ListenerProtocol::netflow) {
    flows_.clear();
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(msg.bytes.data());
    const auto refused = [](const logparse::NetflowStats& s) {
      return s.malformed + s.unsupported_version + s.missing_template;
    };
    const std::uint64_t refused_before = refused(netflow_->stats());
    const std::size_t n = netflow_->decode(std::span<const std::uint8_t>(bytes, msg.bytes.size()), msg.sender,
                                           msg.sender_port, msg.received, flows_);
    ls.records += n;
    // A datagram of templates only (IPFIX exporters send them on their own)
    // is understood even though it holds no flow: failed means the decoder
    // refused something in it.
    if (n == 0 && refused(netflow_->stats()) != refused_before) {
      ++ls.failed;
    } else {
      ++ls.parsed;
    }
    for (LogEvent& ev : flows_) {
      ev.received = msg.received;
      ev.listener = l.name;
      ev.transport = ingest::listener_transport_name(l.transport);
      ev.sender = msg.sender;
      ev.sender_port = msg.sender_port;
      ev.parsed = true;
      ++counters_.flows;
      finish_event(ev);
    }
    return;
  }
  LogEvent ev;
  ev.received = msg.received;
  ev.listener = l.name;
  ev.transport = ingest::listener_transport_name(l.transport);
  ev.sender = msg.sender;
  ev.sender_port = msg.sender_port;
  parsers_[msg.listener]->parse(msg.bytes, ev);
  if (msg.truncated) ev.add("tags", "_truncated");
  if (ev.parsed) {
    ++ls.parsed;
  } else {
    ++ls.failed;
    auto& pc = per_parser_[chains_[msg.listener]];
    if (pc.name.empty()) pc.name = chains_[msg.listener];
    ++pc.failed;
  }
  finish_event(ev);
}

void LogPipeline::finish_event(LogEvent& ev) {
  ev.id = next_id_++;
  ++counters_.events;
  // A batch of NetFlow datagrams is tens of thousands of records: publish
  // within it too, so /api/v1/stats does not stand still for seconds.
  if ((counters_.events & 4095) == 0) publish();
  if (ev.parsed) {
    ++counters_.parsed;
    if (ev.dataset != "netflow") {
      auto& pc = per_parser_[ev.parser];
      if (pc.name.empty()) pc.name = ev.parser;
      ++pc.parsed;
    }
  } else {
    ++counters_.raw;
  }
  // A time far from when it arrived (a sender's clock in 1970, a forged
  // future) would open a shard of its own: the receive time is used and the
  // message's own time kept beside it.
  if (ev.timestamp != 0 && (ev.timestamp < ev.received - 30 * kDayNs || ev.timestamp > ev.received + kDayNs)) {
    ev.add("labels.original_timestamp", std::to_string(ev.timestamp), LogValueType::time);
    ev.add("tags", "_timestamp_out_of_range");
    ev.timestamp = 0;
  }
  if (hook_ != nullptr) hook_->on_log(ev);
  if (!shards_) return;
  fields_->build(ev);
  json_.clear();
  append_log_event_json(json_, ev, *fields_);
  search::SearchDocument doc = log_document(ev, *fields_, json_);
  try {
    Xapian::Document xd;
    search::fill_document(doc, xd);
    if (auto r = shards_->add(doc.ts, {}, std::move(xd)); !r) {
      ++counters_.index_errors;
      if (r.error().message != counters_.last_error) log_.error("log search: {}", r.error().message);
      counters_.last_error = r.error().message;
    } else {
      ++counters_.indexed;
    }
  } catch (const Xapian::Error& e) {
    ++counters_.index_errors;
    log_.error("log search: {}", e.get_description());
  } catch (const std::exception& e) {
    ++counters_.index_errors;
    log_.error("log search: {}", e.what());
  }
}

void LogPipeline::after_batch(TimestampNs wall_now, bool force_commit) {
  if (wall_now - last_expire_ >= kExpireEvery) {
    last_expire_ = wall_now;
    netflow_->expire(wall_now);
  }
  if (shards_) {
    if (force_commit || shards_->commit_due(wall_now)) {
      if (auto r = shards_->commit(); !r) {
        ++counters_.index_errors;
        log_.error("log search commit: {}", r.error().message);
      } else {
        ++counters_.commits;
      }
    }
    const TimestampNs keep = static_cast<TimestampNs>(opt_.receivers.retention_days) * kDayNs;
    if (keep > 0 && wall_now - last_retention_ >= kRetentionEvery) {
      last_retention_ = wall_now;
      if (auto r = shards_->drop_before(wall_now - keep); !r) {
        ++counters_.index_errors;
        log_.error("log retention: {}", r.error().message);
      }
    }
  }
  publish();
}

void LogPipeline::publish() {
  TelemetrySnapshot s = counters_;
  s.listeners = per_listener_;
  s.parsers.clear();
  for (const auto& [name, c] : per_parser_) s.parsers.push_back(c);
  s.queue_size = queue_.size();
  s.queue_capacity = queue_.capacity();
  s.queue_high_water = queue_.high_water();
  const auto& nf = netflow_->stats();
  s.netflow_packets = nf.packets;
  s.netflow_templates = nf.templates;
  s.netflow_templates_active = nf.templates_active;
  s.netflow_missing_template = nf.missing_template;
  s.netflow_malformed = nf.malformed;
  s.netflow_sequence_gaps = nf.sequence_gaps;
  s.netflow_unsupported_version = nf.unsupported_version;
  s.netflow_templates_refused = nf.templates_refused;
  std::lock_guard lock(snap_mu_);
  snap_ = std::move(s);
}

TelemetrySnapshot LogPipeline::snapshot() const {
  std::lock_guard lock(snap_mu_);
  return snap_;
}

}  // namespace opensoc::logs
