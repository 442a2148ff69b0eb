#include "alert/triage_score.hpp"

#include <catch2/catch.hpp>

using opensoc::Criticality;
using opensoc::DetectionHit;
using opensoc::alert::triage_score;
using opensoc::alert::TriageWeights;

namespace {
DetectionHit hit(std::uint8_t severity, Criticality c, std::uint8_t confidence) {
  DetectionHit h;
  h.severity = severity;
  h.asset_criticality = c;
  h.confidence = confidence;
  return h;
}
}  // namespace

TEST_CASE("triage_score weighs severity, criticality and confidence", "[alert][score]") {
  // 100 * (0.5*1.0 + 0.3*0.2 + 0.2*0.5) = 66
  CHECK(triage_score(hit(1, Criticality::unknown, 50)) == 66.0);
  // 100 * (0.5*0.66 + 0.3*1.0 + 0.2*1.0) = 83
  CHECK(triage_score(hit(2, Criticality::critical, 100)) == 83.0);
  // 100 * (0.5*0.33 + 0.3*0.5 + 0.2*0.2) = 35.5
  CHECK(triage_score(hit(3, Criticality::medium, 20)) == 35.5);
  // 100 * (0.5*0.1 + 0.3*0.25 + 0) = 12.5
  CHECK(triage_score(hit(4, Criticality::low, 0)) == 12.5);
  // 100 * (0.5*0.66 + 0.3*0.75 + 0.2*0.8) = 71.5
  CHECK(triage_score(hit(2, Criticality::high, 80)) == 71.5);
}

TEST_CASE("triage_score spans 0..100 at the extremes and clamps odd inputs", "[alert][score]") {
  CHECK(triage_score(hit(1, Criticality::critical, 100)) == 100.0);
  CHECK(triage_score(hit(0, Criticality::critical, 255)) == 100.0);  // severity 0 counts as 1, confidence caps at 100
  CHECK(triage_score(hit(9, Criticality::unknown, 0)) == triage_score(hit(4, Criticality::unknown, 0)));
}

TEST_CASE("triage_score normalises custom weights by their sum", "[alert][score]") {
  const TriageWeights only_severity{1.0, 0.0, 0.0};
  CHECK(triage_score(hit(3, Criticality::critical, 100), only_severity) == 33.0);
  const TriageWeights doubled{1.0, 0.6, 0.4};
  CHECK(triage_score(hit(1, Criticality::unknown, 50), doubled) == 66.0);
  CHECK(triage_score(hit(1, Criticality::critical, 100), TriageWeights{0, 0, 0}) == 0.0);
}
