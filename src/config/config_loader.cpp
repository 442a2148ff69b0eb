// The config module: turns the operator's YAML file into one validated
// AppConfig of plain typed structs (CaptureConfig, FlowConfig, ...), and is
// the only code that sees YAML. It runs once, on the main thread, before any
// other thread is started; nothing here is on the packet path.
//
// The file is walked against a fixed schema: each mapping lists the keys it
// accepts and a reader for each. Every problem is recorded with its position
// and key path and the walk carries on, so one run reports every typo, wrong
// type, impossible value and cross-field conflict at once (Stenographer's
// Validate(), but collecting rather than stopping). Absent keys keep the
// defaults written in each module's *_config.hpp. yaml-cpp reports syntax
// errors by throwing; they are caught here and become an Error, so callers
// (and the fuzz harness) never see an exception.
#include "config/config_loader.hpp"

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <new>
#include <optional>
#include <sstream>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include "config/config_error_list.hpp"
#include "config/scalar_parsers.hpp"
#include "opensoc/core/ip_address.hpp"

namespace opensoc::config {
namespace {

// A config file is a few kilobytes; anything this large is a wrong path.
constexpr std::size_t kMaxFileBytes = 4u << 20;

// What a node holds, as the "got ..." part of a message.
std::string describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Scalar:
      return quoted(node.Scalar());
    case YAML::NodeType::Sequence:
      return node.size() == 0 ? "an empty list" : "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Null:
      return "nothing (null)";
    case YAML::NodeType::Undefined:
      break;
  }
  return "nothing";
}

// Key names are shown raw when they look like names, quoted otherwise, so a
// binary key cannot garble the message.
std::string path_segment(const std::string& name) {
  if (name.empty()) return quoted(name);
  for (const char c : name) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                       c == '-';
    if (!plain) return quoted(name);
  }
  return name;
}

// One value in the document: the node, where to point at, and its key path.
class Field {
 public:
  Field(ConfigErrorList& errors, YAML::Node node, YAML::Mark mark, std::string path)
      : errors_(&errors), node_(std::move(node)), mark_(mark), path_(std::move(path)) {}

  [[nodiscard]] const YAML::Node& node() const { return node_; }
  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] int line() const { return mark_.is_null() ? 1 : mark_.line + 1; }
  [[nodiscard]] int column() const { return mark_.is_null() ? 1 : mark_.column + 1; }

  // Problems with the document as a whole have no key path.
  void report(std::string_view what) const {
    errors_->add(line(), column(), path_.empty() ? std::string_view("(top level)") : path_, what);
  }
  void expected(std::string_view what, std::string_view got) const {
    report(fmt::format("expected {}, got {}", what, got));
  }
  void expected(std::string_view what) const { expected(what, describe(node_)); }

  // The value under `key` in this mapping. An empty value has no useful
  // position of its own (yaml-cpp marks the next token), so point at the key.
  [[nodiscard]] Field child(const YAML::Node& key, const YAML::Node& value) const {
    const YAML::Mark mark = (value.IsNull() || value.Mark().is_null()) ? key.Mark() : value.Mark();
    return Field(*errors_, value, mark, join(path_segment(key.Scalar())));
  }
  [[nodiscard]] Field element(std::size_t index, const YAML::Node& value) const {
    const YAML::Mark mark = value.Mark().is_null() ? mark_ : value.Mark();
    return Field(*errors_, value, mark, fmt::format("{}[{}]", path_, index));
  }
  // Another node reported under this path (e.g. a malformed key of this mapping).
  [[nodiscard]] Field at(const YAML::Node& node) const {
    return Field(*errors_, node, node.Mark().is_null() ? mark_ : node.Mark(), path_);
  }
  // The same position, reported under child key `name` (e.g. a missing key).
  [[nodiscard]] Field under(std::string_view name) const {
    return Field(*errors_, YAML::Node(), mark_, join(std::string(name)));
  }

 private:
  [[nodiscard]] std::string join(const std::string& name) const {
    return path_.empty() ? name : path_ + "." + name;
  }

  ConfigErrorList* errors_;
  YAML::Node node_;
  YAML::Mark mark_;
  std::string path_;
};

// ---- scalar readers: each reports its own problem and returns nullopt ----

enum class Number { count, power_of_two, seconds, bytes };

struct Range {
  std::uint64_t lo;
  std::uint64_t hi;
};

std::optional<std::uint64_t> read_number(const Field& f, Number kind, Range range) {
  std::string expectation;
  switch (kind) {
    case Number::count:
      expectation = fmt::format("an integer between {} and {}", range.lo, range.hi);
      break;
    case Number::power_of_two:
      expectation = fmt::format("a power of two between {} and {}", range.lo, range.hi);
      break;
    case Number::seconds:
      expectation = fmt::format("a duration between {} and {} seconds (an integer, or a number with unit s, m, h or d)",
                                range.lo, range.hi);
      break;
    case Number::bytes:
      expectation = fmt::format("a size between {} and {} bytes (an integer, or a number with unit KiB, MiB or GiB)",
                                range.lo, range.hi);
      break;
  }
  if (!f.node().IsScalar()) {
    f.expected(expectation);
    return std::nullopt;
  }
  const std::string& text = f.node().Scalar();
  std::optional<std::uint64_t> value;
  switch (kind) {
    case Number::count:
    case Number::power_of_two:
      value = parse_decimal(text);
      break;
    case Number::seconds:
      value = parse_duration_seconds(text);
      break;
    case Number::bytes:
      value = parse_size_bytes(text);
      break;
  }
  if (!value) {
    f.expected(expectation);
    return std::nullopt;
  }
  const bool in_range = *value >= range.lo && *value <= range.hi;
  const bool shape_ok = kind != Number::power_of_two || (*value & (*value - 1)) == 0;
  if (!in_range || !shape_ok) {
    std::string got = describe(f.node());
    // With a unit, show what it came to, so "25h" vs a limit in seconds is clear.
    if (parse_decimal(text) != value) {
      got += fmt::format(" (= {} {})", *value, kind == Number::seconds ? "seconds" : "bytes");
    }
    f.expected(expectation, got);
    return std::nullopt;
  }
  return value;
}

std::optional<bool> read_bool(const Field& f) {
  if (f.node().IsScalar()) {
    if (f.node().Scalar() == "true") return true;
    if (f.node().Scalar() == "false") return false;
  }
  f.expected("true or false");
  return std::nullopt;
}

std::optional<std::string> read_string(const Field& f, std::string_view expectation, bool allow_empty) {
  if (!f.node().IsScalar() || (!allow_empty && f.node().Scalar().empty())) {
    f.expected(expectation);
    return std::nullopt;
  }
  return f.node().Scalar();
}

