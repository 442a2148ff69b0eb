#include "search/search_document.hpp"

#include <cstdlib>

namespace opensoc::search {

void SearchDocument::add(std::string_view field, std::string value) {
  if (const FieldSpec* f = find_field(field); f != nullptr && !value.empty()) values.emplace_back(f, std::move(value));
}

void SearchDocument::add_number(std::string_view field, double value) {
  if (const FieldSpec* f = find_field(field)) numbers.emplace_back(f, value);
}

void SearchDocument::add_time(std::string_view field, TimestampNs value) {
  if (const FieldSpec* f = find_field(field)) times.emplace_back(f, value);
}

void SearchDocument::add_any(std::string_view field, std::string value) {
  if (value.empty()) return;
  if (const FieldSpec* f = find_field(field)) {
    if (f->type == FieldType::number) {
      char* end = nullptr;
      const double v = std::strtod(value.c_str(), &end);
      if (end == value.c_str() + value.size()) numbers.emplace_back(f, v);
      return;
    }
    if (f->type == FieldType::time) {
      char* end = nullptr;
      const long long v = std::strtoll(value.c_str(), &end, 10);
      if (end == value.c_str() + value.size()) times.emplace_back(f, static_cast<TimestampNs>(v));
      return;
    }
    values.emplace_back(f, std::move(value));
    return;
  }
  dynamic_values.emplace_back(std::string(field), std::move(value));
}

}  // namespace opensoc::search
