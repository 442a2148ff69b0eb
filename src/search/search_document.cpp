#include "search/search_document.hpp"

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

}  // namespace opensoc::search
