#pragma once
/// Preflight: what `opensocd preflight` (the unit's ExecStartPre) checks
/// before capture may start, each failure with the command that fixes it:
/// hugepages reserved and hugetlbfs mounted (unless the EAL args say
/// --no-huge), each PCI port bound to a DPDK-capable driver (vfio-pci,
/// uio_pci_generic, igb_uio; mlx4/mlx5 bifurcated), vdev ports' files and
/// interfaces present, the data directory writable, the TLS files readable.
#include <string>
#include <string_view>
#include <vector>

#include "capture/capture_config.hpp"

namespace opensoc::service {

struct PreflightFinding {
  bool ok = true;
  std::string check;    ///< "hugepages", "port 0000:03:00.0", "data_dir", ...
  std::string message;  ///< what was found; for a failure, also what to do
};

struct PreflightInput {
  capture::CaptureConfig capture;
  std::string data_dir;
  std::vector<std::string> readable_files;  ///< TLS cert/key, users file if present
  std::string sysfs_root = "/sys";          ///< tests point these at a fake tree
  std::string proc_root = "/proc";
  std::string dev_root = "/dev";            ///< for /dev/vfio
};

/// Runs every check and returns one finding per check, in a fixed order:
/// hugepages, hugetlbfs, each port, each vdev, data_dir, each file. Reads
/// the filesystem only (no DPDK, no root needed); blocks on that I/O. Any
/// thread; no shared state.
[[nodiscard]] std::vector<PreflightFinding> run_preflight(const PreflightInput& input);

/// "0000:03:00.0" for "0000:03:00.0" or "03:00.0" (lower-cased); "" when
/// `device` does not look like a PCI address (a vdev name such as net_pcap0).
[[nodiscard]] std::string pci_address(std::string_view device);

}  // namespace opensoc::service
