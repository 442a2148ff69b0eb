#include "detect/detection_stage.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "alert/alert_document.hpp"
#include "alert/alert_json.hpp"
#include "alert/triage_score.hpp"
#include "detect/log_protocol_event.hpp"
#include "session/ecs_json.hpp"
#include "flow/community_id.hpp"
#include "opensoc/core/json_writer.hpp"

namespace opensoc::detect {
namespace {

namespace fs = std::filesystem;

// Fixed id of the intel "rule" (the detectors use 9000001..9000007).
constexpr std::uint32_t kIntelSignatureId = 9000100;
constexpr std::size_t kMaxRuleErrorsKept = 1000;
constexpr TimestampNs kRetentionEvery = 60 * kNsPerSecond;
constexpr const char* kApiIntelFile = "intel/api-indicators.json";
constexpr std::size_t kMaxOpenSessionAlerts = 65536;

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

RuleVariables variables_for(const DetectionConfig& c) {
  RuleVariables v = RuleVariables::defaults();
  if (!c.internal_networks.empty() && c.rule_vars.find("HOME_NET") == c.rule_vars.end()) {
    std::string home = "[";
    for (std::size_t i = 0; i < c.internal_networks.size(); ++i) {
      if (i != 0) home += ",";
      home += c.internal_networks[i];
    }
    v.addresses["HOME_NET"] = home + "]";
  }
  for (const auto& [name, value] : c.rule_vars) {
    const bool port = name.size() >= 6 && name.compare(name.size() - 6, 6, "_PORTS") == 0;
    (port ? v.ports : v.addresses)[name] = value;
  }
  return v;
}

AlertEvidence evidence_of(std::uint64_t session_id, const std::string& community_id, const Endpoints& ep,
                          TimestampNs start, TimestampNs ts, AppProtocol app) {
  AlertEvidence e;
  e.session_id = session_id;
  e.community_id = community_id;
  e.endpoints = ep;
  e.first_ts = start;
  e.last_ts = ts;
  if (app != AppProtocol::unknown && app != AppProtocol::failed) e.app_protocol = std::string(app_protocol_name(app));
  return e;
}

DetectionHit signature_hit(const Rule& r, TimestampNs ts, const IpAddress& src, const IpAddress& dst,
                           std::uint16_t sport, std::uint16_t dport, std::uint8_t proto, std::uint16_t vlan) {
  DetectionHit h;
  h.kind = DetectionKind::signature;
  h.rule_id = "sid:" + std::to_string(r.sid);
  h.signature_id = r.sid;
  h.rev = r.rev;
  h.signature = r.msg;
  h.category = r.classtype;
  h.severity = std::clamp<std::uint8_t>(r.priority, 1, 4);
  h.confidence = 80;
  h.ts = ts;
  h.endpoints.src_ip = src;
  h.endpoints.dst_ip = dst;
  h.endpoints.src_port = sport;
  h.endpoints.dst_port = dport;
  h.endpoints.ip_proto = proto;
  h.endpoints.vlan = vlan;
  return h;
}

// One intel hit for the indicator `m` matched on a session's `ep`. With
// `name_field` the title also says where it matched (" in url.domain
// evil.example"): an event can match in several fields, a packet only in
// its own addresses.
DetectionHit intel_hit(ThreatMatch m, bool name_field, TimestampNs ts, const Endpoints& ep, AlertEvidence evidence) {
  DetectionHit h;
  h.kind = DetectionKind::intel;
  h.rule_id = "intel";
  h.signature_id = kIntelSignatureId;
  h.rev = 1;
  h.signature = "Threat intel match: " + std::string(indicator_type_name(m.indicator.type)) + " " + m.indicator.value +
                (name_field ? " in " + m.field + " " + m.matched_value : "") +
                (m.indicator.source.empty() ? "" : " (" + m.indicator.source + ")");
  h.category = "threat-intel";
  h.severity = m.indicator.severity;
  h.confidence = m.indicator.confidence;
  h.ts = ts;
  h.endpoints = ep;
  h.evidence.push_back(std::move(evidence));
  h.dedup_key = "intel|" + m.indicator.value + "|" + ep.src_ip.to_string() + "|" + ep.dst_ip.to_string();
  h.threats.push_back(std::move(m));
  return h;
}

// The scratch for `rules`, made anew when the tables were swapped since the
// last match (a scratch fits only the engine that made it).
RuleScratch& scratch_for(const RuleEngine& rules, std::unique_ptr<RuleScratch>& scratch, const RuleEngine*& owner) {
  if (owner != &rules) {
    scratch = rules.make_scratch();
    owner = &rules;
  }
  return *scratch;
}

std::string strip_colons(std::string_view hex) {
  std::string out;
  out.reserve(hex.size());
  for (const char c : hex) {
    if (c != ':') out.push_back(c);
  }
  return out;
}

void write_intel_reports(JsonWriter& w, const std::vector<intel::IntelLoadReport>& reports) {
  w.key("sources").begin_array();
  for (const auto& r : reports) {
    w.begin_object().field("source", r.source).field("loaded", static_cast<std::uint64_t>(r.loaded));
    w.field("rejected", static_cast<std::uint64_t>(r.rejected)).field("expired", static_cast<std::uint64_t>(r.expired));
    w.key("errors").begin_array();
    for (const auto& e : r.errors) w.value(e);
    w.end_array().end_object();
  }
  w.end_array();
}

void write_rule_errors(JsonWriter& w, const std::vector<RuleError>& errors) {
  w.key("rule_errors").begin_array();
  for (const auto& e : errors) {
    w.begin_object().field("file", e.file).field("line", e.line).field("sid", e.sid);
    w.field("keyword", e.keyword).field("message", e.message).field("rule", e.text).end_object();
  }
  w.end_array();
}

}  // namespace

std::string LoadReport::to_json() const {
  std::string out;
  JsonWriter w(out);
  w.begin_object().field("ok", ok);
  w.key("errors").begin_array();
  for (const auto& e : errors) w.value(e);
  w.end_array();
  w.key("warnings").begin_array();
  for (std::size_t i = 0; i < warnings.size() && i < 100; ++i) w.value(warnings[i]);
  w.end_array();
  w.key("enrichment").begin_object();
  w.key("geoip").begin_array();
  for (const auto& g : enrichment.geoip) w.value(g);
  w.end_array();
  w.field("assets", static_cast<std::uint64_t>(enrichment.assets));
  w.field("internal_networks", static_cast<std::uint64_t>(enrichment.internal_networks));
  w.end_object();
  w.key("intel").begin_object().field("indicators", static_cast<std::uint64_t>(indicators));
  write_intel_reports(w, intel);
  w.end_object();
  w.key("rules").begin_object().field("loaded", static_cast<std::uint64_t>(rules_loaded));
  w.field("rejected", static_cast<std::uint64_t>(rule_errors.size())).field("compile_ms", rules_compile_ms);
  write_rule_errors(w, rule_errors);
  w.end_object();
  w.field("took_ms", took_ms);
  w.end_object();
  return out;
}

DetectionStage::DetectionStage(DetectionStageOptions options, const telemetry::Logger& log)
    : opt_(std::move(options)),
      log_(log),
      behaviour_(opt_.config.behaviour),
      dedup_(static_cast<TimestampNs>(opt_.config.dedup_window_s) * kNsPerSecond),
      retention_ns_(static_cast<TimestampNs>(opt_.config.alert_retention_days) * 86400 * kNsPerSecond) {}

DetectionStage::~DetectionStage() = default;

std::string DetectionStage::resolve(const std::string& path) const {
  if (path.empty() || path.front() == '/' || opt_.data_dir.empty()) return path;
  return (fs::path(opt_.data_dir) / path).string();
}

Result<std::unique_ptr<DetectionStage>> DetectionStage::open(DetectionStageOptions options,
                                                             const telemetry::Logger& log, LoadReport* report) {
  std::unique_ptr<DetectionStage> s(new DetectionStage(std::move(options), log));
  const DetectionConfig& c = s->opt_.config;
  for (const auto& f : c.rule_files) s->rule_files_.push_back(s->resolve(f));
  for (const auto& f : s->opt_.extra_rule_files) s->rule_files_.push_back(f);
  for (const auto& f : c.intel_files) s->intel_files_.push_back(s->resolve(f));
  for (const auto& f : s->opt_.extra_intel_files) s->intel_files_.push_back(f);

  auto store = alert::AlertStore::open(s->resolve(c.alerts_subdir), c.alerts_map_bytes);
  if (!store) return store.error().context("alert store");
  s->store_ = std::move(*store);
  {
    // Deduplication survives a restart: the newest open alerts take their
    // keys back, so the same hits fold in instead of opening duplicates.
    alert::AlertQuery q;
    q.statuses = {AlertStatus::new_, AlertStatus::acknowledged, AlertStatus::escalated};
    q.limit = alert::AlertQuery::kMaxLimit;
    const alert::AlertPage page = s->store_->query(q);
    for (auto it = page.alerts.rbegin(); it != page.alerts.rend(); ++it) {
      s->dedup_.remember(alert::alert_dedup_key(it->hit), it->id, it->last_seen);
    }
  }

  // Indicators added through the API survive restarts.
  const std::string api_file = s->resolve(kApiIntelFile);
  if (fs::exists(api_file)) {
    intel::IntelLoadReport r;
    auto loaded = intel::load_intel_file(api_file, r);
    if (!loaded) return loaded.error().context("intel added through the API");
    s->api_indicators_ = std::move(*loaded);
  }

  DetectionTables tables;
  LoadReport rep = s->load_all(tables, DetectionTables{}, true);
  if (!rep.ok) {
    std::string all;
    for (const auto& e : rep.errors) all += (all.empty() ? "" : "; ") + e;
    return Error{all};
  }
  if (!c.syslog.host.empty()) {
    auto sender = alert::SyslogSender::open(c.syslog.host, c.syslog.port, c.syslog.transport, c.syslog.format);
    if (!sender) return sender.error().context("alerts.syslog");
    s->syslog_ = std::move(*sender);
  }
  s->tables_ = tables;
  s->current_ = tables;
  s->last_report_ = rep;
  s->counters_.enabled = true;
  s->rules_rejected_ = rep.rule_errors.size();
  s->publish_snapshot();
  if (report != nullptr) *report = std::move(rep);
  return s;
}

LoadReport DetectionStage::load_all(DetectionTables& into, const DetectionTables& previous, bool first) {
  const auto t0 = std::chrono::steady_clock::now();
  LoadReport rep;
  const DetectionConfig& c = opt_.config;
  into = previous;

  enrich::EnrichmentConfig ec;
  // GeoIP is context, not detection: a database that is not there (the demo
  // without network access at set-up) is reported and skipped.
  std::vector<std::string> missing_geoip;
  for (const auto& g : c.geoip) {
    const std::string path = resolve(g);
    std::error_code exists_ec;
    if (fs::exists(path, exists_ec)) {
      ec.geoip_databases.push_back(path);
    } else {
      missing_geoip.push_back("GeoIP database " + path + " not found: skipped");
    }
  }
  ec.assets = resolve(c.assets);
  ec.internal_networks = c.internal_networks;
  if (auto e = enrich::EnrichmentTables::load(ec)) {
    into.enrichment = std::move(*e);
    rep.enrichment = into.enrichment->summary();
    for (const auto& w : rep.enrichment.warnings) rep.warnings.push_back(w);
    for (const auto& w : missing_geoip) rep.warnings.push_back(w);
  } else {
    rep.ok = false;
    rep.errors.push_back("enrichment: " + e.error().message);
    if (into.enrichment) rep.enrichment = into.enrichment->summary();
  }

  {
    std::vector<Indicator> loaded;
    bool intel_ok = true;
    for (const auto& path : intel_files_) {
      intel::IntelLoadReport r;
      auto got = intel::load_intel_file(path, r);
      if (!got) {
        intel_ok = false;
        rep.ok = false;
        rep.errors.push_back("intel: " + got.error().message);
        continue;
      }
      for (const auto& e : r.errors) rep.warnings.push_back(e);
      rep.intel.push_back(std::move(r));
      loaded.insert(loaded.end(), std::make_move_iterator(got->begin()), std::make_move_iterator(got->end()));
    }
    std::lock_guard lock(load_mu_);
    if (intel_ok || first) file_indicators_ = std::move(loaded);
    if (intel_ok || !into.intel) into.intel = rebuild_intel(rep);
    rep.indicators = into.intel ? into.intel->size() : 0;
  }

  {
    const RuleVariables vars = variables_for(c);
    std::vector<Rule> rules;
    bool rules_ok = true;
    for (const auto& path : rule_files_) {
      auto parsed = load_rules_file(path, vars);
      if (!parsed) {
        rules_ok = false;
        rep.ok = false;
        rep.errors.push_back("rules: " + parsed.error().message);
        continue;
      }
      for (auto& e : parsed->errors) {
        if (rep.rule_errors.size() < kMaxRuleErrorsKept) rep.rule_errors.push_back(std::move(e));
      }
      rules.insert(rules.end(), std::make_move_iterator(parsed->rules.begin()),
                   std::make_move_iterator(parsed->rules.end()));
    }
    // The same sid from two files: the later one is refused, as in one file.
    std::vector<Rule> unique;
    unique.reserve(rules.size());
    std::vector<std::uint32_t> seen;
    for (auto& r : rules) {
      if (std::find(seen.begin(), seen.end(), r.sid) != seen.end()) {
        rep.rule_errors.push_back(RuleError{r.file, r.line, r.sid, "sid", "duplicate sid " + std::to_string(r.sid), r.text});
        continue;
      }
      seen.push_back(r.sid);
      unique.push_back(std::move(r));
    }
    if (rules_ok) {
      rep.rules_loaded = unique.size();
      auto engine = RuleEngine::compile(std::move(unique));
      if (engine) {
        into.rules = std::move(*engine);
        rep.rules_compile_ms = into.rules->stats().compile_ms;
      } else {
        rep.ok = false;
        rep.errors.push_back("rules: " + engine.error().message);
        rep.rules_loaded = into.rules ? into.rules->rules().size() : 0;
      }
    } else {
      rep.rules_loaded = into.rules ? into.rules->rules().size() : 0;
    }
  }
  rep.took_ms = ms_since(t0);
  return rep;
}

std::shared_ptr<const intel::IntelSet> DetectionStage::rebuild_intel(LoadReport& report) {
  std::vector<Indicator> all = file_indicators_;
  all.insert(all.end(), api_indicators_.begin(), api_indicators_.end());
  if (!api_indicators_.empty()) {
    intel::IntelLoadReport r;
    r.source = "api";
    r.loaded = api_indicators_.size();
    report.intel.push_back(std::move(r));
  }
  return intel::IntelSet::build(std::move(all));
}

void DetectionStage::publish_tables(DetectionTables tables) {
  {
    std::lock_guard lock(load_mu_);
    current_ = tables;
  }
  std::lock_guard lock(pending_mu_);
  pending_ = std::make_unique<DetectionTables>(std::move(tables));
  has_pending_.store(true, std::memory_order_release);
}

void DetectionStage::take_pending_tables() {
  if (!has_pending_.load(std::memory_order_acquire)) return;
  std::unique_ptr<DetectionTables> next;
  {
    std::lock_guard lock(pending_mu_);
    next = std::move(pending_);
    has_pending_.store(false, std::memory_order_relaxed);
  }
  if (next) tables_ = std::move(*next);  // the old generation is freed here, off the packet path's hot loop
}

LoadReport DetectionStage::reload(const DetectionConfig* config) {
  std::lock_guard once(reload_mu_);
  if (config != nullptr) {
    opt_.config = *config;
    rule_files_.clear();
    intel_files_.clear();
    for (const auto& f : opt_.config.rule_files) rule_files_.push_back(resolve(f));
    for (const auto& f : opt_.extra_rule_files) rule_files_.push_back(f);
    for (const auto& f : opt_.config.intel_files) intel_files_.push_back(resolve(f));
    for (const auto& f : opt_.extra_intel_files) intel_files_.push_back(f);
  }
  DetectionTables next;
  LoadReport rep = load_all(next, current_, false);
  {
    std::lock_guard lock(pending_mu_);
    // Thresholds from a config whose files did not all load wait for a good reload.
    if (config != nullptr && rep.ok) pending_behaviour_ = std::make_unique<BehaviourConfig>(config->behaviour);
  }
  publish_tables(std::move(next));
  {
    std::lock_guard lock(load_mu_);
    last_report_ = rep;
  }
  {
    std::lock_guard lock(snap_mu_);
    ++reloads_;
    if (!rep.ok) ++reload_errors_;
    rules_rejected_ = rep.rule_errors.size();
    last_reload_ns_ = std::chrono::duration_cast<std::chrono::nanoseconds>(
                          std::chrono::system_clock::now().time_since_epoch()).count();
  }
  if (rep.ok) {
    log_.info("reload: {} rules ({} rejected), {} indicators, {} assets in {:.0f} ms", rep.rules_loaded,
              rep.rule_errors.size(), rep.indicators, rep.enrichment.assets, rep.took_ms);
  } else {
    for (const auto& e : rep.errors) log_.error("reload: {} (previous tables kept)", e);
  }
  return rep;
}

std::variant<std::string, std::string> DetectionStage::add_indicators(std::string_view json_body) {
  std::lock_guard once(reload_mu_);
  intel::IntelLoadReport r;
  auto parsed = intel::parse_intel_json(json_body, "api", r);
  if (!parsed) return std::variant<std::string, std::string>(std::in_place_index<1>, parsed.error().message);
  DetectionTables next = current_;
  LoadReport rep;
  std::size_t total = 0;
  {
    std::lock_guard lock(load_mu_);
    api_indicators_.insert(api_indicators_.end(), parsed->begin(), parsed->end());
    // Persist first: an indicator the API accepted must survive a restart.
    const std::string path = resolve(kApiIntelFile);
    std::error_code ec;
    fs::create_directories(fs::path(path).parent_path(), ec);
    std::string doc;
    {
      JsonWriter w(doc);
      w.begin_object().field("source", "api").key("indicators").begin_array();
      for (const auto& i : api_indicators_) {
        w.begin_object().field("type", indicator_type_name(i.type)).field("value", i.value);
        w.field("confidence", i.confidence).field("severity", i.severity);
        if (i.expires != 0) w.field("expires", format_rfc3339_ns(i.expires));
        if (!i.description.empty()) w.field("description", i.description);
        if (!i.id.empty()) w.field("id", i.id);
        if (!i.source.empty()) w.field("source", i.source);
        w.end_object();
      }
      w.end_array().end_object();
    }
    const std::string tmp = path + ".tmp";
    {
      std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
      f << doc << '\n';
      f.flush();
      if (!f) {
        api_indicators_.resize(api_indicators_.size() - parsed->size());
        return std::variant<std::string, std::string>(std::in_place_index<1>, "cannot write " + tmp);
      }
    }
    fs::rename(tmp, path, ec);
    if (ec) {
      api_indicators_.resize(api_indicators_.size() - parsed->size());
      return std::variant<std::string, std::string>(std::in_place_index<1>, "cannot write " + path + ": " + ec.message());
    }
    next.intel = rebuild_intel(rep);
    total = next.intel->size();
    // GET /api/v1/intel shows the API source at once, not after the next reload.
    auto& sources = last_report_.intel;
    sources.erase(std::remove_if(sources.begin(), sources.end(),
                                 [](const intel::IntelLoadReport& x) { return x.source == "api"; }),
                  sources.end());
    for (auto& src : rep.intel) sources.push_back(src);
    last_report_.indicators = total;
  }
  publish_tables(std::move(next));
  std::string out;
  JsonWriter w(out);
  w.begin_object().field("accepted", static_cast<std::uint64_t>(r.loaded)).field("rejected", static_cast<std::uint64_t>(r.rejected));
  w.key("errors").begin_array();
  for (const auto& e : r.errors) w.value(e);
  w.end_array();
  w.field("indicators", static_cast<std::uint64_t>(total)).end_object();
  return std::variant<std::string, std::string>(std::in_place_index<0>, std::move(out));
}

std::string DetectionStage::intel_json() const {
  LoadReport rep;
  DetectionTables cur;
  std::size_t api = 0;
  {
    std::lock_guard lock(load_mu_);
    rep = last_report_;
    cur = current_;
    api = api_indicators_.size();
  }
  std::string out;
  JsonWriter w(out);
  w.begin_object().field("indicators", static_cast<std::uint64_t>(cur.intel ? cur.intel->size() : 0));
  w.key("by_type").begin_object();
  for (const auto t : {IndicatorType::ipv4, IndicatorType::ipv6, IndicatorType::cidr, IndicatorType::domain,
                       IndicatorType::url, IndicatorType::ja3, IndicatorType::ja4, IndicatorType::cert_sha1,
                       IndicatorType::cert_sha256}) {
    w.field(indicator_type_name(t), static_cast<std::uint64_t>(cur.intel ? cur.intel->count(t) : 0));
  }
  w.end_object();
  w.key("files").begin_array();
  for (const auto& f : intel_files_) w.value(f);
  w.end_array();
  w.field("api_indicators", static_cast<std::uint64_t>(api));
  write_intel_reports(w, rep.intel);
  w.key("enrichment").begin_object();
  w.key("geoip").begin_array();
  for (const auto& g : rep.enrichment.geoip) w.value(g);
  w.end_array();
  w.field("assets", static_cast<std::uint64_t>(rep.enrichment.assets));
  w.field("internal_networks", static_cast<std::uint64_t>(rep.enrichment.internal_networks));
  w.end_object();
  w.end_object();
  return out;
}

std::string DetectionStage::rules_json() const {
  LoadReport rep;
  DetectionTables cur;
  {
    std::lock_guard lock(load_mu_);
    rep = last_report_;
    cur = current_;
  }
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.field("loaded", static_cast<std::uint64_t>(cur.rules ? cur.rules->rules().size() : 0));
  w.field("rejected", static_cast<std::uint64_t>(rep.rule_errors.size()));
  if (cur.rules) {
    const auto& st = cur.rules->stats();
    w.field("packet_rules", static_cast<std::uint64_t>(st.packet_rules));
    w.field("event_rules", static_cast<std::uint64_t>(st.event_rules));
    w.field("prefilter_patterns", static_cast<std::uint64_t>(st.prefilter_patterns));
    w.field("compile_ms", st.compile_ms);
  }
  w.key("files").begin_array();
  for (const auto& f : rule_files_) w.value(f);
  w.end_array();
  write_rule_errors(w, rep.rule_errors);
  w.end_object();
  return out;
}

// ---- indexer thread ---------------------------------------------------------

void DetectionStage::bind(session::StageOutputs& outputs) noexcept { outputs_ = &outputs; }

void DetectionStage::enrich(const Endpoints& ep, Enrichment& out) const {
  if (tables_.enrichment) tables_.enrichment->enrich(ep, out);
}

void DetectionStage::on_packet(std::uint16_t /*worker*/, const session::LastPacket& p, TimestampNs ts) noexcept {
  ++counters_.packets_inspected;
  const Endpoints& ep = *p.endpoints;
  // Address indicators alert on a session's first packet, not when it ends.
  if (p.new_session && tables_.intel) {
    threats_.clear();
    tables_.intel->match_ip(ep.src_ip, "source.ip", ts, threats_);
    tables_.intel->match_ip(ep.dst_ip, "destination.ip", ts, threats_);
    if (!threats_.empty()) {
      Enrichment e;
      enrich(ep, e);
      for (auto& m : threats_) {
        ++counters_.intel_matches;
        hits_.push_back(intel_hit(std::move(m), false, ts, ep,
                                  evidence_of(p.session_id, *p.community_id, ep, p.session_start, ts, p.app)));
      }
      raise_all(&e);
    }
  }
  const RuleEngine* rules = tables_.rules.get();
  if (rules == nullptr || rules->stats().packet_rules == 0) return;
  RuleScratch& scratch = scratch_for(*rules, scratch_, scratch_owner_);
  PacketMatchInput in;
  if (p.to_server) {
    in.src_ip = ep.src_ip;
    in.dst_ip = ep.dst_ip;
    in.src_port = ep.src_port;
    in.dst_port = ep.dst_port;
  } else {
    in.src_ip = ep.dst_ip;
    in.dst_ip = ep.src_ip;
    in.src_port = ep.dst_port;
    in.dst_port = ep.src_port;
  }
  in.ip_proto = ep.ip_proto;
  in.to_server = p.to_server;
  in.established = p.established;
  in.app = p.app;
  in.ts = ts;
  in.payload = p.payload;
  matches_.clear();
  rules->match_packet(in, scratch, matches_);
  if (matches_.empty()) return;
  for (const RuleMatch& m : matches_) {
    DetectionHit h = signature_hit(*m.rule, ts, m.src_ip, m.dst_ip, m.src_port, m.dst_port, ep.ip_proto, ep.vlan);
    h.from_packet = true;
    h.pcap_cnt = p.pcap_cnt;
    h.evidence.push_back(evidence_of(p.session_id, *p.community_id, ep, p.session_start, ts, p.app));
    // Suricata logs every matching packet; the store folds them per session.
    h.dedup_key = h.rule_id + "|" + std::to_string(p.session_id);
    ++counters_.rule_matches;
    hits_.push_back(std::move(h));
  }
  Enrichment e;
  enrich(ep, e);
  raise_all(&e);
}

void DetectionStage::match_intel_event(ProtocolEvent& ev) {
  const intel::IntelSet* set = tables_.intel.get();
  if (set == nullptr) return;
  auto& out = ev.enrichment.threats;
  const TimestampNs now = ev.ts;
  std::visit(
      [&](const auto& b) {
        using T = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<T, DnsEvent>) {
          for (const auto& q : b.queries) set->match_domain(q.name, "dns.question.name", now, out);
          for (const auto& a : b.answers) {
            if (a.type == 1 || a.type == 28) {
              if (const auto ip = IpAddress::parse(a.data)) set->match_ip(*ip, "dns.answers.data", now, out);
            } else if (a.type == 5) {
              set->match_domain(a.data, "dns.answers.data", now, out);
            }
          }
        } else if constexpr (std::is_same_v<T, HttpEvent>) {
          if (!b.host.empty()) {
            set->match_domain(b.host, "url.domain", now, out);
            std::string url = "http://" + b.host;
            if (b.host_port != 0 && b.host_port != 80) url += ":" + std::to_string(b.host_port);
            url += b.uri.empty() || b.uri.front() != '/' ? "/" + b.uri : b.uri;
            set->match_url(url, "url.full", now, out);
          }
        } else if constexpr (std::is_same_v<T, TlsEvent>) {
          if (!b.sni.empty()) set->match_domain(b.sni, "tls.client.server_name", now, out);
          if (!b.ja3.empty()) set->match_hash(IndicatorType::ja3, b.ja3, "tls.client.ja3", now, out);
          if (!b.ja4.empty()) set->match_hash(IndicatorType::ja4, b.ja4, "tls.client.ja4", now, out);
          if (!b.fingerprint_sha1.empty()) {
            set->match_hash(IndicatorType::cert_sha1, strip_colons(b.fingerprint_sha1), "tls.server.hash.sha1", now, out);
          }
        } else if constexpr (std::is_same_v<T, QuicEvent>) {
          if (!b.sni.empty()) set->match_domain(b.sni, "tls.client.server_name", now, out);
          if (!b.ja4.empty()) set->match_hash(IndicatorType::ja4, b.ja4, "tls.client.ja4", now, out);
        }
      },
      ev.body);
}

