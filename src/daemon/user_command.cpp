// `opensocd user ...`: the administrator's way to manage users and API tokens
// without a running daemon (the first admin has to come from somewhere).
// Loads the users file (auth::UserStore), applies one change, saves it
// atomically, gives it to the daemon's account when run as root, and writes
// one audit entry (source "cli") per change attempted, whether it worked or
// not. Reading commands (list, token list) change and audit nothing.
//
// Passwords come from the first line of stdin (--password-stdin, for
// scripts) or from the terminal with echo off, asked twice; never from argv,
// where `ps` and the shell history would see them. The buffers holding them
// are wiped before they are freed.
//
// Runs on the main thread of a short-lived process.
#include "daemon/user_command.hpp"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "audit/audit_log.hpp"
#include "auth/role.hpp"
#include "auth/user_store.hpp"
#include "config/scalar_parsers.hpp"
#include "opensoc/core/json_writer.hpp"
#include "opensoc/core/time.hpp"

namespace opensoc::daemon {

namespace {

// Longer lines are not passwords someone typed; UserStore refuses > 1024 anyway.
constexpr std::size_t kMaxPasswordLine = 4096;

std::string under_data_dir(const config::AppConfig& config, const std::string& path) {
  if (path.empty() || path.front() == '/') return path;
  return config.data_dir + "/" + path;
}

// A std::string whose bytes are wiped when it goes away.
class SecretText {
 public:
  SecretText() = default;
  SecretText(const SecretText&) = delete;
  SecretText& operator=(const SecretText&) = delete;
  ~SecretText() { wipe(); }
  void wipe() noexcept {
    if (!text_.empty()) explicit_bzero(text_.data(), text_.size());
    text_.clear();
  }
  std::string& text() noexcept { return text_; }
  [[nodiscard]] std::string_view view() const noexcept { return text_; }

 private:
  std::string text_;
};

const char* verb_name(UserVerb v) {
  switch (v) {
    case UserVerb::add: return "add";
    case UserVerb::passwd: return "passwd";
    case UserVerb::del: return "del";
    case UserVerb::list: return "list";
    case UserVerb::role: return "role";
    case UserVerb::scope: return "scope";
    case UserVerb::certs: return "certs";
    case UserVerb::disable: return "disable";
    case UserVerb::enable: return "enable";
    case UserVerb::token_add: return "token add";
    case UserVerb::token_revoke: return "token revoke";
    case UserVerb::token_list: return "token list";
  }
  return "?";
}

// The audit action of a change (AuditEntry's vocabulary).
const char* audit_action(UserVerb v) {
  switch (v) {
    case UserVerb::add: return "user.add";
    case UserVerb::passwd: return "user.passwd";
    case UserVerb::del: return "user.del";
    case UserVerb::role: return "user.role";
    case UserVerb::scope: return "user.scope";
    case UserVerb::certs: return "user.certs";
    case UserVerb::disable: return "user.disable";
    case UserVerb::enable: return "user.enable";
    case UserVerb::token_add: return "token.create";
    case UserVerb::token_revoke: return "token.revoke";
    case UserVerb::list:
    case UserVerb::token_list: break;
  }
  return "";
}

// Who ran the command: the admin behind sudo, not "root".
std::string detect_actor() {
  if (const char* sudo = std::getenv("SUDO_USER"); sudo != nullptr && *sudo != '\0') return sudo;
  char name[256];
  if (getlogin_r(name, sizeof name) == 0 && name[0] != '\0') return name;
  if (const passwd* pw = getpwuid(geteuid()); pw != nullptr && pw->pw_name != nullptr) return pw->pw_name;
  return fmt::format("uid:{}", geteuid());
}

// The first line of `in`, without its line end.
Result<void> read_password_line(std::FILE* in, SecretText& out) {
  std::string& text = out.text();
  int c = 0;
  while ((c = std::fgetc(in)) != EOF && c != '\n') {
    if (text.size() >= kMaxPasswordLine) {
      return Error{fmt::format("password line longer than {} bytes", kMaxPasswordLine)};
    }
    text.push_back(static_cast<char>(c));
  }
  if (!text.empty() && text.back() == '\r') text.pop_back();
  if (text.empty()) return Error{"no password on stdin (expected it on the first line)"};
  return ok();
}

// Echo off for as long as it lives, restored on every path out.
class EchoOff {
 public:
  explicit EchoOff(int fd) : fd_(fd) {
    if (tcgetattr(fd_, &saved_) != 0) return;
    termios quiet = saved_;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    quiet.c_lflag |= ICANON;
    active_ = tcsetattr(fd_, TCSAFLUSH, &quiet) == 0;
  }
  EchoOff(const EchoOff&) = delete;
  EchoOff& operator=(const EchoOff&) = delete;
  ~EchoOff() {
    if (active_) tcsetattr(fd_, TCSAFLUSH, &saved_);
  }
  [[nodiscard]] bool active() const noexcept { return active_; }

