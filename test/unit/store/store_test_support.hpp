#pragma once
// Helpers for the store tests: a private temp directory, deterministic
// packets, the Wireshark tools as oracles, and a listing of segment files.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "support/external_tools.hpp"

#include "opensoc/core/packet_view.hpp"
#include "support/temp_dir.hpp"

namespace opensoc::store::test {

using opensoc::test::corpus_dir;
using opensoc::test::run_command;
using opensoc::test::shell_quote;

using opensoc::test::TempDir;

/// An owned frame plus the view that points at it.
struct TestPacket {
  std::vector<std::uint8_t> bytes;
  PacketView view() const;
  std::uint32_t wirelen = 0;
  TimestampNs ts = 0;
  LinkType link = LinkType::ethernet;
};

/// Frame number `i` of `len` bytes: an Ethernet-looking header then bytes
/// that depend on i, so that every frame of a test is different.
TestPacket make_packet(std::uint32_t i, std::uint32_t len, TimestampNs ts, LinkType link = LinkType::ethernet);
/// A frame whose bytes are all `fill`.
TestPacket make_filled_packet(std::uint32_t len, TimestampNs ts, std::uint8_t fill);



/// One frame as tshark prints it.
struct OracleFrame {
  TimestampNs ts = 0;
  std::uint32_t len = 0;
  std::uint32_t cap_len = 0;
  std::string md5;  ///< of the captured bytes
  friend bool operator==(const OracleFrame&, const OracleFrame&) = default;
};
/// tshark -T fields -e frame.time_epoch -e frame.len -e frame.cap_len -e frame.md5_hash
std::vector<OracleFrame> tshark_frames(const std::string& path);
/// capinfos -c: the packet count, or nullopt if capinfos fails on the file.
std::optional<std::uint64_t> capinfos_count(const std::string& path);
/// Packets `tcpdump -r path -nn -tt` prints for the file, or nullopt if it fails.
std::optional<std::uint64_t> tcpdump_count(const std::string& path);

/// File names (not paths) in `dir`, sorted; hidden ones included.
std::vector<std::string> list_dir(const std::string& dir);
std::uint64_t file_size(const std::string& path);
/// Bytes the file system has allocated for the file (st_blocks * 512).
std::uint64_t allocated_bytes(const std::string& path);
std::vector<std::uint8_t> read_file(const std::string& path);
void write_file(const std::string& path, const std::vector<std::uint8_t>& bytes);

}  // namespace opensoc::store::test