std::optional<LogLevel> read_log_level(const Field& f) {
  static constexpr std::pair<std::string_view, LogLevel> kLevels[] = {
      {"debug", LogLevel::debug}, {"info", LogLevel::info}, {"warning", LogLevel::warning}, {"error", LogLevel::error}};
  if (f.node().IsScalar()) {
    for (const auto& [name, level] : kLevels) {
      if (f.node().Scalar() == name) return level;
    }
  }
  f.expected("one of: debug, info, warning, error");
  return std::nullopt;
}

// Stores a value that has been validated against a range that fits T.
template <typename T, typename V>
void set(T& out, std::optional<V> value) {
  if (value) out = static_cast<T>(*value);
}

// ---- structure readers ----

struct KeyReader {
  std::string_view name;
  std::function<void(const Field&)> read;
};

enum class NullMeans { defaults, error };

// Walks a mapping, handing each known key to its reader and reporting
// unknown and repeated keys. Returns false when `f` is not a mapping at all.
bool walk_mapping(const Field& f, std::string_view expectation, NullMeans null_means,
                  std::initializer_list<KeyReader> readers) {
  if (f.node().IsNull() && null_means == NullMeans::defaults) return true;
  if (!f.node().IsMap()) {
    f.expected(expectation);
    return false;
  }
  std::map<std::string, int> first_line;  // yaml-cpp keeps repeated keys; we refuse them
  for (const auto& entry : f.node()) {
    const YAML::Node& key = entry.first;
    if (!key.IsScalar()) {
      f.at(key).expected("a plain key name");
      continue;
    }
    const Field value = f.child(key, entry.second);
    const int key_line = key.Mark().is_null() ? f.line() : key.Mark().line + 1;
    const Field key_field = f.at(key).under(path_segment(key.Scalar()));
    const auto [it, inserted] = first_line.emplace(key.Scalar(), key_line);
    if (!inserted) {
      key_field.report(fmt::format("duplicate key (first at line {})", it->second));
      continue;
    }
    const KeyReader* reader = nullptr;
    for (const KeyReader& r : readers) {
      if (r.name == key.Scalar()) reader = &r;
    }
    if (reader == nullptr) {
      std::string names;
      for (const KeyReader& r : readers) names += (names.empty() ? "" : ", ") + std::string(r.name);
      key_field.report(fmt::format("unknown key (expected one of: {})", names));
      continue;
    }
    reader->read(value);
  }
  return true;
}

// Calls `read` for each element; returns false when `f` is not a list.
bool walk_list(const Field& f, std::string_view expectation, const std::function<void(const Field&)>& read) {
  if (!f.node().IsSequence()) {
    f.expected(expectation);
    return false;
  }
  std::size_t index = 0;
  for (const auto& element : f.node()) read(f.element(index++, element));
  return true;
}

// ---- sections ----

void read_ports(const Field& f, std::vector<capture::PortConfig>& ports) {
  std::map<std::string, std::string> device_path;  // device -> key path of its first use
  walk_list(f, "a list of ports (mappings with device, rx_queues, rx_descriptors, promiscuous)",
            [&](const Field& element) {
              capture::PortConfig port;
              std::optional<Field> device_field;
              const bool is_map = walk_mapping(
                  element, "a port mapping (device, rx_queues, rx_descriptors, promiscuous)", NullMeans::error,
                  {
                      {"device",
                       [&](const Field& v) {
                         device_field = v;
                         set(port.device, read_string(v, "a non-empty DPDK device name or PCI address", false));
                       }},
                      {"rx_queues", [&](const Field& v) { set(port.rx_queues, read_number(v, Number::count, {1, 128})); }},
                      {"rx_descriptors",
                       [&](const Field& v) {
                         set(port.rx_descriptors, read_number(v, Number::power_of_two, {64, 32768}));
                       }},
                      {"promiscuous", [&](const Field& v) { set(port.promiscuous, read_bool(v)); }},
                  });
              if (!is_map) return;
              if (!device_field) {
                element.under("device").expected("a non-empty DPDK device name or PCI address",
                                                   "nothing (key missing)");
              } else if (!port.device.empty()) {
                const auto [it, inserted] = device_path.emplace(port.device, device_field->path());
                if (!inserted) {
                  device_field->expected("each device at most once",
                                         fmt::format("{} again (first at {})", quoted(port.device), it->second));
                }
              }
              ports.push_back(std::move(port));
            });
}

void read_capture(const Field& f, capture::CaptureConfig& c) {
  constexpr Range kLcores{0, 1023};
  std::optional<Field> main_field;
  bool main_valid = true;
  std::vector<std::pair<std::uint32_t, Field>> workers;  // valid entries, in file order
  bool workers_given = false;

  walk_mapping(
      f, "a mapping of capture settings", NullMeans::defaults,
      {
          {"eal_args",
           [&](const Field& v) {
             std::vector<std::string> args;
             if (walk_list(v, "a list of EAL arguments (strings)", [&](const Field& e) {
                   if (auto s = read_string(e, "a non-empty string", false)) args.push_back(std::move(*s));
                 })) {
               c.eal_args = std::move(args);
             }
           }},
          {"main_lcore",
           [&](const Field& v) {
             main_field = v;
             const auto n = read_number(v, Number::count, kLcores);
             main_valid = n.has_value();
             set(c.main_lcore, n);
           }},
          {"worker_lcores",
           [&](const Field& v) {
             workers_given = true;
             if (!walk_list(v, "a non-empty list of lcore ids", [&](const Field& e) {
                   const auto n = read_number(e, Number::count, kLcores);
                   if (!n) return;
                   for (const auto& [id, where] : workers) {
                     if (id == *n) {
                       e.expected("each lcore at most once",
                                  fmt::format("{} again (first at {})", describe(e.node()), where.path()));
                       return;
                     }
                   }
                   workers.emplace_back(static_cast<std::uint32_t>(*n), e);
                 })) {
               return;
             }
             if (v.node().size() == 0) v.expected("a non-empty list of lcore ids");
             c.worker_lcores.clear();
             for (const auto& w : workers) c.worker_lcores.push_back(w.first);
           }},
          {"mbufs_per_queue",
           [&](const Field& v) { set(c.mbufs_per_queue, read_number(v, Number::count, {1023, 1048575})); }},
          {"burst_size", [&](const Field& v) { set(c.burst_size, read_number(v, Number::count, {1, 64})); }},
          {"mbuf_data_size",
           [&](const Field& v) { set(c.mbuf_data_size, read_number(v, Number::bytes, {1024, 65407})); }},
          {"ports", [&](const Field& v) { read_ports(v, c.ports); }},
      });

  // The control thread and the workers must not share a core: a worker spins.
  if (!main_valid) return;
  if (workers_given) {
    for (const auto& [id, where] : workers) {
      if (id == c.main_lcore) where.expected(fmt::format("an lcore other than capture.main_lcore ({})", c.main_lcore));
    }
  } else if (main_field) {
    for (const std::uint32_t id : c.worker_lcores) {
      if (id == c.main_lcore) {
        main_field->expected(fmt::format("an lcore not in capture.worker_lcores (default: [{}])",
                                         fmt::join(c.worker_lcores, ", ")));
        break;
      }
    }
  }
}

