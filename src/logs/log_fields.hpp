#pragma once
// LogFieldList: a log event as one flat, sorted list of (ECS name, value,
// type), the core members (times, sender, listener, endpoints, Community ID,
// enrichment) merged with the parser's fields. Both the JSON rendering and
// the search document are made from it, so what a record shows is what search
// finds. Reused across events by its owner (one per thread) so the steady
// state does not allocate for the list itself.
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "opensoc/core/log_event.hpp"

namespace opensoc::logs {

struct FlatField {
  std::string_view name;
  std::string_view value;
  LogValueType type = LogValueType::string;
};

class LogFieldList {
 public:
  /// Rebuilds the list from `event` (which must outlive the next call's use
  /// of fields(): the views point into it and into this object).
  void build(const LogEvent& event);
  /// Sorted by name; a name repeats for array values (in their order).
  [[nodiscard]] const std::vector<FlatField>& fields() const noexcept { return fields_; }

 private:
  std::string_view keep(std::string s);
  void add(std::string_view name, std::string_view value, LogValueType type);
  bool has(std::string_view name) const noexcept;

  std::vector<FlatField> fields_;
  std::deque<std::string> storage_;
  std::size_t used_ = 0;
};

}  // namespace opensoc::logs