 private:
  int fd_;
  termios saved_{};
  bool active_ = false;
};

void write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    text.remove_prefix(static_cast<std::size_t>(n));
  }
}

Result<void> read_tty_line(int fd, std::string_view prompt, SecretText& out) {
  write_all(fd, prompt);
  std::string& text = out.text();
  char c = 0;
  while (true) {
    const ssize_t n = ::read(fd, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || c == '\n') break;
    if (text.size() >= kMaxPasswordLine) return Error{"password too long"};
    text.push_back(c);
  }
  write_all(fd, "\n");  // the Enter the user typed was not echoed
  if (!text.empty() && text.back() == '\r') text.pop_back();
  return ok();
}

Result<void> prompt_password(const std::string& tty_path, const std::string& user, SecretText& out) {
  const int fd = ::open(tty_path.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) {
    return Error{fmt::format("cannot open {} to ask for the password ({}); use --password-stdin", tty_path,
                             std::strerror(errno))};
  }
  struct FdCloser {
    int fd;
    ~FdCloser() { ::close(fd); }
  } closer{fd};
  const EchoOff echo_off(fd);
  if (!echo_off.active()) return Error{fmt::format("{} is not a terminal; use --password-stdin", tty_path)};
  if (auto r = read_tty_line(fd, fmt::format("New password for {}: ", user), out); !r) return r;
  SecretText again;
  if (auto r = read_tty_line(fd, "Repeat the password: ", again); !r) return r;
  if (out.view() != again.view()) return Error{"the two passwords differ"};
  if (out.view().empty()) return Error{"empty password"};
  return ok();
}

Result<void> read_password(const CommandLine& cl, const UserCommandIo& io, SecretText& out) {
  if (cl.password_stdin) return read_password_line(io.in, out);
  return prompt_password(io.tty_path, cl.user_name, out);
}

std::string join(const std::vector<std::string>& items, std::string_view sep) {
  std::string s;
  for (const auto& i : items) {
    if (!s.empty()) s += sep;
    s += i;
  }
  return s;
}

bool token_live(const auth::ApiToken& t, TimestampNs now) { return !t.revoked && (t.expires == 0 || t.expires > now); }

// The daemon reads and rewrites the users file (token API) and appends to
// the audit log, so when root edits them they must end up the daemon's.
Result<void> give_to_daemon_account(const service::PrivilegeConfig& privileges, const std::vector<std::string>& paths) {
  if (geteuid() != 0 || privileges.user.empty()) return ok();
  const passwd* pw = getpwnam(privileges.user.c_str());
  if (pw == nullptr) return ok();  // no such account (yet): the daemon runs as whoever starts it
  const uid_t uid = pw->pw_uid;
  gid_t gid = pw->pw_gid;
  if (!privileges.group.empty()) {
    const group* gr = getgrnam(privileges.group.c_str());
    if (gr == nullptr) return Error{fmt::format("group '{}' (privileges.group) does not exist", privileges.group)};
    gid = gr->gr_gid;
  }
  for (const auto& path : paths) {
    if (::chown(path.c_str(), uid, gid) != 0 && errno != ENOENT) {
      return Error{fmt::format("cannot give {} to {}: {}", path, privileges.user, std::strerror(errno))};
    }
  }
  return ok();
}

