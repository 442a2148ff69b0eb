// Real captures: decode_packet against tshark as the oracle, plus a sweep of
// the whole corpus for crashes and out-of-frame offsets. The corpus is
// $OPENSOC_CORPUS (default ../shared/corpus beside the source tree).
#include <catch2/catch.hpp>

#include <arpa/inet.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "decode/decode.hpp"
#include "pcap_test_reader.hpp"

using namespace opensoc;
using namespace opensoc::decode::test;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  std::istringstream in(s);
  while (std::getline(in, cur, sep)) out.push_back(cur);
  if (!s.empty() && s.back() == sep) out.emplace_back();
  return out;
}

bool have_tshark() { return std::system("command -v tshark >/dev/null 2>&1") == 0; }

// The fields we compare, all occurrences, in dissection order.
const char* const kFields[] = {"frame.number", "frame.protocols", "ip.src",        "ip.dst",       "ipv6.src",
                               "ipv6.dst",     "tcp.srcport",     "tcp.dstport",   "udp.srcport",  "udp.dstport",
                               "sctp.srcport", "sctp.dstport",    "icmp.type",     "icmp.code",    "icmpv6.type",
                               "icmpv6.code",  "vlan.id",         "_ws.expert.severity"};
// tshark's "Error" expert severity (PI_ERROR): tshark itself found the frame
// broken (a length past the frame, a malformed option), so its dissection is
// no oracle for ours.
constexpr long kTsharkSeverityError = 0x800000;
constexpr std::size_t kFieldCount = std::size(kFields);

// tshark's view of one frame: field name -> occurrences.
using TsharkFrame = std::map<std::string, std::vector<std::string>>;

std::vector<TsharkFrame> run_tshark(const fs::path& pcap) {
  // Reassembly off: a later fragment must look like what one packet holds.
  std::string cmd = "tshark -n -r '" + pcap.string() +
                    "' -o ip.defragment:FALSE -o ipv6.defragment:FALSE -T fields -E separator=/t"
                    " -E occurrence=a -E aggregator=,";
  for (const char* f : kFields) cmd += std::string(" -e ") + f;
  cmd += " 2>/dev/null";
  std::vector<TsharkFrame> frames;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return frames;
  std::string line;
  char buf[65536];
  while (std::fgets(buf, sizeof buf, p) != nullptr) {
    line += buf;
    if (line.empty() || line.back() != '\n') continue;
    line.pop_back();
    const std::vector<std::string> cols = split(line, '\t');
    line.clear();
    TsharkFrame f;
    for (std::size_t i = 0; i < kFieldCount && i < cols.size(); ++i) {
      f[kFields[i]] = cols[i].empty() ? std::vector<std::string>{} : split(cols[i], ',');
    }
    frames.push_back(std::move(f));
  }
  pclose(p);
  return frames;
}

std::string address_text(const std::uint8_t* p, int version) {
  char buf[INET6_ADDRSTRLEN];
  inet_ntop(version == 4 ? AF_INET : AF_INET6, p, buf, sizeof buf);
  return buf;
}

// What decode_packet should report, derived from tshark's protocol chain:
// the innermost IP header reached through the encapsulations we decode
// (GRE, ERSPAN, PPP, VXLAN, MPLS, IP-in-IP), and the first L4 header after
// it. ICMP errors quote an IP header that tshark dissects and we do not.
struct Expected {
  bool skip = false;  // malformed, or an encapsulation we do not decode
  int ip_version = 0;
  std::size_t ip_index = 0;  // occurrence of ip.* or ipv6.*
  std::string l4;            // "tcp", "udp", "sctp", "icmp", "icmpv6" or ""
  std::size_t l4_index = 0;
};

Expected expected_from(const std::vector<std::string>& protocols) {
  Expected e;
  std::map<std::string, std::size_t> seen;
  for (std::size_t i = 0; i < protocols.size(); ++i) {
    const std::string& t = protocols[i];
    if (t == "_ws.malformed" || t == "_ws.short" || t == "pppoes" || t == "vntag" || t == "etag" || t == "nsh" ||
        t == "chdlc" || t == "llc" || (t == "ppp" && e.ip_version == 0)) {
      e.skip = true;
      return e;
    }
    const std::size_t n = seen[t]++;
    if (t == "ip" || t == "ipv6") {
      e.ip_version = t == "ip" ? 4 : 6;
      e.ip_index = n;
      e.l4.clear();
    } else if (t == "tcp" || t == "sctp" || t == "icmp" || t == "icmpv6") {
      e.l4 = t;
      e.l4_index = n;
      return e;
    } else if (t == "udp") {
      e.l4 = t;
      e.l4_index = n;
      if (i + 1 >= protocols.size() || protocols[i + 1] != "vxlan") return e;
    }
  }
  return e;
}

