// UserStore: the users file as a value (see user_store.hpp). Loaded and saved
// by the HTTP thread (AuthService) and by the `user` command; never shared
// between threads.
#include "auth/user_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "auth/password_hash.hpp"
#include "auth/secret_text.hpp"
#include "auth/user_rules.hpp"
#include "auth/users_file_json.hpp"

namespace opensoc::auth {
namespace {

constexpr std::size_t kMaxFileBytes = 64 * 1024 * 1024;
constexpr std::string_view kTokenPrefix = "ost_";
constexpr std::size_t kTokenIdHex = 12;
constexpr std::size_t kTokenSecretChars = 43;  // 32 bytes as unpadded base64url
// Verified when the name is unknown (or has no password) so that a miss
// costs the same KDF run as a hit at the default parameters.
constexpr std::string_view kDummyHash =
    "$scrypt$ln=15,r=8,p=1$fsQgVth/2Vg8mFkz34BE5A==$IYazsuWncadXn4un2ghPY48nvRtaABsZxF5z0F6Zqs0=";

std::string errno_text(int e) { return std::strerror(e); }

bool is_base64url(std::string_view s) noexcept {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

Result<void> write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error{errno_text(errno)};
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return ok();
}

}  // namespace

Result<UserStore> UserStore::load(const std::string& path) {
  UserStore store;
  store.path_ = path;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return store;
    return Error{"users file " + path + ": " + errno_text(errno)};
  }
  std::string text;
  struct stat st {};
  if (::fstat(fd, &st) == 0 && !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Error{"users file " + path + ": not a regular file"};
  }
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int e = errno;
      ::close(fd);
      return Error{"users file " + path + ": " + errno_text(e)};
    }
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
    if (text.size() > kMaxFileBytes) {
      ::close(fd);
      return Error{"users file " + path + ": larger than 64 MiB"};
    }
  }
  ::close(fd);
  auto users = parse_users_file(text);
  if (!users) return users.error().context("users file " + path);
  store.users_ = std::move(*users);
  return store;
}

Result<void> UserStore::save() const {
  namespace fs = std::filesystem;
  const fs::path target(path_);
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Error{"users file " + path_ + ": cannot create " + dir.string() + ": " + ec.message()};

  std::string tmp = path_ + ".tmp-XXXXXX";
  const int fd = ::mkstemp(tmp.data());  // mode 0600
  if (fd < 0) return Error{"users file " + path_ + ": cannot create a temporary file: " + errno_text(errno)};
  const auto fail = [&](const std::string& what) -> Result<void> {
    ::close(fd);
    ::unlink(tmp.c_str());
    return Error{"users file " + path_ + ": " + what};
  };
  if (::fchmod(fd, 0600) != 0) return fail("chmod: " + errno_text(errno));
  // Keep the owner of the file being replaced: root running `opensocd user`
  // must not leave a file the unprivileged daemon can no longer read.
  struct stat old {};
  if (::stat(path_.c_str(), &old) == 0 && (old.st_uid != ::geteuid() || old.st_gid != ::getegid())) {
    if (::fchown(fd, old.st_uid, old.st_gid) != 0 && errno != EPERM) return fail("chown: " + errno_text(errno));
  }
  if (auto w = write_all(fd, render_users_file(users_)); !w) return fail("write: " + w.error().message);
  if (::fsync(fd) != 0) return fail("fsync: " + errno_text(errno));
  if (::close(fd) != 0) {
    ::unlink(tmp.c_str());
    return Error{"users file " + path_ + ": close: " + errno_text(errno)};
  }
  if (::rename(tmp.c_str(), path_.c_str()) != 0) {
    const int e = errno;
    ::unlink(tmp.c_str());
    return Error{"users file " + path_ + ": rename: " + errno_text(e)};
  }
  // The rename is durable only once the directory entry is.
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    const int rc = ::fsync(dfd);
    const int e = errno;
    ::close(dfd);
    if (rc != 0) return Error{"users file " + path_ + ": fsync of directory: " + errno_text(e)};
  }
  return ok();
}

const UserRecord* UserStore::find(std::string_view name) const noexcept {
  for (const auto& u : users_) {
    if (u.name == name) return &u;
  }
  return nullptr;
}

UserRecord* UserStore::find_mutable(std::string_view name) noexcept {
  for (auto& u : users_) {
    if (u.name == name) return &u;
  }
  return nullptr;
}

Result<void> UserStore::add_user(std::string_view name, Role role, std::string_view password,
                                 std::vector<std::string> scope_networks, std::vector<std::string> cert_subjects,
                                 TimestampNs now) {
  if (auto c = check_user_name(name); !c) return c;
  if (find(name) != nullptr) return Error{"user '" + std::string(name) + "' already exists"};
  // An empty password makes a user that signs in by token or certificate only.
  if (!password.empty()) {
    if (auto c = check_password_rules(password); !c) return c;
  }
  auto scope = normalise_scope(scope_networks);
  if (!scope) return scope.error();
  auto subjects = normalise_cert_subjects(cert_subjects);
  if (!subjects) return subjects.error();
  UserRecord u;
  u.name = std::string(name);
  u.role = role;
  if (!password.empty()) u.password_hash = hash_password(password);
  u.scope_networks = std::move(*scope);
  u.cert_subjects = std::move(*subjects);
  u.created = now;
  u.password_changed = now;
  users_.push_back(std::move(u));
  return ok();
}

