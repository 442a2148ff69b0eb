#include "service/preflight_check.hpp"

// Preflight checks: what must hold on the machine before DPDK can capture,
// checked without starting DPDK so that a failure comes with the command
// that fixes it instead of an EAL error. Runs in `opensocd preflight`
// (systemd's ExecStartPre), on the main thread, reading /proc, /sys and
// /dev (roots configurable so tests use a fake tree).

#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

namespace opensoc::service {
namespace {

namespace fs = std::filesystem;

bool is_hex(std::string_view s) {
  if (s.empty()) return false;
  for (const char c : s)
    if (std::isxdigit(static_cast<unsigned char>(c)) == 0) return false;
  return true;
}

std::string lower(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (const char c : s) out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return out;
}

bool has_arg(const std::vector<std::string>& args, std::string_view flag) {
  for (const auto& a : args)
    if (a == flag) return true;
  return false;
}

std::string errno_text(int err) { return std::error_code(err, std::system_category()).message(); }

PreflightFinding pass(std::string check, std::string message) { return {true, std::move(check), std::move(message)}; }
PreflightFinding fail(std::string check, std::string message) { return {false, std::move(check), std::move(message)}; }

// --- hugepages ---

std::optional<unsigned long long> meminfo_value(const std::string& meminfo, std::string_view key) {
  std::istringstream in(meminfo);
  std::string line;
  while (std::getline(in, line)) {
    if (line.size() <= key.size() || line.compare(0, key.size(), key) != 0 || line[key.size()] != ':') continue;
    std::istringstream fields(line.substr(key.size() + 1));
    unsigned long long v = 0;
    if (fields >> v) return v;
    return std::nullopt;
  }
  return std::nullopt;
}

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void check_hugepages(const PreflightInput& input, std::vector<PreflightFinding>& out) {
  if (has_arg(input.capture.eal_args, "--no-huge")) {
    out.push_back(pass("hugepages", "skipped: --no-huge"));
    out.push_back(pass("hugetlbfs", "skipped: --no-huge"));
    return;
  }
  const std::string meminfo_path = input.proc_root + "/meminfo";
  const auto meminfo = read_file(meminfo_path);
  const auto total = meminfo ? meminfo_value(*meminfo, "HugePages_Total") : std::nullopt;
  const auto free = meminfo ? meminfo_value(*meminfo, "HugePages_Free") : std::nullopt;
  const auto size_kb = meminfo ? meminfo_value(*meminfo, "Hugepagesize") : std::nullopt;
  const std::string size_text = size_kb ? std::to_string(*size_kb) + "kB" : "2048kB";
  if (!total || !free) {
    out.push_back(fail("hugepages", "cannot read HugePages_Total/HugePages_Free from " + meminfo_path));
  } else if (*total == 0) {
    out.push_back(fail("hugepages", "no hugepages reserved (HugePages_Total: 0): reserve some, e.g. `echo 1024 > "
                                    "/sys/kernel/mm/hugepages/hugepages-" + size_text +
                                        "/nr_hugepages` (or hugepages= on the kernel command line), or add "
                                        "--no-huge to capture.eal_args for a test setup"));
  } else if (*free == 0) {
    out.push_back(fail("hugepages", "all " + std::to_string(*total) +
                                        " hugepages are in use (HugePages_Free: 0): stop the process holding them "
                                        "(another DPDK application?) or reserve more"));
  } else {
    out.push_back(pass("hugepages", std::to_string(*free) + " of " + std::to_string(*total) + " hugepages of " +
                                        size_text + " free"));
  }

  const std::string mounts_path = input.proc_root + "/mounts";
  const auto mounts = read_file(mounts_path);
  if (!mounts) {
    out.push_back(fail("hugetlbfs", "cannot read " + mounts_path));
    return;
  }
  std::istringstream in(*mounts);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string device, mount_point, type;
    if (fields >> device >> mount_point >> type && type == "hugetlbfs") {
      out.push_back(pass("hugetlbfs", "mounted on " + mount_point));
      return;
    }
  }
  out.push_back(fail("hugetlbfs", "no hugetlbfs mounted: run `mkdir -p /dev/hugepages && mount -t hugetlbfs nodev "
                                  "/dev/hugepages` (systemd's dev-hugepages.mount does it at boot)"));
}

// --- PCI ports ---

constexpr std::string_view kDpdkDrivers[] = {"vfio-pci", "uio_pci_generic", "igb_uio"};
constexpr std::string_view kBifurcatedDrivers[] = {"mlx4_core", "mlx5_core"};

template <std::size_t N>
bool one_of(const std::string& s, const std::string_view (&list)[N]) {
  for (const auto v : list)
    if (s == v) return true;
  return false;
}

PreflightFinding check_pci_port(const PreflightInput& input, const std::string& addr) {
  const std::string check = "port " + addr;
  const std::string device_dir = input.sysfs_root + "/bus/pci/devices/" + addr;
  std::error_code ec;
  if (!fs::exists(device_dir, ec))
    return fail(check, "no PCI device " + addr + " on this machine (" + device_dir +
                           " is missing): check capture.ports (`lspci -D` or `dpdk-devbind.py --status` lists "
                           "the devices)");
  const auto target = fs::read_symlink(device_dir + "/driver", ec);
  const std::string bind = "`dpdk-devbind.py --bind=vfio-pci " + addr + "`";
  if (ec)
    return fail(check, "port " + addr + " is not bound to any driver: run " + bind +
                           " (and load vfio-pci: `modprobe vfio-pci`)");
  const std::string driver = target.filename().string();
  if (one_of(driver, kBifurcatedDrivers))
    return pass(check, "bound to " + driver + " (bifurcated: DPDK shares the port with the kernel driver)");
  if (!one_of(driver, kDpdkDrivers))
    return fail(check, "port " + addr + " is bound to " + driver + " (a kernel driver): run " + bind +
                           " (and load vfio-pci)");
  if (driver == "vfio-pci" && !fs::is_directory(input.dev_root + "/vfio", ec))
    return fail(check, "bound to vfio-pci but " + input.dev_root +
                           "/vfio is missing: load the module (`modprobe vfio-pci`) and check that the IOMMU is "
                           "on (intel_iommu=on / amd_iommu=on), or use vfio's no-IOMMU mode");
  return pass(check, "bound to " + driver);
}

// --- virtual devices (--vdev) ---

std::vector<std::string> vdev_specs(const std::vector<std::string>& args) {
  std::vector<std::string> specs;
  constexpr std::string_view kFlag = "--vdev";
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == kFlag) {
      if (i + 1 < args.size()) specs.push_back(args[++i]);
    } else if (a.size() > kFlag.size() + 1 && a.compare(0, kFlag.size(), kFlag) == 0 && a[kFlag.size()] == '=') {
      specs.push_back(a.substr(kFlag.size() + 1));
    }
  }
  return specs;
}