void read_flow(const Field& f, flow::FlowConfig& c) {
  constexpr Range kIdle{1, 86400};
  walk_mapping(
      f, "a mapping of flow settings", NullMeans::defaults,
      {
          {"table_size", [&](const Field& v) { set(c.table_size, read_number(v, Number::count, {1024, 268435456})); }},
          {"active_timeout",
           [&](const Field& v) { set(c.active_timeout_s, read_number(v, Number::seconds, {0, 86400})); }},
          {"timeouts",
           [&](const Field& v) {
             auto& t = c.timeouts;
             walk_mapping(
                 v, "a mapping of idle timeouts per protocol state", NullMeans::defaults,
                 {
                     {"tcp_established",
                      [&](const Field& x) { set(t.tcp_established_s, read_number(x, Number::seconds, kIdle)); }},
                     {"tcp_transitory",
                      [&](const Field& x) { set(t.tcp_transitory_s, read_number(x, Number::seconds, kIdle)); }},
                     {"tcp_closed", [&](const Field& x) { set(t.tcp_closed_s, read_number(x, Number::seconds, kIdle)); }},
                     {"udp", [&](const Field& x) { set(t.udp_s, read_number(x, Number::seconds, kIdle)); }},
                     {"icmp", [&](const Field& x) { set(t.icmp_s, read_number(x, Number::seconds, kIdle)); }},
                     {"other", [&](const Field& x) { set(t.other_s, read_number(x, Number::seconds, kIdle)); }},
                 });
           }},
      });
}

void read_pipeline(const Field& f, pipeline::PipelineConfig& c) {
  walk_mapping(f, "a mapping of pipeline settings", NullMeans::defaults,
               {
                   {"flow_ring_size",
                    [&](const Field& v) { set(c.flow_ring_size, read_number(v, Number::count, {1024, 16777216})); }},
                   {"flow_log",
                    [&](const Field& v) { set(c.flow_log_path, read_string(v, "a file path (\"\" for none)", true)); }},
                   {"community_id_seed",
                    [&](const Field& v) { set(c.community_id_seed, read_number(v, Number::count, {0, 65535})); }},
               });
}

void read_store(const Field& f, store::StoreConfig& c) {
  walk_mapping(
      f, "a mapping of packet store settings", NullMeans::defaults,
      {
          {"enabled", [&](const Field& v) { set(c.enabled, read_bool(v)); }},
          {"packets_subdir",
           [&](const Field& v) { set(c.packets_subdir, read_string(v, "a relative directory name", false)); }},
          {"max_segment_bytes",
           [&](const Field& v) { set(c.max_segment_bytes, read_number(v, Number::bytes, {262184, 4294967295ULL})); }},
          {"max_segment_age_s",
           [&](const Field& v) { set(c.max_segment_age_s, read_number(v, Number::seconds, {1, 86400})); }},
          {"sync_on_close", [&](const Field& v) { set(c.sync_on_close, read_bool(v)); }},
          {"max_bytes", [&](const Field& v) { set(c.max_bytes, read_number(v, Number::bytes, {0, ~0ULL})); }},
          {"min_free_bytes",
           [&](const Field& v) { set(c.min_free_bytes, read_number(v, Number::bytes, {0, ~0ULL})); }},
          {"max_age_s", [&](const Field& v) { set(c.max_age_s, read_number(v, Number::seconds, {0, 3650ULL * 86400})); }},
          {"index_commit_ms",
           [&](const Field& v) { set(c.index_commit_ms, read_number(v, Number::count, {10, 60000})); }},
          {"index_map_bytes",
           [&](const Field& v) { set(c.index_map_bytes, read_number(v, Number::bytes, {1ULL << 20, 1ULL << 44})); }},
          {"default_window_s",
           [&](const Field& v) { set(c.default_window_s, read_number(v, Number::seconds, {1, 3650ULL * 86400})); }},
      });
}

void read_sessions(const Field& f, session::SessionsConfig& c) {
  walk_mapping(
      f, "a mapping of session settings", NullMeans::defaults,
      {
          {"enabled", [&](const Field& v) { set(c.enabled, read_bool(v)); }},
          {"max_buffered_per_direction",
           [&](const Field& v) { set(c.max_buffered_per_direction, read_number(v, Number::bytes, {0, 1ULL << 30})); }},
          {"max_buffered_total",
           [&](const Field& v) { set(c.max_buffered_total, read_number(v, Number::bytes, {0, 1ULL << 40})); }},
          {"max_stream_depth",
           [&](const Field& v) { set(c.max_stream_depth, read_number(v, Number::bytes, {0, 1ULL << 40})); }},
          {"max_events_per_session",
           [&](const Field& v) { set(c.max_events_per_session, read_number(v, Number::count, {1, 1000000})); }},
      });
}

void read_search(const Field& f, session::SearchConfig& c) {
  walk_mapping(f, "a mapping of search settings", NullMeans::defaults,
               {
                   {"enabled", [&](const Field& v) { set(c.enabled, read_bool(v)); }},
                   {"subdir", [&](const Field& v) { set(c.subdir, read_string(v, "a relative directory name", false)); }},
                   {"shard_span_s",
                    [&](const Field& v) { set(c.shard_span_s, read_number(v, Number::seconds, {60, 31 * 86400})); }},
                   {"commit_ms", [&](const Field& v) { set(c.commit_ms, read_number(v, Number::count, {100, 600000})); }},
               });
}

void read_export_file(const Field& f, session::ExportFileConfig& c) {
  walk_mapping(f, "a mapping of export file settings", NullMeans::defaults,
               {
                   {"path", [&](const Field& v) { set(c.path, read_string(v, "a file path (\"\" for none)", true)); }},
                   {"rotate_bytes", [&](const Field& v) { set(c.rotate_bytes, read_number(v, Number::bytes, {0, ~0ULL})); }},
                   {"keep_files", [&](const Field& v) { set(c.keep_files, read_number(v, Number::count, {1, 1000})); }},
               });
}