void print_user_list(const auth::UserStore& store, bool json, std::FILE* out) {
  const TimestampNs now = wall_clock_ns();
  if (json) {
    std::string s;
    JsonWriter w(s);
    w.begin_object().key("users").begin_array();
    for (const auto& u : store.users()) {
      std::uint64_t live = 0;
      for (const auto& t : u.tokens) live += token_live(t, now) ? 1 : 0;
      w.begin_object();
      w.field("name", u.name).field("role", auth::role_name(u.role));
      w.key("scope").begin_array();
      for (const auto& n : u.scope_networks) w.value(n);
      w.end_array();
      w.key("cert_subjects").begin_array();
      for (const auto& c : u.cert_subjects) w.value(c);
      w.end_array();
      w.field("has_password", !u.password_hash.empty());
      w.field("tokens_live", live).field("tokens_total", static_cast<std::uint64_t>(u.tokens.size()));
      w.field("disabled", u.disabled);
      w.field("created", format_rfc3339_ns(u.created));
      w.end_object();
    }
    w.end_array().end_object();
    std::fprintf(out, "%s\n", s.c_str());
    return;
  }
  std::fprintf(out, "%-24s %-8s %-32s %-8s %s\n", "NAME", "ROLE", "SCOPE", "TOKENS", "DISABLED");
  for (const auto& u : store.users()) {
    std::size_t live = 0;
    for (const auto& t : u.tokens) live += token_live(t, now) ? 1 : 0;
    const std::string scope = u.scope_networks.empty() ? "all" : join(u.scope_networks, ",");
    const std::string tokens = fmt::format("{}/{}", live, u.tokens.size());
    std::fprintf(out, "%-24s %-8s %-32s %-8s %s\n", u.name.c_str(), std::string(auth::role_name(u.role)).c_str(),
                 scope.c_str(), tokens.c_str(), u.disabled ? "yes" : "no");
  }
}

void print_token_list(const auth::UserStore& store, const std::string& only_user, bool json, std::FILE* out) {
  const TimestampNs now = wall_clock_ns();
  std::string s;
  JsonWriter w(s);
  if (json) w.begin_object().key("tokens").begin_array();
  else std::fprintf(out, "%-14s %-24s %-20s %-30s %-30s %s\n", "ID", "USER", "LABEL", "CREATED", "EXPIRES", "STATE");
  for (const auto& u : store.users()) {
    if (!only_user.empty() && u.name != only_user) continue;
    for (const auto& t : u.tokens) {
      const char* state = t.revoked ? "revoked" : token_live(t, now) ? "live" : "expired";
      if (json) {
        w.begin_object().field("id", t.id).field("user", u.name).field("label", t.label);
        w.field("created", format_rfc3339_ns(t.created));
        w.key("expires");
        if (t.expires == 0) w.null();
        else w.value(format_rfc3339_ns(t.expires));
        w.field("state", state).end_object();
      } else {
        const std::string expires = t.expires == 0 ? "never" : format_rfc3339_ns(t.expires);
        std::fprintf(out, "%-14s %-24s %-20s %-30s %-30s %s\n", t.id.c_str(), u.name.c_str(), t.label.c_str(),
                     format_rfc3339_ns(t.created).c_str(), expires.c_str(), state);
      }
    }
  }
  if (json) {
    w.end_array().end_object();
    std::fprintf(out, "%s\n", s.c_str());
  }
}

// One run of the command: its streams, its audit entry and its messages.
class UserCommand {
 public:
  UserCommand(const config::AppConfig& config, const CommandLine& cl, const UserCommandIo& io)
      : config_(config), cl_(cl), io_(io), verb_(verb_name(cl.user_verb)) {}

  int run();

 private:
  int fail(int code, std::string_view message) const {
    std::fprintf(io_.err, "opensocd: user %s: %s\n", verb_.c_str(), std::string(message).c_str());
    return code;
  }
  // Writes the audit entry of a change; false if the log would not take it.
  bool audit(std::string_view outcome, std::string target, std::vector<AuditEntry::Detail> details);
  int change(auth::UserStore& store);

  const config::AppConfig& config_;
  const CommandLine& cl_;
  const UserCommandIo& io_;
  std::string verb_;
  std::unique_ptr<audit::AuditLog> audit_log_;
};

