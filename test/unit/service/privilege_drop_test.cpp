// drop_privileges in forked children (a drop cannot be undone): identity,
// capability sets and threads read back from /proc; the root-only cases warn
// and skip when the test does not run as root.
#include "service/privilege_drop.hpp"

#include <linux/capability.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>

#include <catch2/catch.hpp>

#include "support/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using opensoc::service::capability_number;
using opensoc::service::drop_privileges;
using opensoc::service::PrivilegeConfig;

// "Key:\tvalue" lines of a /proc/.../status file.
std::map<std::string, std::string> proc_status(const std::string& path) {
  std::map<std::string, std::string> fields;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    auto value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    value.erase(value.find_last_not_of(" \t") + 1);
    fields[line.substr(0, colon)] = value;
  }
  return fields;
}

// Runs `body` in a forked child (a privilege drop cannot be undone) and
// returns what it printed to the pipe as key=value lines.
template <typename Body>
std::map<std::string, std::string> in_child(Body body) {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(fds[0]);
    std::ostringstream out;
    body(out);
    const std::string s = out.str();
    std::size_t off = 0;
    while (off < s.size()) {
      const ssize_t n = ::write(fds[1], s.data() + off, s.size() - off);
      if (n <= 0) break;
      off += static_cast<std::size_t>(n);
    }
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string text;
  char buf[4096];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof(buf))) > 0;) text.append(buf, static_cast<std::size_t>(n));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  REQUIRE(WIFEXITED(status));
  std::map<std::string, std::string> result;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    const auto eq = line.find('=');
    if (eq != std::string::npos) result[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return result;
}

struct Nobody {
  uid_t uid = 0;
  gid_t gid = 0;
};

bool find_nobody(Nobody& out) {
  const passwd* pw = ::getpwnam("nobody");
  if (pw == nullptr) return false;
  out.uid = pw->pw_uid;
  out.gid = pw->pw_gid;
  return true;
}

}  // namespace

TEST_CASE("capability_number parses names with or without the CAP_ prefix", "[service][privileges]") {
  CHECK(capability_number("CAP_NET_RAW") == 13);
  CHECK(capability_number("net_raw") == 13);
  CHECK(capability_number("cap_net_admin") == 12);
  CHECK(capability_number("CAP_CHOWN") == 0);
  CHECK(capability_number("CAP_IPC_LOCK") == 14);
  CHECK(capability_number("CAP_SYS_ADMIN") == 21);
  CHECK(capability_number("CAP_CHECKPOINT_RESTORE") == 40);
  CHECK(capability_number("CAP_NET_RAWX") == -1);
  CHECK(capability_number("") == -1);
  CHECK(capability_number("CAP_") == -1);
  CHECK(capability_number(std::string(100, 'A')) == -1);
}

TEST_CASE("drop_privileges keeps the current user when privileges.user is empty", "[service][privileges]") {
  PrivilegeConfig config;
  config.user = "";
  const auto r = drop_privileges(config, {});
  REQUIRE(r);
  CHECK_FALSE(r->switched);
  CHECK(r->uid == ::geteuid());
  CHECK(r->summary.find("privileges.user is empty: keeping uid " + std::to_string(::geteuid())) == 0);
}

TEST_CASE("drop_privileges does nothing when not started as root", "[service][privileges]") {
  Nobody nobody;
  if (!find_nobody(nobody)) {
    WARN("no 'nobody' account: skipped");
    return;
  }
  auto result = in_child([&](std::ostream& out) {
    // Become non-root first (only possible when the test runs as root).
    if (::geteuid() == 0 && ::setresuid(nobody.uid, nobody.uid, nobody.uid) != 0) return;
    PrivilegeConfig config;
    config.user = "nobody";
    const auto r = drop_privileges(config, {});
    out << "ok=" << (r ? 1 : 0) << "\nswitched=" << (r && r->switched ? 1 : 0) << "\nsummary=" << (r ? r->summary : "")
        << "\n";
  });
  CHECK(result["ok"] == "1");
  CHECK(result["switched"] == "0");
  CHECK(result["summary"].find("not started as root (uid ") == 0);
}

