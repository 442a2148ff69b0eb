// Command-line parsing for opensocd (see command_line.hpp).
#include "daemon/command_line.hpp"

#include <algorithm>
#include <iterator>
#include <string_view>

namespace opensoc::daemon {

namespace {

struct Usage {
  Command command;
  const char* name;
  const char* synopsis;
  const char* description;
  bool config = false;     // accepts -c
  bool overrides = false;  // accepts --data-dir / --listen / --flow-log
  bool json = false;
  bool captures = false;
  bool slice = false;      // accepts the pcap filter options and -o
  bool search = false;     // accepts --start/--end/--limit/--events/--sessions/--all and a query
  bool user = false;       // accepts --data-dir, a verb with operands and the user options
};

// `opensocd pcap` options and the REST parameter each stands for.
struct SliceOption {
  const char* option;
  const char* parameter;
  const char* help;
};
constexpr SliceOption kSliceOptions[] = {
    {"--host", "host", "address or CIDR, either direction (repeat: all must match)"},
    {"--src", "src", "source address or CIDR"},
    {"--dst", "dst", "destination address or CIDR"},
    {"--port", "port", "TCP/UDP/SCTP port, either direction"},
    {"--sport", "sport", "source port"},
    {"--dport", "dport", "destination port"},
    {"--proto", "proto", "tcp, udp, icmp, sctp or an IP protocol number"},
    {"--vlan", "vlan", "outer VLAN id"},
    {"--community-id", "community_id", "Community ID v1, e.g. 1:wCb3OG7yAFWelaUydu0D+125CLM="},
    {"--start", "start", "first time (inclusive): RFC 3339, Unix seconds, or '5m ago'"},
    {"--end", "end", "last time (inclusive), same forms"},
    {"--limit", "limit", "at most this many packets"},
    {"--limit-bytes", "limit_bytes", "at most this many pcap record bytes"},
    {"--query", "query", "Stenographer-style query, e.g. 'host 10.1.2.3 and port 443'"},
};

constexpr Usage kCommands[] = {
    {Command::run, "run",
     "opensocd run [-c FILE] [--data-dir DIR] [--listen ADDR:PORT] [--flow-log FILE] [--eve-out FILE] "
     "[--ecs-out FILE]",
     "Capture with DPDK on the configured ports and serve the API until SIGINT/SIGTERM.", true, true, false, false},
    {Command::ingest, "ingest",
     "opensocd ingest [-c FILE] [--data-dir DIR] [--listen ADDR:PORT] [--flow-log FILE] [--eve-out FILE] "
     "[--ecs-out FILE] [--rules FILE]... [--intel FILE]... [--json] CAPTURE...",
     "Push pcap/pcapng files through the capture pipeline as fast as possible, print a summary, exit.", true, true,
     true, true},
    {Command::pcap, "pcap",
     "opensocd pcap [-c FILE] [--data-dir DIR] [--host ADDR]... [--port P] [--start T] [--end T] [--query Q] "
     "[-o OUT]",
     "Write the stored packets matching a filter as a pcap file (stdout by default), as GET /api/v1/pcap does.",
     true, false, false, false, true},
    {Command::search, "search",
     "opensocd search [-c FILE] [--data-dir DIR] [--start T] [--end T] [--limit N] [--sessions|--events|--alerts|--logs|--all] "
     "QUERY...",
     "Print the sessions (or protocol events) matching a query as JSON lines, as GET /api/v1/sessions does.", true,
     false, false, false, false, true},
    {Command::check_config, "check-config", "opensocd check-config [-c FILE]",
     "Load and validate a config file; print every problem found and exit 2 if there is one.", true, false, false,
     false},
    {Command::user, "user", "opensocd user [-c FILE] [--data-dir DIR] VERB ...",
     "Add, change, remove and list the users and API tokens in the users file (auth.users_file).", true, false, true,
     false, false, false, true},
    {Command::preflight, "preflight", "opensocd preflight [-c FILE]",
     "Check that the machine can run the config (hugepages, NIC drivers, data directory, TLS files); exit 1 if not.", true, false,
     false, false},
    {Command::version, "version", "opensocd version", "Print the version and exit.", false, false, false, false},
};

const Usage* find_command(std::string_view name) {
  for (const auto& u : kCommands)
    if (name == u.name) return &u;
  return nullptr;
}

const SliceOption* find_slice_option(std::string_view name) {
  for (const auto& o : kSliceOptions)
    if (name == o.option) return &o;
  return nullptr;
}

struct UserVerbSpec {
  std::string_view words;      // "add", "token add", ...
  UserVerb verb;
  std::size_t min_operands;
  std::size_t max_operands;    // kAnyNumber: no limit
  std::string_view options[5];  // the user options this verb accepts ("" = unused slot)
  std::string_view operands;   // for messages
};
constexpr std::size_t kAnyNumber = static_cast<std::size_t>(-1);

constexpr UserVerbSpec kUserVerbs[] = {
    {"add", UserVerb::add, 1, 1, {"--role", "--scope", "--cert-subject", "--password-stdin", "--no-password"}, "NAME --role R"},
    {"passwd", UserVerb::passwd, 1, 1, {"--password-stdin"}, "NAME"},
    {"del", UserVerb::del, 1, 1, {}, "NAME"},
    {"list", UserVerb::list, 0, 0, {"--json"}, ""},
    {"role", UserVerb::role, 2, 2, {}, "NAME ROLE"},
    {"scope", UserVerb::scope, 1, kAnyNumber, {}, "NAME [CIDR]..."},
    {"certs", UserVerb::certs, 1, kAnyNumber, {}, "NAME [DN]..."},
    {"disable", UserVerb::disable, 1, 1, {}, "NAME"},
    {"enable", UserVerb::enable, 1, 1, {}, "NAME"},
    {"token add", UserVerb::token_add, 1, 1, {"--label", "--expires"}, "NAME"},
    {"token revoke", UserVerb::token_revoke, 1, 1, {}, "ID"},
    {"token list", UserVerb::token_list, 0, 1, {"--json"}, "[NAME]"},
};

// Picks the verb from the positional words and checks its operands and
// options; `options_given` are the user options seen, in order.
Result<void> finish_user(CommandLine& cl, std::vector<std::string> words, const std::vector<std::string>& options_given) {
  if (words.empty()) {
    return Error{"user: no verb given (add, passwd, del, list, role, scope, certs, disable, enable, token; see "
                 "'opensocd user --help')"};
  }
  std::string verb = words.front();
  words.erase(words.begin());
  if (verb == "token") {
    if (words.empty()) return Error{"user token: no verb given (add, revoke, list)"};
    verb += " " + words.front();
    words.erase(words.begin());
  }
  const UserVerbSpec* spec = nullptr;
  for (const auto& v : kUserVerbs) {
    if (verb == v.words) spec = &v;
  }
  if (spec == nullptr) return Error{"user: unknown verb '" + verb + "' (see 'opensocd user --help')"};
  const std::string prefix = "user " + verb;
  for (const auto& o : options_given) {
    if (std::find(std::begin(spec->options), std::end(spec->options), o) == std::end(spec->options)) {
      return Error{prefix + ": option " + o + " is not accepted here (see 'opensocd user --help')"};
    }
  }
  if (words.size() < spec->min_operands || words.size() > spec->max_operands) {
    const std::string what = words.size() < spec->min_operands ? "missing operand"
                                                                 : "unexpected argument '" + words[spec->max_operands] + "'";
    return Error{prefix + ": " + what + " (usage: opensocd user " + verb + (spec->operands.empty() ? "" : " ") +
                 std::string(spec->operands) + ")"};
  }
  cl.user_verb = spec->verb;
  switch (spec->verb) {
    case UserVerb::add:
      if (cl.user_role.empty()) return Error{"user add: --role is required (viewer, analyst or admin)"};
      cl.user_name = words[0];
      break;
    case UserVerb::role:
      cl.user_name = words[0];
      cl.user_role = words[1];
      break;
    case UserVerb::scope:
      cl.user_name = words[0];
      cl.user_scopes.assign(words.begin() + 1, words.end());
      break;
    case UserVerb::certs:
      cl.user_name = words[0];
      cl.user_cert_subjects.assign(words.begin() + 1, words.end());
      break;
    case UserVerb::token_revoke:
      cl.token_id = words[0];
      break;
    case UserVerb::list:
      break;
    default:  // passwd, del, disable, enable, token add, token list: an optional or required NAME
      if (!words.empty()) cl.user_name = words[0];
      break;
  }
  return {};
}

}  // namespace

std::string help_text(const std::string& topic) {
  if (const Usage* u = find_command(topic)) {
    std::string s = std::string("usage: ") + u->synopsis + "\n\n" + u->description + "\n\noptions:\n";
    if (u->config)
      s += std::string("  -c, --config FILE     YAML config file") +
           (u->command == Command::ingest ? " (default: built-in defaults)\n"
                                          : " (default: " + std::string(kDefaultConfigPath) + ")\n");
    if (u->overrides) {
      s += "  --data-dir DIR        data directory, overrides data_dir\n";
      s += "  --listen ADDR:PORT    HTTP listen address, overrides http.listen\n";
      s += "  --flow-log FILE       write flow records as JSON lines, overrides pipeline.flow_log\n";
      s += "  --eve-out FILE        write Suricata EVE JSON lines, overrides export.eve.path\n";
      s += "  --ecs-out FILE        write ECS JSON lines, overrides export.ecs.path\n";
      if (u->captures) {
        s += "  --rules FILE          load Suricata-subset rules for this run, on top of rules.files (repeatable)\n";
        s += "  --intel FILE          load indicators (CSV, STIX 2.1 JSON) for this run, on top of intel.files (repeatable)\n";
      }
    }
    if (u->search) {
      s += "  --data-dir DIR        data directory, overrides data_dir\n";
      s += "  --start T             first time: RFC 3339, Unix seconds, or '1h ago' (default: all)\n";
      s += "  --end T               last time, same forms (default: now)\n";
      s += "  --limit N             at most N records (default 100, at most 10000)\n";
      s += "  --sessions            search session records (default)\n";
      s += "  --events              search protocol events (DNS, HTTP, TLS, ...)\n";
      s += "  --alerts              search alerts (rule.name, rule.id, alert.signature_id, threat.*, ...)\n";
      s += "  --logs                search received logs (syslog, JSON lines; message, host.hostname, ...)\n";
      s += "  --all                 all of them\n";
      s += "  --kind KIND           the same as --sessions, --events, --alerts, --logs or --all\n";
      s += "  QUERY                 e.g. 'dns.question.name:*.example.com AND source.ip:10.0.0.0/8'\n";
      s += "                        (after '--' when it starts with '-')\n";
    }
    if (u->command == Command::pcap || u->user) s += "  --data-dir DIR        data directory, overrides data_dir\n";
    if (u->json && u->user) s += "  --json                list and token list: print JSON instead of a table\n";
    else if (u->json) s += "  --json                print the summary as one JSON object\n";
    if (u->slice) {
      for (const auto& o : kSliceOptions) {
        std::string name = std::string(o.option) + " X";
        name.resize(22, ' ');
        s += "  " + name + o.help + "\n";
      }
      s += "  -o, --output FILE     write here (default or '-': stdout)\n";
    }
    s += "  -h, --help            show this help\n";
    if (u->user) {
      s += "\nverbs:\n"
           "  add NAME --role R [--scope CIDR]... [--cert-subject DN]... [--password-stdin | --no-password]\n"
           "                        a new user; role viewer, analyst or admin; --scope limits every answer to\n"
           "                        these networks (repeatable); --cert-subject maps a TLS client certificate\n"
           "                        (RFC 2253 subject or sha256:<hex>) to the user (repeatable); --no-password:\n"
           "                        no password sign-in (certificate or API token only)\n"
           "  passwd NAME [--password-stdin]\n"
           "                        set a new password\n"
           "  del NAME              remove the user and its tokens\n"
           "  list [--json]         name, role, scope, live/total tokens, disabled\n"
           "  role NAME R           change the role\n"
           "  scope NAME [CIDR]...  replace the data scope (none: all data)\n"
           "  certs NAME [DN]...    replace the client certificates mapped to the user (none: no certificate sign-in)\n"
           "  disable NAME          keep the user but refuse its sign-ins and tokens\n"
           "  enable NAME           undo disable\n"
           "  token add NAME [--label L] [--expires 30d]\n"
           "                        a new API token for scripts (Authorization: Bearer); printed once, on\n"
           "                        stdout, and never stored (only its SHA-256 is)\n"
           "  token revoke ID       revoke a token (its id is shown by 'token list')\n"
           "  token list [NAME] [--json]\n"
           "                        tokens of one user or of all\n"
           "\nPasswords are never taken from the command line: --password-stdin reads the first line of\n"
           "stdin, otherwise they are asked for twice on the terminal. Each change is written to the\n"
           "audit log (audit.path) with source \"cli\".\n";
    }
    s += "\nexit codes: 0 success, 1 runtime failure, 2 usage or config error\n";
    return s;
  }
  std::string s =
      "opensocd " OPENSOC_VERSION
      " - full packet capture and security analytics appliance\n\nusage: opensocd COMMAND [OPTIONS]\n\ncommands:\n";
  for (const auto& u : kCommands) {
    std::string name = u.name;
    name.resize(14, ' ');
    s += "  " + name + u.description + "\n";
  }
  s += "\n'opensocd COMMAND --help' shows a command's options.\n";
  return s;
}

Result<CommandLine> parse_command_line(int argc, const char* const* argv) {
  CommandLine cl;
  if (argc < 2) return Error{"no command given (try 'opensocd --help')"};
  const std::string_view first = argv[1];
  if (first == "-h" || first == "--help" || first == "help") {
    cl.command = Command::help;
    if (first == "help" && argc > 2) cl.help_topic = argv[2];
    return cl;
  }
  if (first == "--version" || first == "-V") {
    cl.command = Command::version;
    return cl;
  }
  const Usage* u = find_command(first);
  if (u == nullptr) return Error{"unknown command '" + std::string(first) + "' (try 'opensocd --help')"};
  cl.command = u->command;
  const std::string cmd = u->name;
  std::vector<std::string> user_words;    // user: verb and operands, in order
  std::vector<std::string> user_options;  // user: the options seen, checked against the verb

  for (int i = 2; i < argc; ++i) {
    std::string_view a = argv[i];
    std::string inline_value;
    bool has_inline = false;
    if (a.size() > 2 && a.substr(0, 2) == "--") {
      const auto eq = a.find('=');
      if (eq != std::string_view::npos) {
        inline_value = std::string(a.substr(eq + 1));
        has_inline = true;
        a = a.substr(0, eq);
      }
    }
    auto take_value = [&](std::string_view opt) -> Result<std::string> {
      if (has_inline) return inline_value;
      if (i + 1 >= argc) return Error{cmd + ": option " + std::string(opt) + " needs a value"};
      return std::string(argv[++i]);
    };
    auto set_value = [&](std::optional<std::string>& slot, std::string_view opt, bool allowed) -> Result<void> {
      if (!allowed) return Error{cmd + ": option " + std::string(opt) + " is not accepted here (see 'opensocd " + cmd + " --help')"};
      auto v = take_value(opt);
      if (!v) return v.error();
      if (v->empty()) return Error{cmd + ": option " + std::string(opt) + " needs a non-empty value"};
      slot = *v;
      return {};
    };
    Result<void> r;
    if (a == "-h" || a == "--help") {
      cl.command = Command::help;
      cl.help_topic = cmd;
      return cl;
    } else if (a == "-c" || a == "--config") {
      r = set_value(cl.config_path, a, u->config);
    } else if (a == "--data-dir") {
      r = set_value(cl.data_dir, a, u->overrides || u->slice || u->search || u->user);
    } else if (a == "--eve-out") {
      r = set_value(cl.eve_out, a, u->overrides);
    } else if (a == "--ecs-out") {
      r = set_value(cl.ecs_out, a, u->overrides);
    } else if (u->captures && (a == "--rules" || a == "--intel")) {
      std::optional<std::string> v;
      r = set_value(v, a, true);
      if (r && v) (a == "--rules" ? cl.rule_files : cl.intel_files).push_back(*v);
    } else if (u->search && a == "--start") {
      r = set_value(cl.search_start, a, true);
    } else if (u->search && a == "--end") {
      r = set_value(cl.search_end, a, true);
    } else if (u->search && a == "--limit") {
      r = set_value(cl.search_limit, a, true);
    } else if (u->search && (a == "--sessions" || a == "--events" || a == "--alerts" || a == "--logs" || a == "--all")) {
      cl.search_kind = std::string(a.substr(2));
    } else if (u->search && a == "--kind") {
      std::optional<std::string> v;
      r = set_value(v, a, true);
      if (r && v) cl.search_kind = *v;
    } else if (u->slice && (a == "-o" || a == "--output")) {
      r = set_value(cl.output, a, true);
    } else if (a == "--listen") {
      r = set_value(cl.listen, a, u->overrides);
    } else if (a == "--flow-log") {
      r = set_value(cl.flow_log, a, u->overrides);
    } else if (const SliceOption* so = find_slice_option(a); so != nullptr && u->slice) {
      auto v = take_value(a);
      if (!v) return v.error();
      cl.slice_params.emplace_back(so->parameter, *v);
    } else if (u->user && (a == "--role" || a == "--label" || a == "--expires")) {
      std::optional<std::string> v;
      r = set_value(v, a, true);
      if (r && v) {
        if (a == "--role") cl.user_role = *v;
        else if (a == "--label") cl.token_label = *v;
        else cl.token_expires = *v;
      }
      user_options.emplace_back(a);
    } else if (u->user && (a == "--scope" || a == "--cert-subject")) {
      std::optional<std::string> v;
      r = set_value(v, a, true);
      if (r && v) (a == "--scope" ? cl.user_scopes : cl.user_cert_subjects).push_back(*v);
      user_options.emplace_back(a);
    } else if (u->user && a == "--password-stdin") {
      if (has_inline) return Error{cmd + ": option --password-stdin takes no value"};
      cl.password_stdin = true;
      user_options.emplace_back(a);
    } else if (u->user && a == "--no-password") {
      if (has_inline) return Error{cmd + ": option --no-password takes no value"};
      cl.no_password = true;
      user_options.emplace_back(a);
    } else if (a == "--json") {
      if (!u->json) return Error{cmd + ": option --json is not accepted here"};
      if (has_inline) return Error{cmd + ": option --json takes no value"};
      cl.json = true;
      user_options.emplace_back(a);
    } else if (a == "--") {
      for (++i; i < argc; ++i) {
        if (u->user) {
          user_words.emplace_back(argv[i]);
          continue;
        }
        if (u->search) {  // a query may start with '-' (negation)
          if (!cl.search_query.empty()) cl.search_query += ' ';
          cl.search_query += argv[i];
          continue;
        }
        if (!u->captures) return Error{cmd + ": unexpected argument '" + std::string(argv[i]) + "'"};
        cl.captures.emplace_back(argv[i]);
      }
    } else if (!a.empty() && a.front() == '-' && a != "-") {
      return Error{cmd + ": unknown option '" + std::string(argv[i]) + "' (see 'opensocd " + cmd + " --help')"};
    } else if (u->search) {
      if (!cl.search_query.empty()) cl.search_query += ' ';
      cl.search_query += a;
    } else if (u->user) {
      user_words.emplace_back(a);
    } else {
      if (!u->captures) return Error{cmd + ": unexpected argument '" + std::string(a) + "'"};
      cl.captures.emplace_back(a);
    }
    if (!r) return r.error();
  }
  if (cl.command == Command::ingest && cl.captures.empty())
    return Error{"ingest: no capture files given (usage: " + std::string(u->synopsis) + ")"};
  if (u->user) {
    auto r = finish_user(cl, std::move(user_words), user_options);
    if (!r) return r.error();
  }
  return cl;
}

}  // namespace opensoc::daemon