void DetectionStage::on_event(ProtocolEvent& ev) noexcept {
  ++counters_.events_inspected;
  try {
    enrich(ev.endpoints, ev.enrichment);
    const std::size_t before = ev.enrichment.threats.size();
    match_intel_event(ev);
    const auto* dns = std::get_if<DnsEvent>(&ev.body);
    for (std::size_t i = before; i < ev.enrichment.threats.size(); ++i) {
      const ThreatMatch& m = ev.enrichment.threats[i];
      ++counters_.intel_matches;
      // A response repeats its query's question: recorded on the event,
      // raised once (by the query), so a lookup counts as one hit.
      if (dns != nullptr && dns->response && m.field == "dns.question.name") continue;
      hits_.push_back(intel_hit(m, true, ev.ts, ev.endpoints,
                                evidence_of(ev.session_id, ev.community_id, ev.endpoints, ev.session_start, ev.ts,
                                            event_protocol(ev.body))));
    }
    if (const RuleEngine* rules = tables_.rules.get(); rules != nullptr && rules->stats().event_rules > 0) {
      matches_.clear();
      rules->match_event(ev, scratch_for(*rules, scratch_, scratch_owner_), matches_);
      for (const RuleMatch& m : matches_) {
        DetectionHit h = signature_hit(*m.rule, ev.ts, m.src_ip, m.dst_ip, m.src_port, m.dst_port,
                                       ev.endpoints.ip_proto, ev.endpoints.vlan);
        h.evidence.push_back(evidence_of(ev.session_id, ev.community_id, ev.endpoints, ev.session_start, ev.ts,
                                         event_protocol(ev.body)));
        h.pcap_cnt = ev.pcap_cnt;
        h.tx_id = ev.tx_id;
        h.dedup_key = h.rule_id + "|" + std::to_string(ev.session_id);
        ++counters_.rule_matches;
        hits_.push_back(std::move(h));
      }
    }
    const std::size_t before_behaviour = hits_.size();
    behaviour_.on_event(ev, hits_);
    counters_.behaviour_hits += hits_.size() - before_behaviour;
    raise_all(&ev.enrichment);
  } catch (const std::exception& e) {
    ++counters_.alert_errors;
    log_.error("detection: {}", e.what());
    hits_.clear();
  }
}

