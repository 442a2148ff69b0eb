#pragma once
// Triage score: one number 0..100 that orders alerts for an analyst, in the
// spirit of Apache Metron's threat triage (a weighted sum of what is known
// about the hit). Pure function; any thread.
#include "opensoc/core/alert.hpp"

namespace opensoc::alert {

/// Weights of the three terms. They need not sum to 1: the score is divided
/// by their sum, so it stays within 0..100 (all zero gives 0).
struct TriageWeights {
  double severity = 0.5;
  double criticality = 0.3;
  double confidence = 0.2;
};

/// 100 * (ws*S + wc*C + wf*F) / (ws + wc + wf), where
///   S = severity 1/2/3/4 -> 1.0/0.66/0.33/0.1 (0 counts as 1, above 4 as 4),
///   C = asset criticality unknown/low/medium/high/critical -> 0.2/0.25/0.5/0.75/1.0,
///   F = confidence/100 (capped at 100),
/// rounded to two decimals.
/// Deterministic: the same hit always scores the same (no bump for repeats;
/// repetition shows in the alert's count).
[[nodiscard]] double triage_score(const DetectionHit& hit, const TriageWeights& weights = {});

}  // namespace opensoc::alert