Result<void> UserStore::set_password(std::string_view name, std::string_view password, TimestampNs now) {
  UserRecord* u = find_mutable(name);
  if (u == nullptr) return Error{"no user '" + std::string(name) + "'"};
  if (auto c = check_password_rules(password); !c) return c;
  u->password_hash = hash_password(password);
  u->password_changed = now;
  return ok();
}

Result<void> UserStore::set_role(std::string_view name, Role role) {
  UserRecord* u = find_mutable(name);
  if (u == nullptr) return Error{"no user '" + std::string(name) + "'"};
  u->role = role;
  return ok();
}

Result<void> UserStore::set_scope(std::string_view name, std::vector<std::string> scope_networks) {
  UserRecord* u = find_mutable(name);
  if (u == nullptr) return Error{"no user '" + std::string(name) + "'"};
  auto scope = normalise_scope(scope_networks);
  if (!scope) return scope.error();
  u->scope_networks = std::move(*scope);
  return ok();
}

Result<void> UserStore::set_disabled(std::string_view name, bool disabled) {
  UserRecord* u = find_mutable(name);
  if (u == nullptr) return Error{"no user '" + std::string(name) + "'"};
  u->disabled = disabled;
  return ok();
}

Result<void> UserStore::set_cert_subjects(std::string_view name, std::vector<std::string> cert_subjects) {
  UserRecord* u = find_mutable(name);
  if (u == nullptr) return Error{"no user '" + std::string(name) + "'"};
  auto subjects = normalise_cert_subjects(cert_subjects);
  if (!subjects) return subjects.error();
  u->cert_subjects = std::move(*subjects);
  return ok();
}

Result<void> UserStore::remove_user(std::string_view name) {
  const auto it = std::find_if(users_.begin(), users_.end(), [&](const UserRecord& u) { return u.name == name; });
  if (it == users_.end()) return Error{"no user '" + std::string(name) + "'"};
  users_.erase(it);
  return ok();
}

Result<std::string> UserStore::create_token(std::string_view user, std::string_view label, TimestampNs now,
                                            TimestampNs expires) {
  UserRecord* u = find_mutable(user);
  if (u == nullptr) return Error{"no user '" + std::string(user) + "'"};
  if (auto c = check_token_label(label); !c) return c.error();
  if (expires != 0 && expires <= now) return Error{"token expiry must be in the future"};
  std::string id;
  for (;;) {
    id = random_hex(kTokenIdHex / 2);
    const bool taken = std::any_of(users_.begin(), users_.end(), [&](const UserRecord& r) {
      return std::any_of(r.tokens.begin(), r.tokens.end(), [&](const ApiToken& t) { return t.id == id; });
    });
    if (!taken) break;
  }
  std::string text = std::string(kTokenPrefix) + id + "_" + random_base64url(32);
  ApiToken t;
  t.id = id;
  t.label = std::string(label);
  t.secret_sha256 = sha256_hex(text);
  t.created = now;
  t.expires = expires;
  u->tokens.push_back(std::move(t));
  return text;
}

Result<void> UserStore::revoke_token(std::string_view token_id) {
  for (auto& u : users_) {
    for (auto& t : u.tokens) {
      if (t.id == token_id) {
        t.revoked = true;
        return ok();
      }
    }
  }
  return Error{"no token '" + std::string(token_id.substr(0, 32)) + "'"};
}

const UserRecord* UserStore::check_password(std::string_view name, std::string_view password) const {
  const UserRecord* u = find(name);
  if (u == nullptr || u->password_hash.empty() || password.size() > 1024) {
    (void)verify_password(password.substr(0, 1024), kDummyHash);
    return nullptr;
  }
  if (!verify_password(password, u->password_hash)) return nullptr;
  return u->disabled ? nullptr : u;
}

std::optional<UserStore::TokenMatch> UserStore::find_token(std::string_view text, TimestampNs now) const {
  // "ost_" + 12 hex id + "_" + 43 base64url: reject anything else before hashing.
  constexpr std::size_t kLen = 4 + kTokenIdHex + 1 + kTokenSecretChars;
  if (text.size() != kLen || text.substr(0, 4) != kTokenPrefix || text[4 + kTokenIdHex] != '_') return std::nullopt;
  const std::string_view id = text.substr(4, kTokenIdHex);
  if (!is_lower_hex(id, kTokenIdHex) || !is_base64url(text.substr(4 + kTokenIdHex + 1))) return std::nullopt;
  for (const auto& u : users_) {
    for (const auto& t : u.tokens) {
      if (t.id != id) continue;
      if (!constant_time_equal(sha256_hex(text), t.secret_sha256)) return std::nullopt;
      if (t.revoked || u.disabled || (t.expires != 0 && now >= t.expires)) return std::nullopt;
      return TokenMatch{&u, &t};
    }
  }
  return std::nullopt;
}

const UserRecord* UserStore::find_by_certificate(std::string_view subject, std::string_view sha256_hex_text) const noexcept {
  for (const auto& u : users_) {
    if (u.disabled) continue;
    for (const auto& s : u.cert_subjects) {
      if (s.size() == 71 && s.compare(0, 7, "sha256:") == 0) {
        if (!sha256_hex_text.empty() && constant_time_equal(std::string_view(s).substr(7), sha256_hex_text)) return &u;
      } else if (!subject.empty() && s == subject) {
        return &u;
      }
    }
  }
  return nullptr;
}

}  // namespace opensoc::auth
