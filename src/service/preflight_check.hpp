#pragma once
/// Preflight: what `opensocd preflight` (the unit's ExecStartPre) checks
/// before capture may start, each failure with the command that fixes it:
/// hugepages reserved and hugetlbfs mounted (unless the EAL args say
/// --no-huge), each PCI port bound to a DPDK-capable driver (vfio-pci,
/// uio_pci_generic, igb_uio; mlx4/mlx5 bifurcated), vdev ports' files and
/// interfaces present, the data directory writable, the TLS files readable.
#include <string>
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
};

[[nodiscard]] std::vector<PreflightFinding> run_preflight(const PreflightInput& input);

}  // namespace opensoc::service
