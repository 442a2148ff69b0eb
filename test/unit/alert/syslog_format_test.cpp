#include "alert/syslog_format.hpp"

#include <catch2/catch.hpp>

#include "alert_test_support.hpp"

using namespace opensoc;
using namespace opensoc::alert;

namespace {
Alert triaged_alert() {
  Alert a = fixture::make_alert();
  a.status = AlertStatus::acknowledged;
  return a;
}
}  // namespace

TEST_CASE("alert_syslog_rfc5424 renders the alert as structured data", "[alert][syslog]") {
  CHECK(alert_syslog_rfc5424(triaged_alert(), "sensor-1") == R"(<36>1 2025-11-27T10:00:00.500000Z sensor-1 opensocd - alert [opensoc@32473 id="7" rule="sid:2100498" sid="2100498" rev="7" kind="signature" category="Potentially Bad Traffic" severity="2" score="59.1" status="acknowledged" count="3" src="10.0.0.5" spt="51000" dst="203.0.113.9" dpt="80" proto="TCP" community_id="1:wCb3OG7yAFWelaUydu0D+125CLM="] GPL ATTACK_RESPONSE id check returned root)");
}

TEST_CASE("alert_cef renders an ArcSight CEF line", "[alert][cef]") {
  CHECK(alert_cef(triaged_alert()) == R"(CEF:0|OpenSOC|opensocd|0.1.0|2100498|GPL ATTACK_RESPONSE id check returned root|7|rt=1764237600500 src=10.0.0.5 spt=51000 dst=203.0.113.9 dpt=80 proto=TCP cat=Potentially Bad Traffic externalId=7 cnt=3 start=1764237600000 end=1764237600500 cs1Label=score cs1=59.1 cs2Label=status cs2=acknowledged cs3Label=ruleId cs3=sid:2100498 cs4Label=kind cs4=signature cs5Label=communityId cs5=1:wCb3OG7yAFWelaUydu0D+125CLM\=)");
}

TEST_CASE("syslog renderings escape hostile text so it cannot forge fields or records", "[alert][syslog][cef]") {
  Alert a = fixture::make_alert();
  a.hit.signature = "a|b\\c=d\r\nX";
  a.hit.category = "q\"]x=y";
  a.hit.evidence.clear();
  a.hit.signature_id = 0;
  a.hit.rule_id = "dns|tunnel";
  const std::string rfc = alert_syslog_rfc5424(a, "bad host\n");
  CHECK(rfc.starts_with("<36>1 2025-11-27T10:00:00.500000Z bad_host_ opensocd - alert [opensoc@32473 id=\"7\" rule=\"dns|tunnel\" "));
  CHECK(rfc.find(R"(category="q\"\]x=y")") != std::string::npos);
  CHECK(rfc.ends_with(R"(proto="TCP"] a|b\c=d  X)"));
  const std::string cef = alert_cef(a);
  CHECK(cef.starts_with(R"(CEF:0|OpenSOC|opensocd|0.1.0|dns\|tunnel|a\|b\\c=d  X|7|rt=)"));
  CHECK(cef.find(R"( cat=q"]x\=y )") != std::string::npos);
  CHECK(cef.find('\n') == std::string::npos);
}

TEST_CASE("severity maps onto syslog and CEF scales", "[alert][syslog][cef]") {
  CHECK(syslog_severity(1) == 2);
  CHECK(syslog_severity(2) == 4);
  CHECK(syslog_severity(3) == 5);
  CHECK(syslog_severity(4) == 6);
  CHECK(cef_severity(1) == 10);
  CHECK(cef_severity(2) == 7);
  CHECK(cef_severity(3) == 5);
  CHECK(cef_severity(4) == 2);
  Alert a = fixture::make_alert();
  a.hit.severity = 1;
  CHECK(alert_syslog_rfc5424(a, "h").starts_with("<34>1 "));
  CHECK(alert_syslog_cef(a, "").starts_with("<34>1 2025-11-27T10:00:00.500000Z - opensocd - alert - CEF:0|"));
}