PreflightFinding check_vdev(const PreflightInput& input, const std::string& spec) {
  std::vector<std::string> parts;
  std::istringstream in(spec);
  std::string part;
  while (std::getline(in, part, ',')) parts.push_back(part);
  const std::string name = parts.empty() ? spec : parts.front();
  const std::string check = "vdev " + name;
  const bool pcap = name.rfind("net_pcap", 0) == 0 || name.rfind("eth_pcap", 0) == 0;
  const bool af_packet = name.rfind("net_af_packet", 0) == 0 || name.rfind("eth_af_packet", 0) == 0;
  if (!pcap && !af_packet) return pass(check, "not checked (no preflight for this driver)");

  std::vector<std::string> problems;
  std::vector<std::string> found;
  for (std::size_t i = 1; i < parts.size(); ++i) {
    const auto eq = parts[i].find('=');
    if (eq == std::string::npos) continue;
    const std::string key = parts[i].substr(0, eq);
    const std::string value = parts[i].substr(eq + 1);
    if (pcap && key == "rx_pcap") {
      const int fd = ::open(value.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) {
        problems.push_back("rx_pcap " + value + " is not readable: " + errno_text(errno));
      } else {
        ::close(fd);
        found.push_back("rx_pcap " + value + " readable");
      }
    } else if ((pcap && (key == "rx_iface" || key == "rx_iface_in" || key == "iface")) || (af_packet && key == "iface")) {
      std::error_code ec;
      if (fs::exists(input.sysfs_root + "/class/net/" + value, ec)) {
        found.push_back("interface " + value + " present");
      } else {
        problems.push_back("interface " + value + " does not exist (`ip link` lists them)");
      }
    }
  }
  if (!problems.empty()) {
    std::string msg;
    for (const auto& p : problems) msg += (msg.empty() ? "" : "; ") + p;
    return fail(check, msg);
  }
  if (found.empty()) return pass(check, "nothing to check");
  std::string msg;
  for (const auto& f : found) msg += (msg.empty() ? "" : ", ") + f;
  return pass(check, msg);
}