void DetectionStage::on_session(SessionRecord& s) noexcept {
  ++counters_.sessions_inspected;
  try {
    Endpoints ep;
    ep.src_ip = s.flow.src_ip;
    ep.dst_ip = s.flow.dst_ip;
    ep.src_port = s.flow.src_port;
    ep.dst_port = s.flow.dst_port;
    ep.ip_proto = s.flow.ip_proto;
    ep.vlan = s.flow.vlan;
    enrich(ep, s.enrichment);
    // The record carries every indicator its session touched; the alerts
    // were raised when each was seen (first packet, or the event).
    if (const intel::IntelSet* set = tables_.intel.get()) {
      const TimestampNs now = s.flow.last_ts;
      auto& out = s.enrichment.threats;
      set->match_ip(ep.src_ip, "source.ip", now, out);
      set->match_ip(ep.dst_ip, "destination.ip", now, out);
      for (const auto& n : s.dns_names) set->match_domain(n, "dns.question.name", now, out);
      if (!s.http_host.empty()) set->match_domain(s.http_host, "url.domain", now, out);
      if (!s.tls_sni.empty()) set->match_domain(s.tls_sni, "tls.client.server_name", now, out);
      if (!s.tls_ja3.empty()) set->match_hash(IndicatorType::ja3, s.tls_ja3, "tls.client.ja3", now, out);
      if (!s.tls_ja4.empty()) set->match_hash(IndicatorType::ja4, s.tls_ja4, "tls.client.ja4", now, out);
    }
    stretch_evidence(s);
    const std::size_t before = hits_.size();
    behaviour_.on_session(s, hits_);
    counters_.behaviour_hits += hits_.size() - before;
    raise_all(&s.enrichment);
  } catch (const std::exception& e) {
    ++counters_.alert_errors;
    log_.error("detection: {}", e.what());
    hits_.clear();
  }
}

