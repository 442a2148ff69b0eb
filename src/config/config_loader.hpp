#pragma once
/// Loading the daemon's YAML configuration into a validated AppConfig.
/// This module is the only place that sees YAML (yaml-cpp stays behind the .cpp).
/// Runs on the main thread at start-up, before any other thread exists.
#include <string>
#include <string_view>

#include "config/app_config.hpp"
#include "config/listen_endpoint.hpp"  // parse_listen, also used for --listen
#include "opensoc/core/result.hpp"

namespace opensoc::config {

/// Reads and validates a YAML config file. On failure the Error's message lists
/// EVERY problem found, one per line, each as
///   "<file>:<line>:<col>: <key.path>: <what was expected>, got <what was found>"
/// e.g. "config/x.yaml:12:15: flow.table_size: expected an integer between 1024
/// and 268435456, got 'lots'". Line and column point at the offending value
/// (at the key when the value is empty, or the key itself is the problem).
/// A YAML syntax error yields one line with yaml-cpp's position and reason; an
/// unreadable file yields "<file>: cannot read config file: <strerror>".
/// Every key is optional; absent keys keep the defaults of the *Config structs.
/// Blocking (reads the file); never throws.
[[nodiscard]] Result<AppConfig> load_config(const std::string& path);

/// Same as load_config, from text; `source_name` is used in messages and
/// stored as AppConfig::source_path. Pure; never throws.
[[nodiscard]] Result<AppConfig> parse_config(std::string_view yaml_text, const std::string& source_name);

/// Checks what only live (DPDK) capture needs and a file replay does not:
/// at least one entry in capture.ports. Separate from load_config because
/// the same file may drive both modes.
[[nodiscard]] Result<void> validate_for_live_capture(const AppConfig& config);

}  // namespace opensoc::config
