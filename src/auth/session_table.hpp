#pragma once
/// SessionTable: console sessions in memory (a restart signs everyone out).
/// Each session has a random id (the cookie), a separate random CSRF token,
/// an absolute expiry and an idle timeout; at most max_sessions live, the
/// oldest going first. Owned by AuthService; one thread (the HTTP thread).
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "opensoc/core/time.hpp"

namespace opensoc::auth {

struct Session {
  std::string id;           ///< 32 random bytes, base64url (the cookie value)
  std::string csrf_token;   ///< 32 random bytes, base64url
  std::string user;
  /// The user's password hash when the session began: a changed password
  /// ends every session opened with the old one.
  std::string password_hash;
  TimestampNs created = 0;
  TimestampNs last_used = 0;
  TimestampNs expires = 0;  ///< absolute
};

class SessionTable {
 public:
  SessionTable(std::uint32_t ttl_s, std::uint32_t idle_s, std::uint32_t max_sessions) noexcept;

  /// A new session; drops expired ones first, then the oldest if full.
  /// Throws std::runtime_error only if the CSPRNG fails.
  const Session& create(std::string user, std::string password_hash, TimestampNs now);
  enum class Lookup { ok, unknown, expired };
  /// Finds a live session and marks it used at `now`; an expired one is
  /// removed. The pointer is valid until the next non-const call.
  Session* touch(std::string_view id, TimestampNs now, Lookup& outcome);
  void remove(std::string_view id);
  void remove_user(std::string_view user);
  [[nodiscard]] std::size_t size() const noexcept { return sessions_.size(); }

 private:
  void drop_expired(TimestampNs now);
  [[nodiscard]] bool expired(const Session& s, TimestampNs now) const noexcept;

  TimestampNs ttl_ns_;
  TimestampNs idle_ns_;
  std::size_t max_sessions_;
  std::unordered_map<std::string, Session> sessions_;
};

}  // namespace opensoc::auth
