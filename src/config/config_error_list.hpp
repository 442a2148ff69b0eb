#pragma once
/// ConfigErrorList: every problem found in one config source, each tied to a
/// line and column, joined into one Error so an operator fixes them all in one
/// pass instead of one restart per typo.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "opensoc/core/result.hpp"

namespace opensoc::config {

/// Renders a value found in a config file for an error message: 'text', with
/// control and non-ASCII bytes escaped (\xNN) and text beyond 60 bytes cut
/// with "...", so a garbage file still yields a readable one-line message.
[[nodiscard]] std::string quoted(std::string_view text);

/// Collects problems for one source. Not thread-safe; used by one loader call.
class ConfigErrorList {
 public:
  /// Problems beyond this many are summarised in one final line.
  static constexpr std::size_t kMaxReported = 100;

  explicit ConfigErrorList(std::string source_name) : source_name_(std::move(source_name)) {}

  /// Records "<source>:<line>:<column>: <key_path>: <what>" (line and column 1-based).
  void add(int line, int column, std::string_view key_path, std::string_view what);

  [[nodiscard]] bool empty() const noexcept { return count_ == 0; }
  [[nodiscard]] std::size_t size() const noexcept { return count_; }
  [[nodiscard]] const std::string& source_name() const noexcept { return source_name_; }

  /// All problems, one per line, in the order they were added.
  [[nodiscard]] Error to_error() const;

 private:
  std::string source_name_;
  std::vector<std::string> lines_;
  std::size_t count_ = 0;
};

}  // namespace opensoc::config
