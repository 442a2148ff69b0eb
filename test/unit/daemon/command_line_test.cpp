#include "daemon/command_line.hpp"

#include <catch2/catch.hpp>

using namespace opensoc::daemon;

namespace {
opensoc::Result<CommandLine> parse(std::vector<const char*> args) {
  args.insert(args.begin(), "opensocd");
  return parse_command_line(static_cast<int>(args.size()), args.data());
}
}  // namespace

TEST_CASE("parse_command_line reads ingest with overrides and captures", "[daemon][cli]") {
  auto cl = parse({"ingest", "-c", "x.yaml", "--data-dir=/d", "--listen", "127.0.0.1:9", "--json", "a.pcap", "b.pcapng"});
  REQUIRE(cl);
  CHECK(cl->command == Command::ingest);
  CHECK(*cl->config_path == "x.yaml");
  CHECK(*cl->data_dir == "/d");
  CHECK(*cl->listen == "127.0.0.1:9");
  CHECK(cl->json);
  CHECK(cl->captures == std::vector<std::string>{"a.pcap", "b.pcapng"});
}

TEST_CASE("parse_command_line gives per-command help", "[daemon][cli]") {
  auto cl = parse({"run", "--help"});
  REQUIRE(cl);
  CHECK(cl->command == Command::help);
  CHECK(cl->help_topic == "run");
  CHECK(help_text("run").find("--listen") != std::string::npos);
  CHECK(help_text("").find("check-config") != std::string::npos);
}

TEST_CASE("parse_command_line reports usage errors", "[daemon][cli]") {
  struct Case {
    std::vector<const char*> args;
    const char* message_part;
  };
  const Case cases[] = {
      {{}, "no command"},
      {{"frobnicate"}, "unknown command 'frobnicate'"},
      {{"ingest"}, "no capture files"},
      {{"ingest", "-c"}, "-c needs a value"},
      {{"run", "--bogus"}, "unknown option '--bogus'"},
      {{"run", "--json"}, "--json is not accepted"},
      {{"check-config", "--listen", "1.2.3.4:5"}, "--listen is not accepted"},
      {{"run", "extra"}, "unexpected argument 'extra'"},
      {{"version", "-c", "x"}, "-c is not accepted"},
      {{"ingest", "--data-dir=", "a.pcap"}, "non-empty"},
  };
  for (const auto& c : cases) {
    auto cl = parse(c.args);
    REQUIRE_FALSE(cl);
    INFO(cl.error().message);
    CHECK(cl.error().message.find(c.message_part) != std::string::npos);
  }
}