void DetectionStage::note_open_session(std::uint64_t session_id, std::uint64_t alert_id) {
  auto [it, inserted] = open_session_alerts_.try_emplace(session_id);
  if (inserted) {
    open_session_order_.push_back(session_id);
    if (open_session_order_.size() > kMaxOpenSessionAlerts) {
      open_session_alerts_.erase(open_session_order_.front());
      open_session_order_.pop_front();
    }
  }
  auto& ids = it->second;
  if (std::find(ids.begin(), ids.end(), alert_id) == ids.end()) ids.push_back(alert_id);
}

void DetectionStage::stretch_evidence(const SessionRecord& s) {
  const auto it = open_session_alerts_.find(s.session_id);
  if (it == open_session_alerts_.end()) return;
  AlertEvidence e;
  e.session_id = s.session_id;
  e.community_id = s.community_id;
  e.endpoints.src_ip = s.flow.src_ip;
  e.endpoints.dst_ip = s.flow.dst_ip;
  e.endpoints.src_port = s.flow.src_port;
  e.endpoints.dst_port = s.flow.dst_port;
  e.endpoints.ip_proto = s.flow.ip_proto;
  e.endpoints.vlan = s.flow.vlan;
  e.first_ts = s.flow.first_ts;
  e.last_ts = s.flow.last_ts;
  e.bytes_out = s.flow.src_bytes;
  e.bytes_in = s.flow.dst_bytes;
  for (const std::uint64_t id : it->second) {
    auto updated = store_->update_evidence(id, e);
    if (!updated) continue;  // retention removed it meanwhile
    if (outputs_ != nullptr) outputs_->index_document(alert::alert_document(*updated));
  }
  // The final record: the session is over, nothing more to stretch. (The
  // order deque keeps the id until it ages out; erase() of a gone key is a no-op.)
  if (!s.provisional && s.flow.end_reason != FlowEndReason::active) open_session_alerts_.erase(it);
}

