// API JSON loader (see the header). Runs on the API request thread or the
// reload thread. Each object's members are turned into the text fields the
// CSV loader also uses, so both accept exactly the same values.
#include "intel/intel_json_loader.hpp"

#include <simdjson.h>

#include "intel/indicator_fields.hpp"
#include "intel/indicator_intake.hpp"
#include "intel/json_document.hpp"
#include "intel/stix_bundle_loader.hpp"
#include "opensoc/core/time.hpp"

namespace opensoc::intel {
namespace {

// A member as text: strings as they are, integers printed; `storage` keeps
// printed numbers alive. false when present with another JSON type.
bool member_text(simdjson::dom::object o, std::string_view key, std::string_view& out, std::string& storage) {
  simdjson::dom::element e;
  if (o[key].get(e) != simdjson::SUCCESS || e.is_null()) return true;  // absent
  if (e.get_string().get(out) == simdjson::SUCCESS) return true;
  std::int64_t i = 0;
  if (e.get_int64().get(i) == simdjson::SUCCESS) {
    storage = std::to_string(i);
    out = storage;
    return true;
  }
  std::uint64_t u = 0;
  if (e.get_uint64().get(u) == simdjson::SUCCESS) {
    storage = std::to_string(u);
    out = storage;
    return true;
  }
  double d = 0;
  if (e.get_double().get(d) == simdjson::SUCCESS && d >= 0 && d <= 1e12 && d == static_cast<double>(static_cast<std::int64_t>(d))) {
    storage = std::to_string(static_cast<std::int64_t>(d));  // 85.0 from a client that only has doubles
    out = storage;
    return true;
  }
  return false;
}

}  // namespace

namespace detail {

Result<std::vector<Indicator>> parse_intel_json(std::string_view json, const std::string& source, std::string_view origin,
                                                IntelLoadReport& report) {
  report.source = source;
  JsonDocument doc;
  if (auto parsed = doc.parse(json, origin); !parsed) return parsed.error();

  std::string default_source = source;
  simdjson::dom::array items;
  simdjson::dom::object top;
  if (doc.root.get_object().get(top) == simdjson::SUCCESS) {
    std::string_view type;
    if (top["type"].get_string().get(type) == simdjson::SUCCESS && type == "bundle")
      return detail::parse_stix_bundle(json, source, origin, report);
    if (top["indicators"].get_array().get(items) != simdjson::SUCCESS)
      return Error{std::string(origin) + ": expected {\"indicators\": [...]}, an array of indicators or a STIX bundle"};
    std::string_view named;
    if (top["source"].get_string().get(named) == simdjson::SUCCESS && !named.empty()) {
      default_source = std::string(named);
      report.source = default_source;
    }
  } else if (doc.root.get_array().get(items) != simdjson::SUCCESS) {
    return Error{std::string(origin) + ": expected {\"indicators\": [...]}, an array of indicators or a STIX bundle"};
  }

  const TimestampNs now = wall_clock_ns();
  std::vector<Indicator> out;
  std::size_t position = 0;
  for (simdjson::dom::element e : items) {
    ++position;
    simdjson::dom::object o;
    if (e.get_object().get(o) != simdjson::SUCCESS) {
      report.reject(origin, position, "not an object");
      continue;
    }
    IndicatorFields f;
    std::string numbers[3];
    struct Member {
      std::string_view key;
      std::string_view* field;
      std::string* storage;
    };
    std::string scratch;
    const Member members[] = {
        {"type", &f.type, &scratch},           {"value", &f.value, &scratch},
        {"confidence", &f.confidence, &numbers[0]}, {"severity", &f.severity, &numbers[1]},
        {"expires", &f.expires, &numbers[2]},  {"description", &f.description, &scratch},
        {"source", &f.source, &scratch},       {"id", &f.id, &scratch},
    };
    bool ok = true;
    for (const Member& m : members) {
      // type, value, description, source and id must be strings: a number there is a mistake.
      const bool numeric_ok = m.storage != &scratch;
      std::string_view text;
      std::string printed;
      if (!member_text(o, m.key, text, printed) || (!numeric_ok && !printed.empty())) {
        report.reject(origin, position, "\"" + std::string(m.key) + "\" has the wrong JSON type");
        ok = false;
        break;
      }
      if (!printed.empty()) {
        *m.storage = std::move(printed);
        text = *m.storage;
      }
      *m.field = text;
    }
    if (!ok) continue;
    take_or_reject(indicator_from_fields(f, default_source), now, origin, position, report, out);
  }
  return out;
}

}  // namespace detail

Result<std::vector<Indicator>> parse_intel_json(std::string_view json, const std::string& source, IntelLoadReport& report) {
  return detail::parse_intel_json(json, source, source, report);
}

}  // namespace opensoc::intel
