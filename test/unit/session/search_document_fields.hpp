#pragma once
// Test helpers: the values a SearchDocument carries for one field, so a test
// can assert exactly what a record will be searchable by.
#include <string>
#include <string_view>
#include <vector>

#include "search/search_document.hpp"

namespace opensoc::session::document_fields {

using Strings = std::vector<std::string>;
using Numbers = std::vector<double>;

inline Strings values_of(const search::SearchDocument& doc, std::string_view field) {
  Strings out;
  for (const auto& [spec, value] : doc.values) {
    if (spec->name == field) out.push_back(value);
  }
  return out;
}

inline Numbers numbers_of(const search::SearchDocument& doc, std::string_view field) {
  Numbers out;
  for (const auto& [spec, value] : doc.numbers) {
    if (spec->name == field) out.push_back(value);
  }
  return out;
}

}  // namespace opensoc::session::document_fields
