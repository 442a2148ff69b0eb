#pragma once
// The reference readers the capture tests compare against: Wireshark's
// tshark and capinfos, run as child processes, plus our own reader's output
// in the same shape. Also finds the shared corpus.
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "support/external_tools.hpp"

#include "capture/pcap_file_source.hpp"

namespace opensoc::capture::test {

using opensoc::test::corpus_dir;
using opensoc::test::run_command;
using opensoc::test::shell_quote;

/// One frame as both readers describe it.
struct Frame {
  TimestampNs ts = 0;
  std::uint32_t wirelen = 0;
  std::uint32_t caplen = 0;
  friend bool operator==(const Frame&, const Frame&) = default;
};


/// Every .pcap under suricata-verify/tests (at any depth), sorted.
std::vector<std::string> corpus_pcaps();



/// tshark's frames (time_epoch, len, cap_len) for the packets it could read.
/// time_epoch is "%u.%09u" of (secs, nsecs); nsecs are not normalised, so
/// a fraction of more than 9 digits is a nanosecond count of its own.
std::vector<Frame> tshark_frames(const std::string& path);

/// What capinfos -c -M says about a set of files (one child process for all).
struct CapinfosReport {
  std::map<std::string, std::uint64_t> counts;  ///< records read, per path
  std::set<std::string> cut_short;              ///< files it found cut short mid-record
};
CapinfosReport capinfos_report(const std::vector<std::string>& paths);

/// Everything our reader hands out until exhausted().
std::vector<Frame> read_frames(PcapFileSource& src);

}  // namespace opensoc::capture::test
