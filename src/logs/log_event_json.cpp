// ECS JSON of log events: see log_event_json.hpp. The flat, sorted field list
// (log_fields.hpp) is emitted as nested objects: names sharing a dotted
// prefix are contiguous once sorted, so one pass builds the tree.
#include "logs/log_event_json.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>

#include "flow/community_id.hpp"
#include "logs/log_fields.hpp"
#include "opensoc/core/json_writer.hpp"
#include "session/ecs_json.hpp"

namespace opensoc::logs {
namespace {

void write_value(JsonWriter& w, const FlatField& f) {
  switch (f.type) {
    case LogValueType::integer: {
      std::int64_t v = 0;
      const auto* end = f.value.data() + f.value.size();
      if (auto r = std::from_chars(f.value.data(), end, v); r.ec == std::errc() && r.ptr == end) {
        w.value(v);
        return;
      }
      std::uint64_t u = 0;
      if (auto r = std::from_chars(f.value.data(), end, u); r.ec == std::errc() && r.ptr == end) {
        w.value(u);
        return;
      }
      break;
    }
    case LogValueType::number: {
      const std::string s(f.value);
      char* end = nullptr;
      const double d = std::strtod(s.c_str(), &end);
      if (end == s.c_str() + s.size() && std::isfinite(d)) {
        w.value(d);
        return;
      }
      break;
    }
    case LogValueType::boolean:
      if (f.value == "true" || f.value == "false") {
        w.value(f.value == "true");
        return;
      }
      break;
    case LogValueType::time: {
      std::int64_t ns = 0;
      const auto* end = f.value.data() + f.value.size();
      if (auto r = std::from_chars(f.value.data(), end, ns); r.ec == std::errc() && r.ptr == end) {
        w.value(format_rfc3339_ns(ns));
        return;
      }
      break;
    }
    case LogValueType::string:
    case LogValueType::ip: break;
  }
  w.value(f.value);
}

// Emits fields[lo, hi) as JSON members, all names sharing a `depth`-byte
// prefix already opened as objects. A name that is both a value and a
// parent ("x" and "x.y") would give a duplicate key: the children are then
// written flat, with dotted keys ("x.y"), as Elasticsearch also reads them.
void emit_flat(JsonWriter& w, const std::vector<FlatField>& fields, std::size_t lo, std::size_t hi, std::size_t depth) {
  std::size_t i = lo;
  while (i < hi) {
    std::size_t j = i + 1;
    while (j < hi && fields[j].name == fields[i].name) ++j;
    w.key(fields[i].name.substr(depth));
    if (j - i == 1) {
      write_value(w, fields[i]);
    } else {
      w.begin_array();
      for (std::size_t k = i; k < j; ++k) write_value(w, fields[k]);
      w.end_array();
    }
    i = j;
  }
}

void emit(JsonWriter& w, const std::vector<FlatField>& fields, std::size_t lo, std::size_t hi, std::size_t depth) {
  std::vector<std::string_view> leaves;  // keys written as values at this level
  std::size_t i = lo;
  while (i < hi) {
    const std::string_view rest = fields[i].name.substr(depth);
    const std::size_t dot = rest.find('.');
    if (dot == std::string_view::npos || dot == 0 || dot + 1 == rest.size()) {
      // A leaf: consecutive equal names are one array.
      std::size_t j = i + 1;
      while (j < hi && fields[j].name == fields[i].name) ++j;
      w.key(rest);
      if (j - i == 1) {
        write_value(w, fields[i]);
      } else {
        w.begin_array();
        for (std::size_t k = i; k < j; ++k) write_value(w, fields[k]);
        w.end_array();
      }
      leaves.push_back(rest);
      i = j;
      continue;
    }
    const std::string_view head = rest.substr(0, dot + 1);  // "source."
    std::size_t j = i + 1;
    while (j < hi && fields[j].name.substr(depth).substr(0, head.size()) == head) ++j;
    const std::string_view key = rest.substr(0, dot);
    if (std::find(leaves.begin(), leaves.end(), key) != leaves.end()) {
      emit_flat(w, fields, i, j, depth);
    } else {
      w.key(key).begin_object();
      emit(w, fields, i, j, depth + head.size());
      w.end_object();
    }
    i = j;
  }
}

}  // namespace

std::string log_community_id(const LogEndpoints& ep) {
  if (ep.ip_proto == 0 || ep.source_ip.version == 0 || ep.source_ip.version != ep.destination_ip.version) return {};
  const bool ported = ep.ip_proto == 6 || ep.ip_proto == 17 || ep.ip_proto == 132;
  if (ported && (ep.source_port == 0 || ep.destination_port == 0)) return {};
  return flow::community_id_v1(ep.source_ip, ep.destination_ip, ep.source_port, ep.destination_port, ep.ip_proto);
}

void append_log_event_json(std::string& out, const LogEvent& event) {
  LogFieldList list;
  list.build(event);
  append_log_event_json(out, event, list);
}

void append_log_event_json(std::string& out, const LogEvent& event, const LogFieldList& list) {
  JsonWriter w(out);
  w.begin_object();
  emit(w, list.fields(), 0, list.fields().size(), 0);
  if (!event.enrichment.threats.empty() && event.find("threat.indicator.type") == nullptr) {
    session::write_ecs_threats(w, event.enrichment.threats);
  }
  w.end_object();
}

}  // namespace opensoc::logs