void read_export(const Field& f, session::ExportConfig& c) {
  walk_mapping(f, "a mapping of export settings", NullMeans::defaults,
               {
                   {"eve", [&](const Field& v) { read_export_file(v, c.eve); }},
                   {"ecs", [&](const Field& v) { read_export_file(v, c.ecs); }},
               });
}

// ---- detection (issue 5) ----

std::optional<double> read_real(const Field& f, double lo, double hi) {
  if (f.node().IsScalar()) {
    const std::string& t = f.node().Scalar();
    char* end = nullptr;
    const double v = std::strtod(t.c_str(), &end);
    if (!t.empty() && end == t.c_str() + t.size() && v >= lo && v <= hi) return v;
  }
  f.expected(fmt::format("a number between {} and {}", lo, hi));
  return std::nullopt;
}

void read_string_list(const Field& f, std::string_view what, std::vector<std::string>& out) {
  out.clear();
  walk_list(f, fmt::format("a list of {}", what), [&](const Field& e) {
    if (auto v = read_string(e, what, false)) out.push_back(*v);
  });
}

// An address or CIDR as the enrichment tables take it.
bool looks_like_cidr(std::string_view text) {
  const std::size_t slash = text.find('/');
  const auto addr = IpAddress::parse(text.substr(0, slash));
  if (!addr) return false;
  if (slash == std::string_view::npos) return true;
  const std::string_view len = text.substr(slash + 1);
  if (len.empty() || len.size() > 3) return false;
  unsigned n = 0;
  for (const char c : len) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + static_cast<unsigned>(c - '0');
  }
  return n <= (addr->version == 4 ? 32U : 128U);
}

void read_enrichment(const Field& f, detect::DetectionConfig& c) {
  walk_mapping(f, "a mapping of enrichment settings", NullMeans::defaults,
               {
                   {"geoip", [&](const Field& v) { read_string_list(v, "GeoIP .mmdb file paths", c.geoip); }},
                   {"assets", [&](const Field& v) { set(c.assets, read_string(v, "a CSV or YAML file path (\"\" for none)", true)); }},
                   {"internal_networks",
                    [&](const Field& v) {
                      c.internal_networks.clear();
                      walk_list(v, "a list of networks (CIDR)", [&](const Field& e) {
                        auto t = read_string(e, "a network such as 10.0.0.0/8", false);
                        if (!t) return;
                        if (!looks_like_cidr(*t)) {
                          e.expected("a network such as 10.0.0.0/8 or 2001:db8::/32", quoted(*t));
                          return;
                        }
                        c.internal_networks.push_back(*t);
                      });
                    }},
               });
}

void read_intel(const Field& f, detect::DetectionConfig& c) {
  walk_mapping(f, "a mapping of threat intel settings", NullMeans::defaults,
               {
                   {"files", [&](const Field& v) { read_string_list(v, "indicator file paths (CSV, STIX 2.1 JSON)", c.intel_files); }},
               });
}

void read_rules(const Field& f, detect::DetectionConfig& c) {
  walk_mapping(f, "a mapping of signature rule settings", NullMeans::defaults,
               {
                   {"files", [&](const Field& v) { read_string_list(v, "Suricata .rules file paths", c.rule_files); }},
                   {"vars",
                    [&](const Field& v) {
                      if (v.node().IsNull()) return;
                      if (!v.node().IsMap()) {
                        v.expected("a mapping of rule variables (HOME_NET: \"[10.0.0.0/8]\", HTTP_PORTS: \"80\")");
                        return;
                      }
                      for (const auto& entry : v.node()) {
                        const Field value = v.child(entry.first, entry.second);
                        if (auto t = read_string(value, "an address or port expression", false)) {
                          c.rule_vars[entry.first.Scalar()] = *t;
                        }
                      }
                    }},
               });
}

void read_detectors(const Field& f, detect::DetectionConfig& config) {
  detect::BehaviourConfig& c = config.behaviour;
  walk_mapping(
      f, "a mapping of behavioural detector settings", NullMeans::defaults,
      {
          // Off: no enrichment, intel, rules, detectors or alerts at all.
          {"enabled", [&](const Field& v) { set(config.enabled, read_bool(v)); }},
          {"volume",
           [&](const Field& v) {
             auto& d = c.volume;
             walk_mapping(v, "a mapping of outbound volume settings", NullMeans::defaults,
                          {
                              {"enabled", [&](const Field& x) { set(d.enabled, read_bool(x)); }},
                              {"session_bytes_out", [&](const Field& x) { set(d.session_bytes_out, read_number(x, Number::bytes, {1, ~0ULL})); }},
                              {"min_out_in_ratio", [&](const Field& x) { set(d.min_out_in_ratio, read_real(x, 0, 1e9)); }},
                              {"sigma", [&](const Field& x) { set(d.sigma, read_real(x, 0, 1000)); }},
                              {"min_baseline_hours", [&](const Field& x) { set(d.min_baseline_hours, read_number(x, Number::count, {1, 100000})); }},
                              {"min_hour_bytes", [&](const Field& x) { set(d.min_hour_bytes, read_number(x, Number::bytes, {0, ~0ULL})); }},
                              {"ewma_alpha", [&](const Field& x) { set(d.ewma_alpha, read_real(x, 0.001, 1)); }},
                          });
           }},
          {"dns_tunnel",
           [&](const Field& v) {
             auto& d = c.dns_tunnel;
             walk_mapping(v, "a mapping of DNS tunnelling settings", NullMeans::defaults,
                          {
                              {"enabled", [&](const Field& x) { set(d.enabled, read_bool(x)); }},
                              {"window", [&](const Field& x) { set(d.window_s, read_number(x, Number::seconds, {1, 86400})); }},
                              {"unique_subdomains", [&](const Field& x) { set(d.unique_subdomains, read_number(x, Number::count, {1, 10000000})); }},
                              {"long_label", [&](const Field& x) { set(d.long_label, read_number(x, Number::count, {1, 63})); }},
                              {"entropy_bits", [&](const Field& x) { set(d.entropy_bits, read_real(x, 0, 8)); }},
                              {"long_high_entropy_queries", [&](const Field& x) { set(d.long_high_entropy_queries, read_number(x, Number::count, {1, 10000000})); }},
                              {"txt_null_queries", [&](const Field& x) { set(d.txt_null_queries, read_number(x, Number::count, {1, 10000000})); }},
                          });
           }},
          {"beacon",
           [&](const Field& v) {
             auto& d = c.beacon;
             walk_mapping(v, "a mapping of beaconing settings", NullMeans::defaults,
                          {
                              {"enabled", [&](const Field& x) { set(d.enabled, read_bool(x)); }},
                              {"min_connections", [&](const Field& x) { set(d.min_connections, read_number(x, Number::count, {3, 32})); }},
                              {"max_jitter", [&](const Field& x) { set(d.max_jitter, read_real(x, 0, 1)); }},
                              {"min_interval", [&](const Field& x) { set(d.min_interval_s, read_number(x, Number::seconds, {1, 86400})); }},
                              {"max_interval", [&](const Field& x) { set(d.max_interval_s, read_number(x, Number::seconds, {1, 7 * 86400})); }},
                              {"external_only", [&](const Field& x) { set(d.external_only, read_bool(x)); }},
                              {"ignore_ports",
                               [&](const Field& x) {
                                 d.ignore_ports.clear();
                                 walk_list(x, "a list of port numbers", [&](const Field& e) {
                                   if (auto p = read_number(e, Number::count, {0, 65535})) {
                                     d.ignore_ports.push_back(static_cast<std::uint16_t>(*p));
                                   }
                                 });
                               }},
                          });
           }},
          {"scan",
           [&](const Field& v) {
             auto& d = c.scan;
             walk_mapping(v, "a mapping of scan detection settings", NullMeans::defaults,
                          {
                              {"enabled", [&](const Field& x) { set(d.enabled, read_bool(x)); }},
                              {"window", [&](const Field& x) { set(d.window_s, read_number(x, Number::seconds, {1, 86400})); }},
                              {"horizontal_hosts", [&](const Field& x) { set(d.horizontal_hosts, read_number(x, Number::count, {2, 1000000})); }},
                              {"vertical_ports", [&](const Field& x) { set(d.vertical_ports, read_number(x, Number::count, {2, 65536})); }},
                          });
           }},
          {"new_destination",
           [&](const Field& v) {
             auto& d = c.new_destination;
             walk_mapping(v, "a mapping of new-destination settings", NullMeans::defaults,
                          {
                              {"enabled", [&](const Field& x) { set(d.enabled, read_bool(x)); }},
                              {"learning", [&](const Field& x) { set(d.learning_s, read_number(x, Number::seconds, {0, 365ULL * 86400})); }},
                              {"min_criticality",
                               [&](const Field& x) {
                                 static constexpr std::pair<std::string_view, Criticality> kLevels[] = {
                                     {"low", Criticality::low}, {"medium", Criticality::medium},
                                     {"high", Criticality::high}, {"critical", Criticality::critical}};
                                 if (x.node().IsScalar()) {
                                   for (const auto& [name, level] : kLevels) {
                                     if (x.node().Scalar() == name) {
                                       d.min_criticality = level;
                                       return;
                                     }
                                   }
                                 }
                                 x.expected("one of: low, medium, high, critical");
                               }},
                          });
           }},
      });
}

