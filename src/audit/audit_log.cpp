// The audit log: one JSON line per security-relevant action (sign-in, token
// use, search, PCAP download, alert change, intel/rule change, reload, user
// administration), appended to its own file, and GET /api/v1/audit that reads
// it back newest first.
//
// In: AuditEntry values from the auth gate, the daemon's endpoints and the
// `opensocd user` command. Out: lines in the file; JSON answers to admins.
// Threads: record() runs on whichever thread acted (mostly the HTTP thread,
// the CLI's main thread); serve() on the HTTP thread. Neither is on a packet
// path, so a mutex and an allocation per line are fine.
//
// Why one write(2) per line on O_APPEND: the kernel positions and writes an
// O_APPEND write to a regular file atomically with respect to other appenders,
// so the daemon and a concurrent `opensocd user add` never interleave bytes.
#include "audit/audit_log.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string_view>
#include <system_error>
#include <vector>

#include <simdjson.h>

#include "opensoc/core/json_number.hpp"
#include "opensoc/core/json_writer.hpp"
#include "slice/time_value.hpp"

namespace opensoc::audit {

namespace {

constexpr std::array<std::string_view, 6> kFixedKeys = {"@timestamp", "user", "source",
                                                        "action", "outcome", "target"};
constexpr std::size_t kReadBlock = 64 * 1024;
constexpr std::uint64_t kMaxScanBytes = 64ull * 1024 * 1024;
constexpr std::uint64_t kDefaultLimit = 100;
constexpr std::uint64_t kMaxLimit = 10000;

bool is_fixed_key(std::string_view name) {
  return std::find(kFixedKeys.begin(), kFixedKeys.end(), name) != kFixedKeys.end();
}


std::string errno_text(int err) { return std::strerror(err); }

// mkdir -p of the parent, then the append descriptor. Returns the fd and inode.
Result<std::pair<int, std::uint64_t>> open_append(const std::string& path) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec) return Error{"cannot create directory " + parent.string() + ": " + ec.message()};
  }
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (fd < 0) return Error{"cannot open audit log " + path + ": " + errno_text(errno)};
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return Error{"cannot stat audit log " + path + ": " + errno_text(err)};
  }
  return std::pair<int, std::uint64_t>{fd, static_cast<std::uint64_t>(st.st_ino)};
}

// --- serve ------------------------------------------------------------------

struct AuditFilter {
  std::optional<std::string> user, action, outcome, source;
  std::optional<TimestampNs> start, end;  // end inclusive, as the search API
  std::uint64_t limit = kDefaultLimit;
};

struct FilterError {
  std::string parameter;
  std::string message;
};

std::optional<FilterError> parse_filter(const api::Request& request, AuditFilter& f, TimestampNs now) {
  for (auto it = request.query.begin(); it != request.query.end(); ++it) {
    const std::string& key = it->first;
    const std::string& value = it->second;
    if (request.query.count(key) > 1) return FilterError{key, "parameter '" + key + "' given more than once"};
    if (key == "user") {
      f.user = value;
    } else if (key == "action") {
      f.action = value;
    } else if (key == "outcome") {
      f.outcome = value;
    } else if (key == "source") {
      f.source = value;
    } else if (key == "start" || key == "end") {
      const auto t = slice::parse_time_value(value, now);
      if (!t) return FilterError{key, key + ": expected RFC 3339 or epoch seconds, got '" + value + "'"};
      (key == "start" ? f.start : f.end) = *t;
    } else if (key == "limit") {
      std::uint64_t n = 0;
      bool good = !value.empty() && value.size() <= 6;
      for (const char c : value) {
        if (c < '0' || c > '9') good = false;
        else n = n * 10 + static_cast<std::uint64_t>(c - '0');
      }
      if (!good || n < 1 || n > kMaxLimit) {
        return FilterError{key, "limit: expected 1.." + std::to_string(kMaxLimit) + ", got '" + value + "'"};
      }
      f.limit = n;
    } else {
      return FilterError{key, "unknown parameter '" + key +
                                  "' (user, action, outcome, source, start, end, limit)"};
    }
  }
  if (f.start && f.end && *f.start > *f.end) return FilterError{"start", "start is after end"};
  return std::nullopt;
}

