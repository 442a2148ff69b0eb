#pragma once
/// is_json_number: whether text can be written into JSON as a number as it is.
#include <string_view>

namespace opensoc {

/// True when `s` is a number in RFC 8259's grammar, so it can be written into
/// JSON unquoted; anything else must be written as a string (the audit log's
/// details, YAML scalars in the running-config view).
bool is_json_number(std::string_view s) noexcept;

}  // namespace opensoc
