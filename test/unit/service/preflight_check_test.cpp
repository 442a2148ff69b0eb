// run_preflight on a fake /proc, /sys and /dev tree in a temp directory:
// hugepages, PCI driver bindings, vdev files and interfaces, data_dir, files.
#include "service/preflight_check.hpp"

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "support/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using opensoc::service::PreflightFinding;
using opensoc::service::PreflightInput;
using opensoc::service::run_preflight;

void write(const std::string& path, const std::string& text) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path) << text;
}

// A fake machine: /proc, /sys and /dev under one temp directory, with
// hugepages reserved and mounted unless a test changes that.
struct FakeMachine {
  opensoc::test::TempDir dir;
  PreflightInput input;

  FakeMachine() {
    input.proc_root = dir.file("proc");
    input.sysfs_root = dir.file("sys");
    input.dev_root = dir.file("dev");
    input.data_dir = dir.file("data");
    fs::create_directories(input.data_dir);
    fs::create_directories(input.dev_root);
    meminfo(1024, 1000);
    write(input.proc_root + "/mounts",
          "proc /proc proc rw 0 0\nhugetlbfs /dev/hugepages hugetlbfs rw,relatime,pagesize=2M 0 0\n");
  }
  void meminfo(int total, int free) {
    write(input.proc_root + "/meminfo", "MemTotal:       16310884 kB\nHugePages_Total:    " + std::to_string(total) +
                                            "\nHugePages_Free:     " + std::to_string(free) +
                                            "\nHugePages_Rsvd:        0\nHugepagesize:       2048 kB\n");
  }
  void pci_device(const std::string& addr, const std::string& driver) {
    const std::string dev = input.sysfs_root + "/bus/pci/devices/" + addr;
    fs::create_directories(dev);
    if (!driver.empty()) fs::create_directory_symlink("../../../../bus/pci/drivers/" + driver, dev + "/driver");
  }
  void port(const std::string& device) {
    opensoc::capture::PortConfig p;
    p.device = device;
    input.capture.ports.push_back(p);
  }
  std::vector<PreflightFinding> run() const { return run_preflight(input); }
  PreflightFinding finding(const std::string& check) const {
    for (const auto& f : run())
      if (f.check == check) return f;
    FAIL("no finding for " << check);
    return {};
  }
};

}  // namespace

TEST_CASE("pci_address recognises PCI addresses and rejects vdev names", "[service][preflight]") {
  using opensoc::service::pci_address;
  CHECK(pci_address("0000:03:00.0") == "0000:03:00.0");
  CHECK(pci_address("03:00.1") == "0000:03:00.1");
  CHECK(pci_address("0001:AF:1e.7") == "0001:af:1e.7");
  CHECK(pci_address("net_pcap0").empty());
  CHECK(pci_address("03:00.8").empty());
  CHECK(pci_address("0000:03:00:0").empty());
  CHECK(pci_address("000g:03:00.0").empty());
  CHECK(pci_address("").empty());
}