void DetectionStage::raise_all(const Enrichment* enrichment) {
  for (DetectionHit& h : hits_) raise(h, enrichment);
  hits_.clear();
}

void DetectionStage::raise(DetectionHit& hit, const Enrichment* enrichment) {
  if (enrichment != nullptr) {
    hit.asset_criticality = std::max(enrichment->source.asset.criticality, enrichment->destination.asset.criticality);
  }
  if (hit.dedup_key.empty()) hit.dedup_key = alert::alert_dedup_key(hit);
  std::optional<Alert> stored;
  bool created = false;
  if (const auto id = dedup_.find(hit.dedup_key, hit.ts)) {
    // Nullopt when an analyst closed it: what happens now is a new alert.
    auto folded = store_->fold_if_open(*id, hit);
    if (!folded) {
      ++counters_.alert_errors;
      log_.error("alerts: {}", folded.error().message);
      return;
    }
    stored = std::move(*folded);
  }
  if (!stored) {
    auto inserted = store_->insert(hit, alert::triage_score(hit), wall_clock_ns());
    if (!inserted) {
      ++counters_.alert_errors;
      log_.error("alerts: {}", inserted.error().message);
      return;
    }
    stored = std::move(*inserted);
    created = true;
  }
  ++(created ? counters_.alerts_created : counters_.alerts_folded);
  dedup_.remember(hit.dedup_key, stored->id, hit.ts);
  for (const auto& e : hit.evidence) {
    if (e.session_id != 0) note_open_session(e.session_id, stored->id);
  }
  if (outputs_ != nullptr) outputs_->index_document(alert::alert_document(*stored));
  if (created && syslog_) {
    if (auto r = syslog_->send(*stored); r) {
      ++counters_.syslog_sent;
    } else {
      ++counters_.syslog_errors;
    }
  }
  // What the EVE line shows: this hit, under the alert's id.
  Alert& shown = *stored;
  if (outputs_ != nullptr) {
    shown.hit = hit;
    shown.first_seen = hit.ts;
    shown.last_seen = hit.ts;
    line_.clear();
    alert::append_eve_alert(line_, shown);
    outputs_->write_eve_line(line_);
  }
}

