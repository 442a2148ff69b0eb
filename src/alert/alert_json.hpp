#pragma once
// JSON renderings of an alert: the ECS form the API, the search index and
// the JSON exporters use, and the Suricata EVE "alert" record for pipelines
// built for Suricata. Pure functions of the alert; any thread (HTTP threads,
// the alert stage). They append to the caller's buffer, no trailing newline.
#include <string>

#include "opensoc/core/alert.hpp"

namespace opensoc::alert {

/// ECS: {"id", "@timestamp" (first_seen), "event" {kind "alert", severity,
/// risk_score, created, start, end, count}, "rule", "alert" (our triage
/// fields and history), "source", "destination", "network", "session",
/// "threat" {"indicator", "enrichments"}, "evidence" [...], "pcap" (the first
/// evidence's slice), "details"}. Layout in docs/ALERTS.md.
void append_alert_json(std::string& out, const Alert& a);

/// EVE: {"timestamp", "flow_id", "event_type":"alert", "src_ip", "src_port",
/// "dest_ip", "dest_port", "proto", "community_id", "app_proto", "alert"
/// {action "allowed", gid 1, signature_id, rev, signature, category,
/// severity}}; valid against Suricata's EVE schema.
void append_eve_alert(std::string& out, const Alert& a);

}  // namespace opensoc::alert