TEST_CASE("preflight checks hugepages and hugetlbfs unless --no-huge", "[service][preflight]") {
  FakeMachine m;
  SECTION("reserved, free and mounted") {
    const auto all = m.run();
    REQUIRE(all.size() == 3);  // hugepages, hugetlbfs, data_dir
    CHECK(all[0].check == "hugepages");
    CHECK(all[0].ok);
    CHECK(all[0].message == "1000 of 1024 hugepages of 2048kB free");
    CHECK(all[1].check == "hugetlbfs");
    CHECK(all[1].ok);
    CHECK(all[1].message == "mounted on /dev/hugepages");
  }
  SECTION("none reserved") {
    m.meminfo(0, 0);
    const auto f = m.finding("hugepages");
    CHECK_FALSE(f.ok);
    CHECK(f.message.find("no hugepages reserved (HugePages_Total: 0)") == 0);
    CHECK(f.message.find("/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages") != std::string::npos);
  }
  SECTION("all in use") {
    m.meminfo(512, 0);
    const auto f = m.finding("hugepages");
    CHECK_FALSE(f.ok);
    CHECK(f.message.find("all 512 hugepages are in use") == 0);
  }
  SECTION("meminfo unreadable") {
    fs::remove(m.input.proc_root + "/meminfo");
    CHECK_FALSE(m.finding("hugepages").ok);
  }
  SECTION("hugetlbfs not mounted") {
    write(m.input.proc_root + "/mounts", "proc /proc proc rw 0 0\ntmpfs /dev/shm tmpfs rw 0 0\n");
    const auto f = m.finding("hugetlbfs");
    CHECK_FALSE(f.ok);
    CHECK(f.message.find("mount -t hugetlbfs") != std::string::npos);
  }
  SECTION("--no-huge skips both, even with nothing reserved") {
    m.meminfo(0, 0);
    fs::remove(m.input.proc_root + "/mounts");
    m.input.capture.eal_args = {"--no-huge", "-m", "512"};
    const auto hp = m.finding("hugepages");
    CHECK(hp.ok);
    CHECK(hp.message == "skipped: --no-huge");
    const auto fs_ = m.finding("hugetlbfs");
    CHECK(fs_.ok);
    CHECK(fs_.message == "skipped: --no-huge");
  }
}

TEST_CASE("preflight checks that each PCI port is bound to a DPDK-capable driver", "[service][preflight]") {
  FakeMachine m;
  SECTION("bound to a kernel driver: the devbind command") {
    m.pci_device("0000:03:00.0", "ixgbe");
    m.port("0000:03:00.0");
    const auto f = m.finding("port 0000:03:00.0");
    CHECK_FALSE(f.ok);
    CHECK(f.message ==
          "port 0000:03:00.0 is bound to ixgbe (a kernel driver): run `dpdk-devbind.py --bind=vfio-pci 0000:03:00.0` "
          "(and load vfio-pci)");
  }
  SECTION("vfio-pci with /dev/vfio") {
    m.pci_device("0000:03:00.0", "vfio-pci");
    fs::create_directories(m.input.dev_root + "/vfio");
    m.port("03:00.0");  // short form, domain 0
    const auto f = m.finding("port 0000:03:00.0");
    CHECK(f.ok);
    CHECK(f.message == "bound to vfio-pci");
  }
  SECTION("vfio-pci without /dev/vfio") {
    m.pci_device("0000:03:00.0", "vfio-pci");
    m.port("0000:03:00.0");
    const auto f = m.finding("port 0000:03:00.0");
    CHECK_FALSE(f.ok);
    CHECK(f.message.find("modprobe vfio-pci") != std::string::npos);
  }
  SECTION("uio drivers") {
    m.pci_device("0000:03:00.0", "uio_pci_generic");
    m.pci_device("0000:03:00.1", "igb_uio");
    m.port("0000:03:00.0");
    m.port("0000:03:00.1");
    CHECK(m.finding("port 0000:03:00.0").ok);
    CHECK(m.finding("port 0000:03:00.1").ok);
  }
  SECTION("mlx5 is bifurcated") {
    m.pci_device("0000:81:00.0", "mlx5_core");
    m.port("0000:81:00.0");
    const auto f = m.finding("port 0000:81:00.0");
    CHECK(f.ok);
    CHECK(f.message.find("bifurcated") != std::string::npos);
  }
  SECTION("no driver at all") {
    m.pci_device("0000:03:00.0", "");
    m.port("0000:03:00.0");
    const auto f = m.finding("port 0000:03:00.0");
    CHECK_FALSE(f.ok);
    CHECK(f.message.find("not bound to any driver: run `dpdk-devbind.py --bind=vfio-pci 0000:03:00.0`") !=
          std::string::npos);
  }
  SECTION("no such device") {
    m.port("0000:09:00.0");
    const auto f = m.finding("port 0000:09:00.0");
    CHECK_FALSE(f.ok);
    CHECK(f.message.find("no PCI device 0000:09:00.0") == 0);
  }
  SECTION("the same port twice is checked once") {
    m.pci_device("0000:03:00.0", "igb_uio");
    m.port("0000:03:00.0");
    m.port("03:00.0");
    CHECK(m.run().size() == 4);
  }
}

