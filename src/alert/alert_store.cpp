// The alert store (docs/ALERTS.md, "Storage"): LMDB under <data_dir>/alerts
// holding every alert (id -> binary record, alert_record_codec.hpp) and a
// meta database (format version, next id), with an in-memory summary per
// alert that list queries filter and sort.
//
// In: new alerts and folds from the alert stage (indexer thread), triage
// changes and retention from HTTP threads / the retention pass. Out: alerts
// and pages of alerts for the API. Each change is one LMDB write transaction
// made under write_mutex_, then published to the summary under an exclusive
// lock; so the summary never shows an alert LMDB does not hold, except one
// dropped between a query's filter and its read (that page skips it).
#include "alert/alert_store.hpp"

#include <lmdb.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <vector>

#include "alert/alert_record_codec.hpp"
#include "index/lmdb_txn.hpp"

namespace opensoc::alert {
namespace {

constexpr char kAlertsDb[] = "alerts";
constexpr char kMetaDb[] = "meta";
constexpr char kFormatKey[] = "format";
constexpr char kNextIdKey[] = "next_id";

Error lmdb_error(const std::string& what, int rc) { return Error{"alert store: " + what + ": " + mdb_strerror(rc)}; }

std::array<std::uint8_t, 8> be64(std::uint64_t v) {
  std::array<std::uint8_t, 8> out{};
  for (int i = 7; i >= 0; --i) {
    out[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v);
    v >>= 8;
  }
  return out;
}

std::uint64_t load_be64(const MDB_val& v) {
  std::uint8_t b[8] = {};
  std::memcpy(b, v.mv_data, std::min<std::size_t>(v.mv_size, 8));
  std::uint64_t out = 0;
  for (const std::uint8_t x : b) out = out << 8 | x;
  return out;
}

MDB_val val(const void* p, std::size_t n) { return MDB_val{n, const_cast<void*>(p)}; }

// Aborts a transaction unless it was committed.
using Txn = index::LmdbTxn;

std::optional<Alert> read_alert(MDB_txn* txn, MDB_dbi dbi, std::uint64_t id) {
  const auto key = be64(id);
  MDB_val k = val(key.data(), key.size());
  MDB_val v{};
  if (mdb_get(txn, dbi, &k, &v) != 0) return std::nullopt;
  return decode_alert_record({static_cast<const std::uint8_t*>(v.mv_data), v.mv_size});
}

// Keeps the first entry and the latest ones: the first says how it began,
// the latest what it is doing now.
template <typename T>
void keep_first_and_latest(std::vector<T>& v, std::size_t cap) {
  if (v.size() <= cap || cap == 0) return;
  const std::size_t excess = v.size() - cap;
  v.erase(v.begin() + 1, v.begin() + 1 + static_cast<std::ptrdiff_t>(excess));
}

bool same_session(const AlertEvidence& a, const AlertEvidence& b) {
  if (a.session_id != 0 || b.session_id != 0) return a.session_id == b.session_id;
  return !a.community_id.empty() && a.community_id == b.community_id && a.first_ts == b.first_ts;
}

void merge_evidence(std::vector<AlertEvidence>& into, const std::vector<AlertEvidence>& from) {
  for (const AlertEvidence& e : from) {
    const auto it = std::find_if(into.begin(), into.end(), [&](const AlertEvidence& x) { return same_session(x, e); });
    if (it == into.end()) {
      into.push_back(e);
      continue;
    }
    // The same session seen again later: its counters only grow.
    it->last_ts = std::max(it->last_ts, e.last_ts);
    it->bytes_out = std::max(it->bytes_out, e.bytes_out);
    it->bytes_in = std::max(it->bytes_in, e.bytes_in);
    if (it->app_protocol.empty()) it->app_protocol = e.app_protocol;
  }
  keep_first_and_latest(into, AlertStore::kMaxEvidence);
}

void merge_threats(std::vector<ThreatMatch>& into, const std::vector<ThreatMatch>& from) {
  for (const ThreatMatch& t : from) {
    if (into.size() >= AlertStore::kMaxThreats) return;
    const bool known = std::any_of(into.begin(), into.end(), [&](const ThreatMatch& x) {
      return x.indicator.type == t.indicator.type && x.indicator.value == t.indicator.value && x.field == t.field;
    });
    if (!known) into.push_back(t);
  }
}

}  // namespace

Result<std::unique_ptr<AlertStore>> AlertStore::open(const std::string& dir, std::uint64_t map_bytes) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Error{"alert store: create directory " + dir + ": " + ec.message()};