void read_alerts(const Field& f, detect::DetectionConfig& c) {
  walk_mapping(
      f, "a mapping of alert settings", NullMeans::defaults,
      {
          {"subdir", [&](const Field& v) { set(c.alerts_subdir, read_string(v, "a relative directory name", false)); }},
          {"dedup_window", [&](const Field& v) { set(c.dedup_window_s, read_number(v, Number::seconds, {0, 30 * 86400})); }},
          {"map_bytes", [&](const Field& v) { set(c.alerts_map_bytes, read_number(v, Number::bytes, {1ULL << 20, 1ULL << 44})); }},
          {"retention_days", [&](const Field& v) { set(c.alert_retention_days, read_number(v, Number::count, {0, 36500})); }},
          {"syslog",
           [&](const Field& v) {
             auto& s = c.syslog;
             walk_mapping(v, "a mapping of syslog forwarding settings (host, port, transport, format)", NullMeans::defaults,
                          {
                              {"host", [&](const Field& x) { set(s.host, read_string(x, "a host name or address (\"\" for off)", true)); }},
                              {"port", [&](const Field& x) { set(s.port, read_number(x, Number::count, {1, 65535})); }},
                              {"transport",
                               [&](const Field& x) {
                                 auto t = read_string(x, "udp or tcp", false);
                                 if (t && *t != "udp" && *t != "tcp") {
                                   x.expected("udp or tcp");
                                   return;
                                 }
                                 set(s.transport, t);
                               }},
                              {"format",
                               [&](const Field& x) {
                                 auto t = read_string(x, "rfc5424 or cef", false);
                                 if (t && *t != "rfc5424" && *t != "cef") {
                                   x.expected("rfc5424 or cef");
                                   return;
                                 }
                                 set(s.format, t);
                               }},
                          });
           }},
      });
}


// ---- telemetry receivers (issue 8) ----

// One of a fixed set of words; `names` lists them in the order of `values`.
template <typename E>
std::optional<E> read_choice(const Field& f, std::initializer_list<std::pair<std::string_view, E>> choices) {
  std::string expectation;
  for (const auto& [name, value] : choices) {
    if (!expectation.empty()) expectation += " | ";
    expectation += name;
  }
  if (f.node().IsScalar()) {
    for (const auto& [name, value] : choices) {
      if (f.node().Scalar() == name) return value;
    }
  }
  f.expected(expectation);
  return std::nullopt;
}

bool known_parser_name(std::string_view n, const ingest::ReceiversConfig& c) {
  static constexpr std::string_view kNames[] = {"auto", "syslog", "rfc5424", "rfc3164", "json", "eve",
                                                "zeek", "cef",    "leef",    "kv"};
  for (std::string_view k : kNames) {
    if (n == k) return true;
  }
  return n.starts_with("pattern:") && c.patterns.contains(std::string(n.substr(8)));
}

