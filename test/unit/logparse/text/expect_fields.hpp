#pragma once
// Exact comparison of a LogEvent's field list (names, values, types, order)
// for the text parser tests.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "opensoc/core/log_event.hpp"

namespace opensoc::logparse::test {

struct ExpectedField {
  std::string name;
  std::string value;
  LogValueType type = LogValueType::string;
};

inline std::string describe(const LogEvent& e) {
  std::string s;
  for (const auto& f : e.fields)
    s += f.name + " = [" + f.value + "] type " + std::to_string(static_cast<int>(f.type)) + "\n";
  return s;
}

inline void require_fields(const LogEvent& e, const std::vector<ExpectedField>& expected) {
  INFO("fields:\n" << describe(e));
  REQUIRE(e.fields.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    INFO("field " << i);
    CHECK(e.fields[i].name == expected[i].name);
    CHECK(e.fields[i].value == expected[i].value);
    CHECK(static_cast<int>(e.fields[i].type) == static_cast<int>(expected[i].type));
  }
}

inline constexpr LogValueType kInt = LogValueType::integer;
inline constexpr LogValueType kIp = LogValueType::ip;
inline constexpr LogValueType kTime = LogValueType::time;

}  // namespace opensoc::logparse::test