  MDB_env* env = nullptr;
  int rc = mdb_env_create(&env);
  if (rc != 0) return lmdb_error(dir + ": mdb_env_create", rc);
  Txn txn;
  auto fail = [&](const std::string& what) {
    txn.abort();  // before the environment closes
    mdb_env_close(env);
    return Error{"alert store " + dir + ": " + what};
  };
  auto fail_rc = [&](const std::string& what, int code) { return fail(what + ": " + mdb_strerror(code)); };
  if ((rc = mdb_env_set_mapsize(env, map_bytes)) != 0) return fail_rc("set map size", rc);
  if ((rc = mdb_env_set_maxdbs(env, 4)) != 0) return fail_rc("set max dbs", rc);
  if ((rc = mdb_env_set_maxreaders(env, 256)) != 0) return fail_rc("set max readers", rc);
  // NOTLS: a read transaction may run on whichever HTTP thread serves it.
  if ((rc = mdb_env_open(env, dir.c_str(), MDB_NOTLS, 0640)) != 0) return fail_rc("open", rc);
  int stale = 0;
  mdb_reader_check(env, &stale);  // slots of a dead process would pin old pages

  if ((rc = txn.begin(env, 0)) != 0) return fail_rc("begin", rc);
  MDB_dbi alerts = 0;
  MDB_dbi meta = 0;
  if ((rc = mdb_dbi_open(txn.get(), kAlertsDb, MDB_CREATE, &alerts)) != 0) return fail_rc("open alerts db", rc);
  if ((rc = mdb_dbi_open(txn.get(), kMetaDb, MDB_CREATE, &meta)) != 0) return fail_rc("open meta db", rc);
  const auto version = be64(kFormatVersion);
  MDB_val k = val(kFormatKey, sizeof kFormatKey - 1);
  MDB_val v{};
  rc = mdb_get(txn.get(), meta, &k, &v);
  if (rc == MDB_NOTFOUND) {
    MDB_stat st{};
    if ((rc = mdb_stat(txn.get(), alerts, &st)) != 0) return fail_rc("stat", rc);
    if (st.ms_entries != 0) return fail("alerts without a format key: not an opensoc alert store");
    MDB_val fv = val(version.data(), version.size());
    if ((rc = mdb_put(txn.get(), meta, &k, &fv, 0)) != 0) return fail_rc("write format key", rc);
  } else if (rc != 0) {
    return fail_rc("read format key", rc);
  } else if (v.mv_size != version.size() || load_be64(v) != kFormatVersion) {
    return fail("format version " + std::to_string(load_be64(v)) + ", this build reads " +
                std::to_string(kFormatVersion));
  }
  if ((rc = txn.commit()) != 0) {
    mdb_env_close(env);
    return lmdb_error(dir + ": commit", rc);
  }
  std::unique_ptr<AlertStore> store(new AlertStore(env, alerts, meta, dir));
  if (auto loaded = store->load(); !loaded) return loaded.error();
  return store;
}

AlertStore::AlertStore(MDB_env* env, unsigned alerts_dbi, unsigned meta_dbi, std::string dir)
    : env_(env), alerts_dbi_(alerts_dbi), meta_dbi_(meta_dbi), dir_(std::move(dir)) {}

AlertStore::~AlertStore() {
  if (env_ != nullptr) mdb_env_close(env_);
}

Result<void> AlertStore::load() {
  Txn txn;
  int rc = txn.begin(env_, MDB_RDONLY);
  if (rc != 0) return lmdb_error(dir_ + ": begin read", rc);
  MDB_val k = val(kNextIdKey, sizeof kNextIdKey - 1);
  MDB_val v{};
  std::uint64_t next = 1;
  if ((rc = mdb_get(txn.get(), meta_dbi_, &k, &v)) == 0) {
    next = load_be64(v);
  } else if (rc != MDB_NOTFOUND) {
    return lmdb_error(dir_ + ": read next id", rc);
  }
  MDB_cursor* cursor = nullptr;
  if ((rc = mdb_cursor_open(txn.get(), alerts_dbi_, &cursor)) != 0) return lmdb_error(dir_ + ": cursor", rc);
  std::map<std::uint64_t, AlertSummary> summaries;
  for (rc = mdb_cursor_get(cursor, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT)) {
    auto a = decode_alert_record({static_cast<const std::uint8_t*>(v.mv_data), v.mv_size});
    if (!a || k.mv_size != 8 || load_be64(k) != a->id) {
      ++skipped_records_;
      continue;
    }
    next = std::max(next, a->id + 1);
    summaries.emplace(a->id, summarize(*a));
  }
  mdb_cursor_close(cursor);
  if (rc != MDB_NOTFOUND) return lmdb_error(dir_ + ": scan", rc);
  std::unique_lock lock(summary_mutex_);
  summaries_ = std::move(summaries);
  next_id_ = std::max<std::uint64_t>(next, 1);
  return ok();
}

