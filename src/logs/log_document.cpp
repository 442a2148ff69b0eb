// Search documents of log events and flow records: see log_document.hpp.
#include "logs/log_document.hpp"

#include "logs/log_fields.hpp"

namespace opensoc::logs {

bool is_flow_record(const LogEvent& event) noexcept { return event.dataset == "netflow"; }

search::SearchDocument log_document(const LogEvent& event, const LogFieldList& list, std::string json) {
  search::SearchDocument doc;
  doc.kind = is_flow_record(event) ? search::DocumentKind::session : search::DocumentKind::log;
  doc.ts = event.event_time();
  doc.values.reserve(list.fields().size());
  for (const FlatField& f : list.fields()) {
    // The raw bytes are shown, not indexed: `message` carries the words.
    if (f.name == "event.original" || f.name == "@timestamp" || f.name == "pcap") continue;
    doc.add_any(f.name, std::string(f.value));
  }
  for (const ThreatMatch& t : event.enrichment.threats) {
    doc.add("threat.indicator.type", indicator_type_name(t.indicator.type));
    doc.add("threat.indicator.provider", t.indicator.source);
    doc.add_number("threat.indicator.confidence", t.indicator.confidence);
    doc.add("threat.matched.field", t.field);
    doc.add("threat.indicator.value", t.indicator.value);
  }
  doc.json = std::move(json);
  return doc;
}

}  // namespace opensoc::logs