TEST_CASE("drop_privileges switches every thread and drops all capabilities", "[service][privileges]") {
  Nobody nobody;
  if (::geteuid() != 0 || !find_nobody(nobody)) {
    WARN("needs root and a 'nobody' account: skipped");
    return;
  }
  opensoc::test::TempDir dir;
  const std::string data = dir.file("data");
  fs::create_directories(data + "/sub");
  std::ofstream(data + "/sub/segment.pcap") << "x";
  const std::string outside = dir.file("outside-secret");
  std::ofstream(outside) << "root's";
  fs::create_symlink(outside, data + "/link-to-secret");
  REQUIRE(::chown(dir.path().c_str(), 0, 0) == 0);

  auto result = in_child([&](std::ostream& out) {
    // A thread that exists before the drop, as DPDK's lcore threads do.
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    pid_t worker_tid = 0;
    std::thread worker([&] {
      std::unique_lock lock(mu);
      worker_tid = ::gettid();
      cv.notify_all();
      cv.wait(lock, [&] { return done; });
    });
    {
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return worker_tid != 0; });
    }
    PrivilegeConfig config;
    config.user = "nobody";
    const auto r = drop_privileges(config, {data});
    out << "ok=" << (r ? 1 : 0) << "\nerror=" << (r ? "" : r.error().message) << "\n";
    if (r) {
      out << "switched=" << r->switched << "\nuid=" << r->uid << "\nsummary=" << r->summary
          << "\nkept=" << r->capabilities_kept.size() << "\n";
    }
    auto self = proc_status("/proc/self/status");
    for (const char* k : {"Uid", "Gid", "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb", "NoNewPrivs", "Groups"})
      out << k << "=" << self[k] << "\n";
    auto worker_status = proc_status("/proc/self/task/" + std::to_string(worker_tid) + "/status");
    out << "worker_Uid=" << worker_status["Uid"] << "\nworker_Gid=" << worker_status["Gid"]
        << "\nworker_CapEff=" << worker_status["CapEff"] << "\nworker_CapPrm=" << worker_status["CapPrm"] << "\n";
    out << "setuid0=" << ::setuid(0) << "\n";
    {
      std::lock_guard lock(mu);
      done = true;
    }
    cv.notify_all();
    worker.join();
  });
  REQUIRE(result["ok"] == "1");
  CHECK(result["error"].empty());
  CHECK(result["switched"] == "1");
  CHECK(result["uid"] == std::to_string(nobody.uid));
  const std::string u = std::to_string(nobody.uid), g = std::to_string(nobody.gid);
  CHECK(result["Uid"] == u + "\t" + u + "\t" + u + "\t" + u);
  CHECK(result["Gid"] == g + "\t" + g + "\t" + g + "\t" + g);
  CHECK(result["Groups"] == g);
  for (const char* k : {"CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"}) {
    INFO(k);
    CHECK(result[k] == "0000000000000000");
  }
  CHECK(result["NoNewPrivs"] == "1");
  CHECK(result["worker_Uid"] == u + "\t" + u + "\t" + u + "\t" + u);
  CHECK(result["worker_Gid"] == g + "\t" + g + "\t" + g + "\t" + g);
  CHECK(result["worker_CapEff"] == "0000000000000000");
  CHECK(result["worker_CapPrm"] == "0000000000000000");
  CHECK(result["setuid0"] == "-1");
  CHECK(result["kept"] == "0");
  CHECK(result["summary"] == "switched to user nobody (uid " + u + ", gid " + g + "); capabilities kept: none");

  // The data was given away, the symlink itself too, but not its target.
  struct stat st {};
  for (const std::string& p : {data, data + "/sub", data + "/sub/segment.pcap"}) {
    REQUIRE(::lstat(p.c_str(), &st) == 0);
    INFO(p);
    CHECK(st.st_uid == nobody.uid);
    CHECK(st.st_gid == nobody.gid);
  }
  REQUIRE(::lstat((data + "/link-to-secret").c_str(), &st) == 0);
  CHECK(st.st_uid == nobody.uid);
  REQUIRE(::stat(outside.c_str(), &st) == 0);
  CHECK(st.st_uid == 0);
}

TEST_CASE("drop_privileges keeps exactly the configured capabilities", "[service][privileges]") {
  Nobody nobody;
  if (::geteuid() != 0 || !find_nobody(nobody)) {
    WARN("needs root and a 'nobody' account: skipped");
    return;
  }
  auto result = in_child([&](std::ostream& out) {
    PrivilegeConfig config;
    config.user = "nobody";
    config.keep_capabilities = {"net_raw", "CAP_IPC_LOCK", "CAP_NET_RAW"};
    config.chown_data_dir = false;
    const auto r = drop_privileges(config, {});
    out << "ok=" << (r ? 1 : 0) << "\nerror=" << (r ? "" : r.error().message) << "\n";
    if (r) out << "summary=" << r->summary << "\n";
    auto self = proc_status("/proc/self/status");
    for (const char* k : {"Uid", "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb", "NoNewPrivs"})
      out << k << "=" << self[k] << "\n";
  });
  REQUIRE(result["ok"] == "1");
  const std::string u = std::to_string(nobody.uid);
  CHECK(result["Uid"] == u + "\t" + u + "\t" + u + "\t" + u);
  // CAP_NET_RAW (13) and CAP_IPC_LOCK (14).
  for (const char* k : {"CapInh", "CapPrm", "CapEff", "CapBnd"}) {
    INFO(k);
    CHECK(result[k] == "0000000000006000");
  }
  CHECK(result["CapAmb"] == "0000000000000000");
  CHECK(result["NoNewPrivs"] == "1");
  CHECK(result["summary"].find("capabilities kept: CAP_NET_RAW, CAP_IPC_LOCK") != std::string::npos);
}