Result<void> AlertStore::write(const Alert& a, std::optional<std::uint64_t> next_id) {
  std::vector<std::uint8_t> record;
  encode_alert_record(a, record);
  Txn txn;
  int rc = txn.begin(env_, 0);
  if (rc != 0) return lmdb_error("begin", rc);
  const auto key = be64(a.id);
  MDB_val k = val(key.data(), key.size());
  MDB_val v = val(record.data(), record.size());
  if ((rc = mdb_put(txn.get(), alerts_dbi_, &k, &v, 0)) != 0) return lmdb_error("put alert " + std::to_string(a.id), rc);
  if (next_id) {
    const auto next = be64(*next_id);
    MDB_val nk = val(kNextIdKey, sizeof kNextIdKey - 1);
    MDB_val nv = val(next.data(), next.size());
    if ((rc = mdb_put(txn.get(), meta_dbi_, &nk, &nv, 0)) != 0) return lmdb_error("put next id", rc);
  }
  if ((rc = txn.commit()) != 0) return lmdb_error("commit alert " + std::to_string(a.id), rc);
  return ok();
}

void AlertStore::publish(const Alert& a) {
  AlertSummary s = summarize(a);
  std::unique_lock lock(summary_mutex_);
  summaries_.insert_or_assign(a.id, std::move(s));
}

Result<Alert> AlertStore::insert(DetectionHit hit, double score, TimestampNs wall_now) {
  std::lock_guard write_lock(write_mutex_);
  Alert a;
  {
    std::shared_lock lock(summary_mutex_);
    a.id = next_id_;
  }
  keep_first_and_latest(hit.evidence, kMaxEvidence);
  if (hit.threats.size() > kMaxThreats) hit.threats.resize(kMaxThreats);
  a.first_seen = hit.ts;
  a.last_seen = hit.ts;
  a.hit = std::move(hit);
  a.score = score;
  a.created_at = wall_now;
  a.count = 1;
  a.status = AlertStatus::new_;
  if (auto w = write(a, a.id + 1); !w) return w.error().context("insert");
  {
    std::unique_lock lock(summary_mutex_);
    next_id_ = a.id + 1;
  }
  publish(a);
  return a;
}

Result<Alert> AlertStore::fold(std::uint64_t id, const DetectionHit& hit) {
  std::lock_guard write_lock(write_mutex_);
  auto stored = get(id);
  if (!stored) return Error{"no alert " + std::to_string(id)};
  if (auto r = fold_into(*stored, hit); !r) return r.error();
  return std::move(*stored);
}

Result<std::optional<Alert>> AlertStore::fold_if_open(std::uint64_t id, const DetectionHit& hit) {
  std::lock_guard write_lock(write_mutex_);
  auto stored = get(id);
  if (!stored || stored->status == AlertStatus::closed) return std::optional<Alert>();
  if (auto r = fold_into(*stored, hit); !r) return r.error();
  return stored;
}

Result<void> AlertStore::fold_into(Alert& a, const DetectionHit& hit) {
  if (a.count < UINT32_MAX) ++a.count;
  a.last_seen = std::max(a.last_seen, hit.ts);
  a.first_seen = std::min(a.first_seen, hit.ts);
  merge_evidence(a.hit.evidence, hit.evidence);
  merge_threats(a.hit.threats, hit.threats);
  if (auto w = write(a, std::nullopt); !w) return w.error().context("fold");
  publish(a);
  return ok();
}

