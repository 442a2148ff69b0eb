// Search shards by time. The indexer thread hands each ready Xapian document
// and its @timestamp to SearchShardWriter, which routes it to the glass
// database of its time span ("<dir>/s<start_s>-<span_s>"), keeps a few of
// those open for writing, commits them when asked, and deletes whole shards
// for retention. Readers in other threads or processes (SearchExecutor, the
// `opensocd search` CLI) list the same directory and open shards read-only:
// Xapian commits are atomic, so they only ever see committed revisions.
#include "search/search_shards.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <system_error>

#include <unordered_map>

#include <xapian.h>

namespace opensoc::search {
namespace {

namespace fs = std::filesystem;

// A directory being dropped is renamed to this first, so a reader that lists
// the directory never opens a half-deleted shard.
constexpr std::string_view kDroppingPrefix = ".dropping-";
constexpr int kStartDigits = 12;

template <typename T>
bool parse_decimal(std::string_view s, T& out) noexcept {
  if (s.empty()) return false;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && ptr == s.data() + s.size();
}

Error xapian_error(const std::string& what, const Xapian::Error& e) {
  return Error{what + ": " + std::string(e.get_type()) + ": " + e.get_msg()};
}

}  // namespace

std::string shard_dir_name(std::int64_t start_s, std::uint64_t span_s, std::string_view writer_tag) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "s%0*lld-%llu", kStartDigits, static_cast<long long>(start_s),
                static_cast<unsigned long long>(span_s));
  std::string name = buf;
  if (!writer_tag.empty()) name.append("-").append(writer_tag);
  return name;
}

std::string_view shard_dir_tag(std::string_view name) noexcept {
  const std::size_t first = name.find('-', 1);
  if (first == std::string_view::npos) return {};
  const std::size_t second = name.find('-', first + 1);
  return second == std::string_view::npos ? std::string_view{} : name.substr(second + 1);
}

std::optional<ShardSpan> parse_shard_dir_name(std::string_view name) noexcept {
  if (name.size() < 4 || name[0] != 's') return std::nullopt;
  const std::size_t dash = name.find('-', 1);
  if (dash == std::string_view::npos) return std::nullopt;
  // A writer's tag ("-logs") follows the span: lower-case letters only.
  if (const std::size_t tag = name.find('-', dash + 1); tag != std::string_view::npos) {
    const std::string_view t = name.substr(tag + 1);
    if (t.empty()) return std::nullopt;
    for (char c : t) {
      if (c < 'a' || c > 'z') return std::nullopt;
    }
    name = name.substr(0, tag);
  }
  std::int64_t start_s = 0;
  std::uint64_t span_s = 0;
  if (!parse_decimal(name.substr(1, dash - 1), start_s) || !parse_decimal(name.substr(dash + 1), span_s)) {
    return std::nullopt;
  }
  // Both ends must fit in ns; anything else is not ours.
  constexpr std::int64_t kMaxS = INT64_MAX / kNsPerSecond;
  if (start_s < 0 || span_s == 0 || start_s > kMaxS || span_s > static_cast<std::uint64_t>(kMaxS - start_s)) {
    return std::nullopt;
  }
  return ShardSpan{start_s * kNsPerSecond, (start_s + static_cast<std::int64_t>(span_s)) * kNsPerSecond};
}

Result<std::vector<ShardDir>> list_shard_dirs(const std::string& dir) {
  std::vector<ShardDir> out;
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) {
    if (ec == std::errc::no_such_file_or_directory) return out;
    return Error{"list search shards in " + dir + ": " + ec.message()};
  }
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec) return Error{"list search shards in " + dir + ": " + ec.message()};
    const std::string name = it->path().filename().string();
    const auto span = parse_shard_dir_name(name);
    if (!span) continue;
    out.push_back(ShardDir{name, it->path().string(), *span});
  }
  std::sort(out.begin(), out.end(), [](const ShardDir& a, const ShardDir& b) {
    return a.span.start != b.span.start ? a.span.start < b.span.start : a.name < b.name;
  });
  return out;
}

struct SearchShardWriter::OpenShard {
  std::string name;
  Xapian::WritableDatabase db;
  std::uint64_t last_use = 0;
  bool dirty = false;
  // Unique terms added since this shard was opened, and their documents.
  // replace_document(term) on a database with uncommitted changes makes
  // glass flush its buffered postings to look the term up: once per document
  // that turns indexing quadratic. Terms of this process are found here;
  // only a shard that already had documents when opened is asked (through
  // `committed`, a reader of its last commit, which needs no flush).
  std::unordered_map<std::string, Xapian::docid> ids;
  bool had_documents = false;
  Xapian::Database committed;
};

SearchShardWriter::SearchShardWriter(SearchShardOptions options) : options_(std::move(options)) {}

SearchShardWriter::~SearchShardWriter() {
  // Destruction commits what the last commit() missed; an error here has no
  // caller left to tell, so it only counts.
  for (std::size_t i = open_.size(); i > 0; --i) (void)close_shard(i - 1);
}

