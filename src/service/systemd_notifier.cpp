#include "service/systemd_notifier.hpp"

// The sd_notify protocol by hand: one AF_UNIX datagram per state change to
// the socket named by $NOTIFY_SOCKET ('@' = Linux abstract namespace), so
// the daemon needs no libsystemd. Constructed once on the main thread at
// startup; afterwards every method only reads immutable members and calls
// sendto(2), so the watchdog feeder and the control thread may share one
// notifier. sendto on a datagram socket does not block for long: the
// socket is connectionless and systemd drains it.

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <string>

namespace opensoc::service {
namespace {

std::string environment(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? std::string{} : std::string{v};
}

bool parse_unsigned(const std::string& text, unsigned long long& out) {
  if (text.empty()) return false;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc{} && ptr == end;
}

}  // namespace

SystemdNotifier::SystemdNotifier() {
  socket_path_ = environment("NOTIFY_SOCKET");
  // sun_path holds 108 bytes including the terminator; systemd only hands
  // out absolute paths or abstract names.
  if (socket_path_.size() >= 2 && socket_path_.size() < sizeof(sockaddr_un::sun_path) &&
      (socket_path_[0] == '/' || socket_path_[0] == '@')) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  } else {
    socket_path_.clear();
  }

  // WATCHDOG_PID names the process systemd expects pings from; if it is
  // another process (we were forked from it), the watchdog is not ours.
  unsigned long long usec = 0;
  if (parse_unsigned(environment("WATCHDOG_USEC"), usec) && usec > 0) {
    const std::string pid_text = environment("WATCHDOG_PID");
    unsigned long long pid = 0;
    const bool ours = pid_text.empty() ||
                      (parse_unsigned(pid_text, pid) && pid == static_cast<unsigned long long>(::getpid()));
    if (ours) watchdog_ = std::chrono::microseconds(static_cast<std::chrono::microseconds::rep>(usec));
  }
}

SystemdNotifier::~SystemdNotifier() {
  if (fd_ >= 0) ::close(fd_);
}

bool SystemdNotifier::notify(std::string_view state) {
  if (fd_ < 0) return false;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, socket_path_.data(), socket_path_.size());
  auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + socket_path_.size());
  if (socket_path_[0] == '@') {
    // Abstract names start with a NUL and are not terminated.
    addr.sun_path[0] = '\0';
  } else {
    length += 1;  // the terminating NUL of a filesystem path
  }
  for (;;) {
    const ssize_t sent = ::sendto(fd_, state.data(), state.size(), MSG_NOSIGNAL,
                                  reinterpret_cast<const sockaddr*>(&addr), length);
    if (sent >= 0) return static_cast<std::size_t>(sent) == state.size();
    if (errno != EINTR) return false;
  }
}

bool SystemdNotifier::ready(std::string_view status) {
  std::string msg = "READY=1";
  if (!status.empty()) {
    msg += "\nSTATUS=";
    msg += status;
  }
  return notify(msg);
}

bool SystemdNotifier::reloading() { return notify("RELOADING=1"); }

bool SystemdNotifier::stopping() { return notify("STOPPING=1"); }

bool SystemdNotifier::status(std::string_view text) {
  std::string msg = "STATUS=";
  msg += text;
  return notify(msg);
}

bool SystemdNotifier::watchdog() { return notify("WATCHDOG=1"); }

bool ProgressWatch::all_progressed(const std::vector<unsigned long long>& counts) {
  // A changed worker count is a new baseline, not a stall.
  if (last_.size() != counts.size()) {
    last_ = counts;
    return true;
  }
  bool all = true;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    if (counts[i] <= last_[i]) all = false;
  }
  last_ = counts;
  return all;
}

}  // namespace opensoc::service
