// Alert REST handlers (docs/ALERTS.md, "REST API"): list with filters and
// counts, one alert, and triage by PATCH. Every 4xx names what was wrong
// (the parameter or body field), so a client can point at it. HTTP threads.
#include "alert/alert_api.hpp"

#include <charconv>
#include <variant>

#include <simdjson.h>

#include "alert/alert_json.hpp"
#include "alert/alert_query.hpp"
#include "opensoc/core/json_writer.hpp"

namespace opensoc::alert {
namespace {

std::optional<std::uint64_t> parse_id(std::string_view text) {
  std::uint64_t v = 0;
  const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc{} || p != text.data() + text.size()) return std::nullopt;
  return v;
}

api::Response json_response(int status, std::string body) {
  api::Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

api::Response bad_id() { return api::error_response(400, "alert id must be a decimal number", "id"); }

api::Response no_alert(std::uint64_t id) { return api::error_response(404, "no alert " + std::to_string(id)); }

void write_counts(JsonWriter& w, const AlertStore::Counts& c) {
  w.key("counts").begin_object();
  w.field("total", c.total);
  w.key("status").begin_object();
  for (const AlertStatus s : {AlertStatus::new_, AlertStatus::acknowledged, AlertStatus::escalated, AlertStatus::closed}) {
    w.field(alert_status_name(s), c.by_status[static_cast<std::size_t>(s)]);
  }
  w.end_object();
  w.key("severity").begin_object();
  for (std::size_t s = 1; s <= 4; ++s) w.field(std::to_string(s), c.by_severity[s]);
  w.end_object();
  w.end_object();
}

struct PatchBody {
  std::optional<AlertStatus> status;
  std::string note;
};

// The PATCH body, or the 400 naming its bad field.
std::variant<PatchBody, api::Response> parse_patch_body(const std::string& body) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(body).get(root) != simdjson::SUCCESS) {
    return api::error_response(400, "body is not valid JSON", "body");
  }
  simdjson::dom::object obj;
  if (root.get_object().get(obj) != simdjson::SUCCESS) {
    return api::error_response(400, "body must be a JSON object", "body");
  }
  PatchBody out;
  bool any = false;
  for (const auto field : obj) {
    const std::string key(field.key);
    if (key == "status") {
      std::string_view s;
      if (field.value.get_string().get(s) != simdjson::SUCCESS) {
        return api::error_response(400, "status must be a string", "status");
      }
      out.status = parse_alert_status(s);
      if (!out.status) return api::error_response(400, "status must be new, acknowledged, escalated or closed", "status");
      any = true;
    } else if (key == "note") {
      std::string_view s;
      if (field.value.get_string().get(s) != simdjson::SUCCESS) {
        return api::error_response(400, "note must be a string", "note");
      }
      if (s.size() > kMaxNoteBytes) {
        return api::error_response(400, "note is longer than " + std::to_string(kMaxNoteBytes) + " bytes", "note");
      }
      out.note = std::string(s);
      any = any || !s.empty();
    } else {
      return api::error_response(400, "unknown field (expected status, note)", key);
    }
  }
  if (!any) return api::error_response(400, "give a status or a non-empty note", "status");
  return out;
}

}  // namespace

api::Response serve_alert_list(const api::Request& req, const AlertStore& store,
                               std::optional<std::vector<std::uint64_t>> ids) {
  auto parsed = parse_alert_query(req.query);
  if (const auto* err = std::get_if<AlertQueryError>(&parsed)) return api::error_response(400, err->first, err->second);
  AlertQuery& q = std::get<AlertQuery>(parsed);
  q.ids = std::move(ids);
  const AlertPage page = store.query(q);
  std::string body;
  JsonWriter w(body);
  w.begin_object();
  w.field("total", page.total);
  w.field("offset", static_cast<std::uint64_t>(page.offset));
  w.field("limit", static_cast<std::uint64_t>(page.limit));
  write_counts(w, store.counts());
  w.key("alerts").begin_array();
  for (const Alert& a : page.alerts) {
    std::string one;
    append_alert_json(one, a);
    w.raw(one);
  }
  w.end_array();
  w.end_object();
  return json_response(200, std::move(body));
}

api::Response serve_alert_get(const api::Request& /*req*/, const AlertStore& store, std::string_view id) {
  const auto n = parse_id(id);
  if (!n) return bad_id();
  const auto a = store.get(*n);
  if (!a) return no_alert(*n);
  std::string body;
  append_alert_json(body, *a);
  return json_response(200, std::move(body));
}

api::Response serve_alert_patch(const api::Request& req, AlertStore& store, std::string_view id,
                                const std::string& user, TimestampNs wall_now) {
  const auto n = parse_id(id);
  if (!n) return bad_id();
  auto parsed = parse_patch_body(req.body);
  if (auto* err = std::get_if<api::Response>(&parsed)) return std::move(*err);
  const PatchBody& patch = std::get<PatchBody>(parsed);
  if (!store.get(*n)) return no_alert(*n);
  auto changed = store.change_status(*n, patch.status, patch.note, user, wall_now);
  if (!changed) {
    // Retention may have dropped it between the look-up and the change.
    if (!store.get(*n)) return no_alert(*n);
    return api::error_response(500, changed.error().message);
  }
  std::string body;
  append_alert_json(body, *changed);
  return json_response(200, std::move(body));
}

}  // namespace opensoc::alert