TEST_CASE("drop_privileges refuses unknown users, unknown or dangerous capabilities", "[service][privileges]") {
  if (::geteuid() != 0) {
    WARN("needs root: skipped");
    return;
  }
  std::string expected;
  PrivilegeConfig config;
  config.chown_data_dir = false;
  bool narrow_bounding_set = false;
  SECTION("unknown user") {
    config.user = "opensoc-no-such-user";
    expected =
        "privileges.user 'opensoc-no-such-user' does not exist: create it (the package does) or set "
        "privileges.user: \"\" to keep running as root";
  }
  SECTION("unknown capability") {
    config.user = "nobody";
    config.keep_capabilities = {"CAP_NET_RAWR"};
    expected = "privileges.keep_capabilities: unknown capability 'CAP_NET_RAWR'";
  }
  SECTION("CAP_SETUID") {
    config.user = "nobody";
    config.keep_capabilities = {"CAP_SETUID"};
    expected = "privileges.keep_capabilities: CAP_SETUID would let the daemon become root again; remove it";
  }
  SECTION("a capability outside the bounding set") {
    config.user = "nobody";
    config.keep_capabilities = {"CAP_SYS_ADMIN"};
    narrow_bounding_set = true;
    expected = "privileges.keep_capabilities: CAP_SYS_ADMIN is not in this process's bounding set (the unit's "
               "CapabilityBoundingSet=), so it cannot be kept";
  }
  SECTION("root itself") {
    config.user = "root";
    expected = "privileges.user 'root' is root (uid 0): name an unprivileged account, or set privileges.user: \"\" "
               "to keep running as root";
  }
  auto result = in_child([&](std::ostream& out) {
    if (narrow_bounding_set) ::prctl(PR_CAPBSET_DROP, static_cast<unsigned long>(CAP_SYS_ADMIN), 0, 0, 0);
    const auto r = drop_privileges(config, {});
    out << "ok=" << (r ? 1 : 0) << "\nerror=" << (r ? "" : r.error().message) << "\neuid=" << ::geteuid() << "\n";
  });
  CHECK(result["ok"] == "0");
  CHECK(result["error"] == expected);
  CHECK(result["euid"] == "0");  // refused before anything changed
}

TEST_CASE("drop_privileges works inside the unit's CapabilityBoundingSet", "[service][privileges]") {
  Nobody nobody;
  if (::geteuid() != 0 || !find_nobody(nobody)) {
    WARN("needs root and a 'nobody' account: skipped");
    return;
  }
  auto result = in_child([&](std::ostream& out) {
    // systemd/opensocd.service's CapabilityBoundingSet=.
    const int unit_set[] = {CAP_NET_RAW, CAP_NET_ADMIN,  CAP_NET_BIND_SERVICE, CAP_IPC_LOCK, CAP_SYS_RAWIO,
                            CAP_DAC_OVERRIDE, CAP_CHOWN, CAP_FOWNER, CAP_SETUID, CAP_SETGID, CAP_SETPCAP};
    for (int cap = 0; cap <= CAP_LAST_CAP; ++cap) {
      bool in_unit = false;
      for (const int u : unit_set) in_unit = in_unit || u == cap;
      if (!in_unit) ::prctl(PR_CAPBSET_DROP, static_cast<unsigned long>(cap), 0, 0, 0);
    }
    PrivilegeConfig config;
    config.user = "nobody";
    config.keep_capabilities = {"CAP_NET_RAW"};
    config.chown_data_dir = false;
    const auto r = drop_privileges(config, {});
    out << "ok=" << (r ? 1 : 0) << "\nerror=" << (r ? "" : r.error().message) << "\n";
    auto self = proc_status("/proc/self/status");
    for (const char* k : {"CapPrm", "CapEff", "CapBnd", "CapAmb"}) out << k << "=" << self[k] << "\n";
  });
  CHECK(result["error"].empty());
  REQUIRE(result["ok"] == "1");
  CHECK(result["CapPrm"] == "0000000000002000");
  CHECK(result["CapEff"] == "0000000000002000");
  CHECK(result["CapBnd"] == "0000000000002000");
  CHECK(result["CapAmb"] == "0000000000000000");
}
