#pragma once
// IntelLoadReport: what one feed load accepted and refused, for the operator
// (logged at load, returned by POST /api/v1/intel). Filled by the loaders on
// the thread that loads; a plain value afterwards.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace opensoc::intel {

struct IntelLoadReport {
  /// Most errors kept; the rest are only counted in `rejected`.
  static constexpr std::size_t kMaxErrors = 100;

  std::string source;        ///< the feed's name, as given to the loader
  std::size_t loaded = 0;    ///< indicators returned (including `expired` ones)
  std::size_t rejected = 0;  ///< rows, objects or comparisons refused
  std::size_t expired = 0;   ///< of `loaded`, those already past their expiry at load (wall clock)
  std::vector<std::string> errors;  ///< first kMaxErrors: "origin:line: reason"

  /// Counts one rejection and keeps its message while there is room.
  /// `line` 0 leaves the line out ("origin: reason").
  void reject(std::string_view origin, std::size_t line, std::string_view reason) {
    ++rejected;
    if (errors.size() >= kMaxErrors) return;
    std::string m(origin);
    if (line != 0) m += ":" + std::to_string(line);
    m += ": ";
    m += reason;
    errors.push_back(std::move(m));
  }
};

}  // namespace opensoc::intel
