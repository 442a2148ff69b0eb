#pragma once
// DetectionStage: enrichment, threat intel, signature rules and the
// behavioural detectors, run on what the session stage produces, and the
// alerts they raise (scored, deduplicated, stored, indexed, exported).
//
// Tables (GeoIP, assets, indicators, compiled rules) are immutable and
// shared: a reload builds a complete new generation on the calling thread
// and hands it over; the indexer thread swaps it in at the end of its next
// pass, so packets never wait on a lock or a file.
//
// Threading: the RecordHook calls on the indexer thread; reload(),
// add_indicators(), the *_json() views and snapshot() from control or HTTP
// threads (one reload at a time); the alert store is thread-safe.
#include <atomic>
#include <cstdint>
#include <deque>
#include <unordered_map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "alert/alert_deduplicator.hpp"
#include "alert/alert_store.hpp"
#include "alert/syslog_sender.hpp"
#include "detect/behaviour_detectors.hpp"
#include "detect/detection_config.hpp"
#include "detect/rule_engine.hpp"
#include "detect/rule_parser.hpp"
#include "enrich/enrichment_tables.hpp"
#include "intel/intel_file_loader.hpp"
#include "intel/intel_json_loader.hpp"
#include "intel/intel_load_report.hpp"
#include "intel/intel_set.hpp"
#include "opensoc/core/alert.hpp"
#include "opensoc/core/log_event.hpp"
#include "opensoc/core/result.hpp"
#include "opensoc/core/stats_snapshot.hpp"
#include "session/record_hook.hpp"
#include "telemetry/logger.hpp"

namespace opensoc::detect {

struct DetectionStageOptions {
  DetectionConfig config;
  std::string data_dir;                       ///< relative paths in config are under it
  std::vector<std::string> extra_rule_files;  ///< `ingest --rules`: on top of the config's
  std::vector<std::string> extra_intel_files; ///< `ingest --intel`
};

/// One generation of the read-only tables.
struct DetectionTables {
  std::shared_ptr<const enrich::EnrichmentTables> enrichment;
  std::shared_ptr<const intel::IntelSet> intel;
  std::shared_ptr<const RuleEngine> rules;
};

/// One log thread's rule state for inspect_log: its Hyperscan scratch and
/// threshold counters (a scratch fits one engine; remade after a reload).
struct LogInspectionState {
  std::unique_ptr<RuleScratch> scratch;
  const RuleEngine* scratch_owner = nullptr;
  std::vector<RuleMatch> matches;
};

/// What a load or reload found, for logs, the API and the CLI.
struct LoadReport {
  bool ok = true;                         ///< false: some part kept its previous tables
  std::vector<std::string> errors;        ///< one per part that failed, with the reason
  std::vector<std::string> warnings;      ///< asset rows, intel rows skipped ...
  enrich::EnrichmentSummary enrichment;
  std::vector<intel::IntelLoadReport> intel;
  std::size_t indicators = 0;
  std::size_t rules_loaded = 0;
  std::vector<RuleError> rule_errors;
  double rules_compile_ms = 0;
  double took_ms = 0;
  [[nodiscard]] std::string to_json() const;
};

class DetectionStage final : public session::RecordHook {
 public:
  /// Loads every table; a file that cannot be read is an Error (a daemon
  /// must not start without the rules it was told to use); rejected rules
  /// and bad intel rows are only reported.
  static Result<std::unique_ptr<DetectionStage>> open(DetectionStageOptions options, const telemetry::Logger& log,
                                                      LoadReport* report = nullptr);
  ~DetectionStage() override;

  // RecordHook (indexer thread).
  void bind(session::StageOutputs& outputs) noexcept override;
  void on_packet(std::uint16_t worker, const session::LastPacket& p, TimestampNs ts) noexcept override;
  void on_event(ProtocolEvent& event) noexcept override;
  void on_session(SessionRecord& session) noexcept override;
  void on_pass_end(TimestampNs wall_now, TimestampNs packet_now) noexcept override;
  void finish() noexcept override;

  /// Re-reads every configured file (SIGHUP, POST /api/v1/reload); a part
  /// that fails keeps its previous generation. Thresholds of the
  /// behavioural detectors change with `config` when given.
  LoadReport reload(const DetectionConfig* config = nullptr);
  /// POST /api/v1/intel: indicators added to the "api" source, kept in
  /// <data>/intel/api-indicators.json across restarts. The answer's JSON,
  /// or an error message for a body that is not an indicator document.
  std::variant<std::string, std::string> add_indicators(std::string_view json_body);

