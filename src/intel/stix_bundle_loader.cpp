// STIX 2.1 bundle loader (see the header). Runs on whichever thread loads a
// feed. Two passes over "objects": identities first (created_by_ref may point
// forwards), then indicators, each split into one Indicator per comparison.
#include "intel/stix_bundle_loader.hpp"

#include <string_view>
#include <unordered_map>

#include <simdjson.h>

#include "intel/indicator_fields.hpp"
#include "intel/indicator_intake.hpp"
#include "intel/indicator_normaliser.hpp"
#include "intel/json_document.hpp"
#include "intel/stix_pattern.hpp"
#include "opensoc/core/time.hpp"

namespace opensoc::intel {
namespace {

std::string_view string_member(simdjson::dom::object o, std::string_view key) {
  std::string_view s;
  if (o[key].get_string().get(s) != simdjson::SUCCESS) return {};
  return s;
}

// confidence: a JSON integer 0..100 (STIX 2.1 section 3.9); -2 when absent,
// -1 when present but invalid.
int confidence_member(simdjson::dom::object o) {
  simdjson::dom::element e;
  if (o["confidence"].get(e) != simdjson::SUCCESS) return -2;
  std::int64_t i = 0;
  if (e.get_int64().get(i) == simdjson::SUCCESS) return (i >= 0 && i <= 100) ? static_cast<int>(i) : -1;
  double d = 0;
  if (e.get_double().get(d) == simdjson::SUCCESS && d >= 0 && d <= 100) return static_cast<int>(d);
  return -1;
}

std::string describe(simdjson::dom::object o) {
  const std::string_view name = string_member(o, "name");
  const std::string_view text = string_member(o, "description");
  std::string d(name);
  if (!text.empty() && text != name) {
    if (!d.empty()) d += ": ";
    d += text;
  }
  simdjson::dom::array labels;
  if (o["labels"].get_array().get(labels) == simdjson::SUCCESS) {
    std::string joined;
    for (simdjson::dom::element l : labels) {
      std::string_view s;
      if (l.get_string().get(s) != simdjson::SUCCESS) continue;
      if (!joined.empty()) joined += ", ";
      joined += s;
    }
    if (!joined.empty()) d += (d.empty() ? "labels: " : " (labels: ") + joined + (d.empty() ? "" : ")");
  }
  return d;
}

}  // namespace

namespace detail {

Result<std::vector<Indicator>> parse_stix_bundle(std::string_view json, const std::string& source, std::string_view origin,
                                                 IntelLoadReport& report) {
  report.source = source;
  JsonDocument doc;
  if (auto parsed = doc.parse(json, origin); !parsed) return parsed.error();
  simdjson::dom::object bundle;
  if (doc.root.get_object().get(bundle) != simdjson::SUCCESS || string_member(bundle, "type") != "bundle")
    return Error{std::string(origin) + ": not a STIX bundle (expected an object with \"type\": \"bundle\")"};
  simdjson::dom::element objects_element;
  if (bundle["objects"].get(objects_element) != simdjson::SUCCESS) return std::vector<Indicator>{};  // an empty bundle
  simdjson::dom::array objects;
  if (objects_element.get_array().get(objects) != simdjson::SUCCESS)
    return Error{std::string(origin) + ": STIX bundle \"objects\" is not an array"};

  // Views into the parser's document, which outlives this map.
  std::unordered_map<std::string_view, std::string_view> identity_names;
  for (simdjson::dom::element e : objects) {
    simdjson::dom::object o;
    if (e.get_object().get(o) != simdjson::SUCCESS || string_member(o, "type") != "identity") continue;
    const std::string_view id = string_member(o, "id");
    const std::string_view name = string_member(o, "name");
    if (!id.empty() && !name.empty()) identity_names.emplace(id, name);
  }

  const TimestampNs now = wall_clock_ns();
  std::vector<Indicator> out;
  std::size_t index = 0;
  for (simdjson::dom::element e : objects) {
    const std::size_t this_index = index++;
    simdjson::dom::object o;
    if (e.get_object().get(o) != simdjson::SUCCESS) {
      report.reject(origin, 0, "objects[" + std::to_string(this_index) + "] is not an object");
      continue;
    }
    if (string_member(o, "type") != "indicator") continue;
    const std::string_view id = string_member(o, "id");
    const std::string who = id.empty() ? "objects[" + std::to_string(this_index) + "]" : std::string(id.substr(0, 100));
    auto reject = [&](std::string_view reason) { report.reject(origin, 0, who + ": " + std::string(reason)); };

    bool revoked = false;
    if (o["revoked"].get_bool().get(revoked) == simdjson::SUCCESS && revoked) {
      reject("revoked");
      continue;
    }
    const std::string_view pattern_type = string_member(o, "pattern_type");
    if (pattern_type != "stix") {
      reject(pattern_type.empty() ? std::string("no pattern_type")
                                  : "pattern_type '" + std::string(pattern_type.substr(0, 40)) + "' is not supported");
      continue;
    }
    const std::string_view pattern = string_member(o, "pattern");
    if (pattern.empty()) {
      reject("no pattern");
      continue;
    }
    auto comparisons = parse_stix_pattern(pattern);
    if (!comparisons) {
      reject(comparisons.error().message);
      continue;
    }
    const int confidence = confidence_member(o);
    if (confidence == -1) {
      reject("confidence must be an integer 0..100");
      continue;
    }
    TimestampNs expires = 0;
    if (const std::string_view until = string_member(o, "valid_until"); !until.empty()) {
      const auto t = parse_intel_timestamp(until);
      if (!t) {
        reject("valid_until is not an RFC 3339 time");
        continue;
      }
      expires = *t;
    }
    Indicator base;
    base.id = std::string(id);
    base.description = describe(o);
    if (confidence >= 0) base.confidence = static_cast<std::uint8_t>(confidence);
    base.expires = expires;
    base.source = source;
    if (const auto it = identity_names.find(string_member(o, "created_by_ref")); it != identity_names.end())
      base.source = std::string(it->second);

    for (StixComparison& c : *comparisons) {
      auto n = normalise_indicator(c.type, c.value);
      if (!n) {
        reject("'" + c.value.substr(0, 100) + "': " + n.error().message);
        continue;
      }
      Indicator ind = base;
      ind.type = n->type;
      ind.value = std::move(n->value);
      take_indicator(std::move(ind), now, report, out);
    }
  }
  return out;
}

}  // namespace detail

Result<std::vector<Indicator>> parse_stix_bundle(std::string_view json, const std::string& source, IntelLoadReport& report) {
  return detail::parse_stix_bundle(json, source, source, report);
}

}  // namespace opensoc::intel