DetectionTables DetectionStage::log_tables() const {
  std::lock_guard lock(load_mu_);
  return current_;
}

namespace {

bool is_domain_field(std::string_view n) {
  return n == "url.domain" || n == "dns.question.name" || n == "destination.domain" || n == "source.domain" ||
         n == "tls.client.server_name" || n == "server.domain" || n == "client.domain";
}

// Address fields that name the reporter, not a party to the traffic.
bool is_reporter_field(std::string_view n) {
  return n == "observer.ip" || n == "netflow.exporter.address" || n == "host.ip";
}

}  // namespace

void DetectionStage::inspect_log(LogEvent& ev, const DetectionTables& tables, LogInspectionState* state) {
  logs_inspected_.fetch_add(1, std::memory_order_relaxed);
  Endpoints ep;
  ep.src_ip = ev.endpoints.source_ip;
  ep.dst_ip = ev.endpoints.destination_ip;
  ep.src_port = ev.endpoints.source_port;
  ep.dst_port = ev.endpoints.destination_port;
  ep.ip_proto = ev.endpoints.ip_proto;
  if (tables.enrichment) tables.enrichment->enrich(ep, ev.enrichment);
  const TimestampNs now = ev.event_time();
  auto& out = ev.enrichment.threats;
  if (const intel::IntelSet* set = tables.intel.get(); set != nullptr && set->size() != 0) {
    if (ep.src_ip.version != 0) set->match_ip(ep.src_ip, "source.ip", now, out);
    if (ep.dst_ip.version != 0) set->match_ip(ep.dst_ip, "destination.ip", now, out);
    for (const LogField& f : ev.fields) {
      if (f.type == LogValueType::ip) {
        if (f.name == "source.ip" || f.name == "destination.ip" || is_reporter_field(f.name)) continue;
        if (const auto ip = IpAddress::parse(f.value)) set->match_ip(*ip, f.name, now, out);
      } else if (is_domain_field(f.name)) {
        set->match_domain(f.value, f.name, now, out);
      } else if (f.name == "url.full" || (f.name == "url.original" && f.value.find("://") != std::string::npos)) {
        set->match_url(f.value, f.name, now, out);
      } else if (f.name == "tls.client.ja3") {
        set->match_hash(IndicatorType::ja3, f.value, f.name, now, out);
      } else if (f.name == "tls.client.ja4") {
        set->match_hash(IndicatorType::ja4, f.value, f.name, now, out);
      } else if (f.name == "tls.server.hash.sha1") {
        set->match_hash(IndicatorType::cert_sha1, strip_colons(f.value), f.name, now, out);
      }
    }
    log_intel_matches_.fetch_add(out.size(), std::memory_order_relaxed);
  }
  const bool external_alert = ev.dataset == "suricata.alert" && ev.find("rule.id") != nullptr;
  const RuleEngine* rules = tables.rules.get();
  const bool run_rules = state != nullptr && rules != nullptr && rules->stats().event_rules > 0;
  if (out.empty() && !external_alert && !run_rules) return;

  std::string community;
  if (ep.ip_proto != 0 && ep.src_ip.version != 0) {
    community = flow::community_id_v1(ep.src_ip, ep.dst_ip, ep.src_port, ep.dst_port, ep.ip_proto);
  }
  // A log's clock and the sensor's rarely agree to the packet: the
  // evidence spans a minute either side, like the log record's pcap link.
  const AlertEvidence evidence =
      evidence_of(0, community, ep, now - 60 * kNsPerSecond, now + 60 * kNsPerSecond, AppProtocol::unknown);
  const Criticality criticality =
      std::max(ev.enrichment.source.asset.criticality, ev.enrichment.destination.asset.criticality);
  // What the log was and where the analyst goes next: that address's
  // sessions, logs and packets.
  auto details = [&](const IpAddress& about) {
    std::string d;
    JsonWriter w(d);
    w.begin_object();
    w.key("log").begin_object();
    w.field("id", ev.id);
    w.field("dataset", ev.dataset);
    w.field("listener", ev.listener);
    w.field("message", ev.message.size() > 512 ? ev.message.substr(0, 512) : ev.message);
    w.end_object();
    if (about.version != 0) {
      const std::string ip = about.to_string();
      w.field("sessions", "/api/v1/sessions?q=ip:" + ip);
      w.field("logs", "/api/v1/logs?q=ip:" + ip);
      w.field("pcap", session::pcap_host_slice_url(about, now - 3600 * kNsPerSecond, now + 3600 * kNsPerSecond));
    }
    w.end_object();
    return d;
  };
  const IpAddress first_party = ep.src_ip.version != 0 ? ep.src_ip : ep.dst_ip;

  std::vector<DetectionHit> hits;
  for (const ThreatMatch& m : out) {
    // The address the log is about: the matched one when it is an address.
    const auto matched_ip = IpAddress::parse(m.matched_value);
    DetectionHit h = intel_hit(m, true, now, ep, evidence);
    h.asset_criticality = criticality;
    h.signature = "Threat intel match (" + ev.dataset + "): " + std::string(indicator_type_name(m.indicator.type)) +
                  " " + m.indicator.value + " in " + m.field +
                  (m.indicator.source.empty() ? "" : " (" + m.indicator.source + ")");
    h.details_json = details(matched_ip ? *matched_ip : first_party);
    hits.push_back(std::move(h));
  }
  // An alert another sensor raised (Suricata EVE): one of ours, kept
  // apart from our own rules' alerts by its rule id.
  if (external_alert) {
    DetectionHit h;
    h.kind = DetectionKind::signature;
    const std::string sid(ev.find("rule.id")->value);
    h.rule_id = "sensor:sid:" + sid;
    std::uint32_t sid_n = 0;
    std::from_chars(sid.data(), sid.data() + sid.size(), sid_n);
    h.signature_id = sid_n;
    const LogField* name = ev.find("rule.name");
    h.signature = name != nullptr ? name->value : ev.message;
    if (const LogField* c = ev.find("rule.category")) h.category = c->value;
    unsigned sev = 2;
    if (const LogField* s = ev.find("event.severity")) std::from_chars(s->value.data(), s->value.data() + s->value.size(), sev);
    h.severity = static_cast<std::uint8_t>(std::clamp(sev, 1u, 4u));
    h.confidence = 80;
    h.ts = now;
    h.endpoints = ep;
    h.evidence.push_back(evidence);
    h.asset_criticality = criticality;
    h.dedup_key = h.rule_id + "|" + ep.src_ip.to_string() + "|" + ep.dst_ip.to_string();
    h.details_json = details(first_party);
    hits.push_back(std::move(h));
  }
  // Our signature rules on the transaction the log describes.
  ProtocolEvent pe;
  if (run_rules && log_protocol_event(ev, pe)) {
    pe.ts = now;
    pe.session_start = now;
    pe.endpoints = ep;
    pe.community_id = community;
    state->matches.clear();
    rules->match_event(pe, scratch_for(*rules, state->scratch, state->scratch_owner), state->matches);
    for (const RuleMatch& m : state->matches) {
      DetectionHit h = signature_hit(*m.rule, now, m.src_ip, m.dst_ip, m.src_port, m.dst_port, ep.ip_proto, 0);
      h.evidence.push_back(evidence);
      h.asset_criticality = criticality;
      h.dedup_key = h.rule_id + "|log|" + (community.empty() ? ep.src_ip.to_string() + "|" + ep.dst_ip.to_string() : community);
      h.details_json = details(first_party);
      log_rule_matches_.fetch_add(1, std::memory_order_relaxed);
      hits.push_back(std::move(h));
    }
  }
  if (hits.empty()) return;
  std::lock_guard lock(log_hits_mu_);
  // Bounded: a flood of matching logs folds into few alerts anyway.
  for (auto& h : hits) {
    if (log_hits_.size() < 100000) log_hits_.push_back(std::move(h));
  }
}

