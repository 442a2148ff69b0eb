// `opensocd pcap` on the command line: each filter option becomes the REST
// parameter of the same meaning (GET /api/v1/pcap), in command-line order,
// so that run_pcap can hand them to the same parser the API uses. Pure
// parsing, no files.
#include "daemon/command_line.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <utility>
#include <vector>

using namespace opensoc::daemon;

namespace {

using Params = std::vector<std::pair<std::string, std::string>>;

opensoc::Result<CommandLine> parse(std::vector<const char*> args) {
  args.insert(args.begin(), "opensocd");
  return parse_command_line(static_cast<int>(args.size()), args.data());
}

}  // namespace

TEST_CASE("pcap maps every filter option to its REST parameter, in order", "[daemon][cli][pcap]") {
  auto cl = parse({"pcap", "--host", "10.0.0.1", "--src", "10.0.0.0/8", "--dst", "2001:db8::/32", "--port", "443",
                   "--sport", "1024", "--dport", "53", "--proto", "udp", "--vlan", "100", "--community-id",
                   "1:wCb3OG7yAFWelaUydu0D+125CLM=", "--start", "2026-11-27T10:00:00.5Z", "--end", "5m ago",
                   "--limit", "10", "--limit-bytes", "100000", "--query", "host 10.1.2.3 and port 443"});
  REQUIRE(cl);
  CHECK(cl->command == Command::pcap);
  const Params expected = {
      {"host", "10.0.0.1"},
      {"src", "10.0.0.0/8"},
      {"dst", "2001:db8::/32"},
      {"port", "443"},
      {"sport", "1024"},
      {"dport", "53"},
      {"proto", "udp"},
      {"vlan", "100"},
      {"community_id", "1:wCb3OG7yAFWelaUydu0D+125CLM="},
      {"start", "2026-11-27T10:00:00.5Z"},
      {"end", "5m ago"},
      {"limit", "10"},
      {"limit_bytes", "100000"},
      {"query", "host 10.1.2.3 and port 443"},
  };
  CHECK(cl->slice_params == expected);
  CHECK_FALSE(cl->output);
  CHECK_FALSE(cl->config_path);
  CHECK_FALSE(cl->data_dir);
  CHECK(cl->captures.empty());
}

TEST_CASE("pcap keeps repeated options and command-line order, --opt=value included", "[daemon][cli][pcap]") {
  auto cl = parse({"pcap", "--port=80", "--host", "10.0.0.2", "--host=10.0.0.1", "--port", "8080"});
  REQUIRE(cl);
  const Params expected = {{"port", "80"}, {"host", "10.0.0.2"}, {"host", "10.0.0.1"}, {"port", "8080"}};
  CHECK(cl->slice_params == expected);
}

TEST_CASE("pcap reads -c, --data-dir and -o", "[daemon][cli][pcap]") {
  SECTION("short options") {
    auto cl = parse({"pcap", "-c", "/etc/o.yaml", "--data-dir", "/var/lib/o", "-o", "out.pcap", "--host", "1.2.3.4"});
    REQUIRE(cl);
    CHECK(*cl->config_path == "/etc/o.yaml");
    CHECK(*cl->data_dir == "/var/lib/o");
    CHECK(*cl->output == "out.pcap");
    CHECK(cl->slice_params == Params{{"host", "1.2.3.4"}});
  }
  SECTION("long options with =") {
    auto cl = parse({"pcap", "--config=/etc/o.yaml", "--data-dir=/d", "--output=/tmp/x.pcap"});
    REQUIRE(cl);
    CHECK(*cl->config_path == "/etc/o.yaml");
    CHECK(*cl->data_dir == "/d");
    CHECK(*cl->output == "/tmp/x.pcap");
    CHECK(cl->slice_params.empty());
  }
  SECTION("-o - means stdout and is kept as given") {
    auto cl = parse({"pcap", "-o", "-"});
    REQUIRE(cl);
    CHECK(*cl->output == "-");
  }
  SECTION("no filter at all is a valid request (the default window)") {
    auto cl = parse({"pcap"});
    REQUIRE(cl);
    CHECK(cl->command == Command::pcap);
    CHECK(cl->slice_params.empty());
  }
}

TEST_CASE("pcap --help lists every filter option, -o and --data-dir", "[daemon][cli][pcap]") {
  auto cl = parse({"pcap", "--host", "1.2.3.4", "--help"});
  REQUIRE(cl);
  CHECK(cl->command == Command::help);
  CHECK(cl->help_topic == "pcap");
  const std::string h = help_text("pcap");
  for (const char* opt : {"--host", "--src", "--dst", "--port", "--sport", "--dport", "--proto", "--vlan",
                          "--community-id", "--start", "--end", "--limit", "--limit-bytes", "--query", "-o, --output",
                          "--data-dir", "-c, --config", "-h, --help"}) {
    INFO(opt);
    CHECK(h.find(opt) != std::string::npos);
  }
  // Options pcap does not take are not advertised.
  CHECK(h.find("--listen") == std::string::npos);
  CHECK(h.find("--json") == std::string::npos);
  // The overview names the subcommand.
  CHECK(help_text("").find("pcap") != std::string::npos);
}

TEST_CASE("pcap reports usage errors", "[daemon][cli][pcap]") {
  struct Case {
    std::vector<const char*> args;
    const char* message_part;
  };
  const Case cases[] = {
      {{"pcap", "--hots", "1.2.3.4"}, "unknown option '--hots'"},
      {{"pcap", "--host"}, "--host needs a value"},
      {{"pcap", "--port", "80", "--limit"}, "--limit needs a value"},
      {{"pcap", "-o"}, "-o needs a value"},
      {{"pcap", "--data-dir"}, "--data-dir needs a value"},
      {{"pcap", "-o", ""}, "non-empty"},
      {{"pcap", "--listen", "127.0.0.1:1"}, "not accepted"},
      {{"pcap", "--flow-log", "f.json"}, "not accepted"},
      {{"pcap", "--json"}, "not accepted"},
      {{"pcap", "capture.pcap"}, "unexpected argument 'capture.pcap'"},
      {{"pcap", "--", "x"}, "unexpected argument 'x'"},
  };
  for (const auto& c : cases) {
    std::string joined;
    for (const char* a : c.args) joined += std::string(a) + " ";
    INFO(joined);
    auto cl = parse(c.args);
    REQUIRE_FALSE(cl);
    CHECK(cl.error().message.find(c.message_part) != std::string::npos);
    CHECK(cl.error().message.find("pcap") == 0);
  }
}

TEST_CASE("filter options are not accepted by other subcommands", "[daemon][cli][pcap]") {
  auto ingest = parse({"ingest", "--host", "1.2.3.4", "a.pcap"});
  REQUIRE_FALSE(ingest);
  CHECK(ingest.error().message.find("unknown option '--host'") != std::string::npos);
  auto run = parse({"run", "-o", "x.pcap"});
  REQUIRE_FALSE(run);
  CHECK(run.error().message.find("unknown option '-o'") != std::string::npos);
}