Result<std::unique_ptr<SearchShardWriter>> SearchShardWriter::open(SearchShardOptions options) {
  if (options.dir.empty()) return Error{"search shards: dir is empty"};
  if (options.shard_span_s == 0 || options.shard_span_s > static_cast<std::uint64_t>(INT64_MAX / kNsPerSecond)) {
    return Error{"search shards: shard_span_s must be between 1 and " +
                 std::to_string(INT64_MAX / kNsPerSecond) + ", got " + std::to_string(options.shard_span_s)};
  }
  std::error_code ec;
  fs::create_directories(options.dir, ec);
  if (ec) return Error{"search shards: create " + options.dir + ": " + ec.message()};

  // A drop interrupted by a crash left a renamed directory: finish it.
  for (fs::directory_iterator it(options.dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    if (it->path().filename().string().starts_with(kDroppingPrefix)) {
      std::error_code rm_ec;
      fs::remove_all(it->path(), rm_ec);
    }
  }
  if (ec) return Error{"search shards: list " + options.dir + ": " + ec.message()};

  auto listed = list_shard_dirs(options.dir);
  if (!listed) return listed.error().context("search shards");

  std::unique_ptr<SearchShardWriter> writer(new SearchShardWriter(std::move(options)));
  for (const ShardDir& d : *listed) {
    if (shard_dir_tag(d.name) != writer->options_.writer_tag) continue;  // another writer's shards
    KnownShard known{d.path, d.span, 0};
    writer->refresh_bytes(known);
    writer->known_.emplace(d.name, std::move(known));
  }
  writer->last_commit_ns_ = wall_clock_ns();
  writer->publish_shard_stats();
  return writer;
}

Error SearchShardWriter::count(Error e) {
  errors_.fetch_add(1, std::memory_order_relaxed);
  return e;
}

void SearchShardWriter::refresh_bytes(KnownShard& known) {
  std::uint64_t total = 0;
  std::error_code ec;
  for (fs::directory_iterator it(known.path, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    std::error_code size_ec;
    const auto size = it->file_size(size_ec);
    if (!size_ec) total += size;
  }
  known.bytes = total;
}

void SearchShardWriter::publish_shard_stats() {
  std::uint64_t bytes = 0;
  for (const auto& [name, known] : known_) bytes += known.bytes;
  bytes_.store(bytes, std::memory_order_relaxed);
  shards_.store(known_.size(), std::memory_order_relaxed);
}

Result<void> SearchShardWriter::commit_shard(OpenShard& shard) {
  if (!shard.dirty) return ok();
  try {
    shard.db.commit();
  } catch (const Xapian::Error& e) {
    return xapian_error("commit search shard " + shard.name, e);
  } catch (const std::exception& e) {
    return Error{"commit search shard " + shard.name + ": " + e.what()};
  }
  shard.dirty = false;
  commits_.fetch_add(1, std::memory_order_relaxed);
  if (shard.had_documents) {
    try {
      shard.committed.reopen();  // keep the lookup view on a live revision
    } catch (const Xapian::Error&) {
      // A later lookup reopens again or reports the error.
    }
  }
  if (auto it = known_.find(shard.name); it != known_.end()) refresh_bytes(it->second);
  return ok();
}

Result<void> SearchShardWriter::close_shard(std::size_t index) {
  OpenShard& shard = *open_[index];
  Result<void> committed = commit_shard(shard);
  try {
    shard.db.close();
  } catch (const Xapian::Error&) {
    // Closing only releases files and the lock; the commit above is what matters.
  }
  open_.erase(open_.begin() + static_cast<std::ptrdiff_t>(index));
  if (!committed) return count(committed.error());
  return ok();
}

Result<SearchShardWriter::OpenShard*> SearchShardWriter::shard_for(std::int64_t start_s) {
  const std::string name = shard_dir_name(start_s, options_.shard_span_s, options_.writer_tag);
  for (auto& s : open_) {
    if (s->name == name) {
      s->last_use = ++use_clock_;
      return s.get();
    }
  }
  if (open_.size() >= kMaxOpenShards) {
    const auto lru = std::min_element(open_.begin(), open_.end(),
                                      [](const auto& a, const auto& b) { return a->last_use < b->last_use; });
    if (auto r = close_shard(static_cast<std::size_t>(lru - open_.begin())); !r) return r.error();
  }
  const std::string path = options_.dir + "/" + name;
  auto shard = std::make_unique<OpenShard>();
  shard->name = name;
  try {
    int flags = Xapian::DB_CREATE_OR_OPEN | Xapian::DB_BACKEND_GLASS;
    if (!options_.sync) flags |= Xapian::DB_NO_SYNC;
    if (options_.append_only) flags |= Xapian::DB_NO_TERMLIST;
    shard->db = Xapian::WritableDatabase(path, flags);
  } catch (const Xapian::Error& e) {
    return count(xapian_error("open search shard " + path, e));
  } catch (const std::exception& e) {
    return count(Error{"open search shard " + path + ": " + e.what()});
  }
  try {
    shard->had_documents = shard->db.get_doccount() != 0;
    if (shard->had_documents) shard->committed = Xapian::Database(path);
  } catch (const Xapian::Error& e) {
    return count(xapian_error("open search shard " + path, e));
  }
  shard->last_use = ++use_clock_;
  if (!known_.contains(name)) {
    const auto span = parse_shard_dir_name(name);
    known_.emplace(name, KnownShard{path, span.value_or(ShardSpan{}), 0});
    publish_shard_stats();
  }
  open_.push_back(std::move(shard));
  return open_.back().get();
}

Result<void> SearchShardWriter::add(TimestampNs ts, const std::string& unique_term, Xapian::Document doc) {
  if (ts < 0) return count(Error{"search shards: timestamp before the epoch: " + std::to_string(ts)});
  if (options_.append_only && !unique_term.empty()) {
    return count(Error{"search shards: append-only shards cannot replace documents"});
  }
  const auto span_ns = static_cast<std::int64_t>(options_.shard_span_s) * kNsPerSecond;
  const std::int64_t start_s = (ts / span_ns) * static_cast<std::int64_t>(options_.shard_span_s);
  auto shard = shard_for(start_s);
  if (!shard) return shard.error();
  OpenShard& s = **shard;
  try {
    if (unique_term.empty()) {
      s.db.add_document(doc);
    } else {
      // The term must be on the document for a later replace to find it.
      doc.add_boolean_term(unique_term);
      if (const auto it = s.ids.find(unique_term); it != s.ids.end()) {
        s.db.replace_document(it->second, doc);
      } else {
        Xapian::docid id = 0;
        if (s.had_documents) {
          auto lookup = [&] {
            const auto pl = s.committed.postlist_begin(unique_term);
            return pl != s.committed.postlist_end(unique_term) ? *pl : Xapian::docid{0};
          };
          try {
            id = lookup();
          } catch (const Xapian::DatabaseModifiedError&) {
            // Our own commits moved the revision this view was reading.
            s.committed.reopen();
            id = lookup();
          }
        }
        if (id != 0) {
          s.db.replace_document(id, doc);
        } else {
          id = s.db.add_document(doc);
        }
        s.ids.emplace(unique_term, id);
      }
    }
  } catch (const Xapian::Error& e) {
    return count(xapian_error("add to search shard " + s.name, e));
  } catch (const std::exception& e) {
    return count(Error{"add to search shard " + s.name + ": " + e.what()});
  }
  s.dirty = true;
  pending_ = true;
  documents_added_.fetch_add(1, std::memory_order_relaxed);
  return ok();
}

Result<void> SearchShardWriter::commit() {
  if (!pending_) return ok();
  Result<void> first_error = ok();
  bool still_dirty = false;
  for (auto& s : open_) {
    if (auto r = commit_shard(*s); !r) {
      still_dirty = true;
      if (first_error) first_error = count(r.error());
    }
  }
  pending_ = still_dirty;
  last_commit_ns_ = wall_clock_ns();
  publish_shard_stats();
  return first_error;
}

bool SearchShardWriter::commit_due(TimestampNs wall_now) const noexcept {
  return pending_ && wall_now - last_commit_ns_ >= static_cast<TimestampNs>(options_.commit_ms) * 1'000'000;
}

Result<std::uint64_t> SearchShardWriter::drop_before(TimestampNs ts) {
  std::uint64_t dropped = 0;
  for (auto it = known_.begin(); it != known_.end();) {
    if (it->second.span.end > ts) {
      ++it;
      continue;
    }
    const std::string name = it->first;
    for (std::size_t i = 0; i < open_.size(); ++i) {
      if (open_[i]->name == name) {
        // Dropping anyway: a failed commit of doomed documents is not an error.
        open_[i]->dirty = false;
        (void)close_shard(i);
        break;
      }
    }
    const fs::path from = it->second.path;
    const fs::path to = fs::path(options_.dir) / (std::string(kDroppingPrefix) + name);
    std::error_code ec;
    fs::rename(from, to, ec);
    if (ec && ec != std::errc::no_such_file_or_directory) {
      publish_shard_stats();
      return count(Error{"drop search shard " + from.string() + ": " + ec.message()});
    }
    if (!ec) {
      fs::remove_all(to, ec);
      if (ec) {
        publish_shard_stats();
        return count(Error{"remove search shard " + to.string() + ": " + ec.message()});
      }
    }
    it = known_.erase(it);
    ++dropped;
    shards_dropped_.fetch_add(1, std::memory_order_relaxed);
  }
  pending_ = std::any_of(open_.begin(), open_.end(), [](const auto& s) { return s->dirty; });
  publish_shard_stats();
  return dropped;
}

SearchShardWriter::Stats SearchShardWriter::stats() const noexcept {
  Stats s;
  s.documents_added = documents_added_.load(std::memory_order_relaxed);
  s.commits = commits_.load(std::memory_order_relaxed);
  s.shards = shards_.load(std::memory_order_relaxed);
  s.shards_dropped = shards_dropped_.load(std::memory_order_relaxed);
  s.errors = errors_.load(std::memory_order_relaxed);
  s.bytes = bytes_.load(std::memory_order_relaxed);
  return s;
}

}  // namespace opensoc::search
