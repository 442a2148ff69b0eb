#pragma once
/// AuditLog: the append-only audit file — one JSON object per line:
///   {"@timestamp":"2026-11-28T21:00:00.123456789Z","user":"alice","source":"127.0.0.1",
///    "action":"pcap","outcome":"ok","target":"/api/v1/pcap","query":"host 10.0.0.1","bytes":1234}
/// (details become top-level keys after the fixed ones; a detail may not
/// replace a fixed key). Lines are written whole with one write(2) on an
/// O_APPEND descriptor, so concurrent writers (daemon and `opensocd user`)
/// never interleave. logrotate may move the file: a moved or deleted file
/// is noticed (inode check) and a new one opened. Mode 0640.
///
/// Threading: record() and serve() may be called from any thread (a mutex
/// guards the descriptor); writing is not on any packet path.
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "api/http_types.hpp"
#include "opensoc/core/audit_entry.hpp"
#include "opensoc/core/result.hpp"

namespace opensoc::audit {

/// The entry as its one JSON line (with the trailing '\n').
[[nodiscard]] std::string render_audit_line(const AuditEntry& entry);

class AuditLog {
 public:
  /// Creates the parent directory and the file if needed.
  static Result<std::unique_ptr<AuditLog>> open(const std::string& path);
  ~AuditLog();

  /// Never throws; a failed write is counted (errors()) and logged once by the caller.
  void record(const AuditEntry& entry) noexcept;

  /// GET /api/v1/audit?user=&action=&outcome=&source=&start=&end=&limit=(default 100, max 10000)
  /// → {"entries":[...newest first...],"returned":N,"scanned_bytes":B}. Reads the
  /// current file from its end, at most 64 MiB back. 400 names a bad parameter.
  [[nodiscard]] api::Response serve(const api::Request& request) const;

  [[nodiscard]] const std::string& path() const noexcept { return path_; }
  [[nodiscard]] std::uint64_t written() const noexcept { return written_.load(std::memory_order_relaxed); }
  [[nodiscard]] std::uint64_t errors() const noexcept { return errors_.load(std::memory_order_relaxed); }

 private:
  explicit AuditLog(std::string path);
  std::string path_;
  mutable std::mutex mutex_;
  int fd_ = -1;
  std::uint64_t inode_ = 0;
  std::atomic<std::uint64_t> written_{0};
  std::atomic<std::uint64_t> errors_{0};
};

}  // namespace opensoc::audit
