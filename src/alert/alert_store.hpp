#pragma once
// AlertStore: every alert, durable, under <data_dir>/alerts (one LMDB
// environment: alerts by id, and a meta database with the format version and
// the next id), plus an in-memory summary of each alert for filtering and
// sorting. Survives restarts and kill -9 (every change is one LMDB
// transaction; the summary is rebuilt from LMDB at open).
//
// Threading: all methods are thread-safe. The alert stage (indexer thread)
// inserts and folds; HTTP threads query, get and change status. Changes are
// serialised by one mutex (alerts are rare: no per-packet work here); reads
// take a shared lock on the summary and a short LMDB read transaction, and
// never wait for the LMDB writer. Every change blocks for one LMDB commit
// (an fsync).
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>

#include "alert/alert_query.hpp"
#include "opensoc/core/alert.hpp"
#include "opensoc/core/result.hpp"
#include "opensoc/core/time.hpp"

struct MDB_env;

namespace opensoc::alert {

class AlertStore {
 public:
  /// Evidence kept per alert: the first and the latest sessions.
  static constexpr std::size_t kMaxEvidence = 64;
  /// Threat matches kept per alert.
  static constexpr std::size_t kMaxThreats = 16;
  /// Triage changes kept per alert (the oldest after the first go).
  static constexpr std::size_t kMaxHistory = 256;
  /// Version in the meta database; a store of another version is refused.
  static constexpr std::uint32_t kFormatVersion = 1;

  /// Opens (creating) the store in `dir`. One AlertStore per directory per
  /// process (LMDB's rule). Fails on an unreadable or foreign store.
  /// Records that do not decode are skipped and counted (skipped_records()).
  static Result<std::unique_ptr<AlertStore>> open(const std::string& dir, std::uint64_t map_bytes = 1ull << 30);
  ~AlertStore();
  AlertStore(const AlertStore&) = delete;
  AlertStore& operator=(const AlertStore&) = delete;

  /// Stores a new alert for `hit`: the next id, status new, count 1,
  /// first_seen = last_seen = hit.ts, created_at = wall_now. Evidence and
  /// threats beyond the caps are cut. Returns the stored alert.
  Result<Alert> insert(DetectionHit hit, double score, TimestampNs wall_now);

  /// Folds another hit into alert `id`: count + 1, last_seen = max(last_seen,
  /// hit.ts), first_seen = min(first_seen, hit.ts), its evidence merged (a
  /// session already there is updated in place; beyond kMaxEvidence the
  /// oldest after the first is dropped), new threat matches added. Severity,
  /// score and status do not change: the caller decides whether a closed
  /// alert should take hits (or start a new one). Error "no alert N" when
  /// `id` is not stored.
  Result<Alert> fold(std::uint64_t id, const DetectionHit& hit);
  /// The same, unless alert `id` is gone or an analyst closed it: then
  /// nullopt and nothing changes, and the caller opens a new alert. One read
  /// and one write under the store's write lock, so a PATCH that closes the
  /// alert cannot slip between the check and the fold.
  Result<std::optional<Alert>> fold_if_open(std::uint64_t id, const DetectionHit& hit);
  /// A session behind alert `id` went on after the hit (its record came
  /// later): its evidence entry takes the later end and byte counts, so the
  /// alert's pcap link covers the whole session. Not a new hit: count and
  /// last_seen stay. Error "no alert N".
  Result<Alert> update_evidence(std::uint64_t id, const AlertEvidence& evidence);

  /// The alert, or nullopt when there is none with that id.
  [[nodiscard]] std::optional<Alert> get(std::uint64_t id) const;

  /// Triage: sets the status (when `to` is set) and appends one history
  /// entry {wall_now, user, from, to, note}. A note alone is allowed (from ==
  /// to). Error "no alert N" for an unknown id; Error when neither a status
  /// nor a note is given.
  Result<Alert> change_status(std::uint64_t id, std::optional<AlertStatus> to, const std::string& note,
                              const std::string& user, TimestampNs wall_now);

  /// The page of alerts matching `q`, in its order. An alert dropped while
  /// the page is read is left out of it.
  [[nodiscard]] AlertPage query(const AlertQuery& q) const;

  struct Counts {
    std::uint64_t total = 0;
    std::uint64_t by_status[4] = {};    ///< indexed by AlertStatus
    std::uint64_t by_severity[5] = {};  ///< [1]..[4] by severity; [0] anything outside 1..4
  };
  [[nodiscard]] Counts counts() const;

  /// Retention: deletes every alert created (wall clock) before `ts`, in
  /// one transaction, so replaying an old capture does not purge what it
  /// raised. Returns how many went.
  Result<std::size_t> drop_before(TimestampNs ts);

  /// The id the next insert will get (ids are never reused, even after drops).
  [[nodiscard]] std::uint64_t next_id() const;
  [[nodiscard]] std::uint64_t skipped_records() const noexcept { return skipped_records_; }
  [[nodiscard]] const std::string& directory() const noexcept { return dir_; }

 private:
  AlertStore(MDB_env* env, unsigned alerts_dbi, unsigned meta_dbi, std::string dir);
  Result<void> load();
  // Writes `a` (and the next id when `next_id` is set) in one transaction.
  Result<void> write(const Alert& a, std::optional<std::uint64_t> next_id);
  void publish(const Alert& a);
  // Folds `hit` into `a` and writes it; the write lock is held by the caller.
  Result<void> fold_into(Alert& a, const DetectionHit& hit);

  MDB_env* env_;
  unsigned alerts_dbi_;
  unsigned meta_dbi_;
  std::string dir_;
  std::uint64_t skipped_records_ = 0;

  std::mutex write_mutex_;  // serialises read-modify-write changes and id allocation
  mutable std::shared_mutex summary_mutex_;
  std::map<std::uint64_t, AlertSummary> summaries_;  // guarded by summary_mutex_
  std::uint64_t next_id_ = 1;                         // guarded by summary_mutex_ (written under both)
};

}  // namespace opensoc::alert