// Reads the file backwards in blocks and hands each complete line to `visit`
// (newest first) until it returns false, the start of the file, or the scan
// cap. A line cut by the cap is not complete and is not visited.
class ReverseLineReader {
 public:
  explicit ReverseLineReader(int fd, std::uint64_t size) : fd_(fd), pos_(size) {}

  template <typename Visit>
  bool run(Visit&& visit, std::uint64_t& skipped) {
    std::string buf;  // [pos_, pos_ + buf.size()) of the file: unvisited bytes
    bool tail_pending = true;
    while (pos_ > 0 && scanned_ < kMaxScanBytes) {
      const std::uint64_t want = std::min<std::uint64_t>({kReadBlock, pos_, kMaxScanBytes - scanned_});
      std::string block(want, '\0');
      std::size_t got = 0;
      while (got < want) {
        const ssize_t n = ::pread(fd_, block.data() + got, want - got, static_cast<off_t>(pos_ - want + got));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;  // file shrank under us or I/O error: stop with what we have
        got += static_cast<std::size_t>(n);
      }
      pos_ -= want;
      scanned_ += want;
      buf.insert(0, block);
      if (tail_pending) {
        // Bytes after the last newline are a line still being written or torn
        // by a crash: not an entry.
        const auto nl = buf.rfind('\n');
        if (nl == std::string::npos) {
          if (pos_ > 0) continue;  // no newline yet: keep reading backwards
          ++skipped;
          return true;
        }
        if (nl + 1 < buf.size()) {
          ++skipped;
          buf.resize(nl + 1);
        }
        tail_pending = false;
      }
      // Visit every line that is known complete: the one before the first
      // newline is complete only at the start of the file.
      std::size_t end = buf.size();
      while (end > 0) {
        const std::size_t line_end = end - 1;  // buf[line_end] == '\n'
        const auto nl = line_end == 0 ? std::string::npos : buf.rfind('\n', line_end - 1);
        if (nl == std::string::npos && pos_ > 0) break;
        const std::size_t begin = nl == std::string::npos ? 0 : nl + 1;
        if (!visit(std::string_view(buf).substr(begin, line_end - begin))) return true;
        end = begin;
      }
      buf.resize(end);
    }
    return true;
  }

  [[nodiscard]] std::uint64_t scanned() const noexcept { return scanned_; }
  [[nodiscard]] bool reached_start() const noexcept { return pos_ == 0; }

 private:
  int fd_;
  std::uint64_t pos_;
  std::uint64_t scanned_ = 0;
};

bool matches(simdjson::dom::element obj, std::string_view key, const std::optional<std::string>& want) {
  if (!want) return true;
  std::string_view v;
  if (obj[key].get(v) != simdjson::SUCCESS) return false;
  return v == *want;
}

}  // namespace

std::string render_audit_line(const AuditEntry& entry) {
  std::string out;
  out.reserve(160);
  JsonWriter w(out);
  w.begin_object();
  w.field("@timestamp", format_rfc3339_ns(entry.time));
  w.field("user", entry.user);
  w.field("source", entry.source);
  w.field("action", entry.action);
  w.field("outcome", entry.outcome);
  w.field("target", entry.target);
  for (const auto& d : entry.details) {
    // A detail may add facts but never overwrite who/what/when.
    if (is_fixed_key(d.name)) {
      w.key("detail." + d.name);
    } else {
      w.key(d.name);
    }
    if (d.numeric && is_json_number(d.value)) {
      w.raw(d.value);
    } else {
      w.value(d.value);
    }
  }
  w.end_object();
  out.push_back('\n');
  return out;
}

AuditLog::AuditLog(std::string path) : path_(std::move(path)) {}

AuditLog::~AuditLog() {
  if (fd_ >= 0) ::close(fd_);
}

Result<std::unique_ptr<AuditLog>> AuditLog::open(const std::string& path) {
  auto opened = open_append(path);
  if (!opened) return opened.error();
  std::unique_ptr<AuditLog> log(new AuditLog(path));
  log->fd_ = opened->first;
  log->inode_ = opened->second;
  return log;
}

