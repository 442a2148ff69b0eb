// SystemdNotifier against a datagram socket the test binds (filesystem and
// abstract names), the WATCHDOG_USEC/WATCHDOG_PID rule, and ProgressWatch.
#include "service/systemd_notifier.hpp"

#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include <catch2/catch.hpp>

#include "support/temp_dir.hpp"

namespace {

using opensoc::service::ProgressWatch;
using opensoc::service::SystemdNotifier;

// Sets (or unsets, for nullptr) an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old, had_ = true;
    if (value != nullptr) ::setenv(name, value, 1); else ::unsetenv(name);
  }
  ~ScopedEnv() {
    if (had_) ::setenv(name_.c_str(), old_.c_str(), 1); else ::unsetenv(name_.c_str());
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::string name_;
  std::string old_;
  bool had_ = false;
};

// A datagram socket standing in for systemd's notify socket.
class NotifyListener {
 public:
  explicit NotifyListener(const std::string& path) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    socklen_t len = 0;
    if (path[0] == '@') {
      std::memcpy(addr.sun_path + 1, path.data() + 1, path.size() - 1);
      len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size());
    } else {
      std::memcpy(addr.sun_path, path.data(), path.size());
      len = static_cast<socklen_t>(sizeof(addr));
    }
    REQUIRE(::bind(fd_, reinterpret_cast<const sockaddr*>(&addr), len) == 0);
    timeval tv{2, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  }
  ~NotifyListener() { ::close(fd_); }
  NotifyListener(const NotifyListener&) = delete;
  NotifyListener& operator=(const NotifyListener&) = delete;

  std::string receive() {
    char buf[4096];
    const ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
    return n < 0 ? std::string{"<nothing>"} : std::string(buf, static_cast<std::size_t>(n));
  }

 private:
  int fd_ = -1;
};

}  // namespace

TEST_CASE("SystemdNotifier sends each state as one datagram to NOTIFY_SOCKET", "[service][notify]") {
  opensoc::test::TempDir dir;
  std::string path;
  SECTION("filesystem socket") { path = dir.file("notify.sock"); }
  SECTION("abstract socket") { path = "@opensoc-notify-test-" + std::to_string(::getpid()); }
  NotifyListener listener(path);
  ScopedEnv env("NOTIFY_SOCKET", path.c_str());
  SystemdNotifier notifier;
  REQUIRE(notifier.active());

  CHECK(notifier.ready("capturing on 1 port"));
  CHECK(listener.receive() == "READY=1\nSTATUS=capturing on 1 port");
  CHECK(notifier.status("recovering segments: 3 of 10"));
  CHECK(listener.receive() == "STATUS=recovering segments: 3 of 10");
  CHECK(notifier.reloading());
  CHECK(listener.receive() == "RELOADING=1");
  CHECK(notifier.watchdog());
  CHECK(listener.receive() == "WATCHDOG=1");
  CHECK(notifier.stopping());
  CHECK(listener.receive() == "STOPPING=1");
  CHECK(notifier.ready(""));
  CHECK(listener.receive() == "READY=1");
  CHECK(notifier.notify("EXTEND_TIMEOUT_USEC=5000000"));
  CHECK(listener.receive() == "EXTEND_TIMEOUT_USEC=5000000");
}

TEST_CASE("SystemdNotifier is inactive and sends nothing outside systemd", "[service][notify]") {
  const char* value = nullptr;
  SECTION("unset") { value = nullptr; }
  SECTION("empty") { value = ""; }
  SECTION("relative path") { value = "notify.sock"; }
  ScopedEnv env("NOTIFY_SOCKET", value);
  SystemdNotifier notifier;
  CHECK_FALSE(notifier.active());
  CHECK_FALSE(notifier.ready("x"));
  CHECK_FALSE(notifier.watchdog());
}

TEST_CASE("SystemdNotifier reports a send to a missing socket as failed", "[service][notify]") {
  opensoc::test::TempDir dir;
  const std::string path = dir.file("nobody-listens.sock");
  ScopedEnv env("NOTIFY_SOCKET", path.c_str());
  SystemdNotifier notifier;
  CHECK(notifier.active());
  CHECK_FALSE(notifier.ready("x"));
}

TEST_CASE("SystemdNotifier honours WATCHDOG_USEC only for its own pid", "[service][notify]") {
  ScopedEnv usec("WATCHDOG_USEC", "30000000");
  SECTION("no WATCHDOG_PID") {
    ScopedEnv pid("WATCHDOG_PID", nullptr);
    CHECK(SystemdNotifier{}.watchdog_interval() == std::chrono::seconds(30));
  }
  SECTION("WATCHDOG_PID is this process") {
    const std::string self = std::to_string(::getpid());
    ScopedEnv pid("WATCHDOG_PID", self.c_str());
    CHECK(SystemdNotifier{}.watchdog_interval() == std::chrono::seconds(30));
  }
  SECTION("WATCHDOG_PID is another process") {
    const std::string other = std::to_string(::getpid() + 1);
    ScopedEnv pid("WATCHDOG_PID", other.c_str());
    CHECK(SystemdNotifier{}.watchdog_interval() == std::chrono::microseconds(0));
  }
  SECTION("WATCHDOG_PID is garbage") {
    ScopedEnv pid("WATCHDOG_PID", "12x");
    CHECK(SystemdNotifier{}.watchdog_interval() == std::chrono::microseconds(0));
  }
}

TEST_CASE("SystemdNotifier ignores a malformed or missing WATCHDOG_USEC", "[service][notify]") {
  ScopedEnv pid("WATCHDOG_PID", nullptr);
  const char* value = nullptr;
  SECTION("unset") { value = nullptr; }
  SECTION("zero") { value = "0"; }
  SECTION("negative") { value = "-5"; }
  SECTION("trailing garbage") { value = "30s"; }
  ScopedEnv usec("WATCHDOG_USEC", value);
  CHECK(SystemdNotifier{}.watchdog_interval() == std::chrono::microseconds(0));
}

TEST_CASE("ProgressWatch feeds only when every worker progressed since the last check", "[service][notify]") {
  ProgressWatch watch;
  CHECK(watch.all_progressed({5, 7}));         // first call: the baseline
  CHECK(watch.all_progressed({6, 9}));         // both grew
  CHECK_FALSE(watch.all_progressed({7, 9}));   // worker 1 stalled
  CHECK(watch.all_progressed({8, 10}));        // compared with the last call, not the last success
  CHECK_FALSE(watch.all_progressed({8, 10}));  // nobody moved
  CHECK_FALSE(watch.all_progressed({9, 10}));  // still one stalled
  CHECK(watch.all_progressed({1, 2, 3}));      // a new worker set is a new baseline
  CHECK(watch.all_progressed({2, 3, 4}));
}
