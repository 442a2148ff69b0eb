#include "enrich/enrichment_tables.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <string>

#include "support/temp_dir.hpp"
#include "test_mmdb.hpp"

using opensoc::Criticality;
using opensoc::Endpoints;
using opensoc::Enrichment;
using opensoc::EndpointEnrichment;
using opensoc::IpAddress;
using opensoc::enrich::EnrichmentConfig;
using opensoc::enrich::EnrichmentTables;
using opensoc::enrich::test::make_test_mmdb;

namespace {

IpAddress ip(const char* text) {
  auto a = IpAddress::parse(text);
  REQUIRE(a.has_value());
  return *a;
}

std::shared_ptr<const EnrichmentTables> load(const EnrichmentConfig& config) {
  auto tables = EnrichmentTables::load(config);
  INFO((tables.has_value() ? std::string() : tables.error().message));
  REQUIRE(tables.has_value());
  return *tables;
}

}  // namespace

TEST_CASE("EnrichmentTables enriches both endpoints from GeoIP, ASN, assets and internal networks", "[enrich]") {
  opensoc::test::TempDir dir;
  const std::string assets = dir.file("assets.csv");
  std::ofstream(assets) << "cidr,name,owner,role,criticality\n10.0.5.10,db-prod-1,data,database,critical\nnot-ip,x,,,\n";
  EnrichmentConfig config;
  config.geoip_databases = {make_test_mmdb(dir.path(), "city"), make_test_mmdb(dir.path(), "asn")};
  config.assets = assets;
  const auto tables = load(config);

  const auto& summary = tables->summary();
  REQUIRE(summary.geoip.size() == 2);
  CHECK(summary.geoip[0].rfind(config.geoip_databases[0] + " (GeoLite2-City, built 20", 0) == 0);
  CHECK(summary.geoip[1].rfind(config.geoip_databases[1] + " (GeoLite2-ASN, built 20", 0) == 0);
  CHECK(summary.geoip[1].back() == ')');
  CHECK(summary.assets == 1);
  CHECK(summary.internal_networks == 9);
  CHECK(summary.warnings == std::vector<std::string>{assets + ":3: 'not-ip' is not an address or CIDR network"});

  Endpoints endpoints;
  endpoints.src_ip = ip("10.0.5.10");
  endpoints.dst_ip = ip("81.2.69.142");
  Enrichment out;
  out.threats.emplace_back();  // threat intel's part stays as it is
  tables->enrich(endpoints, out);

  CHECK(out.source.internal);
  CHECK(out.source.geo.empty());
  CHECK(out.source.asset.name == "db-prod-1");
  CHECK(out.source.asset.criticality == Criticality::critical);

  CHECK_FALSE(out.destination.internal);
  CHECK(out.destination.geo.country_iso == "GB");
  CHECK(out.destination.geo.city == "London");
  CHECK(out.destination.geo.as_number == 20712);
  CHECK(out.destination.geo.as_org == "Andrews & Arnold Ltd");
  CHECK_FALSE(out.destination.asset.known());
  CHECK(out.threats.size() == 1);

  SECTION("a reused value is overwritten, not merged") {
    endpoints.src_ip = ip("8.8.8.8");
    endpoints.dst_ip = ip("::ffff:10.0.5.10");
    tables->enrich(endpoints, out);
    CHECK_FALSE(out.source.internal);
    CHECK(out.source.geo.country_iso == "US");
    CHECK(out.source.geo.city.empty());
    CHECK(out.source.geo.as_org == "GOOGLE");
    CHECK_FALSE(out.source.asset.known());
    CHECK(out.destination.internal);
    CHECK(out.destination.geo.empty());
    CHECK(out.destination.geo.as_org.empty());
    CHECK(out.destination.asset.name == "db-prod-1");
  }
  SECTION("an endpoint with no address is blank") {
    EndpointEnrichment e;
    e.internal = true;
    e.asset.name = "stale";
    tables->enrich_endpoint(IpAddress{}, e);
    CHECK_FALSE(e.internal);
    CHECK_FALSE(e.asset.known());
    CHECK(e.geo.empty());
  }
}

TEST_CASE("EnrichmentTables uses configured internal networks instead of the defaults", "[enrich]") {
  EnrichmentConfig config;
  config.internal_networks = {"198.51.100.0/24"};
  const auto tables = load(config);
  CHECK(tables->summary().internal_networks == 1);
  CHECK(tables->summary().geoip.empty());
  CHECK(tables->summary().assets == 0);
  EndpointEnrichment e;
  tables->enrich_endpoint(ip("198.51.100.7"), e);
  CHECK(e.internal);
  tables->enrich_endpoint(ip("10.0.0.1"), e);
  CHECK_FALSE(e.internal);
  CHECK(e.geo.empty());
}

TEST_CASE("EnrichmentTables load fails naming the missing database, inventory or network", "[enrich]") {
  opensoc::test::TempDir dir;
  SECTION("missing mmdb") {
    EnrichmentConfig config;
    config.geoip_databases = {dir.file("GeoLite2-City.mmdb")};
    auto tables = EnrichmentTables::load(config);
    REQUIRE_FALSE(tables.has_value());
    CHECK(tables.error().message.rfind("enrichment: cannot open GeoIP database " + dir.file("GeoLite2-City.mmdb"), 0) == 0);
  }
  SECTION("missing inventory") {
    EnrichmentConfig config;
    config.assets = dir.file("assets.yaml");
    auto tables = EnrichmentTables::load(config);
    REQUIRE_FALSE(tables.has_value());
    CHECK(tables.error().message == "enrichment: cannot read asset inventory " + dir.file("assets.yaml") + ": No such file or directory");
  }
  SECTION("bad internal network") {
    EnrichmentConfig config;
    config.internal_networks = {"10.0.0.0/8", "corp"};
    auto tables = EnrichmentTables::load(config);
    REQUIRE_FALSE(tables.has_value());
    CHECK(tables.error().message == "enrichment: internal network 'corp' is not an address or CIDR network");
  }
}