Result<Alert> AlertStore::update_evidence(std::uint64_t id, const AlertEvidence& evidence) {
  std::lock_guard write_lock(write_mutex_);
  auto stored = get(id);
  if (!stored) return Error{"no alert " + std::to_string(id)};
  Alert& a = *stored;
  merge_evidence(a.hit.evidence, {evidence});
  if (auto w = write(a, std::nullopt); !w) return w.error().context("update evidence");
  publish(a);
  return std::move(a);
}

std::optional<Alert> AlertStore::get(std::uint64_t id) const {
  Txn txn;
  if (txn.begin(env_, MDB_RDONLY) != 0) return std::nullopt;
  return read_alert(txn.get(), alerts_dbi_, id);
}

Result<Alert> AlertStore::change_status(std::uint64_t id, std::optional<AlertStatus> to, const std::string& note,
                                        const std::string& user, TimestampNs wall_now) {
  if (!to && note.empty()) return Error{"nothing to change: give a status or a note"};
  std::lock_guard write_lock(write_mutex_);
  auto stored = get(id);
  if (!stored) return Error{"no alert " + std::to_string(id)};
  Alert& a = *stored;
  AlertChange change;
  change.at = wall_now;
  change.user = user;
  change.from = a.status;
  change.to = to.value_or(a.status);
  change.note = note;
  a.status = change.to;
  a.history.push_back(std::move(change));
  keep_first_and_latest(a.history, kMaxHistory);
  if (auto w = write(a, std::nullopt); !w) return w.error().context("change status");
  publish(a);
  return std::move(a);
}

AlertPage AlertStore::query(const AlertQuery& q) const {
  AlertPage page;
  page.offset = q.offset;
  page.limit = q.limit;
  std::vector<std::uint64_t> ids;
  {
    std::shared_lock lock(summary_mutex_);
    std::vector<const AlertSummary*> hits;
    for (const auto& [id, s] : summaries_) {
      if (matches(q, s)) hits.push_back(&s);
    }
    page.total = hits.size();
    if (q.offset >= hits.size()) return page;
    const std::size_t end = q.offset + std::min(q.limit, hits.size() - q.offset);
    const auto before = [&q](const AlertSummary* a, const AlertSummary* b) { return sorts_before(q, *a, *b); };
    std::partial_sort(hits.begin(), hits.begin() + static_cast<std::ptrdiff_t>(end), hits.end(), before);
    for (std::size_t i = q.offset; i < end; ++i) ids.push_back(hits[i]->id);
  }
  Txn txn;
  if (txn.begin(env_, MDB_RDONLY) != 0) return page;
  for (const std::uint64_t id : ids) {
    if (auto a = read_alert(txn.get(), alerts_dbi_, id)) page.alerts.push_back(std::move(*a));
  }
  return page;
}

AlertStore::Counts AlertStore::counts() const {
  Counts c;
  std::shared_lock lock(summary_mutex_);
  for (const auto& [id, s] : summaries_) {
    ++c.total;
    const auto status = static_cast<std::size_t>(s.status);
    if (status < 4) ++c.by_status[status];
    ++c.by_severity[s.severity >= 1 && s.severity <= 4 ? s.severity : 0];
  }
  return c;
}

Result<std::size_t> AlertStore::drop_before(TimestampNs ts) {
  std::lock_guard write_lock(write_mutex_);
  std::vector<std::uint64_t> ids;
  {
    std::shared_lock lock(summary_mutex_);
    for (const auto& [id, s] : summaries_) {
      if (s.created_at < ts) ids.push_back(id);
    }
  }
  if (ids.empty()) return std::size_t{0};
  Txn txn;
  int rc = txn.begin(env_, 0);
  if (rc != 0) return lmdb_error("drop: begin", rc);
  for (const std::uint64_t id : ids) {
    const auto key = be64(id);
    MDB_val k = val(key.data(), key.size());
    rc = mdb_del(txn.get(), alerts_dbi_, &k, nullptr);
    if (rc != 0 && rc != MDB_NOTFOUND) return lmdb_error("drop alert " + std::to_string(id), rc);
  }
  if ((rc = txn.commit()) != 0) return lmdb_error("drop: commit", rc);
  std::unique_lock lock(summary_mutex_);
  for (const std::uint64_t id : ids) summaries_.erase(id);
  return ids.size();
}

std::uint64_t AlertStore::next_id() const {
  std::shared_lock lock(summary_mutex_);
  return next_id_;
}

}  // namespace opensoc::alert
