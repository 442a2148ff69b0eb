#include "enrich/geoip_database.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <string>

#include "support/temp_dir.hpp"
#include "test_mmdb.hpp"

using opensoc::GeoInfo;
using opensoc::IpAddress;
using opensoc::enrich::GeoIpDatabase;
using opensoc::enrich::test::make_test_mmdb;

namespace {

IpAddress ip(const char* text) {
  auto a = IpAddress::parse(text);
  REQUIRE(a.has_value());
  return *a;
}

std::unique_ptr<GeoIpDatabase> open_db(const std::string& path) {
  auto db = GeoIpDatabase::open(path);
  INFO((db.has_value() ? std::string() : db.error().message));
  REQUIRE(db.has_value());
  return std::move(*db);
}

GeoInfo lookup(const GeoIpDatabase& db, const char* address) {
  GeoInfo geo;
  db.lookup(ip(address), geo);
  return geo;
}

}  // namespace

TEST_CASE("GeoIpDatabase reads the City layout exactly", "[enrich][geoip]") {
  opensoc::test::TempDir dir;
  const auto db = open_db(make_test_mmdb(dir.path(), "city"));
  CHECK(db->database_type() == "GeoLite2-City");
  CHECK(db->build_epoch() > 1600000000);

  const GeoInfo london = lookup(*db, "81.2.69.142");
  CHECK(london.country_iso == "GB");
  CHECK(london.country_name == "United Kingdom");
  CHECK(london.city == "London");
  CHECK(london.has_location);
  CHECK(london.latitude == Approx(51.5142));
  CHECK(london.longitude == Approx(-0.0931));
  CHECK(london.as_number == 0);
  CHECK(london.as_org.empty());

  // The /27 inside the /24 is more specific.
  CHECK(lookup(*db, "81.2.69.170").city == "Boxford");

  const GeoInfo us = lookup(*db, "8.8.8.8");
  CHECK(us.country_iso == "US");
  CHECK(us.city.empty());
  CHECK(us.latitude == Approx(37.751));

  const GeoInfo v6 = lookup(*db, "2001:db8::1");
  CHECK(v6.country_iso == "SE");
  CHECK(v6.city == "Link\xC3\xB6ping");
  CHECK(v6.longitude == Approx(15.6167));

  SECTION("IPv4-mapped IPv6 is looked up as IPv4") { CHECK(lookup(*db, "::ffff:81.2.69.142").city == "London"); }
  SECTION("registered country stands in for a missing country") {
    const GeoInfo reg = lookup(*db, "203.0.113.7");
    CHECK(reg.country_iso == "AU");
    CHECK(reg.country_name.empty());
    CHECK_FALSE(reg.has_location);
  }
  SECTION("misses leave the result empty") {
    for (const char* miss : {"1.1.1.1", "10.0.0.1", "2001:db9::1", "::1"}) {
      INFO(miss);
      CHECK(lookup(*db, miss).empty());
      CHECK(lookup(*db, miss).country_name.empty());
    }
    GeoInfo none;
    db->lookup(IpAddress{}, none);
    CHECK(none.empty());
  }
}

TEST_CASE("GeoIpDatabase reads the ASN layout", "[enrich][geoip]") {
  opensoc::test::TempDir dir;
  const auto db = open_db(make_test_mmdb(dir.path(), "asn"));
  CHECK(db->database_type() == "GeoLite2-ASN");
  const GeoInfo google = lookup(*db, "8.8.8.8");
  CHECK(google.as_number == 15169);
  CHECK(google.as_org == "GOOGLE");
  CHECK(google.country_iso.empty());
  CHECK_FALSE(google.has_location);
  CHECK(lookup(*db, "81.2.69.1").as_org == "Andrews & Arnold Ltd");
  CHECK(lookup(*db, "2001:db8:1::1").as_number == 64496);
  CHECK(lookup(*db, "9.9.9.9").as_number == 0);
}

TEST_CASE("GeoIpDatabase fills only empty fields so databases combine", "[enrich][geoip]") {
  opensoc::test::TempDir dir;
  const auto city = open_db(make_test_mmdb(dir.path(), "city"));
  const auto asn = open_db(make_test_mmdb(dir.path(), "asn"));
  GeoInfo geo;
  geo.city = "Preset";
  city->lookup(ip("81.2.69.142"), geo);
  asn->lookup(ip("81.2.69.142"), geo);
  CHECK(geo.city == "Preset");
  CHECK(geo.country_iso == "GB");
  CHECK(geo.as_number == 20712);
  CHECK(geo.as_org == "Andrews & Arnold Ltd");
}

TEST_CASE("GeoIpDatabase reads the flat ip-location-db layout of an IPv4-only file", "[enrich][geoip]") {
  opensoc::test::TempDir dir;
  const auto db = open_db(make_test_mmdb(dir.path(), "flat"));
  CHECK(db->database_type() == "city ipv4");
  const GeoInfo london = lookup(*db, "81.2.69.1");
  CHECK(london.country_iso == "GB");
  CHECK(london.country_name.empty());  // the flat layout has codes only
  CHECK(london.city == "London");
  CHECK(london.has_location);
  CHECK(london.latitude == Approx(51.5));
  CHECK(london.longitude == Approx(-0.125));
  const GeoInfo us = lookup(*db, "8.8.8.8");
  CHECK(us.country_iso == "US");
  CHECK(us.city.empty());  // stored as "": unknown
  // IPv6 in an IPv4-only tree is simply unknown; mapped IPv4 still works.
  CHECK(lookup(*db, "2001:db8::1").empty());
  CHECK(lookup(*db, "::ffff:8.8.8.8").country_iso == "US");
}

TEST_CASE("GeoIpDatabase open names the file it cannot use", "[enrich][geoip]") {
  opensoc::test::TempDir dir;
  auto missing = GeoIpDatabase::open(dir.file("nope.mmdb"));
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().message.rfind("cannot open GeoIP database " + dir.file("nope.mmdb") + ": ", 0) == 0);

  const std::string junk = dir.file("junk.mmdb");
  std::ofstream(junk) << "this is not a maxmind database";
  auto bad = GeoIpDatabase::open(junk);
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().message.rfind("cannot open GeoIP database " + junk + ": ", 0) == 0);
}
