#pragma once
// SearchShardWriter: the search index on disk as one Xapian (glass) database
// per span of time, so retention is "delete a directory" and a query for the
// last hour opens one or two shards. Owned and run by the indexer thread;
// stats() may be read from any thread. Readers (SearchExecutor) find shards by
// their directory names, which this file also defines.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "opensoc/core/result.hpp"
#include "opensoc/core/time.hpp"

namespace Xapian {
class Document;
class WritableDatabase;
}  // namespace Xapian

namespace opensoc::search {

struct SearchShardOptions {
  std::string dir;                  ///< <data_dir>/search; created if missing
  std::uint64_t shard_span_s = 3600;  ///< each shard holds [k*span, (k+1)*span) seconds; > 0
  std::uint32_t commit_ms = 2000;   ///< commit_due() turns true this long after the last commit
  /// fsync on commit. Off (Xapian::DB_NO_SYNC) only where the store does not
  /// sync either (store.sync_on_close false: tests, benchmarks, scratch
  /// ingests): a commit then survives a kill -9 but not a power cut.
  bool sync = true;
  /// Two writers may share `dir` (the session stage, and the log pipeline
  /// with tag "logs"): each manages only the shards carrying its own tag;
  /// readers search them all. Lower-case letters only; empty = no tag.
  std::string writer_tag;
  /// Documents are only ever added, never replaced (no unique ids): shards
  /// are created without Xapian's termlist table (DB_NO_TERMLIST), which is
  /// about half of the write cost and the largest table on disk. add() with a
  /// unique term is then an Error.
  bool append_only = false;
};

/// The time span a shard directory holds: [start, end) in ns.
struct ShardSpan {
  TimestampNs start = 0;
  TimestampNs end = 0;
};

/// "s<start_unix_s, 12 digits>-<span_s>": sorts by start time, and carries its
/// own span so shards written under an older span setting stay readable.
/// With a writer tag: "s<start>-<span>-<tag>".
std::string shard_dir_name(std::int64_t start_s, std::uint64_t span_s, std::string_view writer_tag = {});
/// The writer tag of a shard directory name ("" for none).
std::string_view shard_dir_tag(std::string_view name) noexcept;
/// The span of a shard directory name; nullopt for anything else (including
/// directories being dropped, which are renamed first).
std::optional<ShardSpan> parse_shard_dir_name(std::string_view name) noexcept;

/// A shard directory found on disk.
struct ShardDir {
  std::string name;
  std::string path;
  ShardSpan span;
};
/// The shard directories in `dir`, sorted by start time. A missing `dir` is an
/// empty list, not an error (nothing indexed yet). Any thread; does I/O.
Result<std::vector<ShardDir>> list_shard_dirs(const std::string& dir);

/// Not thread-safe except stats(): one instance, used by the indexer thread.
/// Every method catches Xapian and filesystem exceptions and returns an Error.
class SearchShardWriter {
 public:
  /// At most this many shard databases are open for writing; the least
  /// recently used is committed and closed first, so a replay over weeks of
  /// traffic does not exhaust file descriptors.
  static constexpr std::size_t kMaxOpenShards = 4;

  /// Creates `dir` if needed, removes leftovers of an interrupted drop.
  static Result<std::unique_ptr<SearchShardWriter>> open(SearchShardOptions options);
  ~SearchShardWriter();  ///< commits pending changes (errors are counted, not thrown)
  SearchShardWriter(const SearchShardWriter&) = delete;
  SearchShardWriter& operator=(const SearchShardWriter&) = delete;

  /// Adds (or, when unique_term is non-empty and already in that shard,
  /// replaces) a document in the shard of `ts` (shard = floor(ts / span));
  /// creates the shard database on first use. Visible to readers after the
  /// next commit(). `ts` before the epoch is an Error. Blocks on disk I/O
  /// when a shard is opened or an LRU shard is committed.
  Result<void> add(TimestampNs ts, const std::string& unique_term, Xapian::Document doc);
  /// Commits every shard with changes (atomic per shard: a crash leaves the
  /// previous commit). Cheap when nothing changed; otherwise fsyncs.
  Result<void> commit();
  /// True when something is pending and commit_ms passed since the last commit.
  [[nodiscard]] bool commit_due(TimestampNs wall_now) const noexcept;
  /// Retention: deletes every shard whose whole span ends at or before `ts`
  /// (closes it, renames it out of the readers' sight, removes it). Returns
  /// how many shards were dropped.
  Result<std::uint64_t> drop_before(TimestampNs ts);

  struct Stats {
    std::uint64_t documents_added = 0;  ///< add() calls that succeeded (replacements included)
    std::uint64_t commits = 0;          ///< shard commits (one per dirty shard)
    std::uint64_t shards = 0;           ///< shard directories on disk
    std::uint64_t shards_dropped = 0;
    std::uint64_t errors = 0;           ///< Errors returned by any method
    std::uint64_t bytes = 0;            ///< on-disk size of all shards as of the last commit
  };
  /// Any thread.
  [[nodiscard]] Stats stats() const noexcept;

 private:
  struct OpenShard;
  struct KnownShard {
    std::string path;
    ShardSpan span;
    std::uint64_t bytes = 0;
  };

  explicit SearchShardWriter(SearchShardOptions options);
  Result<OpenShard*> shard_for(std::int64_t start_s);
  Result<void> commit_shard(OpenShard& shard);
  Result<void> close_shard(std::size_t index);
  void refresh_bytes(KnownShard& known);
  void publish_shard_stats();
  Error count(Error e);

  SearchShardOptions options_;
  std::vector<std::unique_ptr<OpenShard>> open_;  // at most kMaxOpenShards
  std::map<std::string, KnownShard> known_;       // by directory name (sorted by start)
  std::uint64_t use_clock_ = 0;                   // LRU stamp source
  TimestampNs last_commit_ns_ = 0;
  bool pending_ = false;

  std::atomic<std::uint64_t> documents_added_{0};
  std::atomic<std::uint64_t> commits_{0};
  std::atomic<std::uint64_t> shards_{0};
  std::atomic<std::uint64_t> shards_dropped_{0};
  std::atomic<std::uint64_t> errors_{0};
  std::atomic<std::uint64_t> bytes_{0};
};

}  // namespace opensoc::search
