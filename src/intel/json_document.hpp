#pragma once
// JsonDocument: the first step of the JSON intel loaders (API objects, STIX
// bundles): the parsed text, or why it is not JSON. Runs on whichever thread
// loads a feed.
#include <string>
#include <string_view>

#include <simdjson.h>

#include "opensoc/core/result.hpp"

namespace opensoc::intel {

/// One parsed JSON text. `root` is a view into `parser`'s document: valid
/// while the JsonDocument lives and is not parsed into again. Not copyable
/// (simdjson's parser); one thread.
struct JsonDocument {
  simdjson::dom::parser parser;
  simdjson::dom::element root;

  /// Parses `json` into this document. Error: "<origin>: not JSON: <simdjson's reason>".
  Result<void> parse(std::string_view json, std::string_view origin) {
    if (const auto err = parser.parse(json.data(), json.size()).get(root); err != simdjson::SUCCESS)
      return Error{std::string(origin) + ": not JSON: " + simdjson::error_message(err)};
    return ok();
  }
};

}  // namespace opensoc::intel