void read_listener(const Field& f, ingest::ListenerConfig& l, const ingest::ReceiversConfig& all) {
  bool has_name = false, has_listen = false;
  using P = ingest::ListenerProtocol;
  using T = ingest::ListenerTransport;
  using F = ingest::TcpFraming;
  walk_mapping(
      f, "a mapping of listener settings (name, protocol, transport, listen, ...)", NullMeans::error,
      {
          {"name",
           [&](const Field& v) {
             has_name = true;
             set(l.name, read_string(v, "a listener name", false));
           }},
          {"protocol", [&](const Field& v) {
             set(l.protocol, read_choice<P>(v, {{"syslog", P::syslog}, {"json", P::json}, {"netflow", P::netflow}}));
           }},
          {"transport", [&](const Field& v) {
             set(l.transport, read_choice<T>(v, {{"udp", T::udp}, {"tcp", T::tcp}, {"tls", T::tls}}));
           }},
          {"listen",
           [&](const Field& v) {
             has_listen = true;
             if (!v.node().IsScalar()) {
               v.expected("ADDR:PORT, e.g. 127.0.0.1:5514 or \"[::1]:5514\" (quote the IPv6 form)");
               return;
             }
             auto endpoint = parse_listen(v.node().Scalar(), true);
             if (!endpoint) {
               v.report(endpoint.error().message);
               return;
             }
             l.address = std::move(endpoint->first);
             l.port = endpoint->second;
           }},
          {"framing", [&](const Field& v) {
             set(l.framing, read_choice<F>(v, {{"auto", F::automatic},
                                               {"octet-counting", F::octet_counting},
                                               {"newline", F::newline}}));
           }},
          {"parsers",
           [&](const Field& v) {
             std::vector<std::string> chain;
             read_string_list(v, "parser names", chain);
             for (const auto& n : chain) {
               if (!known_parser_name(n, all)) {
                 v.report(fmt::format("unknown parser \"{}\" (auto, syslog, rfc5424, rfc3164, json, eve, zeek, cef, "
                                      "leef, kv or pattern:<a name under receivers.patterns>)",
                                      n));
                 return;
               }
             }
             if (!chain.empty()) l.parsers = std::move(chain);
           }},
          {"max_message_bytes",
           [&](const Field& v) { set(l.max_message_bytes, read_number(v, Number::bytes, {64, 16u << 20})); }},
          {"socket_buffer_bytes",
           [&](const Field& v) { set(l.socket_buffer_bytes, read_number(v, Number::bytes, {4096, 1u << 30})); }},
          {"max_connections", [&](const Field& v) { set(l.max_connections, read_number(v, Number::count, {1, 65535})); }},
          {"idle_timeout", [&](const Field& v) { set(l.idle_timeout_s, read_number(v, Number::seconds, {1, 86400 * 7})); }},
          {"tls",
           [&](const Field& v) {
             walk_mapping(v, "a mapping with certificate, key and optionally client_ca", NullMeans::defaults,
                          {
                              {"certificate", [&](const Field& x) { set(l.tls_certificate, read_string(x, "a PEM file path", false)); }},
                              {"key", [&](const Field& x) { set(l.tls_key, read_string(x, "a PEM file path", false)); }},
                              {"client_ca", [&](const Field& x) { set(l.tls_client_ca, read_string(x, "a PEM file path", true)); }},
                          });
           }},
      });
  if (!has_name) f.under("name").report("every listener needs a name");
  if (!has_listen) f.under("listen").report("every listener needs listen: ADDR:PORT");
  if (l.transport == T::tls && (l.tls_certificate.empty() || l.tls_key.empty())) {
    f.under("tls").report("transport tls needs tls.certificate and tls.key");
  }
  if (l.protocol == P::netflow && l.transport != T::udp) f.under("transport").report("netflow is received over udp");
}

void read_receivers(const Field& f, ingest::ReceiversConfig& c) {
  // Patterns first: a listener's "pattern:<name>" is checked against them.
  if (f.node().IsMap()) {
    if (const YAML::Node p = f.node()["patterns"]; p && p.IsMap()) {
      for (const auto& entry : p) {
        if (entry.second.IsScalar()) c.patterns[entry.first.Scalar()] = entry.second.Scalar();
      }
    }
  }
  walk_mapping(
      f, "a mapping of receiver settings", NullMeans::defaults,
      {
          {"queue_messages",
           [&](const Field& v) { set(c.queue_messages, read_number(v, Number::count, {16, 1u << 24})); }},
          {"api_ingest", [&](const Field& v) { set(c.api_ingest, read_bool(v)); }},
          {"retention_days", [&](const Field& v) { set(c.retention_days, read_number(v, Number::count, {0, 3650})); }},
          {"netflow_template_timeout",
           [&](const Field& v) { set(c.netflow_template_timeout_s, read_number(v, Number::seconds, {10, 86400 * 7})); }},
          {"patterns",
           [&](const Field& v) {
             if (v.node().IsNull()) return;
             if (!v.node().IsMap()) {
               v.expected("a mapping of pattern names to grok patterns");
               return;
             }
             for (const auto& entry : v.node()) {
               (void)read_string(v.child(entry.first, entry.second), "a grok pattern", false);
             }
           }},
          {"pattern_order", [&](const Field& v) {
             read_string_list(v, "pattern names", c.pattern_order);
             for (const auto& n : c.pattern_order) {
               if (!c.patterns.contains(n)) v.report(fmt::format("\"{}\" is not under receivers.patterns", n));
             }
           }},
          {"listeners",
           [&](const Field& v) {
             c.listeners.clear();
             walk_list(v, "a list of listeners", [&](const Field& e) {
               ingest::ListenerConfig l;
               read_listener(e, l, c);
               for (const auto& other : c.listeners) {
                 if (other.name == l.name) e.under("name").report(fmt::format("listener name \"{}\" used twice", l.name));
               }
               c.listeners.push_back(std::move(l));
             });
           }},
      });
}

// ---- appliance: TLS, users, audit, privileges (issue 7) ----

// The files are not opened here: check-config must work on a box where they
// do not exist yet (the package creates a self-signed pair at install), and
// the daemon reports a file it cannot read when it loads it.
void read_http_tls(const Field& f, http::HttpTlsConfig& c) {
  walk_mapping(f, "a mapping of TLS settings (enabled, cert, key, client_ca, require_client_cert)",
               NullMeans::defaults,
               {
                   {"enabled", [&](const Field& v) { set(c.enabled, read_bool(v)); }},
                   {"cert", [&](const Field& v) { set(c.cert_file, read_string(v, "a PEM file path (\"\" for none)", true)); }},
                   {"key", [&](const Field& v) { set(c.key_file, read_string(v, "a PEM file path (\"\" for none)", true)); }},
                   {"client_ca",
                    [&](const Field& v) { set(c.client_ca_file, read_string(v, "a PEM file path (\"\" for none)", true)); }},
                   {"require_client_cert", [&](const Field& v) { set(c.require_client_cert, read_bool(v)); }},
               });
  if (!f.node().IsMap()) return;
  if (c.enabled && c.cert_file.empty()) f.under("cert").report("TLS is enabled but no certificate file is given");
  if (c.enabled && c.key_file.empty()) f.under("key").report("TLS is enabled but no private key file is given");
  if (c.require_client_cert && c.client_ca_file.empty()) {
    f.under("client_ca").report("require_client_cert needs client_ca (the CA that signs the client certificates)");
  }
}

// A cookie name is an RFC 6265 token: visible ASCII but separators.
bool is_cookie_token(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (const char c : name) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum && std::string_view("!#$%&'*+-.^_`|~").find(c) == std::string_view::npos) return false;
  }
  return true;
}