// --- data directory and files ---

PreflightFinding check_data_dir(const std::string& data_dir) {
  const std::string check = "data_dir";
  if (data_dir.empty()) return fail(check, "data_dir is empty: set data_dir in the config");
  std::error_code ec;
  const auto st = fs::status(data_dir, ec);
  if (fs::exists(st)) {
    if (!fs::is_directory(st)) return fail(check, data_dir + " exists but is not a directory");
    if (::access(data_dir.c_str(), W_OK | X_OK) != 0)
      return fail(check, data_dir + " is not writable: " + errno_text(errno) +
                             " (the package creates it; check its owner and that the filesystem is not read-only)");
    return pass(check, data_dir + " is writable");
  }
  // Not there yet: the daemon creates it, so the nearest existing parent
  // must be writable.
  fs::path parent = fs::absolute(fs::path(data_dir), ec).parent_path();
  while (!parent.empty() && !fs::exists(parent, ec) && parent != parent.root_path()) parent = parent.parent_path();
  if (parent.empty()) parent = "/";
  if (::access(parent.c_str(), W_OK | X_OK) != 0)
    return fail(check, data_dir + " does not exist and cannot be created: " + parent.string() +
                           " is not writable (" + errno_text(errno) + "); create it: `mkdir -p " + data_dir + "`");
  return pass(check, data_dir + " does not exist yet; it will be created under " + parent.string());
}

PreflightFinding check_readable(const std::string& path) {
  const std::string check = "file " + path;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail(check, "not readable: " + errno_text(errno));
  ::close(fd);
  return pass(check, "readable");
}

}  // namespace

std::string pci_address(std::string_view device) {
  // DDDD:BB:DD.F, or BB:DD.F in domain 0.
  std::string_view rest = device;
  std::string domain = "0000";
  if (rest.size() == 12) {
    if (rest[4] != ':' || !is_hex(rest.substr(0, 4))) return {};
    domain = lower(rest.substr(0, 4));
    rest.remove_prefix(5);
  }
  if (rest.size() != 7 || rest[2] != ':' || rest[5] != '.') return {};
  if (!is_hex(rest.substr(0, 2)) || !is_hex(rest.substr(3, 2))) return {};
  if (rest[6] < '0' || rest[6] > '7') return {};
  return domain + ":" + lower(rest);
}

std::vector<PreflightFinding> run_preflight(const PreflightInput& input) {
  std::vector<PreflightFinding> findings;
  check_hugepages(input, findings);
  std::vector<std::string> seen;
  for (const auto& port : input.capture.ports) {
    const std::string addr = pci_address(port.device);
    if (addr.empty()) continue;  // a vdev: checked from its --vdev spec below
    bool duplicate = false;
    for (const auto& s : seen) duplicate = duplicate || s == addr;
    if (duplicate) continue;
    seen.push_back(addr);
    findings.push_back(check_pci_port(input, addr));
  }
  for (const auto& spec : vdev_specs(input.capture.eal_args)) findings.push_back(check_vdev(input, spec));
  findings.push_back(check_data_dir(input.data_dir));
  for (const auto& f : input.readable_files) findings.push_back(check_readable(f));
  return findings;
}

}  // namespace opensoc::service