struct OracleResult {
  std::size_t frames = 0;
  std::size_t compared = 0;
  std::size_t skipped = 0;
  std::vector<std::string> mismatches;
};

const std::string& at(const TsharkFrame& f, const std::string& field, std::size_t i) {
  static const std::string kNone = "<none>";
  const auto it = f.find(field);
  if (it == f.end() || i >= it->second.size()) return kNone;
  return it->second[i];
}

OracleResult compare_with_tshark(const fs::path& pcap) {
  OracleResult r;
  const std::optional<PcapFile> file = PcapFile::read(pcap);
  if (!file) {
    r.mismatches.push_back(pcap.string() + ": unreadable");
    return r;
  }
  const std::vector<TsharkFrame> oracle = run_tshark(pcap);
  if (oracle.size() != file->records.size()) {
    r.mismatches.push_back(pcap.string() + ": tshark saw " + std::to_string(oracle.size()) + " frames, we saw " +
                           std::to_string(file->records.size()));
    return r;
  }
  for (std::size_t i = 0; i < oracle.size(); ++i) {
    ++r.frames;
    const TsharkFrame& t = oracle[i];
    const Expected e = expected_from(split(at(t, "frame.protocols", 0), ':'));
    bool tshark_error = false;
    if (const auto sev = t.find("_ws.expert.severity"); sev != t.end()) {
      for (const std::string& v : sev->second) tshark_error |= std::strtol(v.c_str(), nullptr, 10) >= kTsharkSeverityError;
    }
    if (e.skip || tshark_error) {
      ++r.skipped;
      continue;
    }
    ++r.compared;
    const PacketView v = file->view(file->records[i]);
    const DecodedPacket p = decode::decode_packet(v);
    std::string got;
    std::string want;
    auto field = [&](const std::string& name, const std::string& ours, const std::string& theirs) {
      if (ours != theirs) {
        got += " " + name + "=" + ours;
        want += " " + name + "=" + theirs;
      }
    };
    field("ip_version", std::to_string(p.ip_version), std::to_string(e.ip_version));
    if (e.ip_version != 0 && p.ip_version == e.ip_version) {
      const std::string prefix = e.ip_version == 4 ? "ip" : "ipv6";
      field("src", address_text(v.data + p.src_ip_offset, e.ip_version), at(t, prefix + ".src", e.ip_index));
      field("dst", address_text(v.data + p.dst_ip_offset, e.ip_version), at(t, prefix + ".dst", e.ip_index));
    }
    std::string ours_l4;
    if (p.has(kLayerTcp)) ours_l4 = "tcp";
    if (p.has(kLayerUdp)) ours_l4 = "udp";
    if (p.has(kLayerSctp)) ours_l4 = "sctp";
    if (p.has(kLayerIcmp)) ours_l4 = "icmp";
    if (p.has(kLayerIcmpv6)) ours_l4 = "icmpv6";
    // A first fragment can end inside its L4 header (the "tiny fragment"
    // evasion): tshark shows the partial header, we count it as truncated.
    const bool tiny_fragment = p.fragment && (p.anomaly == DecodeAnomaly::tcp_truncated ||
                                              p.anomaly == DecodeAnomaly::udp_truncated ||
                                              p.anomaly == DecodeAnomaly::icmp_truncated ||
                                              p.anomaly == DecodeAnomaly::icmpv6_truncated ||
                                              p.anomaly == DecodeAnomaly::sctp_truncated);
    // Our nesting limits stop earlier than tshark on purpose.
    const bool limited = p.anomaly == DecodeAnomaly::ipv6_ext_too_many || p.anomaly == DecodeAnomaly::vlan_too_many ||
                         p.anomaly == DecodeAnomaly::mpls_too_many || p.anomaly == DecodeAnomaly::tunnel_too_deep;
    if (!tiny_fragment && !limited) field("l4", ours_l4, e.l4);
    if (!e.l4.empty() && ours_l4 == e.l4) {
      const bool icmp = e.l4 == "icmp" || e.l4 == "icmpv6";
      field("sport", std::to_string(p.src_port), at(t, e.l4 + (icmp ? ".type" : ".srcport"), e.l4_index));
      field("dport", std::to_string(p.dst_port), at(t, e.l4 + (icmp ? ".code" : ".dstport"), e.l4_index));
    }
    const auto vlans = t.find("vlan.id");
    const std::size_t tagged = vlans == t.end() ? 0 : vlans->second.size();
    field("vlan_count", std::to_string(p.vlan_count), std::to_string(tagged));
    for (std::size_t k = 0; k < 2 && k < tagged; ++k) {
      field("vlan" + std::to_string(k), std::to_string(p.vlan[k]), at(t, "vlan.id", k));
    }
    if (!got.empty()) {
      r.mismatches.push_back(pcap.parent_path().filename().string() + "/" + pcap.filename().string() + " frame " + std::to_string(i + 1) + " [" +
                             at(t, "frame.protocols", 0) + "] anomaly=" + std::string(anomaly_name(p.anomaly)) +
                             " ours:" + got + " tshark:" + want);
    }
  }
  return r;
}