void read_auth(const Field& f, auth::AuthConfig& c) {
  constexpr Range kSessionSeconds{2, 30 * 86400};  // tests use seconds; real sessions last hours
  walk_mapping(
      f, "a mapping of auth settings", NullMeans::defaults,
      {
          {"enabled", [&](const Field& v) { set(c.enabled, read_bool(v)); }},
          {"users_file", [&](const Field& v) { set(c.users_file, read_string(v, "a non-empty file path", false)); }},
          {"session_ttl", [&](const Field& v) { set(c.session_ttl_s, read_number(v, Number::seconds, kSessionSeconds)); }},
          {"session_idle",
           [&](const Field& v) { set(c.session_idle_s, read_number(v, Number::seconds, kSessionSeconds)); }},
          {"max_sessions", [&](const Field& v) { set(c.max_sessions, read_number(v, Number::count, {1, 10000000})); }},
          {"login_max_failures",
           [&](const Field& v) { set(c.login_max_failures, read_number(v, Number::count, {1, 1000000})); }},
          {"login_window", [&](const Field& v) { set(c.login_window_s, read_number(v, Number::seconds, {1, 86400})); }},
          {"metrics_public", [&](const Field& v) { set(c.metrics_public, read_bool(v)); }},
          {"cookie_name",
           [&](const Field& v) {
             constexpr std::string_view kWhat = "a cookie name of 1-64 letters, digits or !#$%&'*+-.^_`|~";
             auto name = read_string(v, kWhat, false);
             if (!name) return;
             if (!is_cookie_token(*name)) {
               v.expected(kWhat);
               return;
             }
             c.cookie_name = std::move(*name);
           }},
      });
}

void read_console(const Field& f, ConsoleConfig& c) {
  walk_mapping(f, "a mapping of console settings", NullMeans::defaults,
               {
                   {"enabled", [&](const Field& v) { set(c.enabled, read_bool(v)); }},
                   {"history_interval",
                    [&](const Field& v) { set(c.history_interval_s, read_number(v, Number::seconds, {1, 3600})); }},
                   {"history_samples",
                    [&](const Field& v) { set(c.history_samples, read_number(v, Number::count, {1, 100000})); }},
               });
}

void read_audit(const Field& f, audit::AuditConfig& c) {
  walk_mapping(f, "a mapping of audit log settings", NullMeans::defaults,
               {
                   {"enabled", [&](const Field& v) { set(c.enabled, read_bool(v)); }},
                   {"path", [&](const Field& v) { set(c.path, read_string(v, "a non-empty file path", false)); }},
               });
}

// Account and group names as useradd accepts them (and "" for none). A
// numeric id is refused: the daemon looks the name up, and a number would
// silently mean another account on another box.
bool is_account_name(std::string_view name) {
  if (name.empty()) return true;
  if (name.size() > 32 || name.front() == '-') return false;
  bool all_digits = true;
  for (const char c : name) {
    const bool digit = c >= '0' && c <= '9';
    all_digits = all_digits && digit;
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || digit || c == '_' || c == '-' || c == '.';
    if (!ok) return false;
  }
  return !all_digits;
}

// "CAP_NET_RAW" or "net_raw": the names capabilities(7) and setcap use.
// Whether the kernel knows the name is checked where it is applied
// (service::capability_number), which config cannot link.
bool is_capability_name(std::string_view name) {
  if (name.starts_with("CAP_")) {
    const std::string_view rest = name.substr(4);
    if (rest.empty()) return false;
    for (const char c : rest) {
      if (!((c >= 'A' && c <= 'Z') || c == '_')) return false;
    }
    return true;
  }
  if (name.empty() || name.front() == '_') return false;
  for (const char c : name) {
    if (!((c >= 'a' && c <= 'z') || c == '_')) return false;
  }
  return true;
}

void read_privileges(const Field& f, service::PrivilegeConfig& c) {
  constexpr std::string_view kAccount = "an account name (letters, digits, _ - .; not all digits) or \"\"";
  constexpr std::string_view kGroup = "a group name (letters, digits, _ - .; not all digits) or \"\"";
  const auto read_account = [](const Field& v, std::string_view what, std::string& out) {
    auto name = read_string(v, what, true);
    if (!name) return;
    if (!is_account_name(*name)) {
      v.expected(what);
      return;
    }
    out = std::move(*name);
  };
  walk_mapping(
      f, "a mapping of privilege settings (user, group, keep_capabilities, chown_data_dir)", NullMeans::defaults,
      {
          {"user", [&](const Field& v) { read_account(v, kAccount, c.user); }},
          {"group", [&](const Field& v) { read_account(v, kGroup, c.group); }},
          {"keep_capabilities",
           [&](const Field& v) {
             std::vector<std::string> caps;
             constexpr std::string_view kCap = "a capability name such as CAP_NET_RAW or net_raw";
             if (walk_list(v, "a list of capability names such as [CAP_NET_RAW]", [&](const Field& e) {
                   auto name = read_string(e, kCap, false);
                   if (!name) return;
                   if (!is_capability_name(*name)) {
                     e.expected(kCap);
                     return;
                   }
                   caps.push_back(std::move(*name));
                 })) {
               c.keep_capabilities = std::move(caps);
             }
           }},
          {"chown_data_dir", [&](const Field& v) { set(c.chown_data_dir, read_bool(v)); }},
      });
}

void read_http(const Field& f, http::HttpConfig& c) {
  walk_mapping(
      f, "a mapping of http settings", NullMeans::defaults,
      {
          {"listen",
           [&](const Field& v) {
             if (!v.node().IsScalar()) {
               // An unquoted [::1]:8080 reads as a YAML list: say how to write it.
               v.expected("ADDR:PORT, e.g. 127.0.0.1:8080 or \"[::1]:8080\" (quote the IPv6 form)");
               return;
             }
             auto endpoint = parse_listen(v.node().Scalar());
             if (!endpoint) {
               v.report(endpoint.error().message);
               return;
             }
             c.listen_address = std::move(endpoint->first);
             c.listen_port = endpoint->second;
           }},
          {"max_connections",
           [&](const Field& v) { set(c.max_connections, read_number(v, Number::count, {1, 65535})); }},
          {"request_timeout",
           [&](const Field& v) { set(c.request_timeout_s, read_number(v, Number::seconds, {1, 3600})); }},
          {"max_header_bytes",
           [&](const Field& v) { set(c.max_header_bytes, read_number(v, Number::bytes, {1024, 1048576})); }},
          {"max_body_bytes",
           [&](const Field& v) { set(c.max_body_bytes, read_number(v, Number::bytes, {0, 1073741824})); }},
          {"tls", [&](const Field& v) { read_http_tls(v, c.tls); }},
      });
}

