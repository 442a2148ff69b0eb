// Tests src/intel/intel_set.cpp: exact and CIDR addresses (v4, v6, mapped),
// domain suffixes, URL and hash normalisation at match time, expiry at packet
// time, duplicates, counts, and a 500,000-indicator build ([.bench] prints
// the timings).
#include "intel/intel_set.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>

#include <catch2/catch.hpp>

namespace opensoc::intel {
namespace {

constexpr TimestampNs kNow = 1795860000LL * kNsPerSecond;  // 2026-11-28T10:00:00Z

Indicator make(IndicatorType type, std::string value, std::uint8_t confidence = 50, TimestampNs expires = 0,
               std::string source = "test") {
  Indicator i;
  i.type = type;
  i.value = std::move(value);
  i.confidence = confidence;
  i.expires = expires;
  i.source = std::move(source);
  return i;
}

IpAddress ip(const char* text) {
  const auto a = IpAddress::parse(text);
  REQUIRE(a);
  return *a;
}

// The matched indicator values, in match order, joined by ','.
std::string values(const std::vector<ThreatMatch>& m) {
  std::string s;
  for (const ThreatMatch& t : m) s += (s.empty() ? "" : ",") + t.indicator.value;
  return s;
}

TEST_CASE("IntelSet matches exact addresses and every containing CIDR, both families", "[intel]") {
  const auto set = IntelSet::build({
      make(IndicatorType::ipv4, "192.0.2.7"),
      make(IndicatorType::cidr, "192.0.2.0/24"),
      make(IndicatorType::cidr, "192.0.0.0/16"),
      make(IndicatorType::ipv6, "2001:db8::7"),
      make(IndicatorType::cidr, "2001:db8::/32"),
  });
  std::vector<ThreatMatch> m;
  set->match_ip(ip("192.0.2.7"), "destination.ip", kNow, m);
  CHECK(values(m) == "192.0.2.7,192.0.0.0/16,192.0.2.0/24");
  REQUIRE(m.size() == 3);
  CHECK(m[0].field == "destination.ip");
  CHECK(m[0].matched_value == "192.0.2.7");
  CHECK(m[1].matched_value == "192.0.2.7");
  m.clear();
  set->match_ip(ip("192.0.3.1"), "source.ip", kNow, m);
  CHECK(values(m) == "192.0.0.0/16");
  m.clear();
  set->match_ip(ip("192.1.0.1"), "source.ip", kNow, m);
  CHECK(m.empty());
  set->match_ip(ip("2001:db8::7"), "source.ip", kNow, m);
  CHECK(values(m) == "2001:db8::7,2001:db8::/32");
  m.clear();
  set->match_ip(ip("2001:db9::7"), "source.ip", kNow, m);
  CHECK(m.empty());
  set->match_ip(ip("::ffff:192.0.2.7"), "source.ip", kNow, m);  // IPv4-mapped: as its IPv4 address
  CHECK(values(m) == "192.0.2.7,192.0.0.0/16,192.0.2.0/24");
  m.clear();
  set->match_ip(IpAddress{}, "source.ip", kNow, m);  // no address at all
  CHECK(m.empty());
  CHECK(set->size() == 5);
  const auto mapped = IntelSet::build({make(IndicatorType::ipv6, "::ffff:198.51.100.1")});
  mapped->match_ip(ip("198.51.100.1"), "source.ip", kNow, m);
  CHECK(values(m) == "198.51.100.1");
  m.clear();
  CHECK(set->count(IndicatorType::ipv4) == 1);
  CHECK(set->count(IndicatorType::ipv6) == 1);
  CHECK(set->count(IndicatorType::cidr) == 3);
  CHECK(set->count(IndicatorType::domain) == 0);
}

TEST_CASE("IntelSet matches a domain and its subdomains but not lookalikes", "[intel]") {
  const auto set = IntelSet::build({
      make(IndicatorType::domain, "evil.com"),
      make(IndicatorType::domain, "b.evil.com"),
      make(IndicatorType::domain, "Tracker.Example."),
  });
  std::vector<ThreatMatch> m;
  set->match_domain("a.b.evil.com", "dns.question.name", kNow, m);
  CHECK(values(m) == "b.evil.com,evil.com");
  REQUIRE(m.size() == 2);
  CHECK(m[0].matched_value == "a.b.evil.com");
  CHECK(m[0].field == "dns.question.name");
  m.clear();
  set->match_domain("EVIL.COM.", "tls.client.server_name", kNow, m);
  CHECK(values(m) == "evil.com");
  CHECK(m[0].matched_value == "EVIL.COM.");
  m.clear();
  for (const char* miss : {"notevil.com", "evil.com.au", "evil.co", "com", "", ".", "xevil.com", "evil-com"}) {
    INFO(miss);
    set->match_domain(miss, "dns.question.name", kNow, m);
    CHECK(m.empty());
  }
  set->match_domain("x.TRACKER.example", "dns.question.name", kNow, m);
  CHECK(values(m) == "tracker.example");
  m.clear();
  // Far longer than any indicator: only the tail is examined, and it still matches.
  std::string deep;
  for (int i = 0; i < 100; ++i) deep += "label.";
  set->match_domain(deep + "evil.com", "dns.question.name", kNow, m);
  CHECK(values(m) == "evil.com");
}

TEST_CASE("IntelSet matches URLs after normalising the observed URL", "[intel]") {
  const auto set = IntelSet::build({make(IndicatorType::url, "http://gate.evil.example/panel/gate.php?id=7")});
  std::vector<ThreatMatch> m;
  set->match_url("HTTP://Gate.Evil.Example:80/panel/gate.php?id=7#x", "url.full", kNow, m);
  CHECK(values(m) == "http://gate.evil.example/panel/gate.php?id=7");
  REQUIRE(m.size() == 1);
  CHECK(m[0].matched_value == "HTTP://Gate.Evil.Example:80/panel/gate.php?id=7#x");
  m.clear();
  set->match_url("gate.evil.example/panel/gate.php?id=7", "url.full", kNow, m);  // no scheme: http
  CHECK(m.size() == 1);
  m.clear();
  for (const char* miss : {"http://gate.evil.example/panel/gate.php?id=8", "http://gate.evil.example/PANEL/gate.php?id=7",
                           "https://gate.evil.example/panel/gate.php?id=7", "http://gate.evil.example:8080/panel/gate.php?id=7",
                           "not a url", ""}) {
    INFO(miss);
    set->match_url(miss, "url.full", kNow, m);
    CHECK(m.empty());
  }
}

TEST_CASE("IntelSet matches fingerprints: hex case-insensitively, ja4 exactly", "[intel]") {
  const auto set = IntelSet::build({
      make(IndicatorType::ja3, "e7d705a3286e19ea42f587b344ee6865"),
      make(IndicatorType::ja4, "t13d1516h2_8daaf6152771_02713d6af862"),
      make(IndicatorType::cert_sha1, "0123456789abcdef0123456789abcdef01234567"),
      make(IndicatorType::cert_sha256, std::string(64, 'c')),
  });
  std::vector<ThreatMatch> m;
  set->match_hash(IndicatorType::ja3, "E7D705A3286E19EA42F587B344EE6865", "tls.client.ja3", kNow, m);
  CHECK(values(m) == "e7d705a3286e19ea42f587b344ee6865");
  m.clear();
  set->match_hash(IndicatorType::ja4, "t13d1516h2_8daaf6152771_02713d6af862", "tls.client.ja4", kNow, m);
  CHECK(m.size() == 1);
  m.clear();
  set->match_hash(IndicatorType::ja4, "T13D1516H2_8DAAF6152771_02713D6AF862", "tls.client.ja4", kNow, m);
  CHECK(m.empty());
  set->match_hash(IndicatorType::cert_sha1, "01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67",
                  "tls.server.hash.sha1", kNow, m);
  CHECK(m.size() == 1);
  m.clear();
  set->match_hash(IndicatorType::cert_sha256, std::string(64, 'C'), "tls.server.hash.sha256", kNow, m);
  CHECK(m.size() == 1);
  m.clear();
  // The same digits under another type, a value too long, and a type that is not a hash: nothing.
  set->match_hash(IndicatorType::ja3, "0123456789abcdef0123456789abcdef01234567", "tls.client.ja3", kNow, m);
  set->match_hash(IndicatorType::cert_sha256, std::string(65, 'c'), "tls.server.hash.sha256", kNow, m);
  set->match_hash(IndicatorType::domain, "e7d705a3286e19ea42f587b344ee6865", "x", kNow, m);
  set->match_hash(IndicatorType::ja3, "", "tls.client.ja3", kNow, m);
  CHECK(m.empty());
}

TEST_CASE("IntelSet ignores indicators expired at packet time", "[intel]") {
  const TimestampNs expiry = kNow + kNsPerSecond;
  const auto set = IntelSet::build({
      make(IndicatorType::ipv4, "192.0.2.1", 50, expiry),
      make(IndicatorType::cidr, "198.51.100.0/24", 50, expiry),
      make(IndicatorType::domain, "evil.example", 50, expiry),
      make(IndicatorType::url, "http://evil.example/", 50, expiry),
      make(IndicatorType::ja3, "e7d705a3286e19ea42f587b344ee6865", 50, expiry),
  });
  for (const TimestampNs t : {kNow, expiry - 1, expiry, expiry + 1}) {
    INFO(t);
    std::vector<ThreatMatch> m;
    set->match_ip(ip("192.0.2.1"), "f", t, m);
    set->match_ip(ip("198.51.100.9"), "f", t, m);
    set->match_domain("www.evil.example", "f", t, m);
    set->match_url("http://evil.example", "f", t, m);
    set->match_hash(IndicatorType::ja3, "e7d705a3286e19ea42f587b344ee6865", "f", t, m);
    CHECK(m.size() == (t < expiry ? 5u : 0u));
  }
}

TEST_CASE("IntelSet keeps one indicator per type and value, the most confident", "[intel]") {
  const auto set = IntelSet::build({
      make(IndicatorType::ipv4, "192.0.2.1", 40, 0, "a"),
      make(IndicatorType::ipv4, "192.0.2.1", 90, 0, "b"),
      make(IndicatorType::ipv4, "192.0.2.1", 60, 0, "c"),
      make(IndicatorType::domain, "EVIL.example", 70, 0, "a"),
      make(IndicatorType::domain, "evil.example.", 70, kNow, "b"),  // tie, but expires: the first (never) stays
      make(IndicatorType::domain, "*.evil.example", 80, 0, "c"),
      make(IndicatorType::cidr, "10.1.2.3/8", 10, 0, "a"),
      make(IndicatorType::cidr, "10.0.0.0/8", 20, 0, "b"),
      make(IndicatorType::ipv4, "192.0.2.9/32", 30, 0, "a"),  // a /32 is the address
      make(IndicatorType::ipv4, "192.0.2.9", 20, 0, "b"),
      make(IndicatorType::ipv4, "not an address"),  // dropped
      make(IndicatorType::ja3, "E7D705A3286E19EA42F587B344EE6865", 10, 0, "a"),
      make(IndicatorType::ja3, "e7d705a3286e19ea42f587b344ee6865", 11, 0, "b"),
  });
  CHECK(set->size() == 5);
  CHECK(set->count(IndicatorType::ipv4) == 2);
  CHECK(set->count(IndicatorType::domain) == 1);
  CHECK(set->count(IndicatorType::cidr) == 1);
  CHECK(set->count(IndicatorType::ja3) == 1);
  std::vector<ThreatMatch> m;
  set->match_ip(ip("192.0.2.1"), "f", kNow, m);
  REQUIRE(m.size() == 1);
  CHECK(m[0].indicator.source == "b");
  CHECK(m[0].indicator.confidence == 90);
  m.clear();
  set->match_domain("evil.example", "f", kNow + 5 * kNsPerSecond, m);
  REQUIRE(m.size() == 1);
  CHECK(m[0].indicator.source == "c");
  CHECK(m[0].indicator.value == "evil.example");
  m.clear();
  set->match_ip(ip("10.9.9.9"), "f", kNow, m);
  REQUIRE(m.size() == 1);
  CHECK(m[0].indicator.source == "b");
  m.clear();
  set->match_ip(ip("192.0.2.9"), "f", kNow, m);
  REQUIRE(m.size() == 1);
  CHECK(m[0].indicator.source == "a");
  m.clear();
  set->match_hash(IndicatorType::ja3, "e7d705a3286e19ea42f587b344ee6865", "f", kNow, m);
  REQUIRE(m.size() == 1);
  CHECK(m[0].indicator.source == "b");
  CHECK(set->indicators().size() == 5);
  CHECK(set->indicators()[0].value == "192.0.2.1");
}

TEST_CASE("IntelSet built empty matches nothing", "[intel]") {
  const auto set = IntelSet::build({});
  std::vector<ThreatMatch> m;
  set->match_ip(ip("192.0.2.1"), "f", kNow, m);
  set->match_domain("evil.example", "f", kNow, m);
  set->match_url("http://evil.example/", "f", kNow, m);
  set->match_hash(IndicatorType::ja4, "t13d1516h2_8daaf6152771_02713d6af862", "f", kNow, m);
  CHECK(m.empty());
  CHECK(set->size() == 0);
}

// 500,000 indicators in a realistic mix: 300k addresses, 20k networks, 150k
// domains, 20k URLs, 10k JA3.
std::vector<Indicator> big_feed() {
  std::vector<Indicator> v;
  v.reserve(500'000);
  for (std::uint32_t i = 0; i < 300'000; ++i) {
    const std::uint32_t a = 0x0B000000u + i * 7;  // 11.x.y.z
    v.push_back(make(IndicatorType::ipv4, std::to_string(a >> 24) + "." + std::to_string((a >> 16) & 255) + "." +
                                              std::to_string((a >> 8) & 255) + "." + std::to_string(a & 255)));
  }
  for (std::uint32_t i = 0; i < 20'000; ++i)
    v.push_back(make(IndicatorType::cidr, "100." + std::to_string(i / 256) + "." + std::to_string(i % 256) + ".0/24"));
  for (std::uint32_t i = 0; i < 150'000; ++i) v.push_back(make(IndicatorType::domain, "host" + std::to_string(i) + ".bad.example"));
  for (std::uint32_t i = 0; i < 20'000; ++i)
    v.push_back(make(IndicatorType::url, "http://dl" + std::to_string(i) + ".bad.example/payload.exe"));
  for (std::uint32_t i = 0; i < 10'000; ++i) {
    char hex[33];
    std::snprintf(hex, sizeof hex, "%032x", i);
    v.push_back(make(IndicatorType::ja3, hex));
  }
  return v;
}

TEST_CASE("IntelSet holds 500,000 indicators and finds each kind", "[intel]") {
  const auto set = IntelSet::build(big_feed());
  CHECK(set->size() == 500'000);
  CHECK(set->count(IndicatorType::ipv4) == 300'000);
  CHECK(set->count(IndicatorType::cidr) == 20'000);
  CHECK(set->count(IndicatorType::domain) == 150'000);
  std::vector<ThreatMatch> m;
  set->match_ip(ip("11.0.0.7"), "f", kNow, m);
  set->match_ip(ip("100.3.4.200"), "f", kNow, m);
  set->match_domain("www.host149999.bad.example", "f", kNow, m);
  set->match_url("http://DL19999.bad.example/payload.exe", "f", kNow, m);
  set->match_hash(IndicatorType::ja3, "0000000000000000000000000000270f", "f", kNow, m);
  CHECK(values(m) == "11.0.0.7,100.3.4.0/24,host149999.bad.example,http://dl19999.bad.example/payload.exe,"
                     "0000000000000000000000000000270f");
  m.clear();
  set->match_ip(ip("11.0.0.8"), "f", kNow, m);
  set->match_domain("bad.example", "f", kNow, m);
  CHECK(m.empty());
}

TEST_CASE("IntelSet build and lookup timings for 500,000 indicators", "[intel][.bench]") {
  using Clock = std::chrono::steady_clock;
  // CPU time as well as wall time: on a shared, loaded machine the wall
  // clock mostly measures the neighbours.
  auto cpu_ms = [] {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
  };
  auto feed = big_feed();
  const double c0 = cpu_ms();
  const auto t0 = Clock::now();
  const auto set = IntelSet::build(std::move(feed));
  const auto t1 = Clock::now();
  const double build_cpu = cpu_ms() - c0;
  constexpr int kLookups = 1'000'000;
  std::vector<ThreatMatch> m;
  m.reserve(4);
  std::size_t hits = 0;
  const IpAddress probe_hit = ip("11.0.0.7");
  const IpAddress probe_miss = ip("8.8.8.8");
  const auto t2 = Clock::now();
  for (int i = 0; i < kLookups; ++i) {
    set->match_ip((i & 1) ? probe_hit : probe_miss, "f", kNow, m);
    hits += m.size();
    m.clear();
  }
  const auto t3 = Clock::now();
  for (int i = 0; i < kLookups; ++i) {
    set->match_domain((i & 1) ? "cdn.www.host77.bad.example" : "www.example.org", "f", kNow, m);
    hits += m.size();
    m.clear();
  }
  const auto t4 = Clock::now();
  for (int i = 0; i < kLookups; ++i) {
    set->match_url("http://www.example.org/index.html?q=1", "f", kNow, m);
    hits += m.size();
    m.clear();
  }
  const auto t5 = Clock::now();
  auto ms = [](auto d) { return std::chrono::duration<double, std::milli>(d).count(); };
  auto ns_per = [&](auto d) { return ms(d) * 1e6 / kLookups; };
  std::printf("IntelSet 500k: build %.0f ms wall, %.0f ms CPU; match_ip %.0f ns; match_domain %.0f ns; match_url (miss) %.0f ns; hits %zu\n",
              ms(t1 - t0), build_cpu, ns_per(t3 - t2), ns_per(t4 - t3), ns_per(t5 - t4), hits);
  CHECK(hits == static_cast<std::size_t>(kLookups));  // half the ip probes + half the domain probes hit once
}

}  // namespace
}  // namespace opensoc::intel