void DetectionStage::on_pass_end(TimestampNs wall_now, TimestampNs packet_now) noexcept {
  take_pending_tables();
  {
    std::vector<DetectionHit> from_logs;
    {
      std::lock_guard lock(log_hits_mu_);
      from_logs.swap(log_hits_);
    }
    try {
      for (DetectionHit& h : from_logs) raise(h, nullptr);
    } catch (const std::exception& e) {
      ++counters_.alert_errors;
      log_.error("detection (logs): {}", e.what());
    }
  }
  {
    std::unique_ptr<BehaviourConfig> next;
    {
      std::lock_guard lock(pending_mu_);
      next = std::move(pending_behaviour_);
    }
    if (next) behaviour_.reconfigure(*next);
  }
  try {
    if (packet_now > 0) {
      const std::size_t before = hits_.size();
      behaviour_.advance(packet_now, hits_);
      counters_.behaviour_hits += hits_.size() - before;
      raise_all(nullptr);
    }
    if (retention_ns_ > 0 && wall_now > retention_ns_ && wall_now - last_retention_ >= kRetentionEvery) {
      last_retention_ = wall_now;
      if (auto r = store_->drop_before(wall_now - retention_ns_); !r) {
        ++counters_.alert_errors;
        log_.error("alert retention: {}", r.error().message);
      }
    }
  } catch (const std::exception& e) {
    ++counters_.alert_errors;
    log_.error("detection: {}", e.what());
    hits_.clear();
  }
  publish_snapshot();
}

