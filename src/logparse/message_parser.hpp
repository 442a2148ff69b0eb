#pragma once
// MessageParser: the parsers one listener applies to a message, in order,
// chosen by config ("auto" or an explicit chain) and by what the message
// looks like. A message no parser accepts is still returned, as a raw log
// event (parsed = false, message = the text, parse_error = why), so nothing
// received is lost. One instance per thread (JSON parser, pattern match data).
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "logparse/grok_pattern.hpp"
#include "logparse/json_log_parser.hpp"
#include "opensoc/core/log_event.hpp"
#include "opensoc/core/result.hpp"

namespace opensoc::logparse {

/// Names a chain may hold.
///   framing-level: "syslog" (either RFC), "rfc5424", "rfc3164", "json"
///   (automatic flavour), "eve", "zeek", "cef", "leef", "kv",
///   "pattern:<name>" (one of the config's patterns), "auto".
/// "auto" (the default): syslog when the message starts with "<PRI>",
/// then on the syslog MSG (or the whole message): "CEF:" -> cef,
/// "LEEF:" -> leef, '{' -> json, else each config pattern in order, else kv
/// (at least 2 pairs), else the text stays the message (parsed = true for a
/// syslog message, false when nothing recognised it).
/// An explicit chain, e.g. ["rfc5424", "cef"], runs its framing parser first
/// and then the first body parser that accepts the MSG.
struct MessageParserConfig {
  std::vector<std::string> chain{"auto"};
  /// name -> grok pattern; compiled once. Built-ins can be overridden.
  std::map<std::string, std::string> patterns;
  /// Order in which "auto" tries patterns (names in `patterns`); empty = all, by name.
  std::vector<std::string> pattern_order;
};

class MessageParser {
 public:
  /// Error: unknown parser name, unknown pattern, a pattern that does not
  /// compile (with the pattern's name and position).
  static Result<std::unique_ptr<MessageParser>> create(const MessageParserConfig& config);
  ~MessageParser();

  /// Fills `out` (whose received/listener/sender/transport the caller set,
  /// and whose other members are empty) from `message`: never fails.
  /// `out.original` is set to `message`.
  void parse(std::string_view message, LogEvent& out);

 private:
  MessageParser() = default;
  struct Step;
  std::vector<Step> steps_;
  std::vector<std::pair<std::string, GrokPattern>> patterns_;
  JsonLogParser json_;
  // Indexes into patterns_, in the order "auto" tries them.
  std::vector<std::size_t> auto_patterns_;
  // Reused per message (capacity kept): the syslog MSG a body parser reads,
  // and what a refused body parser's partial output is rolled back to.
  std::string body_;
  std::string saved_dataset_;
  std::string saved_parser_;
  std::string error_;
  std::string marked_error_;

  struct Snapshot;
  Snapshot snapshot(const LogEvent& out);
  void restore(const Snapshot& s, bool syslog_ok, LogEvent& out);
  bool try_body(const Step& step, std::string_view text, bool syslog_ok, LogEvent& out);
  bool try_auto_body(std::string_view text, bool syslog_ok, LogEvent& out);
  void fail(std::string_view parser, const Error& e);
};

}  // namespace opensoc::logparse
