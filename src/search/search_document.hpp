#pragma once
// SearchDocument: one record as the search index takes it: its kind and time,
// the field values to index (each against the FieldSchema), and the JSON the
// search answers return for it. Plain value type, built by the session stage
// (sessions, protocol events) and the alert stage (alerts).
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "opensoc/core/time.hpp"
#include "search/field_schema.hpp"

namespace opensoc::search {

/// Which kind term (field_schema.hpp) the document carries.
enum class DocumentKind : std::uint8_t { session, event, alert, log };

struct SearchDocument {
  DocumentKind kind = DocumentKind::session;
  TimestampNs ts = 0;       ///< @timestamp: the shard and the time slot
  std::string unique_id;    ///< a later document with the same id in the same shard replaces it
  std::vector<std::pair<const FieldSpec*, std::string>> values;  ///< keyword/text/domain/ip; repeats allowed
  std::vector<std::pair<const FieldSpec*, double>> numbers;      ///< number fields
  std::vector<std::pair<const FieldSpec*, TimestampNs>> times;   ///< time fields other than @timestamp
  std::string json;         ///< the record as returned by search (ECS JSON object)
  /// Fields outside the schema (dynamic_field_spec()): (name, value), keywords.
  std::vector<std::pair<std::string, std::string>> dynamic_values;

  void add(std::string_view field, std::string value);  ///< looks up `field`; unknown names are ignored
  void add_number(std::string_view field, double value);
  void add_time(std::string_view field, TimestampNs value);
  /// A field by name whatever it is: schema fields as add()/add_number() (by
  /// their type), other names as dynamic keywords.
  void add_any(std::string_view field, std::string value);
};

}  // namespace opensoc::search