void DetectionStage::finish() noexcept {
  take_pending_tables();
  publish_snapshot();
}

void DetectionStage::publish_snapshot() {
  DetectionSnapshot s = counters_;
  s.logs_inspected = logs_inspected_.load(std::memory_order_relaxed);
  s.rule_matches += log_rule_matches_.load(std::memory_order_relaxed);
  s.intel_matches += log_intel_matches_.load(std::memory_order_relaxed);
  s.enabled = true;
  if (tables_.rules) s.rules_loaded = tables_.rules->rules().size();
  if (tables_.intel) s.indicators = tables_.intel->size();
  if (tables_.enrichment) {
    s.assets = tables_.enrichment->summary().assets;
    s.geoip_databases = tables_.enrichment->summary().geoip.size();
  }
  if (store_) {
    const auto c = store_->counts();
    s.alerts_total = c.total;
    for (int i = 0; i < 4; ++i) s.alerts_by_status[i] = c.by_status[i];
    for (int i = 0; i < 4; ++i) s.alerts_by_severity[i] = c.by_severity[i + 1];
  }
  std::lock_guard lock(snap_mu_);
  s.reloads = reloads_;
  s.reload_errors = reload_errors_;
  s.last_reload_ns = last_reload_ns_;
  s.rules_rejected = rules_rejected_;
  snap_ = s;
}

DetectionSnapshot DetectionStage::snapshot() const {
  std::lock_guard lock(snap_mu_);
  return snap_;
}

}  // namespace opensoc::detect