bool UserCommand::audit(std::string_view outcome, std::string target, std::vector<AuditEntry::Detail> details) {
  if (!audit_log_) return true;
  AuditEntry e;
  e.time = wall_clock_ns();
  e.user = io_.actor.empty() ? detect_actor() : io_.actor;
  e.source = "cli";
  e.action = audit_action(cl_.user_verb);
  e.outcome = std::string(outcome);
  e.target = std::move(target);
  e.details = std::move(details);
  const std::uint64_t errors_before = audit_log_->errors();
  audit_log_->record(e);
  return audit_log_->errors() == errors_before;
}

int UserCommand::run() {
  auto loaded = auth::UserStore::load(users_file_path(config_));
  if (!loaded) return fail(kExitRuntimeFailure, loaded.error().message);
  auth::UserStore& store = *loaded;

  switch (cl_.user_verb) {
    case UserVerb::list:
      print_user_list(store, cl_.json, io_.out);
      return kExitOk;
    case UserVerb::token_list:
      if (!cl_.user_name.empty() && store.find(cl_.user_name) == nullptr) {
        return fail(kExitRuntimeFailure, fmt::format("no user '{}'", cl_.user_name));
      }
      print_token_list(store, cl_.user_name, cl_.json, io_.out);
      return kExitOk;
    default:
      return change(store);
  }
}

