// Triage score (docs/ALERTS.md, "Score"): severity, the asset's criticality
// and the detector's confidence as a weighted sum, the way Metron's threat
// triage rules add up. Runs wherever an alert is made (the indexer thread).
#include "alert/triage_score.hpp"

#include <algorithm>
#include <cmath>

namespace opensoc::alert {
namespace {

double severity_term(std::uint8_t severity) {
  // Suricata's priority scale: 1 is the most severe.
  switch (severity) {
    case 0:
    case 1: return 1.0;
    case 2: return 0.66;
    case 3: return 0.33;
    default: return 0.1;
  }
}

double criticality_term(Criticality c) {
  switch (c) {
    case Criticality::unknown: return 0.2;  // unknown is not "harmless": a little above low
    case Criticality::low: return 0.25;
    case Criticality::medium: return 0.5;
    case Criticality::high: return 0.75;
    case Criticality::critical: return 1.0;
  }
  return 0.2;
}

}  // namespace

double triage_score(const DetectionHit& hit, const TriageWeights& weights) {
  const double ws = std::max(weights.severity, 0.0);
  const double wc = std::max(weights.criticality, 0.0);
  const double wf = std::max(weights.confidence, 0.0);
  const double total = ws + wc + wf;
  if (total <= 0) return 0;
  const double confidence = std::min<double>(hit.confidence, 100) / 100.0;
  const double sum = ws * severity_term(hit.severity) + wc * criticality_term(hit.asset_criticality) + wf * confidence;
  // Two decimals: enough to order alerts, and 66 prints as 66, not 66.00000000000001.
  return std::clamp(std::round(10000.0 * sum / total) / 100.0, 0.0, 100.0);
}

}  // namespace opensoc::alert
