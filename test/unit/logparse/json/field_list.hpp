#pragma once
// Test helper: a LogEvent's fields as comparable rows, so a test states every
// field it expects (name, value, type, order) and nothing passes by omission.
#include <ostream>
#include <string>
#include <tuple>
#include <vector>

#include "opensoc/core/log_event.hpp"

namespace opensoc::logparse::test {

struct Row {
  std::string name;
  std::string value;
  LogValueType type = LogValueType::string;
  friend bool operator==(const Row& a, const Row& b) {
    return std::tie(a.name, a.value, a.type) == std::tie(b.name, b.value, b.type);
  }
  friend std::ostream& operator<<(std::ostream& os, const Row& r) {
    static const char* const kTypes[] = {"string", "integer", "number", "boolean", "ip", "time"};
    return os << "{" << r.name << " = " << r.value << " : " << kTypes[static_cast<int>(r.type)] << "}";
  }
};

inline std::vector<Row> rows(const LogEvent& e) {
  std::vector<Row> out;
  for (const auto& f : e.fields) out.push_back(Row{f.name, f.value, f.type});
  return out;
}

constexpr auto S = LogValueType::string;
constexpr auto I = LogValueType::integer;
constexpr auto N = LogValueType::number;
constexpr auto B = LogValueType::boolean;
constexpr auto IP = LogValueType::ip;
constexpr auto T = LogValueType::time;

}  // namespace opensoc::logparse::test
