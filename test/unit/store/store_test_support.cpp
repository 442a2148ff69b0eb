#include "store_test_support.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <dirent.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <sys/stat.h>
#include <sys/wait.h>

namespace opensoc::store::test {

PacketView TestPacket::view() const {
  PacketView v;
  v.data = bytes.data();
  v.caplen = static_cast<std::uint32_t>(bytes.size());
  v.wirelen = wirelen;
  v.ts = ts;
  v.link = link;
  return v;
}

TestPacket make_packet(std::uint32_t i, std::uint32_t len, TimestampNs ts, LinkType link) {
  TestPacket p;
  p.bytes.resize(len);
  for (std::uint32_t k = 0; k < len; ++k) p.bytes[k] = static_cast<std::uint8_t>((i * 131u + k * 7u) ^ (k >> 8));
  // An Ethernet header with an unassigned ethertype: Wireshark shows it as
  // data and does not try to reassemble anything across frames.
  if (len >= 14) {
    p.bytes[12] = 0x88;
    p.bytes[13] = 0xb5;  // IEEE local experimental
  }
  p.wirelen = len;
  p.ts = ts;
  p.link = link;
  return p;
}

TestPacket make_filled_packet(std::uint32_t len, TimestampNs ts, std::uint8_t fill) {
  TestPacket p;
  p.bytes.assign(len, fill);
  p.wirelen = len;
  p.ts = ts;
  return p;
}

std::vector<OracleFrame> tshark_frames(const std::string& path) {
  const auto out = run_command("tshark -n -r " + shell_quote(path) +
                               " -o frame.generate_md5_hash:TRUE -T fields -e frame.time_epoch -e frame.len"
                               " -e frame.cap_len -e frame.md5_hash 2>/dev/null");
  if (!out) throw std::runtime_error("tshark failed on " + path);
  std::vector<OracleFrame> frames;
  std::istringstream in(*out);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string epoch, len, cap, md5;
    std::getline(fields, epoch, '\t');
    std::getline(fields, len, '\t');
    std::getline(fields, cap, '\t');
    std::getline(fields, md5, '\t');
    const auto dot = epoch.find('.');
    if (dot == std::string::npos || epoch.size() - dot - 1 != 9) {
      throw std::runtime_error("unexpected tshark time " + epoch);
    }
    OracleFrame f;
    f.ts = std::stoll(epoch.substr(0, dot)) * kNsPerSecond + std::stoll(epoch.substr(dot + 1));
    f.len = static_cast<std::uint32_t>(std::stoul(len));
    f.cap_len = static_cast<std::uint32_t>(std::stoul(cap));
    f.md5 = md5;
    frames.push_back(f);
  }
  return frames;
}

std::optional<std::uint64_t> capinfos_count(const std::string& path) {
  const auto out = run_command("capinfos -c -M -T -r " + shell_quote(path) + " 2>/dev/null");
  if (!out) return std::nullopt;
  const auto tab = out->rfind('\t');
  if (tab == std::string::npos) return std::nullopt;
  return std::stoull(out->substr(tab + 1));
}

std::optional<std::uint64_t> tcpdump_count(const std::string& path) {
  const auto out = run_command("tcpdump -nn -tt -r " + shell_quote(path) + " 2>/dev/null");
  if (!out) return std::nullopt;
  // One line per packet starts with its -tt time; tcpdump adds indented hex
  // dump lines for payloads it cannot decode.
  std::uint64_t n = 0;
  std::istringstream in(*out);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] >= '0' && line[0] <= '9') ++n;
  }
  return n;
}

std::vector<std::string> list_dir(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

std::uint64_t file_size(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw std::runtime_error("stat " + path);
  return static_cast<std::uint64_t>(st.st_size);
}

std::uint64_t allocated_bytes(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw std::runtime_error("stat " + path);
  return static_cast<std::uint64_t>(st.st_blocks) * 512;
}

std::vector<std::uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(const std::string& path, const std::vector<std::uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path);
}

}  // namespace opensoc::store::test