TEST_CASE("preflight checks vdev files and interfaces from the EAL args", "[service][preflight]") {
  FakeMachine m;
  m.input.capture.eal_args = {"--no-huge"};
  m.port("net_pcap0");  // not a PCI address: no port finding
  const std::string pcap = m.dir.file("in.pcap");
  write(pcap, "x");
  SECTION("net_pcap with a readable file") {
    m.input.capture.eal_args.insert(m.input.capture.eal_args.end(), {"--vdev", "net_pcap0,rx_pcap=" + pcap});
    const auto all = m.run();
    REQUIRE(all.size() == 4);
    CHECK(all[2].check == "vdev net_pcap0");
    CHECK(all[2].ok);
    CHECK(all[2].message == "rx_pcap " + pcap + " readable");
  }
  SECTION("net_pcap with a missing file") {
    m.input.capture.eal_args.push_back("--vdev=net_pcap0,rx_pcap=" + m.dir.file("missing.pcap"));
    const auto f = m.finding("vdev net_pcap0");
    CHECK_FALSE(f.ok);
    CHECK(f.message == "rx_pcap " + m.dir.file("missing.pcap") + " is not readable: No such file or directory");
  }
  SECTION("af_packet interface present or missing") {
    fs::create_directories(m.input.sysfs_root + "/class/net/eth1");
    m.input.capture.eal_args.insert(m.input.capture.eal_args.end(),
                                    {"--vdev", "net_af_packet0,iface=eth1,qpairs=1", "--vdev",
                                     "net_af_packet1,iface=eth9"});
    const auto present = m.finding("vdev net_af_packet0");
    CHECK(present.ok);
    CHECK(present.message == "interface eth1 present");
    const auto missing = m.finding("vdev net_af_packet1");
    CHECK_FALSE(missing.ok);
    CHECK(missing.message.find("interface eth9 does not exist") == 0);
  }
  SECTION("other drivers are not checked") {
    m.input.capture.eal_args.insert(m.input.capture.eal_args.end(), {"--vdev", "net_null0"});
    CHECK(m.finding("vdev net_null0").ok);
  }
}

TEST_CASE("preflight checks the data directory and the files the daemon reads", "[service][preflight]") {
  FakeMachine m;
  m.input.capture.eal_args = {"--no-huge"};
  SECTION("existing directory") {
    const auto f = m.finding("data_dir");
    CHECK(f.ok);
    CHECK(f.message == m.input.data_dir + " is writable");
  }
  SECTION("not there yet but creatable") {
    m.input.data_dir = m.dir.file("new/deeper");
    const auto f = m.finding("data_dir");
    CHECK(f.ok);
    CHECK(f.message == m.input.data_dir + " does not exist yet; it will be created under " + m.dir.path());
  }
  SECTION("a file, not a directory") {
    write(m.dir.file("plain"), "x");
    m.input.data_dir = m.dir.file("plain");
    CHECK_FALSE(m.finding("data_dir").ok);
  }
  SECTION("empty") {
    m.input.data_dir.clear();
    CHECK_FALSE(m.finding("data_dir").ok);
  }
  SECTION("readable and missing files") {
    write(m.dir.file("cert.pem"), "pem");
    m.input.readable_files = {m.dir.file("cert.pem"), m.dir.file("key.pem")};
    const auto all = m.run();
    REQUIRE(all.size() == 5);
    CHECK(all[3].check == "file " + m.dir.file("cert.pem"));
    CHECK(all[3].ok);
    CHECK(all[4].check == "file " + m.dir.file("key.pem"));
    CHECK_FALSE(all[4].ok);
    CHECK(all[4].message == "not readable: No such file or directory");
  }
}
