// SessionTable: console sessions in memory (see session_table.hpp). HTTP thread.
#include "auth/session_table.hpp"

#include <algorithm>

#include "auth/secret_text.hpp"

namespace opensoc::auth {

SessionTable::SessionTable(std::uint32_t ttl_s, std::uint32_t idle_s, std::uint32_t max_sessions) noexcept
    : ttl_ns_(TimestampNs{ttl_s} * kNsPerSecond),
      idle_ns_(TimestampNs{idle_s} * kNsPerSecond),
      max_sessions_(std::max<std::uint32_t>(max_sessions, 1)) {}

bool SessionTable::expired(const Session& s, TimestampNs now) const noexcept {
  return now >= s.expires || (idle_ns_ > 0 && now - s.last_used >= idle_ns_);
}

void SessionTable::drop_expired(TimestampNs now) {
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    it = expired(it->second, now) ? sessions_.erase(it) : std::next(it);
  }
}

const Session& SessionTable::create(std::string user, std::string password_hash, TimestampNs now) {
  // A sign-in costs a KDF run, so these O(n) sweeps are never the bottleneck.
  if (sessions_.size() >= max_sessions_) drop_expired(now);
  while (sessions_.size() >= max_sessions_) {
    const auto oldest = std::min_element(sessions_.begin(), sessions_.end(), [](const auto& a, const auto& b) {
      return a.second.created < b.second.created;
    });
    sessions_.erase(oldest);
  }
  Session s;
  s.id = random_base64url(32);
  s.csrf_token = random_base64url(32);
  s.user = std::move(user);
  s.password_hash = std::move(password_hash);
  s.created = now;
  s.last_used = now;
  s.expires = now + ttl_ns_;
  auto [it, inserted] = sessions_.emplace(s.id, std::move(s));
  (void)inserted;  // 256 random bits do not collide
  return it->second;
}

Session* SessionTable::touch(std::string_view id, TimestampNs now, Lookup& outcome) {
  const auto it = sessions_.find(std::string(id));
  if (it == sessions_.end()) {
    outcome = Lookup::unknown;
    return nullptr;
  }
  if (expired(it->second, now)) {
    sessions_.erase(it);
    outcome = Lookup::expired;
    return nullptr;
  }
  it->second.last_used = now;
  outcome = Lookup::ok;
  return &it->second;
}

void SessionTable::remove(std::string_view id) { sessions_.erase(std::string(id)); }

void SessionTable::remove_user(std::string_view user) {
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    it = it->second.user == user ? sessions_.erase(it) : std::next(it);
  }
}

}  // namespace opensoc::auth
