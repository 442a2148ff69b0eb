// Tests for the SSH identification-string parser: hand-made streams for the
// RFC 4253 4.2 edge cases (pre-banner lines, bare LF, the 255-byte bound,
// every truncation), then real banners out of corpus captures compared with
// tshark's ssh.protocol.
#include "proto/ssh_banner.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "proto_test_support.hpp"
#include "support/external_tools.hpp"

namespace {

using opensoc::proto::kSshMaxLineBytes;
using opensoc::proto::parse_ssh_banner;
using opensoc::proto::SshBanner;
using opensoc::proto::SshBannerStatus;

std::span<const std::uint8_t> bytes_of(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// Views in `out` point into `s`: callers keep `s` alive while they read them.
SshBannerStatus parse(const std::string& s, SshBanner& out) { return parse_ssh_banner(bytes_of(s), out); }

}  // namespace

TEST_CASE("parse_ssh_banner splits protocol, software and comments", "[proto][ssh]") {
  SshBanner b;
  SECTION("with comments and CR LF") {
    const std::string s = "SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.1\r\nrest";
    REQUIRE(parse(s, b) == SshBannerStatus::ok);
    CHECK(b.line == "SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.1");
    CHECK(b.proto_version == "2.0");
    CHECK(b.software_version == "OpenSSH_8.9p1");
    CHECK(b.comments == "Ubuntu-3ubuntu0.1");
    CHECK(b.consumed == s.size() - 4);
    CHECK(b.pre_banner_lines == 0);
  }
  SECTION("1.99 without comments, bare LF") {
    const std::string s = "SSH-1.99-Cisco-1.25\n";
    REQUIRE(parse(s, b) == SshBannerStatus::ok);
    CHECK(b.proto_version == "1.99");
    CHECK(b.software_version == "Cisco-1.25");
    CHECK(b.comments.empty());
    CHECK(b.consumed == 20);
  }
  SECTION("empty software version") {
    const std::string s = "SSH-2.0-\r\n";
    REQUIRE(parse(s, b) == SshBannerStatus::ok);
    CHECK(b.proto_version == "2.0");
    CHECK(b.software_version.empty());
  }
}

TEST_CASE("parse_ssh_banner skips lines a server sends before the banner", "[proto][ssh]") {
  SshBanner b;
  const std::string pre = "Welcome\r\n\r\nno SSH here\n";
  const std::string s = pre + "SSH-2.0-dropbear_2022.83\r\n";
  REQUIRE(parse(s, b) == SshBannerStatus::ok);
  CHECK(b.pre_banner_lines == 3);
  CHECK(b.software_version == "dropbear_2022.83");
  CHECK(b.consumed == s.size());

  std::string many;
  for (std::size_t i = 0; i < opensoc::proto::kSshMaxPreBannerLines; ++i) many += "line\r\n";
  const std::string sixteen = many + "SSH-2.0-x\r\n";
  REQUIRE(parse(sixteen, b) == SshBannerStatus::ok);
  CHECK(b.pre_banner_lines == opensoc::proto::kSshMaxPreBannerLines);
  CHECK(parse(many + "one more\r\nSSH-2.0-x\r\n", b) == SshBannerStatus::too_many_lines);
}

TEST_CASE("parse_ssh_banner asks for more bytes on every prefix of a banner", "[proto][ssh]") {
  const std::string s = "hello\r\nSSH-2.0-OpenSSH_9.2p1 Debian-2\r\n";
  SshBanner b;
  for (std::size_t n = 0; n < s.size(); ++n) {
    INFO("prefix " << n);
    CHECK(parse(s.substr(0, n), b) == SshBannerStatus::need_more);
  }
  CHECK(parse(s, b) == SshBannerStatus::ok);
}

TEST_CASE("parse_ssh_banner bounds a line at 255 bytes including CR LF", "[proto][ssh]") {
  SshBanner b;
  const std::string head = "SSH-2.0-";
  const std::string longest = head + std::string(kSshMaxLineBytes - head.size() - 2, 'a') + "\r\n";
  REQUIRE(longest.size() == kSshMaxLineBytes);
  REQUIRE(parse(longest, b) == SshBannerStatus::ok);
  CHECK(b.software_version.size() == kSshMaxLineBytes - head.size() - 2);

  const std::string too_long = head + std::string(kSshMaxLineBytes - head.size() - 1, 'a') + "\r\n";
  CHECK(parse(too_long, b) == SshBannerStatus::line_too_long);
  CHECK(parse(std::string(kSshMaxLineBytes, 'x'), b) == SshBannerStatus::line_too_long);
  CHECK(parse(std::string(kSshMaxLineBytes - 1, 'x'), b) == SshBannerStatus::need_more);
  CHECK(parse(std::string(300, 'x') + "\n", b) == SshBannerStatus::line_too_long);
}

TEST_CASE("parse_ssh_banner rejects a banner without a protocol version", "[proto][ssh]") {
  SshBanner b;
  CHECK(parse("SSH-2.0\r\n", b) == SshBannerStatus::malformed);
  CHECK(parse("SSH--x\r\n", b) == SshBannerStatus::malformed);
  CHECK(parse("SSH-\r\n", b) == SshBannerStatus::malformed);
  CHECK(to_string(SshBannerStatus::malformed) == "malformed");
}

// ---- tshark oracle on real captures ----

namespace {

// Directions of TCP streams, keyed "stream/src_port": the bytes the endpoint
// with that port sent (tshark follow,tcp,raw, one run for all the streams).
std::map<std::string, std::vector<std::uint8_t>> follow_directions(const std::string& pcap, const std::vector<std::string>& streams) {
  std::string cmd = "tshark -n -r " + opensoc::test::shell_quote(pcap) + " -q";
  for (const auto& s : streams) cmd += " -z follow,tcp,raw," + s;
  const auto out = opensoc::test::run_command(cmd + " 2>/dev/null");
  std::map<std::string, std::vector<std::uint8_t>> result;
  if (!out) return result;
  std::istringstream in(*out);
  std::string line;
  std::string stream;
  std::string node0_port;
  std::string node1_port;
  while (std::getline(in, line)) {
    if (line.rfind("Filter: tcp.stream eq ", 0) == 0) stream = line.substr(22);
    if (line.rfind("Node 0: ", 0) == 0) node0_port = line.substr(line.rfind(':') + 1);
    if (line.rfind("Node 1: ", 0) == 0) node1_port = line.substr(line.rfind(':') + 1);
    if (line.empty() || line[0] == '=' || line.find(':') != std::string::npos) continue;
    // Node 1's data is indented with a tab.
    const auto chunk = opensoc::proto::test::from_hex(line);
    std::vector<std::uint8_t>& bytes = result[stream + "/" + (line[0] == '\t' ? node1_port : node0_port)];
    bytes.insert(bytes.end(), chunk.begin(), chunk.end());
  }
  return result;
}

}  // namespace

TEST_CASE("ssh banners in corpus captures match tshark's ssh.protocol", "[proto][ssh][tshark]") {
  if (std::system("command -v tshark >/dev/null 2>&1") != 0) {
    WARN("tshark not installed: oracle comparison skipped");
    return;
  }
  namespace test = opensoc::proto::test;
  const std::vector<std::pair<std::string, std::string>> captures = {
      {"ssh-hassh-incomplete", "input.pcap"},
      {"ssh-hassh-only", "input.pcap"},
      {"ssh-hassh-reassembled", "input.pcap"},
      {"ssh-newkeys", "input.pcap"},
      {"issues/bug-8333-geoip", "input.pcap"},
  };
  std::map<std::string, std::string> software;  // line -> software version, for spot checks
  std::size_t compared = 0;
  for (const auto& [dir, file] : captures) {
    const std::string pcap = test::corpus_capture(dir, file);
    const auto rows = test::tshark_rows(pcap, "ssh.protocol", {"tcp.stream", "tcp.srcport", "ssh.protocol"});
    INFO(pcap);
    REQUIRE_FALSE(rows.empty());
    std::vector<std::string> streams;
    for (const auto& row : rows) {
      if (std::find(streams.begin(), streams.end(), row[0]) == streams.end()) streams.push_back(row[0]);
    }
    auto directions = follow_directions(pcap, streams);
    for (const auto& row : rows) {
      REQUIRE(row.size() == 3);
      const auto& stream = directions[row[0] + "/" + row[1]];
      SshBanner b;
      REQUIRE(parse_ssh_banner(stream, b) == SshBannerStatus::ok);
      CHECK(b.line == row[2]);
      CHECK(b.pre_banner_lines == 0);
      software[std::string(b.line)] = std::string(b.software_version);
      ++compared;
    }
  }
  CHECK(compared >= 10);
  CHECK(software["SSH-2.0-OpenSSH_6.7p1 Raspbian-5+deb8u3"] == "OpenSSH_6.7p1");
  CHECK(software["SSH-1.99-Cisco-1.25"] == "Cisco-1.25");
  CHECK(software["SSH-2.0-OpenSSH_for_Windows_7.7"] == "OpenSSH_for_Windows_7.7");
}
