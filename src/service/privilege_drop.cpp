#include "service/privilege_drop.hpp"

// Dropping root, once, on the main thread during startup (after DPDK's EAL,
// the stores, the HTTP listener and the receivers are open; before capture
// starts). The order matters:
//   1. look up the user and group, give the data paths to them;
//   2. shrink the bounding set while we still hold CAP_SETPCAP;
//   3. PR_SET_KEEPCAPS (only when capabilities are kept), setgroups,
//      setresgid, setresuid. glibc broadcasts the set*id calls to every
//      thread of the process (its "setxid" signal), so DPDK's lcore threads
//      and any other thread already running change identity too;
//   4. capset on this thread: permitted = effective = inheritable = kept;
//   5. clear the ambient set, set no_new_privs, and verify.
// Capabilities, the bounding set, the ambient set and no_new_privs are
// per-thread in Linux. Threads other than the caller hold no capabilities
// afterwards: the kernel clears their permitted and effective sets at the
// uid change because they never set KEEPCAPS. Their bounding set and
// no_new_privs flag stay as they were, which only matters at execve, and
// the daemon never executes anything. Threads created after the drop
// inherit the caller's reduced state.
// No libcap: the two raw syscalls (capget/capset) are all it needs.

#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace opensoc::service {
namespace {

// Names by number, as in <linux/capability.h> (kernel 5.9+ has 41).
constexpr std::array<std::string_view, 41> kCapabilityNames = {
    "CAP_CHOWN",           "CAP_DAC_OVERRIDE",   "CAP_DAC_READ_SEARCH", "CAP_FOWNER",
    "CAP_FSETID",          "CAP_KILL",           "CAP_SETGID",          "CAP_SETUID",
    "CAP_SETPCAP",         "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",       "CAP_NET_RAW",        "CAP_IPC_LOCK",        "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",      "CAP_SYS_RAWIO",      "CAP_SYS_CHROOT",      "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",       "CAP_SYS_ADMIN",      "CAP_SYS_BOOT",        "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",    "CAP_SYS_TIME",       "CAP_SYS_TTY_CONFIG",  "CAP_MKNOD",
    "CAP_LEASE",           "CAP_AUDIT_WRITE",    "CAP_AUDIT_CONTROL",   "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",    "CAP_MAC_ADMIN",      "CAP_SYSLOG",          "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",   "CAP_AUDIT_READ",     "CAP_PERFMON",         "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
};

std::string errno_text(int err) { return std::error_code(err, std::system_category()).message(); }

Error syscall_error(const std::string& step, int err) { return Error{step + " failed: " + errno_text(err)}; }

std::uint64_t capability_mask(const std::vector<int>& caps) {
  std::uint64_t mask = 0;
  for (const int c : caps) mask |= std::uint64_t{1} << static_cast<unsigned>(c);
  return mask;
}

// The highest capability the running kernel knows; a newer kernel may know
// more than our table, and those must leave the bounding set too.
int last_capability() {
  std::ifstream in("/proc/sys/kernel/cap_last_cap");
  int last = -1;
  if (in >> last && last >= 0 && last < 64) return last;
  return CAP_LAST_CAP;
}

struct CapabilitySets {
  std::uint64_t effective = 0;
  std::uint64_t permitted = 0;
  std::uint64_t inheritable = 0;
};

Result<CapabilitySets> get_capabilities() {
  __user_cap_header_struct header{};
  header.version = _LINUX_CAPABILITY_VERSION_3;
  header.pid = 0;
  std::array<__user_cap_data_struct, _LINUX_CAPABILITY_U32S_3> data{};
  if (::syscall(SYS_capget, &header, data.data()) != 0) return syscall_error("capget", errno);
  CapabilitySets sets;
  sets.effective = data[0].effective | (std::uint64_t{data[1].effective} << 32);
  sets.permitted = data[0].permitted | (std::uint64_t{data[1].permitted} << 32);
  sets.inheritable = data[0].inheritable | (std::uint64_t{data[1].inheritable} << 32);
  return sets;
}

Result<void> set_capabilities(std::uint64_t mask) {
  __user_cap_header_struct header{};
  header.version = _LINUX_CAPABILITY_VERSION_3;
  header.pid = 0;  // the calling thread
  std::array<__user_cap_data_struct, _LINUX_CAPABILITY_U32S_3> data{};
  const auto low = static_cast<std::uint32_t>(mask & 0xffffffffu);
  const auto high = static_cast<std::uint32_t>(mask >> 32);
  data[0].effective = data[0].permitted = data[0].inheritable = low;
  data[1].effective = data[1].permitted = data[1].inheritable = high;
  if (::syscall(SYS_capset, &header, data.data()) != 0) return syscall_error("capset", errno);
  return ok();
}

struct Account {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
};

Result<Account> look_up_account(const PrivilegeConfig& config) {
  std::vector<char> buffer(16384);
  passwd pw{};
  passwd* found = nullptr;
  const int rc = ::getpwnam_r(config.user.c_str(), &pw, buffer.data(), buffer.size(), &found);
  if (found == nullptr) {
    if (rc != 0 && rc != ENOENT && rc != ESRCH && rc != EBADF && rc != EPERM)
      return Error{"looking up privileges.user '" + config.user + "': " + errno_text(rc)};
    return Error{"privileges.user '" + config.user +
                 "' does not exist: create it (the package does) or set privileges.user: \"\" to keep "
                 "running as root"};
  }
  Account account{config.user, pw.pw_uid, pw.pw_gid};
  if (!config.group.empty()) {
    group gr{};
    group* gfound = nullptr;
    std::vector<char> gbuffer(16384);
    const int grc = ::getgrnam_r(config.group.c_str(), &gr, gbuffer.data(), gbuffer.size(), &gfound);
    if (gfound == nullptr) {
      if (grc != 0 && grc != ENOENT && grc != ESRCH && grc != EBADF && grc != EPERM)
        return Error{"looking up privileges.group '" + config.group + "': " + errno_text(grc)};
      return Error{"privileges.group '" + config.group + "' does not exist: create it or set privileges.group: \"\" "
                   "to use the user's primary group"};
    }
    account.gid = gr.gr_gid;
  }
  if (account.uid == 0)
    return Error{"privileges.user '" + config.user + "' is root (uid 0): name an unprivileged account, or set "
                 "privileges.user: \"\" to keep running as root"};
  return account;
}

Result<void> chown_one(const std::filesystem::path& p, const Account& account) {
  // AT_SYMLINK_NOFOLLOW: a symlink planted in the data directory must not
  // hand its target (say /etc/shadow) to the unprivileged user. Entries
  // already owned are left alone: on a large store most are, every start.
  struct stat st {};
  if (::fstatat(AT_FDCWD, p.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && st.st_uid == account.uid &&
      st.st_gid == account.gid)
    return ok();
  if (::fchownat(AT_FDCWD, p.c_str(), account.uid, account.gid, AT_SYMLINK_NOFOLLOW) != 0)
    return syscall_error("chown " + p.string(), errno);
  return ok();
}

// chown -R without following symlinks (the iterator does not descend into
// directory symlinks unless asked to). A path that does not exist yet is
// skipped: the daemon creates it later as the user.
Result<void> chown_tree(const std::string& path, const Account& account) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const auto st = fs::symlink_status(path, ec);
  if (ec || !fs::exists(st)) return ok();
  if (auto r = chown_one(path, account); !r) return r;
  if (!fs::is_directory(st)) return ok();
  fs::recursive_directory_iterator it(path, fs::directory_options::none, ec);
  if (ec) return Error{"listing " + path + ": " + ec.message()};
  for (const fs::recursive_directory_iterator end; it != end; it.increment(ec)) {
    if (ec) return Error{"listing " + path + ": " + ec.message()};
    if (auto r = chown_one(it->path(), account); !r) return r;
  }
  if (ec) return Error{"listing " + path + ": " + ec.message()};
  return ok();
}

std::string capability_label(int cap) {
  if (cap >= 0 && static_cast<std::size_t>(cap) < kCapabilityNames.size())
    return std::string(kCapabilityNames[static_cast<std::size_t>(cap)]);
  return "capability " + std::to_string(cap);
}

std::string join_names(const std::vector<std::string>& names) {
  if (names.empty()) return "none";
  std::string out;
  for (const auto& n : names) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

}  // namespace

int capability_number(std::string_view name) noexcept {
  std::string upper;
  // Names are short; a name longer than any capability cannot match.
  if (name.size() > 32) return -1;
  for (const char c : name) upper.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  if (upper.rfind("CAP_", 0) != 0) upper.insert(0, "CAP_");
  for (std::size_t i = 0; i < kCapabilityNames.size(); ++i)
    if (kCapabilityNames[i] == upper) return static_cast<int>(i);
  return -1;
}

Result<PrivilegeReport> drop_privileges(const PrivilegeConfig& config, const std::vector<std::string>& chown_paths) {
  PrivilegeReport report;
  if (config.user.empty()) {
    report.uid = ::geteuid();
    report.gid = ::getegid();
    report.summary = "privileges.user is empty: keeping uid " + std::to_string(report.uid) +
                     (report.uid == 0 ? " (root)" : "");
    return report;
  }
  if (::geteuid() != 0) {
    report.uid = ::geteuid();
    report.gid = ::getegid();
    report.summary = "not started as root (uid " + std::to_string(report.uid) + "): no privileges to drop";
    return report;
  }

  std::vector<int> kept;
  for (const auto& name : config.keep_capabilities) {
    const int number = capability_number(name);
    if (number < 0) return Error{"privileges.keep_capabilities: unknown capability '" + name + "'"};
    if (std::find(kept.begin(), kept.end(), number) == kept.end()) kept.push_back(number);
  }
  std::sort(kept.begin(), kept.end());
  // With CAP_SETUID the process could become root again at will.
  if (std::find(kept.begin(), kept.end(), CAP_SETUID) != kept.end())
    return Error{"privileges.keep_capabilities: CAP_SETUID would let the daemon become root again; remove it"};
  const std::uint64_t kept_mask = capability_mask(kept);
  for (const int cap : kept) {
    if (::prctl(PR_CAPBSET_READ, static_cast<unsigned long>(cap), 0, 0, 0) != 1)
      return Error{"privileges.keep_capabilities: " + capability_label(cap) +
                   " is not in this process's bounding set (the unit's CapabilityBoundingSet=), so it cannot be kept"};
  }

  auto account = look_up_account(config);
  if (!account) return account.error();

  if (config.chown_data_dir) {
    for (const auto& path : chown_paths) {
      if (auto r = chown_tree(path, *account); !r) return r.error().context("giving the data to " + config.user);
    }
  }

  // The bounding set first: dropping from it needs CAP_SETPCAP, which is
  // gone once we are no longer root. Capabilities already outside it (the
  // unit's CapabilityBoundingSet=) are skipped.
  const int last = last_capability();
  for (int cap = 0; cap <= last; ++cap) {
    if ((kept_mask >> static_cast<unsigned>(cap)) & 1u) continue;
    if (::prctl(PR_CAPBSET_READ, static_cast<unsigned long>(cap), 0, 0, 0) != 1) continue;
    if (::prctl(PR_CAPBSET_DROP, static_cast<unsigned long>(cap), 0, 0, 0) != 0) {
      const int err = errno;
      return Error{"dropping " + capability_label(cap) + " from the bounding set failed: " + errno_text(err) +
                   (err == EPERM ? " (CAP_SETPCAP is needed: keep it in the unit's CapabilityBoundingSet=)" : "")};
    }
  }

  // KEEPCAPS only when something is kept: without it the uid change clears
  // the permitted set, which is what we want when nothing is kept.
  if (!kept.empty() && ::prctl(PR_SET_KEEPCAPS, 1UL, 0, 0, 0) != 0) return syscall_error("PR_SET_KEEPCAPS", errno);
  // Supplementary groups: only the primary one (root's groups must not
  // survive; the user's other groups are not needed).
  const gid_t gid = account->gid;
  if (::setgroups(1, &gid) != 0) return syscall_error("setgroups", errno);
  if (::setresgid(gid, gid, gid) != 0) return syscall_error("setresgid", errno);
  if (::setresuid(account->uid, account->uid, account->uid) != 0) return syscall_error("setresuid", errno);
  if (!kept.empty()) {
    // Effective was cleared by the uid change; raise it again from permitted.
    if (auto r = set_capabilities(kept_mask); !r) return r.error();
    if (::prctl(PR_SET_KEEPCAPS, 0UL, 0, 0, 0) != 0) return syscall_error("clearing PR_SET_KEEPCAPS", errno);
  }
  // Ambient capabilities would survive an execve; we want none. EINVAL: a
  // kernel older than 4.3 has no ambient set.
  if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL)
    return syscall_error("PR_CAP_AMBIENT_CLEAR_ALL", errno);
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1UL, 0, 0, 0) != 0) return syscall_error("PR_SET_NO_NEW_PRIVS", errno);

  // Verify: running as root by accident is worse than not running.
  uid_t ruid = 0, euid = 0, suid = 0;
  gid_t rgid = 0, egid = 0, sgid = 0;
  if (::getresuid(&ruid, &euid, &suid) != 0 || ::getresgid(&rgid, &egid, &sgid) != 0)
    return syscall_error("getresuid", errno);
  if (ruid != account->uid || euid != account->uid || suid != account->uid)
    return Error{"privilege drop did not take: uids are " + std::to_string(ruid) + "/" + std::to_string(euid) + "/" +
                 std::to_string(suid)};
  if (rgid != gid || egid != gid || sgid != gid)
    return Error{"privilege drop did not take: gids are " + std::to_string(rgid) + "/" + std::to_string(egid) + "/" +
                 std::to_string(sgid)};
  if (::setuid(0) == 0) return Error{"privilege drop did not take: setuid(0) still succeeds"};
  auto caps = get_capabilities();
  if (!caps) return caps.error();
  if (caps->effective != kept_mask || caps->permitted != kept_mask)
    return Error{"privilege drop did not take: capabilities are not exactly the kept set"};
  for (int cap = 0; cap <= last; ++cap) {
    const bool is_kept = ((kept_mask >> static_cast<unsigned>(cap)) & 1u) != 0;
    if (!is_kept && ::prctl(PR_CAPBSET_READ, static_cast<unsigned long>(cap), 0, 0, 0) == 1)
      return Error{"privilege drop did not take: " + capability_label(cap) + " is still in the bounding set"};
  }

  report.switched = true;
  report.user = account->name;
  report.uid = account->uid;
  report.gid = gid;
  for (const int c : kept) report.capabilities_kept.emplace_back(kCapabilityNames[static_cast<std::size_t>(c)]);
  report.summary = "switched to user " + account->name + " (uid " + std::to_string(report.uid) + ", gid " +
                   std::to_string(report.gid) + "); capabilities kept: " + join_names(report.capabilities_kept);
  return report;
}

}  // namespace opensoc::service