int UserCommand::change(auth::UserStore& store) {
  const UserVerb v = cl_.user_verb;
  // Usage problems first: nothing is read, asked or written for them.
  std::optional<auth::Role> role;
  if (v == UserVerb::add || v == UserVerb::role) {
    role = auth::parse_role(cl_.user_role);
    if (!role) return fail(kExitUsage, fmt::format("unknown role '{}' (viewer, analyst or admin)", cl_.user_role));
  }
  std::uint64_t expires_s = 0;
  if (v == UserVerb::token_add && cl_.token_expires) {
    const auto s = config::parse_duration_seconds(*cl_.token_expires);
    if (!s || *s == 0 || *s > 100ULL * 365 * 86400) {
      return fail(kExitUsage, fmt::format("--expires: expected a duration such as 90d, 12h or 3600, got '{}'",
                                          *cl_.token_expires));
    }
    expires_s = *s;
  }

  // Then what the file says, before a password is asked for in vain.
  std::string target = v == UserVerb::token_revoke ? cl_.token_id : cl_.user_name;
  if (v == UserVerb::add) {
    if (store.find(cl_.user_name) != nullptr) {
      return fail(kExitRuntimeFailure, fmt::format("user '{}' already exists", cl_.user_name));
    }
  } else if (v == UserVerb::token_revoke) {
    std::string owner;
    for (const auto& u : store.users()) {
      for (const auto& t : u.tokens) {
        if (t.id == cl_.token_id) owner = u.name;
      }
    }
    if (owner.empty()) return fail(kExitRuntimeFailure, fmt::format("no token with id '{}'", cl_.token_id));
    target = owner;
  } else if (store.find(cl_.user_name) == nullptr) {
    return fail(kExitRuntimeFailure, fmt::format("no user '{}'", cl_.user_name));
  }

  // A change nobody can trace is not made: the audit log opens first.
  const std::string audit_path = audit_log_path(config_);
  if (config_.audit.enabled) {
    auto opened = audit::AuditLog::open(audit_path);
    if (!opened) return fail(kExitRuntimeFailure, opened.error().context("audit log").message);
    audit_log_ = std::move(*opened);
  }

  SecretText password;
  if (cl_.no_password && cl_.password_stdin) {
    return fail(kExitUsage, "--no-password and --password-stdin exclude each other");
  }
  // --no-password: a user who signs in only by client certificate or token.
  if ((v == UserVerb::add && !cl_.no_password) || v == UserVerb::passwd) {
    if (auto r = read_password(cl_, io_, password); !r) return fail(kExitRuntimeFailure, r.error().message);
  }

  std::vector<AuditEntry::Detail> details;
  std::string token_text;
  Result<void> applied;
  const TimestampNs now = wall_clock_ns();
  switch (v) {
    case UserVerb::add:
      details.push_back({"role", std::string(auth::role_name(*role))});
      if (!cl_.user_scopes.empty()) details.push_back({"scope", join(cl_.user_scopes, ",")});
      if (!cl_.user_cert_subjects.empty()) details.push_back({"cert_subjects", join(cl_.user_cert_subjects, "; ")});
      applied = store.add_user(cl_.user_name, *role, password.view(), cl_.user_scopes, cl_.user_cert_subjects, now);
      break;
    case UserVerb::passwd:
      applied = store.set_password(cl_.user_name, password.view(), now);
      break;
    case UserVerb::del:
      applied = store.remove_user(cl_.user_name);
      break;
    case UserVerb::role:
      details.push_back({"role", std::string(auth::role_name(*role))});
      applied = store.set_role(cl_.user_name, *role);
      break;
    case UserVerb::scope:
      details.push_back({"scope", cl_.user_scopes.empty() ? "all" : join(cl_.user_scopes, ",")});
      applied = store.set_scope(cl_.user_name, cl_.user_scopes);
      break;
    case UserVerb::certs:
      details.push_back({"cert_subjects", join(cl_.user_cert_subjects, "; ")});
      applied = store.set_cert_subjects(cl_.user_name, cl_.user_cert_subjects);
      break;
    case UserVerb::disable:
    case UserVerb::enable:
      applied = store.set_disabled(cl_.user_name, v == UserVerb::disable);
      break;
    case UserVerb::token_add: {
      if (cl_.token_label) details.push_back({"label", *cl_.token_label});
      const TimestampNs expires = expires_s == 0 ? 0 : now + static_cast<TimestampNs>(expires_s) * kNsPerSecond;
      if (expires != 0) details.push_back({"expires", format_rfc3339_ns(expires)});
      auto created = store.create_token(cl_.user_name, cl_.token_label.value_or(""), now, expires);
      if (!created) {
        applied = created.error();
        break;
      }
      token_text = std::move(*created);
      // The id is what lists and the audit log show; the secret never is.
      if (const auto match = store.find_token(token_text, now); match && match->token != nullptr) {
        details.push_back({"token_id", match->token->id});
      }
      break;
    }
    case UserVerb::token_revoke:
      details.push_back({"token_id", cl_.token_id});
      applied = store.revoke_token(cl_.token_id);
      break;
    case UserVerb::list:
    case UserVerb::token_list:
      break;
  }
  password.wipe();
  if (applied) applied = store.save();
  if (!applied) {
    details.push_back({"reason", applied.error().message});
    (void)audit("error", target, std::move(details));
    return fail(kExitRuntimeFailure, applied.error().message);
  }

  std::vector<std::string> owned = {store.path()};
  if (audit_log_) owned.push_back(audit_path);
  const auto given = give_to_daemon_account(config_.privileges, owned);
  const bool audited = audit("ok", target, std::move(details));

  if (v == UserVerb::token_add) {
    // Alone on stdout, so `TOKEN=$(opensocd user token add alice)` works.
    std::fprintf(io_.out, "%s\n", token_text.c_str());
    std::fflush(io_.out);
    explicit_bzero(token_text.data(), token_text.size());
  } else {
    std::fprintf(io_.err, "opensocd: user %s: %s: done\n", verb_.c_str(), target.c_str());
  }
  if (!given) return fail(kExitRuntimeFailure, given.error().message + " (the change itself was saved)");
  if (!audited) {
    return fail(kExitRuntimeFailure, fmt::format("the change was saved but its audit entry could not be written to {}",
                                                 audit_path));
  }
  return kExitOk;
}

}  // namespace

std::string users_file_path(const config::AppConfig& config) { return under_data_dir(config, config.auth.users_file); }

std::string audit_log_path(const config::AppConfig& config) { return under_data_dir(config, config.audit.path); }

int run_user_command(const config::AppConfig& config, const CommandLine& command_line, const telemetry::Logger& log,
                     const UserCommandIo& io) {
  log.debug("user command: users file {}, audit log {}", users_file_path(config),
            config.audit.enabled ? audit_log_path(config) : std::string("(off)"));
  UserCommand command(config, command_line, io);
  return command.run();
}

}  // namespace opensoc::daemon