std::vector<fs::path> all_pcaps(const fs::path& root) {
  std::vector<fs::path> out;
  if (!fs::is_directory(root)) return out;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (e.is_regular_file() && e.path().extension() == ".pcap") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("decode_packet agrees with tshark on real tunnelled, tagged and non-Ethernet captures",
          "[decode][corpus][oracle]") {
  const auto corpus = corpus_dir();
  if (!corpus) {
    WARN("corpus not found: set OPENSOC_CORPUS; skipping");
    return;
  }
  if (!have_tshark()) {
    WARN("tshark not installed; skipping the oracle comparison");
    return;
  }
  // Each exercises a decoder tshark also dissects: VLAN/QinQ, GRE (v0, with
  // inner ICMP errors), ERSPAN I/II, VXLAN, SCTP, SLL, SLL2, null/loopback,
  // raw IP, IPv6 extension headers and fragments, IP-in-IP, PPTP.
  const char* const kCaptures[] = {
      "eve-flow-vlan/input.pcap",
      "eve-flow-vlan-02/input.pcap",
      "bug-5633-gre-01/gre-udp.pcap",
      "bug-5633-gre-02/gre-sample.pcap",
      "decode-erspan-typeI-02/input.pcap",
      "decode-erspan-typeII-01/input.pcap",
      "vxlan-decoder-02/vxlan.pcap",
      "vxlan-decoder-03/vxlan.pcap",
      "arp/detect-arp-04-vxlan/vxlan-arp.pcap",
      "decode-sctp-01/input.pcap",
      "decode-sll2-01/input.pcap",
      "smb-eicar-file/input.pcap",
      "http-ipv6/input.pcap",
      "bug-5881-01/input.pcap",
      "ipv6-hdr-keyword-02/input.pcap",
      "bug-4571-01/ipv4_over_ipv4.pcap",
      "bug-4571-03/ipv6_over_ipv6.pcap",
      "bug-4571-04/ipv6_over_ipv4.pcap",
      "defrag/bug-6887-defrag-ipv6-tcp/frag-ip-tcp.pcap",
      "defrag/bug-6887-defrag-ipv4-tcp-syn/frag-ip-tcp-syn.pcap",
      "defrag/bug-6887-defrag-eth-vlan-ipv6-tcp/frag-eth-vlan-ipv6-tcp.pcap",
      "decode-sll2-02/input.pcap",
      "ipv6-evasion/ipv6-covert-dstopts/covert_send6.pcap",
      "ipv6-evasion/ipv6-malformed-fragments-1/frag-1.pcap",
      "flow-pkt-recursion/tunnel-pkt-flows.pcap",
      "bug-7725-01/ip_in_ip.pcap",
      "decode-teredo-01/input.pcap",        // Teredo: not decoded, the UDP flow is
      "geneve-decoder/input.pcap",          // Geneve: likewise
      "output-eve-smb-01/input.pcap",
      "bug-5758/input.pcap",
      "base64-decode-5885/input.pcap",      // IPv6 hop-by-hop, IGMP
  };
  const fs::path tests = *corpus / "suricata-verify" / "tests";
  std::size_t compared = 0;
  for (const char* name : kCaptures) {
    const fs::path pcap = tests / name;
    INFO(pcap.string());
    REQUIRE(fs::is_regular_file(pcap));
    const OracleResult r = compare_with_tshark(pcap);
    for (const std::string& m : r.mismatches) UNSCOPED_INFO(m);
    CHECK(r.mismatches.empty());
    CHECK(r.compared > 0);
    compared += r.compared;
  }
  CHECK(compared > 1500);
}

// Not run by default: the same comparison over every capture in the corpus,
// for finding disagreements worth a look. Run with `decode_tests "[.oracle-all]"`.
TEST_CASE("decode_packet agrees with tshark on the whole corpus", "[.oracle-all]") {
  const auto corpus = corpus_dir();
  if (!corpus || !have_tshark()) return;
  // OPENSOC_ORACLE_FILTER=<substring> limits the sweep to matching paths.
  const char* filter = std::getenv("OPENSOC_ORACLE_FILTER");
  std::size_t frames = 0, compared = 0, mismatched = 0;
  for (const fs::path& pcap : all_pcaps(*corpus / "suricata-verify" / "tests")) {
    if (filter != nullptr && pcap.string().find(filter) == std::string::npos) continue;
    const OracleResult r = compare_with_tshark(pcap);
    frames += r.frames;
    compared += r.compared;
    mismatched += r.mismatches.size();
    for (const std::string& m : r.mismatches) std::printf("%s\n", m.c_str());
  }
  std::printf("frames %zu compared %zu mismatched %zu\n", frames, compared, mismatched);
  CHECK(mismatched == 0);
}

TEST_CASE("decode_packet decodes every corpus frame within its bounds", "[decode][corpus]") {
  const auto corpus = corpus_dir();
  if (!corpus) {
    WARN("corpus not found: set OPENSOC_CORPUS; skipping");
    return;
  }
  const std::vector<fs::path> pcaps = all_pcaps(*corpus / "suricata-verify" / "tests");
  REQUIRE(pcaps.size() > 100);
  std::size_t frames = 0, with_ip = 0, errors = 0;
  for (const fs::path& pcap : pcaps) {
    const std::optional<PcapFile> file = PcapFile::read(pcap);
    if (!file) continue;
    for (const PcapRecord& rec : file->records) {
      // An exactly sized copy, so AddressSanitizer sees any over-read.
      const std::vector<std::uint8_t> exact(file->bytes.begin() + rec.offset,
                                            file->bytes.begin() + rec.offset + rec.caplen);
      PacketView v = file->view(rec);
      v.data = exact.data();
      const DecodedPacket p = decode::decode_packet(v);
      ++frames;
      if (p.ip_version != 0) {
        ++with_ip;
        const std::uint32_t alen = p.ip_version == 4 ? 4 : 16;
        if (p.src_ip_offset + alen > rec.caplen || p.dst_ip_offset + alen > rec.caplen) {
          FAIL(pcap.string() << ": address outside the frame");
        }
      }
      if (p.payload_offset + std::uint64_t{p.payload_len} > rec.caplen) {
        FAIL(pcap.string() << ": payload outside the frame");
      }
      if (anomaly_is_error(p.anomaly)) ++errors;
    }
  }
  INFO("frames " << frames << ", with IP " << with_ip << ", decode errors " << errors);
  CHECK(frames > 10000);
  // Most of the corpus is ordinary traffic: decoding must succeed on it.
  CHECK(with_ip * 100 > frames * 95);
}

TEST_CASE("decode_packet names the anomaly in captures that are broken on purpose", "[decode][corpus]") {
  const auto corpus = corpus_dir();
  if (!corpus) {
    WARN("corpus not found: set OPENSOC_CORPUS; skipping");
    return;
  }
  struct Known {
    const char* pcap;
    std::size_t frame;  // 1-based, as tshark numbers them
    DecodeAnomaly anomaly;
  };
  const Known known[] = {
      // 32 MPLS pseudowires, each carrying Ethernet and another label stack.
      {"decode-too-many-layers/input.pcap", 1, DecodeAnomaly::tunnel_too_deep},
      // IPv4 total length 65028 in a 1530-byte frame.
      {"ipv4-truncated/truncated.pcap", 1, DecodeAnomaly::ipv4_bad_total_length},
      // Over a hundred IPv6 fragment headers in a row.
      {"ipv6-evasion/ipv6-malformed-fragments-11/frag-11.pcap", 6, DecodeAnomaly::ipv6_ext_too_many},
      // Outer IPv6 next header 4 (IPv4), but the inner header says version 6.
      {"bug-7964-01/wrong-version-ipv4-ipv6.pcap", 1, DecodeAnomaly::ipv4_bad_version},
  };
  for (const Known& k : known) {
    INFO(k.pcap);
    const std::optional<PcapFile> file = PcapFile::read(*corpus / "suricata-verify" / "tests" / k.pcap);
    REQUIRE(file);
    REQUIRE(file->records.size() >= k.frame);
    const DecodedPacket p = decode::decode_packet(file->view(file->records[k.frame - 1]));
    CHECK(anomaly_name(p.anomaly) == anomaly_name(k.anomaly));
  }
}
