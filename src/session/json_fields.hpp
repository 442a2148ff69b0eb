#pragma once
// Small JSON-writing helpers the EVE and ECS renderings share: optional
// fields and string lists are left out when empty (the EVE schema rejects
// empty arrays), and an SSH side is one object of protocol and software.
#include <string>
#include <string_view>
#include <vector>

#include "opensoc/core/json_writer.hpp"

namespace opensoc::session {

inline void field_if(JsonWriter& w, std::string_view key, std::string_view value) {
  if (!value.empty()) w.field(key, value);
}

inline void write_string_array(JsonWriter& w, std::string_view key, const std::vector<std::string>& values) {
  if (values.empty()) return;
  w.key(key).begin_array();
  for (const std::string& v : values) w.value(v);
  w.end_array();
}

/// {"proto_version": …, <software_key>: …, "hassh": {"hash", "string"}},
/// nothing when all are empty.
inline void write_ssh_side(JsonWriter& w, std::string_view key, std::string_view software_key,
                           const std::string& proto, const std::string& software, const std::string& hassh,
                           const std::string& hassh_string) {
  if (proto.empty() && software.empty() && hassh.empty()) return;
  w.key(key).begin_object();
  field_if(w, "proto_version", proto);
  field_if(w, software_key, software);
  if (!hassh.empty()) w.key("hassh").begin_object().field("hash", hassh).field("string", hassh_string).end_object();
  w.end_object();
}

}  // namespace opensoc::session
