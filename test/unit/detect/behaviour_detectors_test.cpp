// Unit tests of the behavioural detectors (src/detect/*_detector.cpp and
// BehaviourDetectors). Session records and DNS events are built by hand;
// every detector has a case that must fire (exact hit count and figures)
// and one that must not.
#include <catch2/catch.hpp>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "detect/behaviour_detectors.hpp"
#include "opensoc/core/decoded_packet.hpp"

using namespace opensoc;
using namespace opensoc::detect;

namespace {

// 2025-11-24T16:00:00Z: hour aligned, hour of day 16.
constexpr TimestampNs kT0 = TimestampNs{1'764'000'000} * kNsPerSecond;
constexpr std::uint64_t kMB = 1'000'000;

TimestampNs at(double seconds) { return kT0 + static_cast<TimestampNs>(seconds * 1e9); }

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

bool internal(const std::string& a) { return a.rfind("10.", 0) == 0 || a.rfind("192.168.", 0) == 0; }

// A completed TCP conversation (handshake, data, FIN both ways), final record.
SessionRecord conversation(std::uint64_t id, const char* src, const char* dst, std::uint16_t dport, double start_s,
                           double duration_s, std::uint64_t bytes_out, std::uint64_t bytes_in) {
  SessionRecord r;
  r.session_id = id;
  r.community_id = "1:test" + std::to_string(id);
  r.flow.flow_id = id;
  r.flow.src_ip = ip(src);
  r.flow.dst_ip = ip(dst);
  r.flow.src_port = static_cast<std::uint16_t>(40000 + id % 20000);
  r.flow.dst_port = dport;
  r.flow.ip_proto = 6;
  r.flow.first_ts = at(start_s);
  r.flow.last_ts = at(start_s + duration_s);
  r.flow.src_bytes = bytes_out;
  r.flow.dst_bytes = bytes_in;
  r.flow.src_packets = bytes_out / 1400 + 3;
  r.flow.dst_packets = bytes_in / 1400 + 3;
  r.flow.src_tcp_flags = kTcpSyn | kTcpAck | kTcpPsh | kTcpFin;
  r.flow.dst_tcp_flags = kTcpSyn | kTcpAck | kTcpPsh | kTcpFin;
  r.flow.tcp_state = TcpState::closed;
  r.flow.end_reason = FlowEndReason::fin;
  r.enrichment.source.internal = internal(src);
  r.enrichment.destination.internal = internal(dst);
  return r;
}

// One nmap probe of `port`: open ports answer SYN-ACK, closed ones RST.
enum class Probe { syn_open, syn_closed, connect_open, unanswered };
SessionRecord probe(std::uint64_t id, const char* src, const char* dst, std::uint16_t dport, double start_s, Probe kind) {
  SessionRecord r = conversation(id, src, dst, dport, start_s, 0.001, 0, 0);
  FlowRecord& f = r.flow;
  f.end_reason = FlowEndReason::rst;
  f.tcp_state = TcpState::closed;
  switch (kind) {
    case Probe::syn_open:  // SYN, SYN-ACK, RST
      f.src_tcp_flags = kTcpSyn | kTcpRst;
      f.dst_tcp_flags = kTcpSyn | kTcpAck;
      f.src_packets = 2;
      f.dst_packets = 1;
      break;
    case Probe::syn_closed:  // SYN, RST-ACK
      f.src_tcp_flags = kTcpSyn;
      f.dst_tcp_flags = kTcpRst | kTcpAck;
      f.src_packets = 1;
      f.dst_packets = 1;
      break;
    case Probe::connect_open:  // SYN, SYN-ACK, ACK, RST (nmap -sT)
      f.src_tcp_flags = kTcpSyn | kTcpAck | kTcpRst;
      f.dst_tcp_flags = kTcpSyn | kTcpAck;
      f.src_packets = 3;
      f.dst_packets = 1;
      break;
    case Probe::unanswered:  // SYN, nothing
      f.src_tcp_flags = kTcpSyn;
      f.dst_tcp_flags = 0;
      f.src_packets = 2;
      f.dst_packets = 0;
      f.tcp_state = TcpState::syn_sent;
      f.end_reason = FlowEndReason::idle_timeout;
      f.last_ts = f.first_ts + 30 * kNsPerSecond;
      break;
  }
  f.src_bytes = f.src_packets * 60;
  f.dst_bytes = f.dst_packets * 60;
  return r;
}

ProtocolEvent dns_query(std::uint64_t session_id, double ts_s, const std::string& name, std::uint16_t type = 1,
                        bool response = false) {
  ProtocolEvent ev;
  ev.session_id = session_id;
  ev.ts = at(ts_s);
  ev.session_start = ev.ts;
  ev.endpoints = Endpoints{ip("10.0.0.7"), ip("10.0.0.53"), static_cast<std::uint16_t>(30000 + session_id % 30000), 53, 17, 0};
  ev.to_server = !response;
  ev.community_id = "1:dns" + std::to_string(session_id);
  DnsEvent dns;
  dns.response = response;
  dns.rd = true;
  dns.queries.push_back(DnsQuestionEntry{name, type, 1});
  ev.body = std::move(dns);
  ev.enrichment.source.internal = true;
  ev.enrichment.destination.internal = true;
  return ev;
}

std::string random_base32(std::mt19937& rng, std::size_t n) {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
  std::uniform_int_distribution<int> pick(0, 31);
  std::string s;
  for (std::size_t i = 0; i < n; ++i) s += kAlphabet[pick(rng)];
  return s;
}

bool contains(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

}  // namespace

// ---------------------------------------------------------------- large_upload

TEST_CASE("large_upload raises once for a 30 MB upload to an outside host", "[detect][behaviour][volume]") {
  VolumeDetector d{VolumeConfig{}};
  std::vector<DetectionHit> out;
  SessionRecord r = conversation(7, "10.0.0.5", "203.0.113.7", 443, 0, 20, 30 * kMB, 200'000);

  SECTION("final record") { d.on_session(r, out); }
  SECTION("interim, then provisional, then final records of the same session") {
    SessionRecord interim = r;
    interim.flow.end_reason = FlowEndReason::active;
    d.on_session(interim, out);
    SessionRecord provisional = r;
    provisional.provisional = true;
    d.on_session(provisional, out);
    d.on_session(r, out);
  }

  REQUIRE(out.size() == 1);
  const DetectionHit& h = out[0];
  CHECK(h.kind == DetectionKind::behaviour);
  CHECK(h.rule_id == "large_upload");
  CHECK(h.signature_id == kSidLargeUpload);
  CHECK(h.signature == "10.0.0.5 sent 30.0 MB to 203.0.113.7 in one session (0.2 MB received)");
  CHECK(h.category == "exfiltration");
  CHECK(contains(h.details_json, "\"observed_bytes_out\":30000000"));
  CHECK(contains(h.details_json, "\"threshold_bytes_out\":20000000"));
  CHECK(contains(h.details_json, "\"observed_ratio\":150"));
  REQUIRE(h.evidence.size() == 1);
  CHECK(h.evidence[0].session_id == 7);
  CHECK(h.evidence[0].bytes_out == 30 * kMB);
  CHECK(h.endpoints.dst_ip == ip("203.0.113.7"));
  CHECK(h.dedup_key == "large_upload|10.0.0.5|203.0.113.7");
}

TEST_CASE("large_upload ignores downloads, internal transfers and balanced sessions", "[detect][behaviour][volume]") {
  VolumeDetector d{VolumeConfig{}};
  std::vector<DetectionHit> out;
  d.on_session(conversation(1, "10.0.0.5", "203.0.113.7", 443, 0, 20, 500'000, 30 * kMB), out);   // download
  d.on_session(conversation(2, "10.0.0.5", "10.0.0.9", 445, 0, 20, 30 * kMB, 100'000), out);      // internal backup
  d.on_session(conversation(3, "203.0.113.7", "10.0.0.5", 443, 0, 20, 30 * kMB, 100'000), out);   // inbound
  d.on_session(conversation(4, "10.0.0.5", "203.0.113.7", 443, 0, 20, 25 * kMB, 5 * kMB), out);   // ratio 5 < 10
  d.on_session(conversation(5, "10.0.0.5", "203.0.113.7", 443, 0, 20, 19 * kMB, 0), out);         // below 20 MB
  CHECK(out.empty());
}

// ------------------------------------------------------------- volume_baseline

TEST_CASE("volume_baseline raises once when an hour exceeds the learned baseline", "[detect][behaviour][volume]") {
  VolumeDetector d{VolumeConfig{}};
  std::vector<DetectionHit> out;
  std::uint64_t id = 1;
  // Two days of 10 MB per hour (balanced sessions: large_upload stays quiet).
  for (int hour = 0; hour < 48; ++hour)
    d.on_session(conversation(id++, "10.0.0.5", "203.0.113.7", 443, hour * 3600 + 100, 10, 10 * kMB, 10 * kMB), out);
  REQUIRE(out.empty());

  SECTION("an hour of 90 MB raises at the session that crosses 50 MB") {
    for (int i = 0; i < 3; ++i)
      d.on_session(conversation(id++, "10.0.0.5", "198.51.100.3", 443, 48 * 3600 + 100 + i * 60, 10, 30 * kMB, 30 * kMB), out);
    REQUIRE(out.size() == 1);
    const DetectionHit& h = out[0];
    CHECK(h.rule_id == "volume_baseline");
    CHECK(h.signature_id == kSidVolumeBaseline);
    CHECK(h.signature ==
          "10.0.0.5 sent 60.0 MB to external hosts in the hour from 16:00 UTC; usual 10.0 MB, threshold 50.0 MB");
    CHECK(contains(h.details_json, "\"observed_bytes\":60000000"));
    CHECK(contains(h.details_json, "\"baseline_mean_bytes\":10000000"));
    CHECK(contains(h.details_json, "\"threshold_bytes\":50000000"));
    CHECK(contains(h.details_json, "\"history_hours\":48"));
    REQUIRE(h.evidence.size() == 2);
    CHECK(h.evidence[0].bytes_out == 30 * kMB);
    CHECK(h.endpoints.src_ip == ip("10.0.0.5"));
  }
  SECTION("an hour of 40 MB stays below the 50 MB floor") {
    for (int i = 0; i < 4; ++i)
      d.on_session(conversation(id++, "10.0.0.5", "198.51.100.3", 443, 48 * 3600 + 100 + i * 60, 10, 10 * kMB, 10 * kMB), out);
    CHECK(out.empty());
  }
}

TEST_CASE("volume_baseline uses the learned mean when it is above the floor", "[detect][behaviour][volume]") {
  VolumeDetector d{VolumeConfig{}};
  std::vector<DetectionHit> out;
  std::uint64_t id = 1;
  for (int hour = 0; hour < 30; ++hour)
    d.on_session(conversation(id++, "10.0.0.8", "203.0.113.7", 443, hour * 3600 + 100, 10, 100 * kMB, 100 * kMB), out);
  d.on_session(conversation(id++, "10.0.0.8", "203.0.113.7", 443, 30 * 3600 + 100, 10, 100 * kMB, 100 * kMB), out);
  CHECK(out.empty());  // 100 MB is not above a 100 MB threshold
  d.on_session(conversation(id++, "10.0.0.8", "203.0.113.7", 443, 30 * 3600 + 200, 10, 1 * kMB, 1 * kMB), out);
  REQUIRE(out.size() == 1);
  CHECK(contains(out[0].signature, "sent 101.0 MB to external hosts in the hour from 22:00 UTC; usual 100.0 MB, threshold 100.0 MB"));
  CHECK(contains(out[0].details_json, "\"history_hours\":30"));
}

TEST_CASE("volume_baseline stays silent before the baseline exists", "[detect][behaviour][volume]") {
  VolumeDetector d{VolumeConfig{}};
  std::vector<DetectionHit> out;
  for (int i = 0; i < 10; ++i)
    d.on_session(conversation(static_cast<std::uint64_t>(i + 1), "10.0.0.5", "203.0.113.7", 443, i * 60, 10, 20 * kMB, 20 * kMB), out);
  CHECK(out.empty());
}

// ------------------------------------------------------------------ dns_tunnel

TEST_CASE("registered_domain keeps the registrable labels", "[detect][behaviour][dns]") {
  CHECK(registered_domain("www.google.com") == "google.com");
  CHECK(registered_domain("a.b.example.co.uk") == "example.co.uk");
  CHECK(registered_domain("example.co.uk") == "example.co.uk");
  CHECK(registered_domain("cdn.shop.com.au.") == "shop.com.au");
  CHECK(registered_domain("co.uk") == "co.uk");
  CHECK(registered_domain("localhost") == "localhost");
  CHECK(registered_domain("") == "");
  CHECK(shannon_entropy("aaaa") == Approx(0.0));
  CHECK(shannon_entropy("abcd") == Approx(2.0));
}

TEST_CASE("dns_tunnel raises once for 200 random 50-char base32 names under one domain", "[detect][behaviour][dns]") {
  DnsTunnelDetector d{DnsTunnelConfig{}};
  std::vector<DetectionHit> out;
  std::mt19937 rng(42);
  for (int i = 0; i < 200; ++i) {
    const std::string name = random_base32(rng, 50) + ".t.Tunnel-Example.com";
    d.on_event(dns_query(static_cast<std::uint64_t>(i + 1), i * 0.5, name), out);
    d.on_event(dns_query(static_cast<std::uint64_t>(i + 1), i * 0.5 + 0.01, name, 1, true), out);  // responses do not count
  }
  REQUIRE(out.size() == 1);
  const DetectionHit& h = out[0];
  CHECK(h.rule_id == "dns_tunnel");
  CHECK(h.signature_id == kSidDnsTunnel);
  CHECK(h.signature ==
        "possible DNS tunnel under tunnel-example.com: 20 distinct subdomains, 20 queries with long high-entropy labels, "
        "0 TXT/NULL queries in 20 queries within 300 s");
  CHECK(contains(h.details_json, "\"triggered\":\"long_high_entropy_queries\""));
  CHECK(contains(h.details_json, "\"domain\":\"tunnel-example.com\""));
  REQUIRE(h.evidence.size() == 20);
  CHECK(h.evidence.front().session_id == 1);
  CHECK(h.evidence.back().session_id == 20);
  CHECK(h.evidence.back().app_protocol == "dns");
  CHECK(h.dedup_key == "dns_tunnel|tunnel-example.com");

  // A new window raises again.
  for (int i = 0; i < 20; ++i)
    d.on_event(dns_query(static_cast<std::uint64_t>(1000 + i), 400 + i, random_base32(rng, 50) + ".tunnel-example.com"), out);
  CHECK(out.size() == 2);
}

TEST_CASE("dns_tunnel counts distinct short subdomains and TXT queries", "[detect][behaviour][dns]") {
  DnsTunnelDetector d{DnsTunnelConfig{}};
  std::vector<DetectionHit> out;
  SECTION("100 distinct names") {
    for (int i = 0; i < 150; ++i) d.on_event(dns_query(1, i, "n" + std::to_string(i) + ".data.example.net"), out);
    REQUIRE(out.size() == 1);
    CHECK(contains(out[0].details_json, "\"triggered\":\"unique_subdomains\""));
    CHECK(contains(out[0].details_json, "\"observed_unique_subdomains\":100"));
    CHECK(contains(out[0].signature, "under example.net: 100 distinct subdomains"));
  }
  SECTION("50 TXT queries") {
    for (int i = 0; i < 60; ++i) d.on_event(dns_query(1, i, "cmd.example.org", 16), out);
    REQUIRE(out.size() == 1);
    CHECK(contains(out[0].details_json, "\"observed_txt_null_queries\":50"));
  }
}

TEST_CASE("dns_tunnel stays silent for 200 queries of popular names", "[detect][behaviour][dns]") {
  const std::vector<std::string> names = {
      "www.google.com",       "mail.google.com",        "fonts.googleapis.com", "www.youtube.com",
      "i.ytimg.com",          "www.bbc.co.uk",          "news.bbc.co.uk",       "www.amazon.com",
      "images-na.ssl-images-amazon.com", "www.wikipedia.org", "en.wikipedia.org", "upload.wikimedia.org",
      "github.com",           "api.github.com",         "avatars.githubusercontent.com", "www.microsoft.com",
      "login.microsoftonline.com", "outlook.office365.com", "www.apple.com", "time.apple.com",
      "1.0.0.10.in-addr.arpa", "2.0.0.10.in-addr.arpa",  "printer.local",        "connectivity-check.ubuntu.com"};
  DnsTunnelDetector d{DnsTunnelConfig{}};
  std::vector<DetectionHit> out;
  for (int i = 0; i < 200; ++i)
    d.on_event(dns_query(static_cast<std::uint64_t>(i), i * 0.2, names[static_cast<std::size_t>(i) % names.size()],
                         i % 2 ? 28 : 1),
               out);
  CHECK(out.empty());
}

// ---------------------------------------------------------------------- beacon

TEST_CASE("beacon raises once for sessions every 60 s", "[detect][behaviour][beacon]") {
  BeaconDetector d{BeaconConfig{}};
  std::vector<DetectionHit> out;
  for (int i = 0; i < 12; ++i) {
    const double start = i * 60.0 + (i % 2 ? 0.5 : 0.0);
    d.on_session(conversation(static_cast<std::uint64_t>(i + 1), "10.0.0.5", "198.51.100.9", 443, start, 1, 4000, 6000), out);
    if (i == 6) CHECK(out.empty());  // 7 sessions: not yet
  }
  REQUIRE(out.size() == 1);
  const DetectionHit& h = out[0];
  CHECK(h.rule_id == "beacon");
  CHECK(h.signature_id == kSidBeacon);
  CHECK(h.category == "command-and-control");
  CHECK(contains(h.signature, "10.0.0.5 connected to 198.51.100.9 port 443 8 times at regular 60.1 s intervals (jitter 0.008)"));
  CHECK(contains(h.details_json, "\"observed_connections\":8"));
  CHECK(contains(h.details_json, "\"threshold_jitter\":0.15"));
  REQUIRE(h.evidence.size() == 8);
  CHECK(h.evidence.front().session_id == 1);
  CHECK(h.evidence.back().session_id == 8);
  CHECK(h.dedup_key == "beacon|10.0.0.5|198.51.100.9|443");
}

TEST_CASE("beacon orders sessions by start time when their records arrive out of order", "[detect][behaviour][beacon]") {
  BeaconDetector d{BeaconConfig{}};
  std::vector<DetectionHit> out;
  // Sessions every 300 s; odd ones last longer, so their records come after the next one's.
  const int order[] = {1, 0, 3, 2, 5, 4, 7, 6};
  for (const int i : order)
    d.on_session(conversation(static_cast<std::uint64_t>(i + 1), "10.0.0.5", "198.51.100.9", 8443, i * 300.0, 1, 400, 600), out);
  REQUIRE(out.size() == 1);
  CHECK(contains(out[0].signature, "8 times at regular 300.0 s intervals (jitter 0.000)"));
  REQUIRE(out[0].evidence.size() == 8);
  for (std::size_t i = 0; i < 8; ++i) CHECK(out[0].evidence[i].session_id == i + 1);
}

TEST_CASE("beacon ignores irregular, parallel, internal and NTP sessions", "[detect][behaviour][beacon]") {
  BeaconDetector d{BeaconConfig{}};
  std::vector<DetectionHit> out;
  const double gaps[] = {5, 300, 17, 90, 600, 42, 1200, 8, 30, 77, 400, 12};
  double t = 0;
  std::uint64_t id = 1;
  for (const double g : gaps) {
    t += g;
    d.on_session(conversation(id++, "10.0.0.5", "198.51.100.9", 443, t, 1, 4000, 6000), out);    // a person
    d.on_session(conversation(id++, "10.0.0.6", "198.51.100.10", 443, 0, 1, 4000, 6000), out);    // parallel
    const double poll = static_cast<double>(id) * 15.0;
    d.on_session(conversation(id++, "10.0.0.5", "10.0.0.200", 9100, poll, 1, 400, 600), out);  // internal poller
    const double ntp_start = static_cast<double>(id) * 64.0;
    SessionRecord ntp = conversation(id++, "10.0.0.5", "198.51.100.123", 123, ntp_start, 0.1, 90, 90);
    ntp.flow.ip_proto = 17;
    d.on_session(ntp, out);
  }
  CHECK(out.empty());
}

// ----------------------------------------------------------------------- scans

TEST_CASE("vertical_scan raises once for an nmap scan of 100 ports of one host", "[detect][behaviour][scan]") {
  ScanDetector d{ScanConfig{}};
  std::vector<DetectionHit> out;
  const bool connect_scan = GENERATE(false, true);
  for (std::uint16_t port = 1; port <= 100; ++port) {
    const bool open = port == 22 || port == 80 || port == 443;
    const Probe kind = open ? (connect_scan ? Probe::connect_open : Probe::syn_open) : Probe::syn_closed;
    d.on_session(probe(port, "10.0.0.9", "10.0.0.20", port, port * 0.01, kind), out);
  }
  REQUIRE(out.size() == 1);
  const DetectionHit& h = out[0];
  CHECK(h.rule_id == "vertical_scan");
  CHECK(h.signature_id == kSidVerticalScan);
  CHECK(h.signature == "10.0.0.9 probed 50 tcp ports on 10.0.0.20 within 60 s");
  CHECK(h.category == "reconnaissance");
  CHECK(contains(h.details_json, "\"observed_ports\":50"));
  CHECK(contains(h.details_json, "\"threshold_ports\":50"));
  REQUIRE(h.evidence.size() == 32);
  CHECK(h.evidence.back().endpoints.dst_port == 50);
  CHECK(h.endpoints.dst_ip == ip("10.0.0.20"));
}

TEST_CASE("horizontal_scan raises for unanswered SYNs to 40 hosts, not for 40 browser connections",
          "[detect][behaviour][scan]") {
  ScanDetector d{ScanConfig{}};
  std::vector<DetectionHit> out;
  SECTION("browser") {
    for (int i = 0; i < 40; ++i) {
      const std::string dst = "203.0.113." + std::to_string(i + 1);
      d.on_session(conversation(static_cast<std::uint64_t>(i + 1), "10.0.0.5", dst.c_str(), 443, i * 0.05, 5, 2000, 90000), out);
    }
    CHECK(out.empty());
  }
  SECTION("SYN sweep on 445") {
    for (int i = 0; i < 40; ++i) {
      const std::string dst = "10.1.0." + std::to_string(i + 1);
      d.on_session(probe(static_cast<std::uint64_t>(i + 1), "10.0.0.9", dst.c_str(), 445, i * 0.1, Probe::unanswered), out);
    }
    REQUIRE(out.size() == 1);
    CHECK(out[0].rule_id == "horizontal_scan");
    CHECK(out[0].signature_id == kSidHorizontalScan);
    CHECK(out[0].signature == "10.0.0.9 probed 30 hosts on tcp port 445 within 60 s");
    CHECK(contains(out[0].details_json, "\"observed_hosts\":30"));
    CHECK(out[0].evidence.size() == 30);
    CHECK(out[0].dedup_key == "horizontal_scan|10.0.0.9|445");
  }
  SECTION("a slow sweep spread over the window does not count") {
    for (int i = 0; i < 100; ++i) {
      const std::string dst = "10.1.0." + std::to_string(i + 1);
      d.on_session(probe(static_cast<std::uint64_t>(i + 1), "10.0.0.9", dst.c_str(), 445, i * 3.0, Probe::unanswered), out);
    }
    CHECK(out.empty());
  }
}

TEST_CASE("is_probe_session tells probes from conversations", "[detect][behaviour][scan]") {
  CHECK(is_probe_session(probe(1, "10.0.0.9", "10.0.0.20", 80, 0, Probe::syn_open).flow));
  CHECK(is_probe_session(probe(1, "10.0.0.9", "10.0.0.20", 80, 0, Probe::syn_closed).flow));
  CHECK(is_probe_session(probe(1, "10.0.0.9", "10.0.0.20", 80, 0, Probe::connect_open).flow));
  CHECK(is_probe_session(probe(1, "10.0.0.9", "10.0.0.20", 80, 0, Probe::unanswered).flow));
  CHECK_FALSE(is_probe_session(conversation(1, "10.0.0.9", "10.0.0.20", 80, 0, 1, 5000, 5000).flow));
  SessionRecord udp = conversation(1, "10.0.0.9", "10.0.0.20", 161, 0, 1, 80, 0);
  udp.flow.ip_proto = 17;
  udp.flow.dst_packets = 0;
  CHECK(is_probe_session(udp.flow));
  udp.flow.dst_ip = ip("239.255.255.250");
  CHECK_FALSE(is_probe_session(udp.flow));
}

// ------------------------------------------------------ new_external_destination

TEST_CASE("new_external_destination raises once per new destination of a critical host after learning",
          "[detect][behaviour][new_destination]") {
  NewDestinationDetector d{NewDestinationConfig{}};
  std::vector<DetectionHit> out;
  auto from_db = [](std::uint64_t id, const char* dst, double start) {
    SessionRecord r = conversation(id, "10.0.0.50", dst, 443, start, 1, 1000, 1000);
    r.enrichment.source.asset.name = "db-prod-1";
    r.enrichment.source.asset.criticality = Criticality::high;
    return r;
  };
  d.on_session(from_db(1, "203.0.113.1", 0), out);
  d.on_session(from_db(2, "203.0.113.2", 3600), out);
  d.on_session(from_db(3, "203.0.113.3", 86000), out);  // still learning
  d.on_session(from_db(4, "10.0.0.60", 90000), out);    // internal: never judged
  REQUIRE(out.empty());

  d.on_session(from_db(5, "203.0.113.1", 90000), out);   // learned
  d.on_session(from_db(6, "198.51.100.77", 90100), out); // new
  d.on_session(from_db(7, "198.51.100.77", 90200), out); // once
  REQUIRE(out.size() == 1);
  const DetectionHit& h = out[0];
  CHECK(h.rule_id == "new_external_destination");
  CHECK(h.signature_id == kSidNewExternalDestination);
  CHECK(h.signature == "high asset db-prod-1 (10.0.0.50) contacted new external destination 198.51.100.77 port 443 "
                       "(after learning 3 destinations)");
  CHECK(contains(h.details_json, "\"known_destinations\":3"));
  CHECK(contains(h.details_json, "\"learning_s\":86400"));
  REQUIRE(h.evidence.size() == 1);
  CHECK(h.evidence[0].session_id == 6);
  CHECK(h.asset_criticality == Criticality::high);
}

TEST_CASE("new_external_destination ignores hosts below the criticality", "[detect][behaviour][new_destination]") {
  NewDestinationDetector d{NewDestinationConfig{}};
  std::vector<DetectionHit> out;
  for (int i = 0; i < 5; ++i) {
    SessionRecord r = conversation(static_cast<std::uint64_t>(i), "10.0.0.51", ("198.51.100." + std::to_string(i + 1)).c_str(),
                                   443, i * 50000.0, 1, 1000, 1000);
    r.enrichment.source.asset.name = "laptop-7";
    r.enrichment.source.asset.criticality = Criticality::medium;
    d.on_session(r, out);
  }
  CHECK(out.empty());
  CHECK(d.tracked_hosts() == 0);
}

// ---------------------------------------------------------- BehaviourDetectors

TEST_CASE("BehaviourDetectors counts hits per detector and keeps state across reconfigure", "[detect][behaviour]") {
  BehaviourDetectors detectors{BehaviourConfig{}};
  std::vector<DetectionHit> out;
  detectors.on_session(conversation(1, "10.0.0.5", "203.0.113.7", 443, 0, 20, 30 * kMB, 100'000), out);
  for (std::uint16_t port = 1; port <= 60; ++port)
    detectors.on_session(probe(100 + port, "10.0.0.9", "10.0.0.20", port, port * 0.01, Probe::syn_closed), out);
  REQUIRE(out.size() == 2);
  BehaviourDetectors::Stats s = detectors.stats();
  CHECK(s.hits[kSidLargeUpload - kSidVolumeBaseline] == 1);
  CHECK(s.hits[kSidVerticalScan - kSidVolumeBaseline] == 1);
  CHECK(s.hits[kSidBeacon - kSidVolumeBaseline] == 0);
  CHECK(s.tracked_hosts == 3);  // a volume host, a beacon key, a scan source
  CHECK(s.evictions == 0);

  // Lower the vertical threshold: the open window (60 ports) is kept, so a
  // new host scanned with 10 ports now raises; disable volume: no upload hit.
  BehaviourConfig c;
  c.scan.vertical_ports = 10;
  c.volume.enabled = false;
  detectors.reconfigure(c);
  out.clear();
  detectors.on_session(conversation(2, "10.0.0.5", "203.0.113.7", 443, 1, 20, 30 * kMB, 100'000), out);
  for (std::uint16_t port = 1; port <= 10; ++port)
    detectors.on_session(probe(200 + port, "10.0.0.9", "10.0.0.21", port, 1 + port * 0.01, Probe::syn_closed), out);
  REQUIRE(out.size() == 1);
  CHECK(out[0].signature == "10.0.0.9 probed 10 tcp ports on 10.0.0.21 within 60 s");
  CHECK(detectors.stats().hits[kSidVerticalScan - kSidVolumeBaseline] == 2);

  // Windows close on advance.
  detectors.advance(at(3600), out);
  CHECK(detectors.stats().tracked_hosts == 2);  // the scan window is gone
}

TEST_CASE("scan state is bounded: the stalest sources are evicted and counted", "[detect][behaviour][scan]") {
  BehaviourDetectors detectors{BehaviourConfig{}};
  std::vector<DetectionHit> out;
  for (int i = 0; i < 1100; ++i) {
    const std::string src = "10.2." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1);
    detectors.on_session(probe(static_cast<std::uint64_t>(i + 1), src.c_str(), "10.0.0.20", 22, i * 0.001, Probe::syn_closed), out);
  }
  const BehaviourDetectors::Stats s = detectors.stats();
  CHECK(out.empty());
  CHECK(s.evictions == 129);  // the stalest eighth of 1024 (up to and including the cut), once
  CHECK(s.tracked_hosts == 1100 - 129);
}
