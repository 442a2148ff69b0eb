#include "config/config_loader.hpp"

#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

namespace opensoc::config {
namespace {

// The shipped config files are read from the source tree: OPENSOC_SOURCE_ROOT
// from the environment wins, else the path meson compiled in.
std::string source_root() {
  if (const char* env = std::getenv("OPENSOC_SOURCE_ROOT"); env != nullptr && *env != '\0') return env;
#ifdef OPENSOC_SOURCE_ROOT
  return OPENSOC_SOURCE_ROOT;
#else
  FAIL("set OPENSOC_SOURCE_ROOT to the repository root");
  return {};
#endif
}

// The full error text for a config that must be refused.
std::string errors_of(std::string_view yaml) {
  const auto result = parse_config(yaml, "t.yaml");
  REQUIRE_FALSE(result.has_value());
  return result.error().message;
}

AppConfig parsed(std::string_view yaml) {
  auto result = parse_config(yaml, "t.yaml");
  if (!result) FAIL(result.error().message);
  return std::move(result).value();
}

// Field-by-field, so a failure names the field.
void require_same(const AppConfig& a, const AppConfig& b) {
  CHECK(a.data_dir == b.data_dir);
  CHECK(a.log_level == b.log_level);
  CHECK(a.capture.eal_args == b.capture.eal_args);
  CHECK(a.capture.main_lcore == b.capture.main_lcore);
  CHECK(a.capture.worker_lcores == b.capture.worker_lcores);
  CHECK(a.capture.mbufs_per_queue == b.capture.mbufs_per_queue);
  CHECK(a.capture.burst_size == b.capture.burst_size);
  CHECK(a.capture.mbuf_data_size == b.capture.mbuf_data_size);
  REQUIRE(a.capture.ports.size() == b.capture.ports.size());
  for (std::size_t i = 0; i < a.capture.ports.size(); ++i) {
    CHECK(a.capture.ports[i].device == b.capture.ports[i].device);
    CHECK(a.capture.ports[i].rx_queues == b.capture.ports[i].rx_queues);
    CHECK(a.capture.ports[i].rx_descriptors == b.capture.ports[i].rx_descriptors);
    CHECK(a.capture.ports[i].promiscuous == b.capture.ports[i].promiscuous);
  }
  CHECK(a.flow.table_size == b.flow.table_size);
  CHECK(a.flow.active_timeout_s == b.flow.active_timeout_s);
  CHECK(a.flow.timeouts.tcp_established_s == b.flow.timeouts.tcp_established_s);
  CHECK(a.flow.timeouts.tcp_transitory_s == b.flow.timeouts.tcp_transitory_s);
  CHECK(a.flow.timeouts.tcp_closed_s == b.flow.timeouts.tcp_closed_s);
  CHECK(a.flow.timeouts.udp_s == b.flow.timeouts.udp_s);
  CHECK(a.flow.timeouts.icmp_s == b.flow.timeouts.icmp_s);
  CHECK(a.flow.timeouts.other_s == b.flow.timeouts.other_s);
  CHECK(a.pipeline.flow_ring_size == b.pipeline.flow_ring_size);
  CHECK(a.pipeline.flow_log_path == b.pipeline.flow_log_path);
  CHECK(a.pipeline.community_id_seed == b.pipeline.community_id_seed);
  CHECK(a.http.listen_address == b.http.listen_address);
  CHECK(a.http.listen_port == b.http.listen_port);
  CHECK(a.http.max_connections == b.http.max_connections);
  CHECK(a.http.request_timeout_s == b.http.request_timeout_s);
  CHECK(a.store.enabled == b.store.enabled);
  CHECK(a.store.packets_subdir == b.store.packets_subdir);
  CHECK(a.store.max_segment_bytes == b.store.max_segment_bytes);
  CHECK(a.store.max_segment_age_s == b.store.max_segment_age_s);
  CHECK(a.store.sync_on_close == b.store.sync_on_close);
  CHECK(a.store.max_bytes == b.store.max_bytes);
  CHECK(a.store.min_free_bytes == b.store.min_free_bytes);
  CHECK(a.store.max_age_s == b.store.max_age_s);
  CHECK(a.store.index_commit_ms == b.store.index_commit_ms);
  CHECK(a.store.index_map_bytes == b.store.index_map_bytes);
  CHECK(a.store.default_window_s == b.store.default_window_s);
  CHECK(a.http.max_header_bytes == b.http.max_header_bytes);
  CHECK(a.http.max_body_bytes == b.http.max_body_bytes);
  const auto& da = a.detection;
  const auto& db = b.detection;
  CHECK(da.enabled == db.enabled);
  CHECK(da.geoip == db.geoip);
  CHECK(da.assets == db.assets);
  CHECK(da.internal_networks == db.internal_networks);
  CHECK(da.intel_files == db.intel_files);
  CHECK(da.rule_files == db.rule_files);
  CHECK(da.rule_vars == db.rule_vars);
  CHECK(da.behaviour.volume.session_bytes_out == db.behaviour.volume.session_bytes_out);
  CHECK(da.behaviour.volume.min_out_in_ratio == db.behaviour.volume.min_out_in_ratio);
  CHECK(da.behaviour.volume.sigma == db.behaviour.volume.sigma);
  CHECK(da.behaviour.volume.min_baseline_hours == db.behaviour.volume.min_baseline_hours);
  CHECK(da.behaviour.volume.min_hour_bytes == db.behaviour.volume.min_hour_bytes);
  CHECK(da.behaviour.volume.ewma_alpha == db.behaviour.volume.ewma_alpha);
  CHECK(da.behaviour.dns_tunnel.window_s == db.behaviour.dns_tunnel.window_s);
  CHECK(da.behaviour.dns_tunnel.unique_subdomains == db.behaviour.dns_tunnel.unique_subdomains);
  CHECK(da.behaviour.dns_tunnel.long_label == db.behaviour.dns_tunnel.long_label);
  CHECK(da.behaviour.dns_tunnel.entropy_bits == db.behaviour.dns_tunnel.entropy_bits);
  CHECK(da.behaviour.dns_tunnel.long_high_entropy_queries == db.behaviour.dns_tunnel.long_high_entropy_queries);
  CHECK(da.behaviour.dns_tunnel.txt_null_queries == db.behaviour.dns_tunnel.txt_null_queries);
  CHECK(da.behaviour.beacon.min_connections == db.behaviour.beacon.min_connections);
  CHECK(da.behaviour.beacon.max_jitter == db.behaviour.beacon.max_jitter);
  CHECK(da.behaviour.beacon.min_interval_s == db.behaviour.beacon.min_interval_s);
  CHECK(da.behaviour.beacon.max_interval_s == db.behaviour.beacon.max_interval_s);
  CHECK(da.behaviour.beacon.external_only == db.behaviour.beacon.external_only);
  CHECK(da.behaviour.beacon.ignore_ports == db.behaviour.beacon.ignore_ports);
  CHECK(da.behaviour.scan.window_s == db.behaviour.scan.window_s);
  CHECK(da.behaviour.scan.horizontal_hosts == db.behaviour.scan.horizontal_hosts);
  CHECK(da.behaviour.scan.vertical_ports == db.behaviour.scan.vertical_ports);
  CHECK(da.behaviour.new_destination.min_criticality == db.behaviour.new_destination.min_criticality);
  CHECK(da.behaviour.new_destination.learning_s == db.behaviour.new_destination.learning_s);
  CHECK(da.alerts_subdir == db.alerts_subdir);
  CHECK(da.dedup_window_s == db.dedup_window_s);
  CHECK(da.alerts_map_bytes == db.alerts_map_bytes);
  CHECK(da.alert_retention_days == db.alert_retention_days);
  CHECK(da.syslog.host == db.syslog.host);
  CHECK(da.syslog.port == db.syslog.port);
  CHECK(da.syslog.transport == db.syslog.transport);
  CHECK(da.syslog.format == db.syslog.format);
  CHECK(a.http.tls.enabled == b.http.tls.enabled);
  CHECK(a.http.tls.cert_file == b.http.tls.cert_file);
  CHECK(a.http.tls.key_file == b.http.tls.key_file);
  CHECK(a.http.tls.client_ca_file == b.http.tls.client_ca_file);
  CHECK(a.http.tls.require_client_cert == b.http.tls.require_client_cert);
  CHECK(a.auth.enabled == b.auth.enabled);
  CHECK(a.auth.users_file == b.auth.users_file);
  CHECK(a.auth.session_ttl_s == b.auth.session_ttl_s);
  CHECK(a.auth.session_idle_s == b.auth.session_idle_s);
  CHECK(a.auth.max_sessions == b.auth.max_sessions);
  CHECK(a.auth.login_max_failures == b.auth.login_max_failures);
  CHECK(a.auth.login_window_s == b.auth.login_window_s);
  CHECK(a.auth.metrics_public == b.auth.metrics_public);
  CHECK(a.auth.cookie_name == b.auth.cookie_name);
  CHECK(a.audit.enabled == b.audit.enabled);
  CHECK(a.audit.path == b.audit.path);
  CHECK(a.privileges.user == b.privileges.user);
  CHECK(a.privileges.group == b.privileges.group);
  CHECK(a.privileges.keep_capabilities == b.privileges.keep_capabilities);
  CHECK(a.privileges.chown_data_dir == b.privileges.chown_data_dir);
}

}  // namespace

TEST_CASE("parse_config reads the detection sections into DetectionConfig", "[config][detection]") {
  const AppConfig c = parsed(R"(
enrichment:
  geoip: [a.mmdb, /x/b.mmdb]
  assets: assets.csv
  internal_networks: [10.0.0.0/8, "2001:db8::/32", 192.0.2.7]
intel: {files: [feed.csv, bundle.json]}
rules:
  files: [a.rules]
  vars: {HOME_NET: "[10.0.0.0/8]", HTTP_PORTS: "[80,8080]"}
detectors:
  enabled: false
  volume: {enabled: false, session_bytes_out: 1000, min_out_in_ratio: 2.5, sigma: 3, min_baseline_hours: 6, min_hour_bytes: 7, ewma_alpha: 0.5}
  dns_tunnel: {window: 2m, unique_subdomains: 10, long_label: 30, entropy_bits: 3.25, long_high_entropy_queries: 4, txt_null_queries: 5}
  beacon: {min_connections: 5, max_jitter: 0.3, min_interval: 1s, max_interval: 10m, external_only: false, ignore_ports: [123, 53]}
  scan: {window: 30s, horizontal_hosts: 9, vertical_ports: 11}
  new_destination: {min_criticality: critical, learning: 1h}
alerts:
  subdir: al
  dedup_window: 10m
  map_bytes: 64MiB
  retention_days: 7
  syslog: {host: 127.0.0.1, port: 5514, transport: tcp, format: cef}
)");
  const auto& d = c.detection;
  CHECK_FALSE(d.enabled);
  CHECK(d.geoip == std::vector<std::string>{"a.mmdb", "/x/b.mmdb"});
  CHECK(d.assets == "assets.csv");
  CHECK(d.internal_networks == std::vector<std::string>{"10.0.0.0/8", "2001:db8::/32", "192.0.2.7"});
  CHECK(d.intel_files == std::vector<std::string>{"feed.csv", "bundle.json"});
  CHECK(d.rule_files == std::vector<std::string>{"a.rules"});
  CHECK(d.rule_vars.at("HOME_NET") == "[10.0.0.0/8]");
  CHECK(d.rule_vars.at("HTTP_PORTS") == "[80,8080]");
  CHECK_FALSE(d.behaviour.volume.enabled);
  CHECK(d.behaviour.volume.session_bytes_out == 1000);
  CHECK(d.behaviour.volume.min_out_in_ratio == 2.5);
  CHECK(d.behaviour.volume.min_baseline_hours == 6);
  CHECK(d.behaviour.volume.ewma_alpha == 0.5);
  CHECK(d.behaviour.dns_tunnel.window_s == 120);
  CHECK(d.behaviour.dns_tunnel.entropy_bits == 3.25);
  CHECK(d.behaviour.beacon.min_interval_s == 1);
  CHECK(d.behaviour.beacon.max_interval_s == 600);
  CHECK_FALSE(d.behaviour.beacon.external_only);
  CHECK(d.behaviour.beacon.ignore_ports == std::vector<std::uint16_t>{123, 53});
  CHECK(d.behaviour.scan.window_s == 30);
  CHECK(d.behaviour.new_destination.min_criticality == Criticality::critical);
  CHECK(d.behaviour.new_destination.learning_s == 3600);
  CHECK(d.alerts_subdir == "al");
  CHECK(d.dedup_window_s == 600);
  CHECK(d.alerts_map_bytes == 64ULL << 20);
  CHECK(d.alert_retention_days == 7);
  CHECK(d.syslog.host == "127.0.0.1");
  CHECK(d.syslog.port == 5514);
  CHECK(d.syslog.transport == "tcp");
  CHECK(d.syslog.format == "cef");
}

TEST_CASE("parse_config names each bad detection value with its key path", "[config][detection]") {
  CHECK(errors_of("enrichment: {internal_networks: [10.0.0.0/33]}\n") ==
        "t.yaml:1:34: enrichment.internal_networks[0]: expected a network such as 10.0.0.0/8 or 2001:db8::/32, got '10.0.0.0/33'");
  CHECK(errors_of("detectors: {beacon: {max_jitter: 2}}\n") ==
        "t.yaml:1:34: detectors.beacon.max_jitter: expected a number between 0 and 1, got '2'");
  CHECK(errors_of("detectors: {new_destination: {min_criticality: vital}}\n") ==
        "t.yaml:1:48: detectors.new_destination.min_criticality: expected one of: low, medium, high, critical, got 'vital'");
  CHECK(errors_of("alerts: {syslog: {format: leef}}\n") == "t.yaml:1:27: alerts.syslog.format: expected rfc5424 or cef, got 'leef'");
  CHECK(errors_of("rules: {files: a.rules}\n") ==
        "t.yaml:1:16: rules.files: expected a list of Suricata .rules file paths, got 'a.rules'");
}

TEST_CASE("parse_config of a mapping with no keys keeps every struct default", "[config]") {
  const AppConfig defaults;
  SECTION("empty flow mapping") { require_same(parsed("{}"), defaults); }
  SECTION("sections present but empty") { require_same(parsed("capture:\nflow:\npipeline:\nhttp:\n"), defaults); }
  SECTION("source name is kept") { CHECK(parsed("{}").source_path == "t.yaml"); }
}

TEST_CASE("parse_config reads every key into its own field", "[config]") {
  // Every value differs from its default, so a reader wired to the wrong
  // field, or not wired at all, fails here.
  const AppConfig c = parsed(R"(
data_dir: /srv/opensoc
log_level: warning
capture:
  eal_args: [--no-huge, "-m", "256"]
  main_lcore: 2
  worker_lcores: [3, 5]
  mbufs_per_queue: 8191
  burst_size: 64
  ports:
    - device: "0000:01:00.0"
      rx_queues: 4
      rx_descriptors: 4096
      promiscuous: false
    - device: net_pcap1
flow:
  table_size: 2048
  active_timeout: 0
  timeouts:
    tcp_established: 2h
    tcp_transitory: 61
    tcp_closed: 11s
    udp: 4m
    icmp: 31
    other: 1d
pipeline:
  flow_ring_size: 1024
  flow_log: /var/log/flows.json
http:
  listen: "[::1]:9090"
  max_connections: 7
  request_timeout: 1h
  max_header_bytes: 1KiB
  max_body_bytes: 0
)");
  AppConfig want;
  want.data_dir = "/srv/opensoc";
  want.log_level = LogLevel::warning;
  want.capture.eal_args = {"--no-huge", "-m", "256"};
  want.capture.main_lcore = 2;
  want.capture.worker_lcores = {3, 5};
  want.capture.mbufs_per_queue = 8191;
  want.capture.burst_size = 64;
  want.capture.ports.resize(2);
  want.capture.ports[0] = {"0000:01:00.0", 4, 4096, false};
  want.capture.ports[1].device = "net_pcap1";
  want.flow.table_size = 2048;
  want.flow.active_timeout_s = 0;
  want.flow.timeouts = {7200, 61, 11, 240, 31, 86400};
  want.pipeline.flow_ring_size = 1024;
  want.pipeline.flow_log_path = "/var/log/flows.json";
  want.http.listen_address = "::1";
  want.http.listen_port = 9090;
  want.http.max_connections = 7;
  want.http.request_timeout_s = 3600;
  want.http.max_header_bytes = 1024;
  want.http.max_body_bytes = 0;
  require_same(c, want);
}

TEST_CASE("load_config accepts the shipped config/opensoc.yaml, whose values are the struct defaults", "[config]") {
  const auto path = source_root() + "/config/opensoc.yaml";
  auto result = load_config(path);
  if (!result) FAIL(result.error().message);
  // The file documents the defaults, so apart from its one example port it
  // must equal a default-constructed AppConfig.
  AppConfig want;
  want.capture.ports.push_back({"0000:01:00.0", 1, 1024, true});
  require_same(*result, want);
  CHECK(result->source_path == path);
  CHECK(validate_for_live_capture(*result).has_value());
}

TEST_CASE("load_config accepts the shipped config/demo.yaml for a NIC-less box", "[config]") {
  auto result = load_config(source_root() + "/config/demo.yaml");
  if (!result) FAIL(result.error().message);
  const AppConfig& c = *result;
  CHECK(c.data_dir == "./demo-data");
  CHECK(c.capture.eal_args == std::vector<std::string>{"--no-huge", "-m", "512", "--no-pci", "--no-shconf", "--file-prefix",
                                                       "opensoc-demo", "--vdev", "net_pcap0,rx_pcap=demo/demo.pcap"});
  CHECK(c.capture.main_lcore == 0);
  CHECK(c.capture.worker_lcores == std::vector<std::uint32_t>{1});
  REQUIRE(c.capture.ports.size() == 1);
  CHECK(c.capture.ports[0].device == "net_pcap0");
  CHECK(c.capture.mbufs_per_queue == 4095);
  CHECK(c.flow.table_size == 65536);
  CHECK(c.pipeline.flow_log_path == "./demo-data/flows.json");
  CHECK(c.http.listen_address == "127.0.0.1");
  CHECK(c.http.listen_port == 8080);
  CHECK(c.store.enabled);
  CHECK(c.store.max_segment_bytes == 64ULL << 20);
  CHECK_FALSE(c.store.sync_on_close);
  CHECK(c.store.max_bytes == 1ULL << 30);
  CHECK(c.store.index_commit_ms == 500);
}

TEST_CASE("load_config reads the store section and names a bad value's key", "[config][store]") {
  const std::string e = errors_of("store:\n  max_segment_bytes: 1KiB\n  max_age_s: 2d\n  index_commit_ms: 5\n");
  CHECK(e.find("store.max_segment_bytes") != std::string::npos);
  CHECK(e.find("store.index_commit_ms") != std::string::npos);
  CHECK(e.find("store.max_age_s") == std::string::npos);
  const AppConfig ok = parsed("store:\n  max_bytes: 2GiB\n  max_age_s: 2d\n  default_window_s: 15m\n  enabled: false\n");
  CHECK(ok.store.max_bytes == 2ULL << 30);
  CHECK(ok.store.max_age_s == 2 * 86400);
  CHECK(ok.store.default_window_s == 900);
  CHECK_FALSE(ok.store.enabled);
}

TEST_CASE("parse_config reports each bad key with file, position, key path, expectation and found value",
          "[config]") {
  struct Case {
    const char* yaml;
    const char* message;
  };
  const Case cases[] = {
      // top level
      {"data_dir: ''\n", "t.yaml:1:11: data_dir: expected a non-empty directory path, got ''"},
      {"data_dir: [a]\n", "t.yaml:1:11: data_dir: expected a non-empty directory path, got a list"},
      {"log_level: verbose\n", "t.yaml:1:12: log_level: expected one of: debug, info, warning, error, got 'verbose'"},
      {"logging: info\n",
       "t.yaml:1:1: logging: unknown key (expected one of: data_dir, log_level, capture, flow, pipeline, http, store, sessions, search, export, enrichment, intel, rules, detectors, alerts, receivers, auth, audit, privileges, console)"},
      {"capture: 5\n", "t.yaml:1:10: capture: expected a mapping of capture settings, got '5'"},
      {"log_level: info\nlog_level: debug\n", "t.yaml:2:1: log_level: duplicate key (first at line 1)"},
      {"- a\n", "t.yaml:1:1: (top level): expected a mapping of config sections, got a list"},
      {"just text\n", "t.yaml:1:1: (top level): expected a mapping of config sections, got 'just text'"},
      {"", "t.yaml:1:1: (top level): expected a mapping of config sections, got an empty document"},
      {"# only a comment\n", "t.yaml:1:1: (top level): expected a mapping of config sections, got an empty document"},
      {"log_level: info\n---\nlog_level: info\n",
       "t.yaml:2:1: (top level): expected a single YAML document, got a second document"},
      // yaml-cpp 0.7's LoadAll never returns on these (jbeder/yaml-cpp#1040)
      {",", "t.yaml:1:1: (top level): expected a mapping of config sections, got an empty document"},
      {"log_level: info\n,\n", "t.yaml:2:1: YAML syntax error: end of map not found"},
      {"? [a]\n: 1\n", "t.yaml:1:3: (top level): expected a plain key name, got a list"},
      // capture
      {"capture:\n  eal_args: --no-huge\n",
       "t.yaml:2:13: capture.eal_args: expected a list of EAL arguments (strings), got '--no-huge'"},
      {"capture:\n  eal_args: [a, {b: c}]\n", "t.yaml:2:17: capture.eal_args[1]: expected a non-empty string, got a mapping"},
      {"capture:\n  main_lcore: 1024\n",
       "t.yaml:2:15: capture.main_lcore: expected an integer between 0 and 1023, got '1024'"},
      {"capture:\n  main_lcore: -1\n", "t.yaml:2:15: capture.main_lcore: expected an integer between 0 and 1023, got '-1'"},
      {"capture:\n  main_lcore: 1\n",
       "t.yaml:2:15: capture.main_lcore: expected an lcore not in capture.worker_lcores (default: [1]), got '1'"},
      {"capture:\n  worker_lcores: []\n",
       "t.yaml:2:18: capture.worker_lcores: expected a non-empty list of lcore ids, got an empty list"},
      {"capture:\n  worker_lcores: 2\n", "t.yaml:2:18: capture.worker_lcores: expected a non-empty list of lcore ids, got '2'"},
      {"capture:\n  worker_lcores: [1, 2.5]\n",
       "t.yaml:2:22: capture.worker_lcores[1]: expected an integer between 0 and 1023, got '2.5'"},
      {"capture:\n  worker_lcores: [1, 2, 1]\n",
       "t.yaml:2:25: capture.worker_lcores[2]: expected each lcore at most once, got '1' again (first at "
       "capture.worker_lcores[0])"},
      {"capture:\n  main_lcore: 2\n  worker_lcores: [1, 2]\n",
       "t.yaml:3:22: capture.worker_lcores[1]: expected an lcore other than capture.main_lcore (2), got '2'"},
      {"capture:\n  mbufs_per_queue: 1022\n",
       "t.yaml:2:20: capture.mbufs_per_queue: expected an integer between 1023 and 1048575, got '1022'"},
      {"capture:\n  mbuf_data_size: 512\n",
       "t.yaml:2:19: capture.mbuf_data_size: expected a size between 1024 and 65407 bytes (an integer, or a number with unit "
       "KiB, MiB or GiB), got '512'"},
      {"capture:\n  burst_size: 65\n", "t.yaml:2:15: capture.burst_size: expected an integer between 1 and 64, got '65'"},
      {"capture:\n  burst_size: true\n", "t.yaml:2:15: capture.burst_size: expected an integer between 1 and 64, got 'true'"},
      {"capture:\n  portz: []\n",
       "t.yaml:2:3: capture.portz: unknown key (expected one of: eal_args, main_lcore, worker_lcores, mbufs_per_queue, "
       "burst_size, mbuf_data_size, ports)"},
      {"capture:\n  ports: {device: x}\n",
       "t.yaml:2:10: capture.ports: expected a list of ports (mappings with device, rx_queues, rx_descriptors, "
       "promiscuous), got a mapping"},
      // capture.ports[]
      {"capture:\n  ports:\n    - net_pcap0\n",
       "t.yaml:3:7: capture.ports[0]: expected a port mapping (device, rx_queues, rx_descriptors, promiscuous), got "
       "'net_pcap0'"},
      {"capture:\n  ports:\n    - rx_queues: 1\n",
       "t.yaml:3:7: capture.ports[0].device: expected a non-empty DPDK device name or PCI address, got nothing (key "
       "missing)"},
      {"capture:\n  ports:\n    - device: ''\n",
       "t.yaml:3:15: capture.ports[0].device: expected a non-empty DPDK device name or PCI address, got ''"},
      {"capture:\n  ports:\n    - device: a\n      rx_queues: 0\n",
       "t.yaml:4:18: capture.ports[0].rx_queues: expected an integer between 1 and 128, got '0'"},
      {"capture:\n  ports:\n    - device: a\n      rx_descriptors: 1000\n",
       "t.yaml:4:23: capture.ports[0].rx_descriptors: expected a power of two between 64 and 32768, got '1000'"},
      {"capture:\n  ports:\n    - device: a\n      rx_descriptors: 65536\n",
       "t.yaml:4:23: capture.ports[0].rx_descriptors: expected a power of two between 64 and 32768, got '65536'"},
      {"capture:\n  ports:\n    - device: a\n      promiscuous: yes\n",
       "t.yaml:4:20: capture.ports[0].promiscuous: expected true or false, got 'yes'"},
      {"capture:\n  ports:\n    - device: a\n      speed: 10\n",
       "t.yaml:4:7: capture.ports[0].speed: unknown key (expected one of: device, rx_queues, rx_descriptors, "
       "promiscuous)"},
      {"capture:\n  ports:\n    - device: a\n    - device: a\n",
       "t.yaml:4:15: capture.ports[1].device: expected each device at most once, got 'a' again (first at "
       "capture.ports[0].device)"},
      // flow
      {"flow: []\n", "t.yaml:1:7: flow: expected a mapping of flow settings, got an empty list"},
      {"flow:\n  table_size: lots\n",
       "t.yaml:2:15: flow.table_size: expected an integer between 1024 and 268435456, got 'lots'"},
      {"flow:\n  table_size: 1023\n",
       "t.yaml:2:15: flow.table_size: expected an integer between 1024 and 268435456, got '1023'"},
      {"flow:\n  table_size: 0x1000\n",
       "t.yaml:2:15: flow.table_size: expected an integer between 1024 and 268435456, got '0x1000'"},
      {"flow:\n  active_timeout: 1.5\n",
       "t.yaml:2:19: flow.active_timeout: expected a duration between 0 and 86400 seconds (an integer, or a number "
       "with unit s, m, h or d), got '1.5'"},
      {"flow:\n  active_timeout: 2d\n",
       "t.yaml:2:19: flow.active_timeout: expected a duration between 0 and 86400 seconds (an integer, or a number "
       "with unit s, m, h or d), got '2d' (= 172800 seconds)"},
      {"flow:\n  timeouts: 5\n", "t.yaml:2:13: flow.timeouts: expected a mapping of idle timeouts per protocol state, got '5'"},
      {"flow:\n  timeouts:\n    tcp_established: [1]\n",
       "t.yaml:3:22: flow.timeouts.tcp_established: expected a duration between 1 and 86400 seconds (an integer, or "
       "a number with unit s, m, h or d), got a list"},
      {"flow:\n  timeouts:\n    tcp_transitory: 1w\n",
       "t.yaml:3:21: flow.timeouts.tcp_transitory: expected a duration between 1 and 86400 seconds (an integer, or "
       "a number with unit s, m, h or d), got '1w'"},
      {"flow:\n  timeouts:\n    tcp_closed: 0s\n",
       "t.yaml:3:17: flow.timeouts.tcp_closed: expected a duration between 1 and 86400 seconds (an integer, or a "
       "number with unit s, m, h or d), got '0s' (= 0 seconds)"},
      {"flow:\n  timeouts:\n    udp: 0\n",
       "t.yaml:3:10: flow.timeouts.udp: expected a duration between 1 and 86400 seconds (an integer, or a number "
       "with unit s, m, h or d), got '0'"},
      {"flow:\n  timeouts:\n    icmp: -30\n",
       "t.yaml:3:11: flow.timeouts.icmp: expected a duration between 1 and 86400 seconds (an integer, or a number "
       "with unit s, m, h or d), got '-30'"},
      {"flow:\n  timeouts:\n    other:\n",
       "t.yaml:3:5: flow.timeouts.other: expected a duration between 1 and 86400 seconds (an integer, or a number "
       "with unit s, m, h or d), got nothing (null)"},
      {"flow:\n  timeouts:\n    sctp: 5\n",
       "t.yaml:3:5: flow.timeouts.sctp: unknown key (expected one of: tcp_established, tcp_transitory, tcp_closed, "
       "udp, icmp, other)"},
      // pipeline
      {"pipeline:\n  flow_ring_size: 16777217\n",
       "t.yaml:2:19: pipeline.flow_ring_size: expected an integer between 1024 and 16777216, got '16777217'"},
      {"pipeline:\n  community_id_seed: 65536\n",
       "t.yaml:2:22: pipeline.community_id_seed: expected an integer between 0 and 65535, got '65536'"},
      {"pipeline:\n  flow_log: []\n", "t.yaml:2:13: pipeline.flow_log: expected a file path (\"\" for none), got an empty list"},
      {"pipeline:\n  flow_log:\n", "t.yaml:2:3: pipeline.flow_log: expected a file path (\"\" for none), got nothing (null)"},
      {"pipeline:\n  ring: 5\n", "t.yaml:2:3: pipeline.ring: unknown key (expected one of: flow_ring_size, flow_log, community_id_seed)"},
      // http
      {"http:\n  listen: localhost:8080\n",
       "t.yaml:2:11: http.listen: expected a numeric IPv4 address or a bracketed IPv6 address (host names are not "
       "resolved), got 'localhost'"},
      {"http:\n  listen: 8080\n",
       "t.yaml:2:11: http.listen: expected ADDR:PORT with a numeric IPv4 address or a bracketed IPv6 address (e.g. "
       "127.0.0.1:8080 or [::1]:8080), got '8080'"},
      {"http:\n  listen: 127.0.0.1:80800\n", "t.yaml:2:11: http.listen: expected a port between 1 and 65535, got '80800'"},
      {"http:\n  listen: [a]\n",
       "t.yaml:2:11: http.listen: expected ADDR:PORT, e.g. 127.0.0.1:8080 or \"[::1]:8080\" (quote the IPv6 form), got "
       "a list"},
      {"http:\n  max_connections: 0\n",
       "t.yaml:2:20: http.max_connections: expected an integer between 1 and 65535, got '0'"},
      {"http:\n  max_connections: 65536\n",
       "t.yaml:2:20: http.max_connections: expected an integer between 1 and 65535, got '65536'"},
      {"http:\n  request_timeout: 2h\n",
       "t.yaml:2:20: http.request_timeout: expected a duration between 1 and 3600 seconds (an integer, or a number "
       "with unit s, m, h or d), got '2h' (= 7200 seconds)"},
      {"http:\n  max_header_bytes: 1MB\n",
       "t.yaml:2:21: http.max_header_bytes: expected a size between 1024 and 1048576 bytes (an integer, or a number "
       "with unit KiB, MiB or GiB), got '1MB'"},
      {"http:\n  max_header_bytes: 2MiB\n",
       "t.yaml:2:21: http.max_header_bytes: expected a size between 1024 and 1048576 bytes (an integer, or a number "
       "with unit KiB, MiB or GiB), got '2MiB' (= 2097152 bytes)"},
      {"http:\n  max_body_bytes: -1\n",
       "t.yaml:2:19: http.max_body_bytes: expected a size between 0 and 1073741824 bytes (an integer, or a number "
       "with unit KiB, MiB or GiB), got '-1'"},
      {"http:\n  port: 80\n",
       "t.yaml:2:3: http.port: unknown key (expected one of: listen, max_connections, request_timeout, "
       "max_header_bytes, max_body_bytes, tls)"},
  };
  for (const Case& c : cases) {
    INFO("yaml:\n" << c.yaml);
    CHECK(errors_of(c.yaml) == c.message);
  }
}

TEST_CASE("parse_config reports every problem in the file, in document order, not just the first", "[config]") {
  const char* yaml =
      "log_level: loud\n"
      "capture:\n"
      "  worker_lcores: [0, 1]\n"
      "  burst_size: 0\n"
      "  ports:\n"
      "    - device: net_pcap0\n"
      "      rx_descriptors: 100\n"
      "flow:\n"
      "  table_sise: 4096\n"
      "http:\n"
      "  listen: 10.0.0.1\n";
  CHECK(errors_of(yaml) ==
        "t.yaml:1:12: log_level: expected one of: debug, info, warning, error, got 'loud'\n"
        "t.yaml:4:15: capture.burst_size: expected an integer between 1 and 64, got '0'\n"
        "t.yaml:7:23: capture.ports[0].rx_descriptors: expected a power of two between 64 and 32768, got '100'\n"
        "t.yaml:3:19: capture.worker_lcores[0]: expected an lcore other than capture.main_lcore (0), got '0'\n"
        "t.yaml:9:3: flow.table_sise: unknown key (expected one of: table_size, active_timeout, timeouts)\n"
        "t.yaml:11:11: http.listen: expected ADDR:PORT with a numeric IPv4 address or a bracketed IPv6 address (e.g. "
        "127.0.0.1:8080 or [::1]:8080), got '10.0.0.1'");
}

TEST_CASE("parse_config accepts durations and sizes written with units", "[config]") {
  const AppConfig c = parsed(
      "flow:\n  active_timeout: 0s\n  timeouts: {udp: 5m, icmp: 1h, other: 1d, tcp_closed: 1}\n"
      "http:\n  request_timeout: 3600\n  max_header_bytes: 1MiB\n  max_body_bytes: 1GiB\n");
  CHECK(c.flow.active_timeout_s == 0);
  CHECK(c.flow.timeouts.udp_s == 300);
  CHECK(c.flow.timeouts.icmp_s == 3600);
  CHECK(c.flow.timeouts.other_s == 86400);
  CHECK(c.flow.timeouts.tcp_closed_s == 1);
  CHECK(c.http.request_timeout_s == 3600);
  CHECK(c.http.max_header_bytes == 1048576);
  CHECK(c.http.max_body_bytes == 1073741824);
}

TEST_CASE("parse_config reports a YAML syntax error once, with yaml-cpp's position", "[config]") {
  CHECK(errors_of("capture:\n  worker_lcores: [1, 2\nflow: {}\n") ==
        "t.yaml:3:5: YAML syntax error: end of sequence flow not found");
  CHECK(errors_of("a: b: c\n") == "t.yaml:1:5: YAML syntax error: illegal map value");
}

TEST_CASE("load_config says clearly when the file cannot be read", "[config]") {
  SECTION("missing file") {
    const auto r = load_config("/nonexistent/opensoc.yaml");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().message == "/nonexistent/opensoc.yaml: cannot read config file: No such file or directory");
  }
  SECTION("a directory") {
    const auto r = load_config(source_root() + "/config");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().message == source_root() + "/config: cannot read config file: Is a directory");
  }
}

TEST_CASE("validate_for_live_capture requires at least one port", "[config]") {
  AppConfig c = parsed("data_dir: /x\n");
  const auto none = validate_for_live_capture(c);
  REQUIRE_FALSE(none.has_value());
  CHECK(none.error().message == "t.yaml: capture.ports: expected at least one port for live capture, got none");
  c.capture.ports.push_back({"net_pcap0", 1, 1024, true});
  CHECK(validate_for_live_capture(c).has_value());
}

}  // namespace opensoc::config
