#pragma once
// Suricata's default classification.config as a built-in table: the
// classtype a rule names gives its description and default priority. The
// table is constant data; any thread may read it.
#include <cstdint>
#include <span>
#include <string_view>

namespace opensoc::detect {

struct ClassType {
  std::string_view name;         ///< "trojan-activity"
  std::string_view description;  ///< "A Network Trojan was detected"
  std::uint8_t priority = 3;     ///< 1 is the most severe
};

/// The entry for `name` (exact, case-sensitive as Suricata), or nullptr.
/// The pointer is to static constant data and valid for the program's life.
[[nodiscard]] const ClassType* find_classtype(std::string_view name) noexcept;

/// Every known classtype, in classification.config order.
[[nodiscard]] std::span<const ClassType> all_classtypes() noexcept;

}  // namespace opensoc::detect
