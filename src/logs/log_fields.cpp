// LogFieldList: see log_fields.hpp. Runs on the log pipeline thread (and in
// tests); no shared state.
#include "logs/log_fields.hpp"

#include <algorithm>
#include <cstdlib>

#include "ingest/socket_endpoint.hpp"
#include "logs/log_event_json.hpp"
#include "session/ecs_json.hpp"

namespace opensoc::logs {
std::string_view LogFieldList::keep(std::string s) {
  // Strings are reused in place; a deque never moves its elements, so views stay valid.
  if (used_ < storage_.size()) {
    storage_[used_] = std::move(s);
  } else {
    storage_.push_back(std::move(s));
  }
  return storage_[used_++];
}

void LogFieldList::add(std::string_view name, std::string_view value, LogValueType type) {
  if (!value.empty()) fields_.push_back(FlatField{name, value, type});
}

bool LogFieldList::has(std::string_view name) const noexcept {
  return std::any_of(fields_.begin(), fields_.end(), [&](const FlatField& f) { return f.name == name; });
}

void LogFieldList::build(const LogEvent& ev) {
  fields_.clear();
  used_ = 0;
  using T = LogValueType;
  for (const LogField& f : ev.fields) add(f.name, f.value, f.type);

  // What the pipeline knows about every record; a parser's own value wins.
  auto core = [&](std::string_view name, std::string value, T type) {
    if (!value.empty() && !has(name)) add(name, keep(std::move(value)), type);
  };
  core("@timestamp", std::to_string(ev.event_time()), T::time);
  core("event.created", std::to_string(ev.received), T::time);
  core("event.kind", "event", T::string);
  core("event.dataset", ev.dataset, T::string);
  core("event.id", std::to_string(ev.id), T::string);
  core("message", ev.message, T::string);
  core("event.original", ev.original, T::string);
  // The REST API knows the peer's address only, not its port.
  if (ev.sender.version != 0) {
    core("log.source.address",
         ev.sender_port != 0 ? ingest::endpoint_text(ev.sender.to_string(), ev.sender_port) : ev.sender.to_string(),
         T::string);
  }
  core("labels.listener", ev.listener, T::string);
  core("input.type", ev.transport, T::string);
  core("log.parser", ev.parser, T::string);

  const LogEndpoints& ep = ev.endpoints;
  if (ep.source_ip.version != 0) core("source.ip", ep.source_ip.to_string(), T::ip);
  if (ep.destination_ip.version != 0) core("destination.ip", ep.destination_ip.to_string(), T::ip);
  if (ep.source_port != 0) core("source.port", std::to_string(ep.source_port), T::integer);
  if (ep.destination_port != 0) core("destination.port", std::to_string(ep.destination_port), T::integer);
  if (ep.ip_proto != 0) {
    core("network.transport", session::ecs_transport_name(ep.ip_proto), T::string);
    core("network.iana_number", std::to_string(ep.ip_proto), T::string);
  }
  const std::string cid = log_community_id(ep);
  if (!cid.empty()) {
    core("network.community_id", cid, T::string);
    // The packets of the same flow: a flow record's own span, a log's
    // minute either side (its clock and the sensor's rarely agree better).
    TimestampNs begin = ev.event_time() - 60 * kNsPerSecond;
    TimestampNs end = ev.event_time() + 60 * kNsPerSecond;
    const LogField* start_f = ev.find("event.start");
    const LogField* end_f = ev.find("event.end");
    if (start_f != nullptr && end_f != nullptr) {
      const long long a = std::atoll(start_f->value.c_str());
      const long long b = std::atoll(end_f->value.c_str());
      if (a > 0 && b >= a) {
        // Exporters stamp in milliseconds (truncated): the last packet may
        // lie anywhere in the record's last millisecond.
        begin = a;
        end = b + 1'000'000;
      }
    }
    core("pcap", session::pcap_slice_url(cid, begin, end), T::string);
  }

  const Enrichment& en = ev.enrichment;
  auto side = [&](const EndpointEnrichment& e, bool present, std::string_view p) {
    if (!present) return;
    const std::string pre(p);
    const GeoInfo& g = e.geo;
    core(keep(pre + ".geo.country_iso_code"), g.country_iso, T::string);
    core(keep(pre + ".geo.country_name"), g.country_name, T::string);
    core(keep(pre + ".geo.city_name"), g.city, T::string);
    if (g.has_location) {
      core(keep(pre + ".geo.location.lat"), std::to_string(g.latitude), T::number);
      core(keep(pre + ".geo.location.lon"), std::to_string(g.longitude), T::number);
    }
    if (g.as_number != 0) core(keep(pre + ".as.number"), std::to_string(g.as_number), T::integer);
    core(keep(pre + ".as.organization.name"), g.as_org, T::string);
    if (e.asset.known()) {
      core(keep(pre + ".asset.name"), e.asset.name, T::string);
      core(keep(pre + ".asset.owner"), e.asset.owner, T::string);
      core(keep(pre + ".asset.role"), e.asset.role, T::string);
      if (e.asset.criticality != Criticality::unknown) {
        core(keep(pre + ".asset.criticality"), criticality_name(e.asset.criticality), T::string);
      }
    }
  };
  side(en.source, ep.source_ip.version != 0, "source");
  side(en.destination, ep.destination_ip.version != 0, "destination");
  if (ep.source_ip.version != 0 && ep.destination_ip.version != 0) {
    core("network.direction", std::string(session::ecs_network_direction(en)), T::string);
  }
  std::stable_sort(fields_.begin(), fields_.end(), [](const FlatField& a, const FlatField& b) { return a.name < b.name; });
}

}  // namespace opensoc::logs