  /// Log pipeline thread: the newest table generation (pointers copied
  /// under a lock: call once per batch, not per event).
  [[nodiscard]] DetectionTables log_tables() const;
  /// Log pipeline thread: enrichment and intel matching of one log event or
  /// flow record with `tables` (addresses, domains, URLs, JA3/JA4 in its
  /// fields); an EVE alert line from another sensor becomes an alert of
  /// ours (rule id "sensor:sid:N"); with `state`, the signature rules run on
  /// the DNS/HTTP/TLS transaction the log describes (log_protocol_event).
  /// Its hits are handed to the indexer thread, which raises them as alerts
  /// at the end of its next pass, beside the packet side's.
  void inspect_log(LogEvent& event, const DetectionTables& tables, LogInspectionState* state = nullptr);

  [[nodiscard]] std::string intel_json() const;  ///< sources, counts per type, last load report
  [[nodiscard]] std::string rules_json() const;  ///< loaded / rejected counts, errors, files
  [[nodiscard]] alert::AlertStore& alerts() noexcept { return *store_; }
  [[nodiscard]] DetectionSnapshot snapshot() const;

 private:
  DetectionStage(DetectionStageOptions options, const telemetry::Logger& log);
  LoadReport load_all(DetectionTables& into, const DetectionTables& previous, bool first);
  std::shared_ptr<const intel::IntelSet> rebuild_intel(LoadReport& report);
  void publish_tables(DetectionTables tables);
  void take_pending_tables();
  std::string resolve(const std::string& path) const;
  void enrich(const Endpoints& ep, Enrichment& out) const;
  void match_intel_event(ProtocolEvent& event);
  void raise(DetectionHit& hit, const Enrichment* enrichment);
  void raise_all(const Enrichment* enrichment);
  void publish_snapshot();
  void note_open_session(std::uint64_t session_id, std::uint64_t alert_id);
  void stretch_evidence(const SessionRecord& s);

  DetectionStageOptions opt_;
  const telemetry::Logger& log_;
  session::StageOutputs* outputs_ = nullptr;

  // Indexer-thread state.
  DetectionTables tables_;
  std::unique_ptr<RuleScratch> scratch_;
  const RuleEngine* scratch_owner_ = nullptr;
  BehaviourDetectors behaviour_;
  std::unique_ptr<alert::AlertStore> store_;
  alert::AlertDeduplicator dedup_;
  std::unique_ptr<alert::SyslogSender> syslog_;
  // Alerts raised while their session was still open (a packet, an event,
  // a first-packet intel hit): when the session's record arrives, their
  // evidence is stretched to the whole session. Bounded; the oldest go.
  std::unordered_map<std::uint64_t, std::vector<std::uint64_t>> open_session_alerts_;
  std::deque<std::uint64_t> open_session_order_;
  std::vector<DetectionHit> hits_;
  std::vector<RuleMatch> matches_;
  std::vector<ThreatMatch> threats_;
  std::string line_;
  TimestampNs last_retention_ = 0;
  TimestampNs retention_ns_ = 0;
  DetectionSnapshot counters_;

  // Handed over from reload()/add_indicators() to the indexer thread.
  mutable std::mutex pending_mu_;
  std::unique_ptr<DetectionTables> pending_;
  std::unique_ptr<BehaviourConfig> pending_behaviour_;
  std::atomic<bool> has_pending_{false};
  std::mutex reload_mu_;  // one reload or API intel change at a time

  // Control-side state: what the last load read (one reload at a time).
  mutable std::mutex load_mu_;
  std::vector<Indicator> file_indicators_;
  std::vector<Indicator> api_indicators_;
  LoadReport last_report_;
  std::vector<std::string> rule_files_;
  std::vector<std::string> intel_files_;
  DetectionTables current_;  // the newest generation handed over

  // Hits made on the log pipeline thread, raised by the indexer thread.
  std::mutex log_hits_mu_;
  std::vector<DetectionHit> log_hits_;
  std::atomic<std::uint64_t> logs_inspected_{0};
  std::atomic<std::uint64_t> log_intel_matches_{0};
  std::atomic<std::uint64_t> log_rule_matches_{0};

  mutable std::mutex snap_mu_;
  DetectionSnapshot snap_;
  std::uint64_t reloads_ = 0, reload_errors_ = 0, rules_rejected_ = 0;  // under snap_mu_
  TimestampNs last_reload_ns_ = 0;
};

}  // namespace opensoc::detect
