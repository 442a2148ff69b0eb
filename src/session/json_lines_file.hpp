#pragma once
// JsonLinesFile: an append-only JSON-lines log (eve.json, ecs.json) with
// size-based rotation: path -> path.1 -> path.2 ... up to keep_files, then a
// fresh path. Writes are buffered (64 KiB) and reach the file when the buffer
// fills, on flush(), at rotation and on destruction. Owned and used by one
// thread (the exporter); not thread-safe. Calls block on the file system.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "opensoc/core/result.hpp"

namespace opensoc::session {

class JsonLinesFile {
 public:
  struct Counters {
    std::uint64_t lines = 0;      ///< lines accepted
    std::uint64_t bytes = 0;      ///< bytes accepted, newlines included
    std::uint64_t rotations = 0;  ///< files rotated away
    std::uint64_t errors = 0;     ///< failed writes, rotations and rejected lines
  };

  static constexpr std::size_t kBufferBytes = 64 * 1024;

  /// Opens (creating, or appending to) `path`. `rotate_bytes` 0 never rotates;
  /// otherwise a line that would take the file past it starts a new file
  /// first (a single larger line still gets written, alone). `keep_files` is
  /// how many rotated files (path.1 ...) are kept; 0 keeps none.
  static Result<std::unique_ptr<JsonLinesFile>> open(std::string path, std::uint64_t rotate_bytes,
                                                     std::uint32_t keep_files);

  JsonLinesFile(const JsonLinesFile&) = delete;
  JsonLinesFile& operator=(const JsonLinesFile&) = delete;
  /// Flushes what is buffered (errors are counted, not reported) and closes.
  ~JsonLinesFile();

  /// Appends `json` and a newline. `json` must not contain a newline (such a
  /// line is rejected with an error). On a write error the buffered lines are
  /// dropped, counted in errors, and the error is returned.
  Result<void> write_line(std::string_view json);
  /// Writes the buffer to the file (no fsync).
  Result<void> flush();

  [[nodiscard]] Counters counters() const noexcept { return counters_; }
  [[nodiscard]] const std::string& path() const noexcept { return path_; }

 private:
  JsonLinesFile(std::string path, std::uint64_t rotate_bytes, std::uint32_t keep_files, int fd,
                std::uint64_t file_bytes);
  Result<void> rotate();

  std::string path_;
  std::uint64_t rotate_bytes_;
  std::uint32_t keep_files_;
  int fd_;
  std::uint64_t file_bytes_;  ///< bytes already in the current file
  std::string buffer_;
  Counters counters_;
};

}  // namespace opensoc::session
