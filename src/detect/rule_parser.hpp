#pragma once
// The Suricata-subset rule parser: `.rules` text -> Rule values (rule.hpp).
// It resolves $VARS, flattens address/port groups and checks each keyword the
// way Suricata does; anything outside the subset becomes a RuleError naming
// the keyword while the rest of the file still loads. Runs on the control
// thread at startup or rule reload; every function is pure (no shared state)
// and safe to call from any thread.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "detect/rule.hpp"
#include "opensoc/core/result.hpp"

namespace opensoc::detect {

/// $NAME -> text, as in suricata.yaml `vars:` (the names without '$').
struct RuleVariables {
  std::map<std::string, std::string> addresses;  ///< "HOME_NET" -> "[10.0.0.0/8,192.168.0.0/16,172.16.0.0/12]"
  std::map<std::string, std::string> ports;      ///< "HTTP_PORTS" -> "[80,8080]"

  /// Suricata's shipped defaults: HOME_NET the RFC 1918 ranges, EXTERNAL_NET
  /// !$HOME_NET, the *_SERVERS groups $HOME_NET, HTTP_PORTS 80,
  /// SHELLCODE_PORTS !80, SSH_PORTS 22, ORACLE_PORTS 1521, ...
  static RuleVariables defaults();
};

struct RuleParseResult {
  std::vector<Rule> rules;
  std::vector<RuleError> errors;
};

/// Parses one rule (one logical line, no comment). Values are kept as the
/// rule language means them: `depth` counts from `offset` (Suricata:
/// `content:"def"; offset:3; depth:3;` matches "abcdef"); a distance/within
/// on the first match of a buffer is kept as written and, as in Suricata,
/// is relative to the buffer start. A RuleError's keyword is the offending
/// option, action ("drop") or protocol ("smb"); "" for header syntax. `file` and `line` are
/// copied into the Rule or RuleError for reporting.
[[nodiscard]] std::variant<Rule, RuleError> parse_rule(std::string_view text, const RuleVariables& vars,
                                                       const std::string& file = "", std::uint32_t line = 0);

/// Parses a whole `.rules` file: '#' comment lines and blank lines are
/// skipped (a commented-out rule silently), a trailing '\' continues the rule
/// on the next line (the rule's line is its first), and a sid already loaded
/// earlier in the same text is an error ("duplicate sid N (first at f:l)").
[[nodiscard]] RuleParseResult parse_rules(std::string_view file_text, const std::string& file,
                                          const RuleVariables& vars);

/// Reads and parses `path`. Error only when the file cannot be read; bad
/// rules are in the result's `errors`. Blocks on file I/O.
[[nodiscard]] Result<RuleParseResult> load_rules_file(const std::string& path, const RuleVariables& vars);

}  // namespace opensoc::detect