void read_document(const Field& root, AppConfig& config) {
  walk_mapping(root, "a mapping of config sections", NullMeans::error,
               {
                   {"data_dir",
                    [&](const Field& v) { set(config.data_dir, read_string(v, "a non-empty directory path", false)); }},
                   {"log_level", [&](const Field& v) { set(config.log_level, read_log_level(v)); }},
                   {"capture", [&](const Field& v) { read_capture(v, config.capture); }},
                   {"flow", [&](const Field& v) { read_flow(v, config.flow); }},
                   {"pipeline", [&](const Field& v) { read_pipeline(v, config.pipeline); }},
                   {"http", [&](const Field& v) { read_http(v, config.http); }},
                   {"store", [&](const Field& v) { read_store(v, config.store); }},
                   {"sessions", [&](const Field& v) { read_sessions(v, config.sessions); }},
                   {"search", [&](const Field& v) { read_search(v, config.search); }},
                   {"export", [&](const Field& v) { read_export(v, config.exports); }},
                   {"enrichment", [&](const Field& v) { read_enrichment(v, config.detection); }},
                   {"intel", [&](const Field& v) { read_intel(v, config.detection); }},
                   {"rules", [&](const Field& v) { read_rules(v, config.detection); }},
                   {"detectors", [&](const Field& v) { read_detectors(v, config.detection); }},
                   {"alerts", [&](const Field& v) { read_alerts(v, config.detection); }},
                   {"receivers", [&](const Field& v) { read_receivers(v, config.receivers); }},
                   {"auth", [&](const Field& v) { read_auth(v, config.auth); }},
                   {"audit", [&](const Field& v) { read_audit(v, config.audit); }},
                   {"privileges", [&](const Field& v) { read_privileges(v, config.privileges); }},
                   {"console", [&](const Field& v) { read_console(v, config.console); }},
               });
}

struct FileCloser {
  void operator()(std::FILE* f) const noexcept { std::fclose(f); }
};

Error positioned(const std::string& source, const YAML::Mark& mark, std::string_view what) {
  if (mark.is_null()) return Error{fmt::format("{}: {}", source, what)};
  return Error{fmt::format("{}:{}:{}: {}", source, mark.line + 1, mark.column + 1, what)};
}

// Finds how many documents a stream holds without building them, stopping at
// the second. YAML::LoadAll in yaml-cpp 0.7 never returns on some malformed
// input (a stray ',' makes the parser yield empty documents forever:
// jbeder/yaml-cpp#1040, fixed upstream by #1319), so we stop at the first
// empty document, as that fix does.
class DocumentCounter final : public YAML::EventHandler {
 public:
  struct Count {
    std::size_t documents = 0;
    YAML::Mark second;  // start of the second document, if any
  };

  static Count count(const std::string& text) {
    std::istringstream in(text);
    YAML::Parser parser(in);
    Count result;
    while (result.documents < 2) {
      DocumentCounter doc;
      if (!parser.HandleNextDocument(doc) || doc.root_is_null_) break;
      if (result.documents == 1) result.second = doc.start_;
      ++result.documents;
    }
    return result;
  }

  void OnDocumentStart(const YAML::Mark& mark) override { start_ = mark; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& /*mark*/, YAML::anchor_t /*anchor*/) override { node(true); }
  void OnAlias(const YAML::Mark& /*mark*/, YAML::anchor_t /*anchor*/) override { node(false); }
  void OnScalar(const YAML::Mark& /*mark*/, const std::string& /*tag*/, YAML::anchor_t /*anchor*/,
                const std::string& /*value*/) override {
    node(false);
  }
  void OnSequenceStart(const YAML::Mark& /*mark*/, const std::string& /*tag*/, YAML::anchor_t /*anchor*/,
                       YAML::EmitterStyle::value /*style*/) override {
    node(false);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& /*mark*/, const std::string& /*tag*/, YAML::anchor_t /*anchor*/,
                  YAML::EmitterStyle::value /*style*/) override {
    node(false);
  }
  void OnMapEnd() override {}

 private:
  void node(bool is_null) {
    if (!seen_root_) root_is_null_ = is_null;
    seen_root_ = true;
  }

  YAML::Mark start_;
  bool seen_root_ = false;
  bool root_is_null_ = true;
};

Result<AppConfig> parse_or_throw(std::string_view yaml_text, const std::string& source_name) {
  // yaml-cpp reads from a stream; a std::string copy keeps embedded NULs.
  const std::string text(yaml_text);
  const DocumentCounter::Count documents = DocumentCounter::count(text);
  const YAML::Node root = YAML::Load(text);
  ConfigErrorList errors(source_name);
  AppConfig config;
  config.source_path = source_name;
  config.source_text = text;
  if (root.IsNull()) {
    errors.add(1, 1, "(top level)", "expected a mapping of config sections, got an empty document");
    return errors.to_error();
  }
  // Top-level keys have no prefix; whole-document problems say "(top level)".
  read_document(Field(errors, root, root.Mark(), ""), config);
  if (documents.documents > 1) {
    Field(errors, YAML::Node(), documents.second, "")
        .expected("a single YAML document", "a second document");
  }
  if (!errors.empty()) return errors.to_error();
  return config;
}

}  // namespace

Result<AppConfig> parse_config(std::string_view yaml_text, const std::string& source_name) {
  try {
    return parse_or_throw(yaml_text, source_name);
  } catch (const YAML::ParserException& e) {
    return positioned(source_name, e.mark, "YAML syntax error: " + e.msg);
  } catch (const YAML::Exception& e) {
    return positioned(source_name, e.mark, "cannot read YAML: " + e.msg);
  } catch (const std::bad_alloc&) {
    return Error{source_name + ": out of memory while reading config"};
  } catch (const std::exception& e) {
    return Error{source_name + ": cannot read config: " + e.what()};
  }
}

Result<AppConfig> load_config(const std::string& path) {
  const auto fail = [&path](int err) {
    return Error{fmt::format("{}: cannot read config file: {}", path, std::strerror(err))};
  };
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (!file) return fail(errno);
  std::string text;
  char buffer[8192];
  while (true) {
    const std::size_t n = std::fread(buffer, 1, sizeof buffer, file.get());
    text.append(buffer, n);
    if (text.size() > kMaxFileBytes) {
      return Error{fmt::format("{}: cannot read config file: larger than {} bytes", path, kMaxFileBytes)};
    }
    if (n < sizeof buffer) break;
  }
  if (std::ferror(file.get())) return fail(errno);
  const TimestampNs read_at = wall_clock_ns();
  auto config = parse_config(text, path);
  if (config) config->loaded_ns = read_at;
  return config;
}

Result<void> validate_for_live_capture(const AppConfig& config) {
  if (config.capture.ports.empty()) {
    return Error{fmt::format("{}: capture.ports: expected at least one port for live capture, got none",
                             config.source_path)};
  }
  return ok();
}

}  // namespace opensoc::config