void AuditLog::record(const AuditEntry& entry) noexcept {
  try {
    const std::string line = render_audit_line(entry);
    std::lock_guard lock(mutex_);
    // logrotate renames (or deletes) the file and expects the writer to start
    // a new one: the name no longer leads to our inode.
    struct stat st {};
    if (::stat(path_.c_str(), &st) != 0 || static_cast<std::uint64_t>(st.st_ino) != inode_) {
      auto reopened = open_append(path_);
      if (reopened) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = reopened->first;
        inode_ = reopened->second;
      } else {
        // Keep the old descriptor: the line still lands in the moved file.
        errors_.fetch_add(1, std::memory_order_relaxed);
      }
    }
    if (fd_ < 0) {
      errors_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    ssize_t n;
    do {
      n = ::write(fd_, line.data(), line.size());
    } while (n < 0 && errno == EINTR);
    if (n == static_cast<ssize_t>(line.size())) {
      written_.fetch_add(1, std::memory_order_relaxed);
    } else {
      // A short write (disk full) leaves a torn line; readers skip it.
      errors_.fetch_add(1, std::memory_order_relaxed);
    }
  } catch (...) {
    errors_.fetch_add(1, std::memory_order_relaxed);
  }
}

api::Response AuditLog::serve(const api::Request& request) const {
  if (request.method != "GET" && request.method != "HEAD") {
    api::Response r = api::error_response(405, "method not allowed; use GET");
    r.headers.emplace_back("Allow", "GET, HEAD");
    return r;
  }
  const auto now = static_cast<TimestampNs>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                                std::chrono::system_clock::now().time_since_epoch())
                                                .count());
  AuditFilter filter;
  if (auto bad = parse_filter(request, filter, now)) return api::error_response(400, bad->message, bad->parameter);

  const int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  std::uint64_t size = 0;
  if (fd < 0) {
    if (errno != ENOENT) return api::error_response(500, "cannot read audit log: " + errno_text(errno));
  } else {
    struct stat st {};
    if (::fstat(fd, &st) == 0) size = static_cast<std::uint64_t>(st.st_size);
  }

  std::string body;
  JsonWriter w(body);
  w.begin_object().key("entries").begin_array();
  std::uint64_t returned = 0;
  std::uint64_t skipped = 0;
  std::uint64_t scanned = 0;
  bool truncated = false;
  if (fd >= 0) {
    simdjson::dom::parser parser;
    ReverseLineReader reader(fd, size);
    reader.run(
        [&](std::string_view line) {
          if (line.empty()) return true;
          simdjson::dom::element doc;
          simdjson::padded_string copy(line);
          simdjson::dom::object obj;
          std::string_view ts;
          if (parser.parse(copy).get(doc) != simdjson::SUCCESS || doc.get(obj) != simdjson::SUCCESS ||
              doc["@timestamp"].get(ts) != simdjson::SUCCESS) {
            ++skipped;
            return true;
          }
          const auto t = slice::parse_time_value(ts, now);
          if (!t) {
            ++skipped;
            return true;
          }
          if ((filter.start && *t < *filter.start) || (filter.end && *t > *filter.end)) return true;
          if (!matches(doc, "user", filter.user) || !matches(doc, "action", filter.action) ||
              !matches(doc, "outcome", filter.outcome) || !matches(doc, "source", filter.source)) {
            return true;
          }
          // The line is validated JSON (simdjson checks UTF-8 too), so it can go out as written.
          w.raw(line);
          return ++returned < filter.limit;
        },
        skipped);
    scanned = reader.scanned();
    truncated = !reader.reached_start() && returned < filter.limit;
    ::close(fd);
  }
  w.end_array();
  w.field("returned", returned);
  w.field("skipped", skipped);
  w.field("scanned_bytes", scanned);
  w.field("truncated", truncated);
  w.end_object();
  body.push_back('\n');
  api::Response r;
  r.body = std::move(body);
  return r;
}

}  // namespace opensoc::audit
