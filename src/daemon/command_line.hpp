#pragma once
/// CommandLine: what the user asked for on the command line, parsed and
/// checked but not yet acted on. Subcommands share one option vocabulary so
/// that later ones (pcap, search, user) reuse --config, --data-dir, --listen.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "opensoc/core/result.hpp"

namespace opensoc::daemon {

enum class Command { help, version, check_config, run, ingest, pcap, search, user, preflight };

/// `opensocd user VERB ...`
enum class UserVerb { add, passwd, del, list, role, scope, certs, disable, enable, token_add, token_revoke, token_list };

struct CommandLine {
  Command command = Command::help;
  std::string help_topic;                   ///< subcommand whose --help was asked for ("" = general)
  std::optional<std::string> config_path;   ///< -c / --config
  std::optional<std::string> data_dir;      ///< --data-dir overrides the config
  std::optional<std::string> listen;        ///< --listen ADDR:PORT overrides the config
  std::optional<std::string> flow_log;      ///< --flow-log FILE overrides pipeline.flow_log
  bool json = false;                        ///< ingest: summary as one JSON object
  std::vector<std::string> captures;        ///< ingest: files to read
  /// pcap: the slice filters, named as the REST parameters (host, port,
  /// start, query, ...), in command-line order; repeats allowed.
  std::vector<std::pair<std::string, std::string>> slice_params;
  std::optional<std::string> output;        ///< pcap: -o FILE ("-" or none: stdout)
  std::optional<std::string> eve_out;       ///< run/ingest: --eve-out FILE, overrides export.eve.path
  std::optional<std::string> ecs_out;       ///< run/ingest: --ecs-out FILE, overrides export.ecs.path
  std::vector<std::string> rule_files;      ///< ingest: --rules FILE (repeatable), on top of rules.files
  std::vector<std::string> intel_files;     ///< ingest: --intel FILE (repeatable), on top of intel.files
  /// search: the query (positional words joined by spaces), its time range,
  /// page size and which records (sessions, events or both).
  std::string search_query;
  std::optional<std::string> search_start;
  std::optional<std::string> search_end;
  std::optional<std::string> search_limit;
  std::string search_kind = "sessions";
  /// user: the verb and its operands. Values are checked where they are
  /// used (role names, CIDRs, --expires) so this module needs no auth code;
  /// a bad one is still a usage error (exit 2).
  UserVerb user_verb = UserVerb::list;
  std::string user_name;                    ///< every verb but list and token revoke: NAME; token list: "" = all
  std::string user_role;                    ///< add: --role R; role: the positional R
  std::vector<std::string> user_scopes;     ///< add: --scope CIDR (repeatable); scope: the positional CIDRs
  std::vector<std::string> user_cert_subjects;  ///< add: --cert-subject DN (repeatable); certs: the positional DNs
  bool password_stdin = false;              ///< add/passwd: read the password's first line from stdin
  bool no_password = false;                 ///< add: a user without a password (certificate or token only)
  std::optional<std::string> token_label;   ///< token add: --label L
  std::optional<std::string> token_expires; ///< token add: --expires DURATION (e.g. 30d); none = never
  std::string token_id;                     ///< token revoke: ID
};

/// Parses argv. An Error here is a usage error (exit code 2); its message
/// says what was wrong and points at --help.
Result<CommandLine> parse_command_line(int argc, const char* const* argv);

/// Help text for a subcommand ("" for the overview).
std::string help_text(const std::string& topic);

/// Exit codes shared by every subcommand.
inline constexpr int kExitOk = 0;
inline constexpr int kExitRuntimeFailure = 1;
inline constexpr int kExitUsage = 2;

/// Where `run` and `check-config` look when -c is not given.
inline constexpr const char* kDefaultConfigPath = "/etc/opensoc/opensoc.yaml";

}  // namespace opensoc::daemon
