#include "enrich/asset_inventory.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "support/temp_dir.hpp"

using opensoc::AssetInfo;
using opensoc::Criticality;
using opensoc::IpAddress;
using opensoc::enrich::AssetInventory;
using opensoc::enrich::parse_criticality;

namespace {

IpAddress ip(const char* text) {
  auto a = IpAddress::parse(text);
  REQUIRE(a.has_value());
  return *a;
}

std::string write(const opensoc::test::TempDir& dir, const std::string& name, const std::string& text) {
  const std::string path = dir.file(name);
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

const AssetInfo& found(const AssetInventory& inv, const char* address) {
  const AssetInfo* a = inv.find(ip(address));
  REQUIRE(a != nullptr);
  return *a;
}

}  // namespace

TEST_CASE("parse_criticality accepts words and 1-4", "[enrich][assets]") {
  CHECK(parse_criticality("low") == Criticality::low);
  CHECK(parse_criticality("Medium") == Criticality::medium);
  CHECK(parse_criticality(" HIGH ") == Criticality::high);
  CHECK(parse_criticality("critical") == Criticality::critical);
  CHECK(parse_criticality("1") == Criticality::low);
  CHECK(parse_criticality("4") == Criticality::critical);
  CHECK(parse_criticality("") == Criticality::unknown);
  CHECK_FALSE(parse_criticality("5").has_value());
  CHECK_FALSE(parse_criticality("0").has_value());
  CHECK_FALSE(parse_criticality("severe").has_value());
}

TEST_CASE("AssetInventory reads CSV with columns in any order and quoted fields", "[enrich][assets]") {
  std::vector<std::string> warnings;
  auto inv = AssetInventory::parse_csv(
      "\xEF\xBB\xBF# inventory export\r\n"
      "Name,Criticality,IP,owner,notes,role\r\n"
      "db-prod-1,critical,10.0.5.10,\"Data, Platform\",\"primary\",database\r\n"
      "\r\n"
      "office,low,10.0.0.0/16,IT,,\"workstations \"\"floor 2\"\"\"\r\n"
      "lab,2,2001:db8:1::/48,R&D,,lab\r\n",
      "assets.csv", warnings);
  REQUIRE(inv.has_value());
  CHECK(warnings.empty());
  CHECK(inv->size() == 3);

  const AssetInfo& db = found(*inv, "10.0.5.10");
  CHECK(db.name == "db-prod-1");
  CHECK(db.owner == "Data, Platform");
  CHECK(db.role == "database");
  CHECK(db.criticality == Criticality::critical);

  // Longest prefix: a neighbour of the host falls back to the /16.
  const AssetInfo& office = found(*inv, "10.0.5.11");
  CHECK(office.name == "office");
  CHECK(office.role == "workstations \"floor 2\"");
  CHECK(office.criticality == Criticality::low);

  CHECK(found(*inv, "2001:db8:1:2::3").criticality == Criticality::medium);
  CHECK(found(*inv, "::ffff:10.0.5.10").name == "db-prod-1");
  CHECK(inv->find(ip("10.1.0.1")) == nullptr);
  CHECK(inv->find(ip("2001:db8:2::1")) == nullptr);
}

TEST_CASE("AssetInventory CSV needs only the address and name columns", "[enrich][assets]") {
  std::vector<std::string> warnings;
  auto inv = AssetInventory::parse_csv("address,name\n192.0.2.1,gw\n", "a.csv", warnings);
  REQUIRE(inv.has_value());
  CHECK(warnings.empty());
  const AssetInfo& gw = found(*inv, "192.0.2.1");
  CHECK(gw.name == "gw");
  CHECK(gw.owner.empty());
  CHECK(gw.criticality == Criticality::unknown);
}

TEST_CASE("AssetInventory CSV bad rows become warnings naming file and line", "[enrich][assets]") {
  std::vector<std::string> warnings{"earlier warning"};
  auto inv = AssetInventory::parse_csv(
      "cidr,name,owner,role,criticality\n"   // 1
      "10.0.0.1,good,ops,web,high\n"         // 2
      "10.0.0.300,badip,ops,web,high\n"      // 3
      "10.0.0.2,,ops,web,high\n"             // 4
      "10.0.0.3,badcrit,ops,web,extreme\n"   // 5
      "10.0.0.4,short,ops\n"                 // 6
      "10.0.0.5,\"open,ops,web,high\n"       // 7
      "10.0.0.6,\"x\"y,ops,web,high\n"       // 8
      "10.0.0.1/32,again,ops,web,low\n",     // 9
      "inv.csv", warnings);
  REQUIRE(inv.has_value());
  CHECK(inv->size() == 1);
  CHECK(found(*inv, "10.0.0.1").name == "again");
  CHECK(found(*inv, "10.0.0.1").criticality == Criticality::low);
  CHECK(warnings == std::vector<std::string>{
                        "earlier warning",
                        "inv.csv:3: '10.0.0.300' is not an address or CIDR network",
                        "inv.csv:4: empty name",
                        "inv.csv:5: criticality 'extreme' is not low, medium, high, critical or 1-4",
                        "inv.csv:6: 3 fields, the header has 5",
                        "inv.csv:7: unterminated quoted field",
                        "inv.csv:8: text after a closing quote",
                        "inv.csv:9: 10.0.0.1/32 repeats line 2; this row replaces it",
                    });
}

TEST_CASE("AssetInventory CSV errors: no header, missing columns, nothing usable", "[enrich][assets]") {
  std::vector<std::string> warnings;
  SECTION("empty text") {
    auto inv = AssetInventory::parse_csv("", "e.csv", warnings);
    REQUIRE_FALSE(inv.has_value());
    CHECK(inv.error().message == "e.csv: no header row (expected e.g. cidr,name,owner,role,criticality)");
  }
  SECTION("no address column") {
    auto inv = AssetInventory::parse_csv("# c\nname,owner\nx,y\n", "n.csv", warnings);
    REQUIRE_FALSE(inv.has_value());
    CHECK(inv.error().message == "n.csv:2: header has no cidr (or address, ip) column");
  }
  SECTION("no name column") {
    auto inv = AssetInventory::parse_csv("ip,owner\n10.0.0.1,y\n", "n.csv", warnings);
    REQUIRE_FALSE(inv.has_value());
    CHECK(inv.error().message == "n.csv:1: header has no name column");
  }
  SECTION("a column given twice") {
    auto inv = AssetInventory::parse_csv("ip,name,cidr\n", "d.csv", warnings);
    REQUIRE_FALSE(inv.has_value());
    CHECK(inv.error().message == "d.csv:1: column 'cidr' given twice");
  }
  SECTION("broken header") {
    auto inv = AssetInventory::parse_csv("\"ip,name\n", "b.csv", warnings);
    REQUIRE_FALSE(inv.has_value());
    CHECK(inv.error().message == "b.csv:1: header row: unterminated quoted field");
  }
  SECTION("every row rejected") {
    auto inv = AssetInventory::parse_csv("ip,name\nnope,a\n10.0.0.1,\n", "r.csv", warnings);
    REQUIRE_FALSE(inv.has_value());
    CHECK(inv.error().message ==
          "r.csv: no usable asset rows (2 rejected, first: r.csv:2: 'nope' is not an address or CIDR network)");
    CHECK(warnings.size() == 2);
  }
  SECTION("a header and no rows is an empty inventory") {
    auto inv = AssetInventory::parse_csv("ip,name\n", "h.csv", warnings);
    REQUIRE(inv.has_value());
    CHECK(inv->size() == 0);
    CHECK(inv->find(ip("10.0.0.1")) == nullptr);
  }
}

TEST_CASE("AssetInventory reads YAML assets with line numbers in warnings", "[enrich][assets]") {
  std::vector<std::string> warnings;
  auto inv = AssetInventory::parse_yaml(
      "assets:\n"                                                                          // 1
      "  - {cidr: 10.0.5.10, name: db-prod-1, owner: data, role: db, criticality: high}\n"  // 2
      "  - cidr: 10.0.0.0/16\n"                                                            // 3
      "    name: office\n"
      "    criticality: 1\n"
      "  - {cidr: not-an-ip, name: x}\n"                                                    // 6
      "  - {name: nocidr}\n"                                                                // 7
      "  - just a string\n"                                                                 // 8
      "  - {cidr: 10.0.0.9, name: [a, b]}\n"                                                // 9
      "  - {ip: '2001:db8::/32', name: v6, criticality: Critical}\n"                        // 10
      "  - {address: 10.0.0.8, name: bad, criticality: 9}\n",                               // 11
      "assets.yaml", warnings);
  REQUIRE(inv.has_value());
  CHECK(inv->size() == 3);
  const AssetInfo& db = found(*inv, "10.0.5.10");
  CHECK(db.name == "db-prod-1");
  CHECK(db.owner == "data");
  CHECK(db.role == "db");
  CHECK(db.criticality == Criticality::high);
  CHECK(found(*inv, "10.0.9.9").name == "office");
  CHECK(found(*inv, "10.0.9.9").criticality == Criticality::low);
  CHECK(found(*inv, "2001:db8:ff::1").criticality == Criticality::critical);
  CHECK(warnings == std::vector<std::string>{
                        "assets.yaml:6: 'not-an-ip' is not an address or CIDR network",
                        "assets.yaml:7: asset has no cidr (or address, ip)",
                        "assets.yaml:8: asset is not a mapping of cidr, name, owner, role, criticality",
                        "assets.yaml:9: 'name' is not a single value",
                        "assets.yaml:11: criticality '9' is not low, medium, high, critical or 1-4",
                    });
}

TEST_CASE("AssetInventory YAML errors", "[enrich][assets]") {
  std::vector<std::string> warnings;
  SECTION("syntax error") {
    auto inv = AssetInventory::parse_yaml("assets: [ {cidr: 10.0.0.1\n", "s.yaml", warnings);
    REQUIRE_FALSE(inv.has_value());
    CHECK(inv.error().message.rfind("s.yaml: ", 0) == 0);
  }
  SECTION("no assets key") {
    auto inv = AssetInventory::parse_yaml("hosts: []\n", "k.yaml", warnings);
    REQUIRE_FALSE(inv.has_value());
    CHECK(inv.error().message == "k.yaml: expected a top-level 'assets:' list");
  }
  SECTION("assets is not a list") {
    auto inv = AssetInventory::parse_yaml("assets:\n  a: 1\n", "l.yaml", warnings);
    REQUIRE_FALSE(inv.has_value());
    CHECK(inv.error().message == "l.yaml:2: 'assets' is not a list");
  }
  SECTION("nothing usable") {
    auto inv = AssetInventory::parse_yaml("assets:\n  - {cidr: x, name: y}\n", "u.yaml", warnings);
    REQUIRE_FALSE(inv.has_value());
    CHECK(inv.error().message ==
          "u.yaml: no usable asset rows (1 rejected, first: u.yaml:2: 'x' is not an address or CIDR network)");
  }
  SECTION("an empty list is an empty inventory") {
    auto inv = AssetInventory::parse_yaml("assets: []\n", "e.yaml", warnings);
    REQUIRE(inv.has_value());
    CHECK(inv->size() == 0);
    auto null_list = AssetInventory::parse_yaml("assets:\n", "n.yaml", warnings);
    REQUIRE(null_list.has_value());
    CHECK(null_list->size() == 0);
  }
}

TEST_CASE("AssetInventory load picks the parser by extension and reports unreadable files", "[enrich][assets]") {
  opensoc::test::TempDir dir;
  std::vector<std::string> warnings;
  auto csv = AssetInventory::load(write(dir, "a.CSV", "ip,name\n10.0.0.1,csv-host\n"), warnings);
  REQUIRE(csv.has_value());
  CHECK(found(*csv, "10.0.0.1").name == "csv-host");

  auto yml = AssetInventory::load(write(dir, "a.yml", "assets:\n  - {ip: 10.0.0.2, name: yml-host}\n"), warnings);
  REQUIRE(yml.has_value());
  CHECK(found(*yml, "10.0.0.2").name == "yml-host");

  auto yaml = AssetInventory::load(write(dir, "b.yaml", "assets:\n  - {ip: 10.0.0.3, name: yaml-host}\n"), warnings);
  REQUIRE(yaml.has_value());
  CHECK(found(*yaml, "10.0.0.3").name == "yaml-host");

  const std::string bad_row_path = write(dir, "w.csv", "ip,name\n10.0.0.1,ok\nbad,row\n");
  auto with_warning = AssetInventory::load(bad_row_path, warnings);
  REQUIRE(with_warning.has_value());
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0] == bad_row_path + ":3: 'bad' is not an address or CIDR network");

  auto missing = AssetInventory::load(dir.file("missing.csv"), warnings);
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().message == "cannot read asset inventory " + dir.file("missing.csv") + ": No such file or directory");

  auto txt = AssetInventory::load(write(dir, "a.txt", "ip,name\n"), warnings);
  REQUIRE_FALSE(txt.has_value());
  CHECK(txt.error().message == "asset inventory " + dir.file("a.txt") + ": unknown format (expected .csv, .yaml or .yml)");

  std::filesystem::create_directory(dir.file("dir.csv"));
  auto directory = AssetInventory::load(dir.file("dir.csv"), warnings);
  REQUIRE_FALSE(directory.has_value());
  CHECK(directory.error().message == "cannot read asset inventory " + dir.file("dir.csv") + ": Is a directory");
}
